"""Test-only DAG: the Amazon provider's own operators against the emulator.

Driven by tests/local_aws/test_provider_operators.py through `airflow dags test`; the bucket,
lake directory and script come from the environment the test sets.
"""

from __future__ import annotations

import os

from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.operators.glue_crawler import (
    GlueCrawlerCreateOperator,
    GlueCrawlerRunOperator,
)
from airflow.providers.amazon.aws.operators.s3 import S3CreateBucketOperator
from airflow.sdk import chain, dag, task

BUCKET = os.environ.get("OPS_TEST_BUCKET", "ops-test")
LAKE_DIR = os.environ.get("OPS_TEST_LAKE_DIR", "")
SCRIPT = os.environ.get("OPS_TEST_SCRIPT", "")
DATABASE = "ops_test_raw"
CRAWLER = "ops-test-crawler"


@dag(schedule=None, catchup=False, tags=["test"])
def local_aws_operators():
    create_bucket = S3CreateBucketOperator(task_id="create_bucket", bucket_name=BUCKET)

    @task
    def land_and_prepare() -> None:
        from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        from covid_lake.domain.datasets import DATASETS

        s3 = S3Hook()
        for ds in DATASETS:
            s3.load_file(f"{LAKE_DIR}/{ds.key}", key=ds.raw_key(), bucket_name=BUCKET, replace=True)
        glue = AwsBaseHook(client_type="glue").get_conn()
        glue.create_database(DatabaseInput={"Name": DATABASE})
        glue.create_classifier(CsvClassifier={"Name": "ops-test-csv", "ContainsHeader": "PRESENT",
                                              "QuoteSymbol": '"', "Delimiter": ","})
        AwsBaseHook(client_type="iam").get_conn().create_role(
            RoleName="ops-test-glue", AssumeRolePolicyDocument="{}")

    create_crawler = GlueCrawlerCreateOperator(
        task_id="create_crawler",
        config={"Name": CRAWLER, "Role": "arn:aws:iam::123456789012:role/ops-test-crawler",
                "DatabaseName": DATABASE, "Classifiers": ["ops-test-csv"],
                "Targets": {"S3Targets": [{"Path": f"s3://{BUCKET}/raw/"}]}},
    )
    crawl = GlueCrawlerRunOperator(task_id="crawl", crawler_name=CRAWLER, poll_interval=1,
                                   deferrable=False)
    crawl_again_deferred = GlueCrawlerRunOperator(task_id="crawl_again_deferred",
                                                  crawler_name=CRAWLER, poll_interval=1,
                                                  deferrable=True)
    job = GlueJobOperator(
        task_id="job",
        job_name="ops-test-job",
        script_location=SCRIPT,
        s3_bucket=BUCKET,
        iam_role_name="ops-test-glue",
        replace_script_file=True,
        update_config=True,
        create_job_kwargs={"Command": {"Name": "pythonshell", "PythonVersion": "3.9",
                                       "ScriptLocation": f"s3://{BUCKET}/artifacts/glue-scripts/"
                                                         f"{os.path.basename(SCRIPT)}"},
                           "MaxCapacity": 0.0625},
        script_args={"--bucket": BUCKET},
        wait_for_completion=True,
        deferrable=False,
        job_poll_interval=1,
    )

    chain(create_bucket, land_and_prepare(), create_crawler, crawl, crawl_again_deferred, job)


local_aws_operators()

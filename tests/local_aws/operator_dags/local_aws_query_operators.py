"""Test-only DAG: the provider's AthenaOperator and RedshiftDataOperator against the emulator.

Driven by tests/local_aws/test_query_operators.py through `airflow dags test`; the bucket comes
from the environment the test sets.
"""

from __future__ import annotations

import os

from airflow.providers.amazon.aws.operators.athena import AthenaOperator
from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator
from airflow.providers.amazon.aws.operators.s3 import S3CreateBucketOperator
from airflow.sdk import chain, dag, task

BUCKET = os.environ.get("QOPS_TEST_BUCKET", "qops-test")
RESULTS = f"s3://{BUCKET}/athena-results/"


@dag(schedule=None, catchup=False, tags=["test"])
def local_aws_query_operators():
    create_bucket = S3CreateBucketOperator(task_id="create_bucket", bucket_name=BUCKET)

    @task
    def land() -> None:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        S3Hook().load_string("state,cases\nNY,10\nCA,4\nNY,5\n", key="cases/cases.csv",
                             bucket_name=BUCKET, replace=True)

    create_db = AthenaOperator(task_id="create_db", query="CREATE DATABASE IF NOT EXISTS qops",
                               database="default", output_location=RESULTS, sleep_time=1)
    create_table = AthenaOperator(
        task_id="create_table", database="qops", output_location=RESULTS, sleep_time=1,
        query=f"""CREATE EXTERNAL TABLE IF NOT EXISTS cases (state string, cases bigint)
                  ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
                  LOCATION 's3://{BUCKET}/cases/' TBLPROPERTIES ('skip.header.line.count'='1')""")
    unload = AthenaOperator(
        task_id="unload", database="qops", output_location=RESULTS, sleep_time=1,
        query=f"UNLOAD (SELECT state, SUM(cases) AS total FROM cases GROUP BY state) "
              f"TO 's3://{BUCKET}/totals/' WITH (format = 'PARQUET')")
    load = RedshiftDataOperator(
        task_id="load", cluster_identifier="qops-cluster", database="dev", poll_interval=1,
        sql=["CREATE TABLE IF NOT EXISTS state_totals (state VARCHAR(2) ENCODE ZSTD, total BIGINT) "
             "DISTSTYLE ALL SORTKEY (state)",
             "TRUNCATE state_totals",
             f"COPY state_totals FROM 's3://{BUCKET}/totals/' "
             "IAM_ROLE 'arn:aws:iam::123456789012:role/qops' FORMAT AS PARQUET"],
    )
    check = RedshiftDataOperator(
        task_id="check", workgroup_name="qops-cluster", database="dev", poll_interval=1,
        sql="SELECT 1", return_sql_result=True,
    )

    @task
    def verify() -> None:
        from airflow.providers.amazon.aws.hooks.redshift_data import RedshiftDataHook

        hook = RedshiftDataHook()
        statement = hook.execute_query(sql="SELECT state, total FROM state_totals ORDER BY state",
                                       cluster_identifier="qops-cluster", database="dev", poll_interval=1)
        records = hook.conn.get_statement_result(Id=statement.statement_id)["Records"]
        got = [(r[0]["stringValue"], r[1]["longValue"]) for r in records]
        assert got == [("CA", 4), ("NY", 15)], got

    chain(create_bucket, land(), create_db, create_table, unload, load, check, verify())


local_aws_query_operators()

"""The Amazon provider's operators, unchanged, against the emulator under `airflow dags test`."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

from covid_lake.domain.datasets import BY_NAME

DAGS = Path(__file__).parent / "operator_dags"

SCRIPT = textwrap.dedent('''
    import argparse, boto3
    p = argparse.ArgumentParser()
    p.add_argument("--bucket")
    args, _ = p.parse_known_args()
    boto3.client("s3").put_object(Bucket=args.bucket, Key="job-output/done.txt", Body=b"ok")
''')


def test_crawler_and_job_operators_run_for_real(airflow, emulator, small_lake, tmp_path):
    bucket = f"ops-{uuid.uuid4().hex[:8]}"
    script = tmp_path / "ops_test_job.py"
    script.write_text(SCRIPT)
    conn = ('{"conn_type": "aws", "login": "local", "password": "local", '
            f'"extra": {{"region_name": "us-east-1", "endpoint_url": "{emulator.endpoint_url}"}}}}')
    done = airflow.run("dags", "test", "local_aws_operators", dags_folder=DAGS,
                       AIRFLOW_CONN_AWS_DEFAULT=conn, OPS_TEST_BUCKET=bucket,
                       OPS_TEST_LAKE_DIR=str(small_lake), OPS_TEST_SCRIPT=str(script))
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-5000:]
    assert "state=success" in log and "state=failed" not in log

    glue, s3 = emulator.client("glue"), emulator.client("s3")
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName="ops_test_raw")["TableList"]}
    assert set(tables) == set(BY_NAME)
    # The crawler's classifier fixed the header problem at the source.
    abv = [c["Name"] for c in tables["state_abv"]["StorageDescriptor"]["Columns"]]
    assert abv == ["state", "abbreviation"]
    crawler = glue.get_crawler(Name="ops-test-crawler")["Crawler"]
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    # The job really ran its (uploaded) script.
    assert s3.get_object(Bucket=bucket, Key="job-output/done.txt")["Body"].read() == b"ok"
    runs = glue.get_job_runs(JobName="ops-test-job")["JobRuns"]
    assert [r["JobRunState"] for r in runs] == ["SUCCEEDED"]

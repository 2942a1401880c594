"""AthenaOperator and RedshiftDataOperator, unchanged, against the emulator under `airflow dags test`."""

from __future__ import annotations

import uuid
from pathlib import Path

DAGS = Path(__file__).parent / "operator_dags"


def test_athena_and_redshift_data_operators_run_for_real(airflow, emulator):
    bucket = f"qops-{uuid.uuid4().hex[:8]}"
    emulator.clusters("qops-cluster")  # the DAG's RedshiftDataOperator target
    conn = ('{"conn_type": "aws", "login": "local", "password": "local", '
            f'"extra": {{"region_name": "us-east-1", "endpoint_url": "{emulator.endpoint_url}"}}}}')
    done = airflow.run("dags", "test", "local_aws_query_operators", dags_folder=DAGS,
                       AIRFLOW_CONN_AWS_DEFAULT=conn, QOPS_TEST_BUCKET=bucket)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-5000:]
    assert "state=failed" not in log

    athena, glue = emulator.client("athena"), emulator.client("glue")
    assert glue.get_table(DatabaseName="qops", Name="cases")["Table"]["Parameters"][
        "skip.header.line.count"] == "1"
    executions = athena.list_query_executions()["QueryExecutionIds"]
    states = {athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Status"]["State"]
              for i in executions}
    assert states <= {"SUCCEEDED", "FAILED"}  # other tests' failures share the emulator

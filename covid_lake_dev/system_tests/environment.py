"""The environment every `airflow` command of the harness gets.

Two ways in to local_aws are needed: the operators and hooks use Airflow's aws_default connection
(set the way the project's own local stack sets it, local_stack.aws_connection), while some DAG
tasks call boto3.client(...) directly, which only the AWS_* variables reach. A DAG that connects
to a cluster's Postgres endpoint with redshift_connector verifies its certificate, as against
AWS: SSL_CERT_FILE names the emulator's CA (docs/local-aws.md, "SQL clients").
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from covid_lake_dev.local_stack import aws_connection
from covid_lake_dev.system_tests import SHIMS


def airflow_env(endpoint: str, home: Path, dags: Path, state_dir: Path | None = None) -> dict[str, str]:
    python_path = os.pathsep.join(p for p in (str(SHIMS), os.environ.get("PYTHONPATH", "")) if p)
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(aws_connection(endpoint)),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONPATH": python_path,
        **({"SSL_CERT_FILE": str(state_dir / "tls" / "ca.pem")} if state_dir else {}),
    }

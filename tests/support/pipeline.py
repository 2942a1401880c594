"""The covid_lake_daily DAG run with `airflow dags test` against a local_aws process: shared by
tests/dags (sample and real lake) and tests/e2e (the reference warehouse of a backfill)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3

from covid_lake.aws import redshift_io

ROOT = Path(__file__).resolve().parents[2]
TARGET = {"WorkgroupName": "covid-lake", "Database": "dev"}
KEYS = {"dimdate": "date_key", "dimregion": "fips", "dimhospital": "hospital_id",
        "factcovid": "date_key, fips", "factcovidcounty": "date_key, fips"}
_RUN_STATE = re.compile(r"DagRun Finished: .*?state=(\w+)")


class Pipeline:
    def __init__(self, airflow, emulator):
        self.airflow, self.emulator = airflow, emulator
        from covid_lake_dev.local_stack import SESSION_FACTORY, aws_connection

        # as make run, make airflow and the compose stack configure it (local_stack.airflow_env)
        self.env = {"AIRFLOW_CONN_AWS_DEFAULT": json.dumps(aws_connection(emulator.endpoint_url)),
                    "AIRFLOW__AWS__SESSION_FACTORY": SESSION_FACTORY}

    def run(self, day: str) -> tuple[str, str]:
        return self.run_conf(day)

    def run_conf(self, day: str, env: dict[str, str] | None = None, **conf) -> tuple[str, str]:
        done = self.airflow.run("dags", "test", "covid_lake_daily", day, "--conf",
                                json.dumps({"run_date": day, **conf}), dags_folder=ROOT / "dags",
                                **self.env, **(env or {}))
        log = done.stdout + done.stderr
        states = _RUN_STATE.findall(log)
        return (states[-1] if states else "none"), log

    def run_report(self) -> tuple[str, str]:
        """covid_lake_report once (under `dags test` no Asset event schedules it)."""
        done = self.airflow.run("dags", "test", "covid_lake_report", dags_folder=ROOT / "dags",
                                **self.env)
        log = done.stdout + done.stderr
        states = _RUN_STATE.findall(log)
        return (states[-1] if states else "none"), log

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.emulator.endpoint_url,
                            region_name="us-east-1", aws_access_key_id="local",
                            aws_secret_access_key="local")

    def query(self, sql: str, params: dict | None = None) -> list[dict]:
        return redshift_io.query(self.client("redshift-data"), sql, TARGET, params)

    def snapshot(self) -> dict[str, list[dict]]:
        return {t: self.query(f"SELECT * FROM {t} ORDER BY {k}") for t, k in KEYS.items()}

"""The real `airflow` CLI in a throw-away AIRFLOW_HOME (sqlite): shared by the session's `airflow`
fixture (tests/conftest.py) and the test files that need a metadata DB of their own."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from covid_lake_dev import airflow_command


class AirflowRunner:
    """Runs the real `airflow` CLI in a throw-away AIRFLOW_HOME (sqlite)."""

    def __init__(self, home):
        self.home = Path(home)
        # `airflow`, the collector kept off what lasts (covid_lake_dev/airflow_command.py)
        self.airflow = airflow_command.COMMAND

    def env(self, dags_folder, **extra: str) -> dict[str, str]:
        return {**os.environ, "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False", **extra}

    def run(self, *args: str, dags_folder, timeout: float = 600, **extra: str):
        return subprocess.run([*self.airflow, *args], env=self.env(dags_folder, **extra),
                              capture_output=True, text=True, timeout=timeout)


def migrated(home: Path) -> AirflowRunner:
    """An AirflowRunner on `home` with its metadata DB migrated (~4 s)."""
    runner = AirflowRunner(home)
    done = runner.run("db", "migrate", dags_folder=runner.home / "dags")
    assert done.returncode == 0, done.stderr[-3000:]
    return runner

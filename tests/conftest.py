"""Fixtures shared by every test folder: the synthetic sample lake, generated once per session."""

from __future__ import annotations

import pytest

from covid_lake_dev.sample_lake import DEFAULT_SEED, generate

# The client suite's "checks right / total" lines at the end of the run (tests/clients).
from tests.clients.summary import pytest_terminal_summary  # noqa: F401

# Each test file's span on its xdist worker, printed at the end (tests/support/timeline.py);
# the files of minutes handed out first (tests/support/file_order.py).
pytest_plugins = ["tests.support.timeline", "tests.support.file_order"]


@pytest.fixture(scope="session")
def small_lake(tmp_path_factory):
    """Directory laid out like the covid19-lake bucket, at the `small` scale."""
    out = tmp_path_factory.mktemp("lake-small")
    generate(out, scale="small", seed=DEFAULT_SEED)
    return out


@pytest.fixture(scope="session")
def full_lake(tmp_path_factory):
    """The `full` scale: the real files' row counts (a few seconds to generate)."""
    out = tmp_path_factory.mktemp("lake-full")
    generate(out, scale="full", seed=DEFAULT_SEED)
    return out


class AirflowRunner:
    """Runs the real `airflow` CLI in a throw-away AIRFLOW_HOME (sqlite, migrated once)."""

    def __init__(self, home):
        import sys
        from pathlib import Path

        self.home = Path(home)
        self.airflow = str(Path(sys.executable).with_name("airflow"))

    def env(self, dags_folder, **extra: str) -> dict[str, str]:
        import os

        return {**os.environ, "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False", **extra}

    def run(self, *args: str, dags_folder, timeout: float = 600, **extra: str):
        import subprocess

        return subprocess.run([self.airflow, *args], env=self.env(dags_folder, **extra),
                              capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def airflow(tmp_path_factory):
    runner = AirflowRunner(tmp_path_factory.mktemp("airflow-home"))
    done = runner.run("db", "migrate", dags_folder=runner.home / "dags")
    assert done.returncode == 0, done.stderr[-3000:]
    return runner

"""docker/healthcheck/airflow_job_alive.py decides as Airflow's own `airflow jobs check` does:
the same job rows, judged by both (Airflow's command run in-process on the same database)."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docker" / "healthcheck" / "airflow_job_alive.py"
NOW = dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)


def _script():
    spec = importlib.util.spec_from_file_location("airflow_job_alive", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def metadata_db(tmp_path, monkeypatch):
    """A database with Airflow's own `job` table, named by the variable both sides read."""
    from airflow.jobs.job import Job

    url = f"sqlite:///{tmp_path / 'airflow.db'}"
    engine = sa.create_engine(url)
    Job.__table__.create(engine)
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", url)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))  # no airflow.cfg there
    yield engine
    engine.dispose()


def _add_job(engine, job_type: str, hostname: str, state: str, age_s: float | None) -> None:
    from airflow.jobs.job import Job

    heartbeat = None if age_s is None else NOW - dt.timedelta(seconds=age_s)
    with engine.begin() as conn:
        conn.execute(sa.insert(Job.__table__).values(
            job_type=job_type, hostname=hostname, state=state, latest_heartbeat=heartbeat,
            start_date=NOW - dt.timedelta(hours=1)))


def _airflow_says_alive(engine, job_type: str, hostname: str, monkeypatch) -> bool:
    """`airflow jobs check --job-type T --hostname H` (its defaults: --limit 1), in-process."""
    from airflow.cli.commands import jobs_command
    from airflow.jobs import job
    from sqlalchemy.orm import Session

    monkeypatch.setattr(job.timezone, "utcnow", lambda: NOW)  # the clock Job.is_alive reads
    job.health_check_threshold.cache_clear()  # lru_cache'd: read once per process in Airflow
    args = argparse.Namespace(job_type=job_type, hostname=hostname, local=False, limit=1,
                              allow_multiple=False)
    with Session(engine) as session:
        try:
            jobs_command.check.__wrapped__(args, session=session)
        except SystemExit:
            return False
    return True


CASES = {
    "fresh heartbeat": [("TriggererJob", "a1", "running", 5)],
    "heartbeat older than the threshold": [("TriggererJob", "a1", "running", 31)],
    "another host's job": [("TriggererJob", "b2", "running", 5)],
    "a job that ended": [("TriggererJob", "a1", "success", 5)],
    "no heartbeat yet": [("TriggererJob", "a1", "running", None)],
    "another type on this host": [("DagProcessorJob", "a1", "running", 5)],
    "an old job and its restart": [("TriggererJob", "a1", "failed", 2),
                                   ("TriggererJob", "a1", "running", 100),
                                   ("TriggererJob", "a1", "running", 12)],
    "no job at all": [],
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("threshold", [None, "10"])
def test_the_check_decides_as_airflow_jobs_check(metadata_db, monkeypatch, case, threshold):
    script = _script()
    if threshold:
        monkeypatch.setenv("AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD", threshold)
    for job in CASES[case]:
        _add_job(metadata_db, *job)
    expected = _airflow_says_alive(metadata_db, "TriggererJob", "a1", monkeypatch)
    why = script.check("TriggererJob", "a1", now=NOW)
    assert (why is None) == expected, (case, threshold, why)


def test_the_dag_processors_threshold_is_its_own_option(metadata_db, monkeypatch):
    script = _script()
    _add_job(metadata_db, "DagProcessorJob", "a1", "running", 20)
    monkeypatch.setenv("AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD", "10")
    assert script.check("DagProcessorJob", "a1", now=NOW) is None  # default 30 s
    assert _airflow_says_alive(metadata_db, "DagProcessorJob", "a1", monkeypatch)
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__HEALTH_CHECK_THRESHOLD", "15")
    assert "older than 15 s" in script.check("DagProcessorJob", "a1", now=NOW)
    assert not _airflow_says_alive(metadata_db, "DagProcessorJob", "a1", monkeypatch)


def test_airflow_cfg_is_read_when_the_environment_has_no_value(metadata_db, tmp_path):
    _add_job(metadata_db, "TriggererJob", "a1", "running", 20)
    (tmp_path / "airflow.cfg").write_text("[triggerer]\ntriggerer_health_check_threshold = 15\n")
    assert "older than 15 s" in _script().check("TriggererJob", "a1", now=NOW)


def test_as_a_command_it_exits_1_naming_what_is_missing(metadata_db):
    _add_job(metadata_db, "TriggererJob", "a1", "running", 0)
    # now, not NOW: the command uses the clock
    with metadata_db.begin() as conn:
        conn.execute(sa.text("UPDATE job SET latest_heartbeat = :t"),
                     {"t": dt.datetime.now(dt.UTC)})
    alive = subprocess.run([sys.executable, str(SCRIPT), "TriggererJob", "a1"],
                           capture_output=True, text=True)
    assert (alive.returncode, alive.stdout.strip()) == (0, "Found one alive job."), alive.stderr
    other = subprocess.run([sys.executable, str(SCRIPT), "TriggererJob", "b2"],
                           capture_output=True, text=True)
    assert other.returncode == 1
    assert other.stderr.strip() == "no running TriggererJob on host b2"
    wrong = subprocess.run([sys.executable, str(SCRIPT), "SchedulerJob", "a1"],
                           capture_output=True, text=True)
    assert wrong.returncode == 1 and "unknown job type 'SchedulerJob'" in wrong.stderr
    usage = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert usage.returncode == 2 and "HOSTNAME" in usage.stderr


def test_a_database_that_does_not_answer_is_named_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{tmp_path}/no/such/dir.db")
    why = _script().check("TriggererJob", "a1")
    assert why.startswith("the metadata database did not answer: OperationalError") and "\n" not in why

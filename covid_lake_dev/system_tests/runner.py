"""Run one DAG with `airflow dags test` and read back what happened from the metadata DB.

The exit code of `airflow dags test` says little (it is 0 for a failed run on some versions), so
the result is the dag_run and task_instance rows the run left in AIRFLOW_HOME's SQLite DB, and
the first error line is taken from the failed task's log.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from covid_lake_dev import airflow_command

# `airflow`, the collector kept off what lasts (covid_lake_dev/airflow_command.py)
AIRFLOW = airflow_command.COMMAND
# A line naming an exception ("botocore.exceptions.ClientError: An error ...", "ValueError: ...").
_ERROR_LINE = re.compile(r"\b([A-Za-z_][\w.]*(?:Error|Exception|Failure|Timeout)\w*): (.+)")


@dataclass
class Result:
    dag_id: str
    state: str
    tasks: dict[str, str] = field(default_factory=dict)
    first_error: str = ""
    seconds: float = 0.0
    log_path: Path | None = None

    @property
    def failed(self) -> list[str]:
        """Tasks that failed themselves: not the watcher (it fails because another did)."""
        return [t for t, s in self.tasks.items() if s == "failed" and t != "watcher"]

    @property
    def upstream_failed(self) -> int:
        return sum(1 for s in self.tasks.values() if s == "upstream_failed")

    @property
    def passed(self) -> int:
        return sum(1 for s in self.tasks.values() if s in ("success", "skipped"))  # the watcher skips when all is well


def migrate(env: dict[str, str], home: Path) -> None:
    """`airflow db migrate` once per AIRFLOW_HOME (it is idempotent, but slow)."""
    marker = home / ".migrated"
    if marker.exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([*AIRFLOW, "db", "migrate"], env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"airflow db migrate failed:\n{done.stderr[-3000:]}")
    marker.touch()


def run_dag(dag_id: str, env: dict[str, str], home: Path, logs: Path, timeout: float) -> Result:
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{dag_id}.log"
    started = time.monotonic()
    with open(log_path, "w") as out:
        try:
            subprocess.run([*AIRFLOW, "dags", "test", dag_id], env=env, stdout=out,
                           stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            out.write(f"\nHARNESS: TimeoutExpired: no result after {timeout:.0f}s\n")
    result = read_result(dag_id, home / "airflow.db")
    result.seconds = time.monotonic() - started
    result.log_path = log_path
    result.first_error = first_error(log_path.read_text(errors="replace"), result.failed)
    return result


def read_result(dag_id: str, db: Path) -> Result:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1",
                           (dag_id,)).fetchone()
        if row is None:
            return Result(dag_id, "not run")
        tasks = dict(conn.execute("SELECT task_id, COALESCE(state, 'none') FROM task_instance "
                                  "WHERE dag_id = ? AND run_id = ? ORDER BY start_date",
                                  (dag_id, row[0])).fetchall())
    return Result(dag_id, row[1] or "none", tasks)


def first_error(log: str, failed: list[str]) -> str:
    """The first exception line of the run's output (the watcher's own message excluded).

    When that line opens a response dict (RedshiftDataQueryFailedError prints the statement's
    description), the dict's 'Error' entry, a few lines on, is what says why: it is appended."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        match = _ERROR_LINE.search(line)
        if match and "one or more upstream tasks failed" not in line:
            text = f"{match.group(1).split('.')[-1]}: {match.group(2)}"
            if text.rstrip().endswith(("{", ",")):
                detail = next((m.strip() for m in lines[i + 1:i + 15] if "'Error':" in m), "")
                text = f"{text.split(' Response details:')[0]} {detail}"
            return text[:240]
    return "HARNESS: no error line found" if failed else ""

"""make airflow's shutdown, on real processes: Ctrl-C leaves nothing of the stack running."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from covid_lake import local_airflow

# A stand-in for standalone: exits on SIGINT, but its child (like a scheduler busy shutting
# down) ignores SIGINT and would outlive it.
_PARENT = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c",
                  "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(300)"])
print("ready", flush=True)
time.sleep(300)
"""


def test_stop_leaves_no_process_of_the_group_behind():
    proc = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)  # the child has set its SIGINT handler
    t0 = time.monotonic()
    local_airflow.stop(proc, timeout=2)
    assert proc.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
    assert time.monotonic() - t0 < 20


def test_the_metadata_db_is_in_wal_mode_and_airflow_waits_60_s_for_a_lock(tmp_path):
    """SQLite settings that keep `make airflow`'s writers from failing on each other's lock
    (backfill creation answers 503 and undoes itself otherwise): WAL, kept in the file, and the
    busy timeout Airflow's own engine gets from SQLITE_CONNECT_ARGS."""
    import sqlite3

    env = local_airflow.stack_env("http://127.0.0.1:5050", tmp_path, 8080)
    assert local_airflow.use_wal(env) == "wal"
    with sqlite3.connect(tmp_path / "airflow" / "airflow.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    ask = ("from sqlalchemy import text; from airflow import settings\n"
           "with settings.engine.connect() as c: print(c.execute(text('PRAGMA busy_timeout')).scalar())")
    done = subprocess.run([sys.executable, "-c", ask], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == str(local_airflow.SQLITE_CONNECT_ARGS["timeout"] * 1000)

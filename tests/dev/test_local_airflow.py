"""make airflow's shutdown, on real processes: Ctrl-C leaves nothing of the stack running."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from covid_lake_dev import local_airflow
from covid_lake_dev.metadata_db import ROOT_DATA_PARENT, MetadataDB

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


# A stand-in for the scheduler with its LocalExecutor, as Airflow 3.3.2 leaves it after SIGINT:
# non-daemon multiprocessing workers that ignore SIGINT and wait on their queues under the
# executor's process titles (argv: "<idle>", or the task a worker runs), which the scheduler
# joins at exit (multiprocessing's exit handler). Forked after the scheduler registered its
# signals, they inherit its SIGTERM handler, which returns in a child process
# (scheduler_job_runner._exit_gracefully): SIGTERM does not end them.
_SCHEDULER = """
import multiprocessing, signal, sys, time
import setproctitle

def worker(queue, title):
    # the executor's process title: "<idle>", or the task it runs
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    setproctitle.setproctitle(title)
    queue.get()

def exit_gracefully(signum, frame):
    if multiprocessing.parent_process() is not None:
        return  # only the scheduler itself exits
    sys.exit(0)

if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    signal.signal(signal.SIGTERM, exit_gracefully)
    workers = [multiprocessing.Process(target=worker, args=(
        multiprocessing.SimpleQueue(), f"airflow worker -- LocalExecutor: {title}"))
        for title in sys.argv[1:]]
    for w in workers:
        w.start()
    print(*(w.pid for w in workers), flush=True)
    try:
        time.sleep(300)
    except KeyboardInterrupt:
        sys.exit(0)  # multiprocessing's exit handler now joins the workers
"""


def _scheduler(tmp_path, *titles: str) -> tuple[subprocess.Popen, list[int]]:
    script = tmp_path / "scheduler.py"
    script.write_text(_SCHEDULER)
    proc = subprocess.Popen([sys.executable, str(script), *titles], stdout=subprocess.PIPE,
                            text=True, start_new_session=True)
    pids = list(map(int, proc.stdout.readline().split()))
    time.sleep(0.5)  # the workers have set their titles and SIGINT handlers
    return proc, pids


def test_ctrl_c_stops_idle_executor_workers_that_ignore_sigint_at_once(tmp_path):
    proc, _ = _scheduler(tmp_path, "<idle>")
    t0 = time.monotonic()
    local_airflow.stop(proc, timeout=60)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
    assert time.monotonic() - t0 < 15  # not the SIGINT's 60 s wait


def test_ctrl_c_leaves_a_worker_running_a_task_until_the_sigterm(tmp_path):
    import psutil

    proc, (idle, busy) = _scheduler(tmp_path, "<idle>", "task-of-a-run")
    stopping = threading.Thread(target=local_airflow.stop, args=(proc,), kwargs={"timeout": 8})
    stopping.start()
    time.sleep(local_airflow.IDLE_WORKERS_AFTER + 3)
    assert not psutil.pid_exists(idle) or psutil.Process(idle).status() == psutil.STATUS_ZOMBIE
    assert psutil.Process(busy).status() != psutil.STATUS_ZOMBIE
    stopping.join(60)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)


def test_the_metadata_db_is_a_private_postgres_that_airflow_uses_and_that_keeps_its_data(tmp_path):
    """make airflow's metadata DB (PostgreSQL: on SQLite a backfill created while runs execute
    answers 503 and deletes its runs under the scheduler). Airflow's sync engine (psycopg2) and
    async engine (asyncpg, the API's) both reach it over its socket; a restart finds the data."""
    ask = ("import asyncio\n"
           "from sqlalchemy import text\n"
           "from airflow import settings\n"
           "with settings.engine.connect() as c:\n"
           "    print(c.execute(text('SELECT current_database()')).scalar())\n"
           "async def main():\n"
           "    async with settings.AsyncSession() as s:\n"
           "        print((await s.execute(text('SELECT count(*) FROM marker'))).scalar())\n"
           "asyncio.run(main())\n")
    db = MetadataDB(tmp_path / "postgres")
    try:
        with db:
            db.sql("CREATE TABLE marker (x int); INSERT INTO marker VALUES (1), (2)", "airflow")
            env = local_airflow.stack_env("http://127.0.0.1:5050", tmp_path, 8080, db.uri)
            assert "/" not in db.uri.split("?")[0].split("@")[1].strip("/"), "socket, not TCP"
        if os.geteuid() == 0:  # its own user must reach it whatever becomes of root's folders
            assert db.data_dir.parent == ROOT_DATA_PARENT
            tmp_path.chmod(0o700)
        with MetadataDB(tmp_path / "postgres") as again:  # the same cluster, the same rows
            assert again.data_dir == db.data_dir
            assert again.sql("SELECT count(*) FROM marker", "airflow") == "2"
            done = subprocess.run([sys.executable, "-c", ask], env=env, capture_output=True,
                                  text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.split()[:2] == ["airflow", "2"], done.stdout
        # stopped: nothing answers on the socket any more
        assert not (db.socket_dir / ".s.PGSQL.5432").exists()
    finally:
        if db.data_dir.parent == ROOT_DATA_PARENT:
            shutil.rmtree(db.data_dir, ignore_errors=True)


def test_a_directory_recreated_at_the_same_path_starts_a_new_cluster(tmp_path):
    """The cluster goes with the directory asked for, also when root's lives in /var/tmp: a
    second `make airflow` state on a recreated path must not find the first one's DAG runs."""
    asked = tmp_path / "postgres"
    first = MetadataDB(asked)
    second = None
    try:
        with first:
            first.sql("CREATE TABLE marker (x int)", "airflow")
        shutil.rmtree(asked)
        second = MetadataDB(asked)
        with second:
            assert second.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'marker'", "airflow") == "0"
        assert second.data_dir != first.data_dir or os.geteuid() != 0
    finally:
        for db in (first, second):
            if db is not None and db.data_dir.parent == ROOT_DATA_PARENT:
                shutil.rmtree(db.data_dir, ignore_errors=True)


def test_a_server_left_running_by_a_killed_launcher_is_taken_over(tmp_path):
    left = MetadataDB(tmp_path / "postgres").__enter__()  # its launcher never got to stop it
    try:
        with MetadataDB(tmp_path / "postgres") as db:
            assert db.sql("SELECT count(*) FROM pg_database WHERE datname = 'airflow'") == "1"
        assert not (db.socket_dir / ".s.PGSQL.5432").exists(), "stopped on exit"
    finally:
        left.__exit__(None, None, None)
        if left.data_dir.parent == ROOT_DATA_PARENT:
            shutil.rmtree(left.data_dir, ignore_errors=True)

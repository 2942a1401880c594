"""covid_lake_daily beside Airflow's floor (benchmarks/dags/covid_lake_noop.py), under
`airflow dags test` on one local_aws and one Airflow home: run time, task span (first task
start to last task end, from the metadata DB) and the daily run's time by task.

The no-op and the daily run alternate, so the machine's drift hits both alike. Case code uses only
what every revision has (the launcher, offline_run's environment, the `airflow` CLI), so
run.py can run it against a baseline checkout too (code.py).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

NOOP_DAGS = Path(__file__).resolve().parent / "dags"
_STATE = re.compile(r"DagRun Finished: .*?state=(\w+)")


def _span(db: Path, dag_id: str) -> tuple[float, list[dict]]:
    """The latest run of dag_id: first task start to last task end, and each task's figures."""
    with sqlite3.connect(db) as con:
        run_id = con.execute("SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1",
                             (dag_id,)).fetchone()[0]
        rows = con.execute("SELECT task_id, map_index, state, start_date, end_date FROM task_instance "
                           "WHERE dag_id = ? AND run_id = ? AND start_date IS NOT NULL "
                           "ORDER BY start_date", (dag_id, run_id)).fetchall()
    when = lambda s: datetime.fromisoformat(s)  # noqa: E731  # sqlite keeps ISO text
    first = min(when(r[3]) for r in rows)
    last = max(when(r[4]) for r in rows if r[4])
    tasks = [{"task": t if m < 0 else f"{t}[{m}]", "state": st,
              "start_s": (when(s) - first).total_seconds(),
              "seconds": (when(e) - when(s)).total_seconds() if e else None}
             for t, m, st, s, e in rows]
    return (last - first).total_seconds(), tasks


@contextlib.contextmanager
def airflow_on_local_aws(scale: str) -> Iterator[tuple[dict[str, str], Path, str]]:
    """make run's stack in a temporary folder: local_aws with the sample of `scale`, an Airflow
    home migrated with the pools. Yields the `airflow` environment, its metadata DB, the CLI."""
    from covid_lake.tasks import settings
    from covid_lake_dev import emulator as launcher
    from covid_lake_dev import offline_run

    with tempfile.TemporaryDirectory() as tmp:
        aws = launcher.start(Path(tmp) / "aws", sample_scale=scale,
                             workgroups=[settings.DEFAULTS["redshift_workgroup"]])
        try:
            env = offline_run.env_for(aws.endpoint_url, Path(tmp))
            offline_run.prepare_airflow(env)
            yield env, Path(env["AIRFLOW_HOME"]) / "airflow.db", str(Path(sys.executable).with_name("airflow"))
        finally:
            aws.stop()


def _dags_test(command: list[str], env: dict, dag_id: str, *args: str) -> float:
    """`<command> dags test dag_id *args`; its seconds, or SystemExit unless the run succeeded."""
    t0 = time.perf_counter()
    done = subprocess.run([*command, "dags", "test", dag_id, *args], env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    log = done.stdout + done.stderr
    if _STATE.findall(log) != ["success"] or done.returncode:
        raise SystemExit(f"{command} {dag_id} {args} did not succeed:\n{log[-3000:]}")
    return seconds


def dag_speed(scale: str = "small", rounds: str = "3") -> dict:
    """The no-op DAG plain (Airflow's floor, the goals' denominator), the no-op DAG with the daily
    DAG's gc policy (covid_lake.tasks.gc_freeze; like for like) and the daily run, alternating."""
    # a baseline from before the gc policy has no like-for-like floor to run
    with_gc = importlib.util.find_spec("covid_lake.tasks.gc_freeze") is not None
    runs = ("noop", "noop_gc", "daily") if with_gc else ("noop", "daily")
    out: dict = {f"{name}_{what}_s": [] for name in runs for what in ("run", "tasks")}
    with airflow_on_local_aws(scale) as (env, db, airflow):
        noop_env = {**env, "AIRFLOW__CORE__DAGS_FOLDER": str(NOOP_DAGS)}
        noop_gc_env = {**noop_env, "COVID_LAKE_NOOP_GC_FREEZE": "1"}

        def run(dag_id: str, run_env: dict, *args: str) -> tuple[float, float, list[dict]]:
            seconds = _dags_test([airflow], run_env, dag_id, *args)
            span, tasks = _span(db, dag_id)
            return seconds, span, tasks

        def daily(day: str) -> tuple[float, float, list[dict]]:
            return run("covid_lake_daily", env, day, "--conf", json.dumps({"run_date": day}))

        out["noop_first_run_s"], _, _ = run("covid_lake_noop", noop_env)
        out["first_daily_run_s"], out["first_daily_tasks_s"], out["first_tasks"] = daily("2020-04-14")
        for i in range(int(rounds)):
            steps = [("noop", lambda: run("covid_lake_noop", noop_env)),
                     ("noop_gc", lambda: run("covid_lake_noop", noop_gc_env)),
                     ("daily", lambda i=i: daily(f"2020-04-{15 + i:02d}"))]
            steps = [(name, step) for name, step in steps if name in runs]
            for name, step in steps if i % 2 == 0 else steps[::-1]:
                seconds, span, tasks = step()
                out[f"{name}_run_s"].append(seconds)
                out[f"{name}_tasks_s"].append(span)
                out[f"{name}_tasks"] = tasks  # the last run's breakdown
    for key in (f"{name}_{what}_s" for name in runs for what in ("run", "tasks")):
        out[f"{key}_median"] = statistics.median(out[key])
    out["seconds"] = out["daily_run_s_median"]
    return out


def command_exit(scale: str = "small", rounds: str = "3") -> dict:
    """The no-op DAG and the daily run, each under the venv's `airflow` and under
    covid_lake_dev.airflow_command (make run's and the tests' way of calling it), alternating on
    one stack: what keeping the collector off the process's lasting objects saves a run. This
    checkout's code only (both commands run the same Airflow; there is no old and new)."""
    from covid_lake_dev.airflow_command import COMMAND

    out: dict = {f"{dag}_{how}_s": [] for dag in ("noop", "daily") for how in ("airflow", "launcher")}
    with airflow_on_local_aws(scale) as (env, _db, airflow):
        noop_env = {**env, "AIRFLOW__CORE__DAGS_FOLDER": str(NOOP_DAGS)}
        commands = {"airflow": [airflow], "launcher": list(COMMAND)}
        day = 14
        for i in range(int(rounds) + 1):  # the first round (the first daily run crawls) not counted
            hows = ("airflow", "launcher") if i % 2 == 0 else ("launcher", "airflow")
            for dag, run_env in (("noop", noop_env), ("daily", env)):
                for how in hows:
                    args = ["covid_lake_noop"] if dag == "noop" else [
                        "covid_lake_daily", f"2020-04-{day:02d}", "--conf",
                        json.dumps({"run_date": f"2020-04-{day:02d}"})]
                    day += dag == "daily"
                    seconds = _dags_test(commands[how], run_env, *args)
                    if i:
                        out[f"{dag}_{how}_s"].append(seconds)
    for key in list(out):
        out[f"{key}_median"] = statistics.median(out[key])
    out["seconds"] = out["daily_launcher_s_median"]
    return out

"""`python -m covid_lake_dev.airflow_command ARGS...`: the venv's `airflow` command (what its
script runs: airflow.__main__.main), with Python's garbage collector kept off what lives as long
as the process: Airflow's modules once imported, and everything at exit.

Why: an `airflow dags test` process ends holding 0.7-0.9 million objects (Airflow and its
in-process API server; pandas, pyarrow and botocore's models in the daily DAG's tasks), and
Python's finalisation runs full collections over all of them: 1.7-2.4 s after "DagRun Finished"
in every run, about a fifth of a small daily run. During the run, each full collection walks
the same objects again: 10-11 of them, 1.8-2.4 s a run.

`gc.freeze()` (the call Airflow itself makes before its executors fork) moves every tracked
object out of the collector's reach. Called at exit, it leaves finalisation's passes nothing to
walk; the rest of the exit is Python's own: the exit status and any message of SystemExit,
tracebacks, waiting for non-daemon threads, atexit handlers (logging's flush, Airflow's
dispose_orm, tempfile's clean-ups), module teardown and objects freed by reference count. Only
objects in reference cycles stay unfreed until the process ends, whose __del__ Python never
promises to run at exit. Called once Airflow's configuration and CLI parser are imported (their
objects live as long as the process; what is already garbage is collected first), it spares the
run's own collections a walk over them.

Measured side by side (benchmarks/dag_speed.command_exit; docs/performance.md): the no-op DAG of
benchmarks/dags 8.8 -> 7.0 s a run with the exit alone, 6.7 -> 6.0 s more with the early freeze;
the daily run 9.9 -> 9.4 s from the early freeze, peak memory the same.

make run, the tests and the system-test runner call `airflow` through this; `make airflow`'s
long-lived `airflow standalone` does not.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

COMMAND = (sys.executable, "-m", "covid_lake_dev.airflow_command")


def main() -> None:
    from airflow.__main__ import main as airflow_main

    gc.collect()
    gc.freeze()
    sys.argv[0] = str(Path(sys.executable).with_name("airflow"))  # its usage lines say `airflow`
    try:
        sys.exit(airflow_main())
    finally:
        gc.disable()
        gc.freeze()


if __name__ == "__main__":
    main()

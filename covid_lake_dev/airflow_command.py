"""`python -m covid_lake_dev.airflow_command ARGS...`: the venv's `airflow` command (what its
script runs: airflow.__main__.main), whose exit skips the garbage collector's passes over
everything the process still holds.

Why: an `airflow dags test` process ends holding 0.7-0.9 million objects (Airflow and its
in-process API server; pandas, pyarrow and botocore's models in the daily DAG's tasks), and
Python's finalisation runs full collections over all of them: 1.7-2.4 s after "DagRun Finished"
in every run, about a fifth of a small daily run. Measured side by side (the no-op DAG of
benchmarks/dags, 4-6 runs each): 8.4-8.8 s a run with `airflow`, 6.7-7.0 s with this.

`gc.freeze()` (the call Airflow itself makes before its executors fork) moves every tracked
object out of the collector's reach, so those passes find nothing to walk. The rest of the exit
is Python's own: the exit status and any message of SystemExit, tracebacks, waiting for
non-daemon threads, atexit handlers (logging's flush, Airflow's dispose_orm, tempfile's
clean-ups), module teardown and objects freed by reference count. Only objects in reference
cycles stay unfreed until the process ends, whose __del__ Python never promises to run at exit.

make run, the tests and the system-test runner call `airflow` through this; `make airflow`'s
long-lived `airflow standalone` needs no faster exit.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

COMMAND = (sys.executable, "-m", "covid_lake_dev.airflow_command")


def main() -> None:
    from airflow.__main__ import main as airflow_main

    sys.argv[0] = str(Path(sys.executable).with_name("airflow"))  # its usage lines say `airflow`
    try:
        sys.exit(airflow_main())
    finally:
        gc.disable()
        gc.freeze()


if __name__ == "__main__":
    main()

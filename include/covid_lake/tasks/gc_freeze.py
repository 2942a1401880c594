"""Keep Python's cyclic garbage collector off the objects a task process already holds.

A task process holds 0.7-0.9 million objects that live as long as it does: Airflow, the Amazon
provider, botocore's service models, pandas. Every full collection walks all of them (0.1-0.3 s
each, 10-12 in a daily run under `airflow dags test`, which runs every task in one process), and
so does the interpreter's finalisation at exit (2-3 s). `gc.freeze()` moves every object the
collector tracks into its permanent generation, which no collection walks again
(https://docs.python.org/3/library/gc.html#gc.freeze). docs/performance.md has the figures.

Every task of our DAGs calls `before_task` first (`pre_execute` in policy.task_defaults):
- the young generations are collected first, so the garbage a previous task just left in a
  cycle is freed, not frozen;
- what is frozen is what the process holds when the task starts; what the task then builds
  (its DataFrames) stays collectable.
The price: an object that was already in the old generation and later becomes cyclic garbage
is never freed. A worker's task process runs one task and leaves with `os._exit`, so nothing
accumulates there; `airflow dags test` grew by 6 MB over a daily run's 35 tasks (408 -> 414 MB).
The gain is mostly `airflow dags test`'s: under the scheduler the LocalExecutor freezes its heap
before forking the workers, so a task process already inherits most of what it holds frozen.
"""

from __future__ import annotations

import gc
from typing import Any


def before_task(context: Any = None) -> None:
    """A task's `pre_execute` hook (Airflow passes the task context; it is not needed)."""
    gc.collect(1)
    gc.freeze()

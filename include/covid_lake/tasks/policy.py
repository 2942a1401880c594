"""The pipeline's failure policy: what Airflow does with an error that is the data's fault
(covid_lake.domain.errors), and the timeouts and retries of every task.

A `DataError` is deterministic: the same input fails the same way on every attempt (a source
missing, empty, without a column the pipeline reads, keys that cannot be built, a contract or
check that does not hold, a source quirk above its limit). Retrying it only delays the failure,
so a task turns it into AirflowFailException, which fails the task at once whatever its
`retries`. Anything else (throttling, a dropped connection, an AWS 5xx) keeps the task's retries.
Every message names the dataset (or table), the column where there is one, and the problem.

The rest of the policy is `task_defaults` and `DAGRUN_TIMEOUT`, which the DAG uses as they are:
transient errors retry with exponential backoff; every task has an execution timeout (the long
AWS waits their own, larger one: `LONG_WAIT`); a run that hangs is failed by the DAG's timeout.
Every task starts with gc_freeze.before_task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from covid_lake.domain.errors import DataError
from covid_lake.tasks import gc_freeze

# A daily run takes ~1 min offline and a few on AWS; a full refresh of the real history ~10.
# Three hours also covers the time a backfill's run waits for the crawler and load pools.
DAGRUN_TIMEOUT = dt.timedelta(hours=3)
# A task's own time limit: generous for what each does, short enough that a hung call is noticed.
TASK_TIMEOUT = dt.timedelta(minutes=30)
# Crawls, the load job and a full refresh's transform can take longer on AWS (the Glue job's
# own Timeout is 30 minutes; the operator's wait adds its polling).
LONG_WAIT = dt.timedelta(minutes=60)


def task_defaults(poll_interval: int) -> dict[str, Any]:
    """default_args of the DAG: retries for transient AWS errors (a DataError skips them, see
    fail_fast), backoff scaled to the environment, a timeout on every task."""
    return {
        "retries": 3,
        # local_aws (polled every second) answers again at once; AWS's throttling needs a minute
        "retry_delay": dt.timedelta(seconds=1 if poll_interval == 1 else 60),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=10),
        "execution_timeout": TASK_TIMEOUT,
        # the collector kept off what the process held before the task (gc_freeze.py: why)
        "pre_execute": gc_freeze.before_task,
    }


@contextmanager
def fail_fast() -> Iterator[None]:
    """Inside an Airflow task: a DataError fails the task without retries."""
    try:
        yield
    except DataError as exc:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc

"""The pipeline's failure policy: which errors are the data's fault, and what Airflow does with them.

A `DataError` is deterministic: the same input fails the same way on every attempt (a source
missing, empty, without a column the pipeline reads, keys that cannot be built, a contract or
check that does not hold, a source quirk above its limit). Retrying it only delays the failure,
so a task turns it into AirflowFailException, which fails the task at once whatever its
`retries`. Anything else (throttling, a dropped connection, an AWS 5xx) keeps the task's retries.
Every message names the dataset (or table), the column where there is one, and the problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class DataError(ValueError):
    """Deterministic: the data, not the infrastructure, is at fault."""


class QuirkLimitError(DataError):
    """A known source quirk affects more rows than its limit in settings allows."""


@contextmanager
def fail_fast() -> Iterator[None]:
    """Inside an Airflow task: a DataError fails the task without retries."""
    try:
        yield
    except DataError as exc:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc

"""A mapped task's results, read whole.

A task given a mapped task's output receives Airflow's lazy sequence, and iterating it asks the
API for one item after another until one is not found: the last request answers 404, which the
scheduler's log reports as an error on every run ("XCom not found ... offset=9 ... 'extract'").
A slice is one request for all of them, and no error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def all_results(results: Sequence[T]) -> list[T]:
    """Every item of `results` (a lazy XCom sequence, or a plain list under tests), in order."""
    return list(results[:])

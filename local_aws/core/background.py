"""Worker threads for emulated jobs (statements, queries, crawls, job runs).

AWS answers a start call at once and finishes the work later; the emulator does the same by
handing the work to this pool. Each job sets its own end state; the guard here only logs a job
that crashed without doing so, because an exception in a pool thread is otherwise silent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

_MAX_WORKERS = 8


class WorkerPool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(_MAX_WORKERS, thread_name_prefix="local-aws-job")
            return self._pool.submit(_guard, fn, *args, **kwargs)

    def drain(self) -> None:
        """Wait for running jobs to finish; the next submit starts a fresh pool."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)


def _guard(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception:
        log.exception("background job %s crashed", getattr(fn, "__qualname__", fn))
        raise


workers = WorkerPool()


class OwnState:
    """Mixin for moto models with a ManagedState: the state is what the worker sets, not what
    moto's automatic progression would invent on each describe call."""

    _state: str

    @property
    def status(self) -> str:
        return self._state

    @status.setter
    def status(self, value: str) -> None:
        self._state = value

"""The provider's deferrable operators, deferring only work still running a moment after it began.

Why: on Airflow 3.3, a deferred task whose trigger fires before the scheduler has processed the
worker's defer-exit (the executor reports "success" for it) is killed as "state changed
externally" once the scheduler has queued it again (apache/airflow#67287, #72716; the fix of
#66374 covers a task still scheduled, not one already queued or running). Athena answers a small
query in a second or two, local_aws in milliseconds, and a local_aws Glue job takes seconds, so
the trigger's first look finds the work done and fires at once: on make airflow's PostgreSQL
stack 17 task instances of 6 runs were killed so and retried. Here work that ends within
SETTLE_SECONDS completes in the worker (one status call per half second); longer work defers as
before, and its trigger's first look finds it running. The worker slot is held for those seconds
at most. Failed work defers too: the trigger reports the failure the provider's way.
"""

from __future__ import annotations

import time
from typing import Any

from airflow.providers.amazon.aws.hooks.athena import AthenaHook
from airflow.providers.amazon.aws.operators.athena import AthenaOperator
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.sdk.exceptions import TaskDeferred

SETTLE_SECONDS = 3.0
_POLL_SECONDS = 0.5


class _CompleteQuickWork:
    """Mixin over a provider operator: `_state()` of the started work, `_done` / `_failed` its
    terminal states, `_success_event()` what the operator's trigger yields on success."""

    _done: tuple[str, ...] = ()
    _failed: tuple[str, ...] = ()

    def execute(self, context: Any) -> Any:
        try:
            return super().execute(context)
        except TaskDeferred:
            if not self._done_within(SETTLE_SECONDS):
                raise
            self.log.info("done within %.0f s: completed here, not deferred", SETTLE_SECONDS)
            return self.execute_complete(context, self._success_event())

    def _done_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while True:
            state = self._state()
            if state in self._done:
                return True
            if state in self._failed or time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)

    def _state(self) -> str | None:
        raise NotImplementedError

    def _success_event(self) -> dict[str, Any]:
        raise NotImplementedError


class AthenaQueryOperator(_CompleteQuickWork, AthenaOperator):
    """AthenaOperator(deferrable=True), a query that is done in 3 s not deferred."""

    _done = AthenaHook.SUCCESS_STATES
    _failed = AthenaHook.FAILURE_STATES

    def _state(self) -> str | None:
        return self.hook.check_query_status(self.query_execution_id)

    def _success_event(self) -> dict[str, Any]:
        return {"status": "success", "value": self.query_execution_id}


class GlueJobRunOperator(_CompleteQuickWork, GlueJobOperator):
    """GlueJobOperator(deferrable=True), a job run that is done in 3 s not deferred."""

    _done = ("SUCCEEDED",)
    _failed = ("FAILED", "STOPPED", "TIMEOUT", "ERROR")

    def _state(self) -> str | None:
        return self.hook.get_job_state(self.job_name, self._job_run_id)

    def _success_event(self) -> dict[str, Any]:
        return {"status": "success", "run_id": self._job_run_id}

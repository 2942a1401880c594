"""The provider's AthenaOperator, deferring only a query still running a moment after it started.

Why: on Airflow 3.3, a deferred task whose trigger fires before the scheduler has processed the
worker's defer-exit (the executor reports "success" for it) is killed as "state changed
externally" once the scheduler has queued it again (apache/airflow#67287, #72716; the fix of
#66374 covers a task still scheduled, not one already queued or running). Athena answers a small
query in a second or two, local_aws in milliseconds, so the trigger's first look finds it done
and fires at once: on make airflow's PostgreSQL stack 8 of 16 extract task instances of two runs
were killed so and retried. Here a query that ends within SETTLE_SECONDS completes in the worker
(one GetQueryExecution per half second); a longer one defers as before, and its trigger's first
look finds it running. The worker slot is held for those seconds at most.
"""

from __future__ import annotations

import time
from typing import Any

from airflow.providers.amazon.aws.hooks.athena import AthenaHook
from airflow.providers.amazon.aws.operators.athena import AthenaOperator
from airflow.sdk.exceptions import TaskDeferred

SETTLE_SECONDS = 3.0
_POLL_SECONDS = 0.5


class AthenaQueryOperator(AthenaOperator):
    """AthenaOperator(deferrable=True) without the deferral of a query that is already done."""

    def execute(self, context: Any) -> str | None:
        try:
            return super().execute(context)
        except TaskDeferred:
            if self._succeeded_within(SETTLE_SECONDS):
                self.log.info("Query %s succeeded within %.0f s: not deferred",
                              self.query_execution_id, SETTLE_SECONDS)
                return self.execute_complete(
                    context, {"status": "success", "value": self.query_execution_id})
            raise

    def _succeeded_within(self, seconds: float) -> bool:
        """True once the query has succeeded; False when it failed (the trigger reports how) or
        is still running after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            state = self.hook.check_query_status(self.query_execution_id)
            if state in AthenaHook.SUCCESS_STATES:
                return True
            if state in AthenaHook.FAILURE_STATES or time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)

"""The provider's deferrable operators, deferring only work still running a moment after it began.

Why: on Airflow 3.3, a deferred task whose trigger fires before the scheduler has processed the
worker's defer-exit (the executor reports "success" for it) is killed as "state changed
externally" once the scheduler has queued it again (apache/airflow#67287, #72716; the fix of
#66374 covers a task still scheduled, not one already queued or running). Athena answers a small
query in a second or two, local_aws in milliseconds (a batch of CREATE TABLEs too), a local_aws
crawl of the small sample a quarter of a second, and a local_aws Glue job takes seconds, so
the trigger's first look finds the work done and fires at once: on make airflow's PostgreSQL
stack 17 task instances of 6 runs were killed so and retried. Here work that ends within
SETTLE_SECONDS completes in the worker (status calls backing off from 10 ms to 0.5 s); longer
work defers as before, and its trigger's first look finds it running. The worker slot is held
for those seconds at most. Work that failed within them fails in the worker too, through the
provider's own synchronous path (its message, the job's logs when verbose), instead of a
deferral whose trigger would first wait FIRST_LOOK_SECONDS to report it: a load that fails on
every try cost 10 s more per try.

Work that ends just after it deferred met the same race in CI: the trigger found it done and
fired before the executor had reported the worker's exit, and the stale report then removed the
resumed try from the executor's running set ("state changed externally", load took 2 tries).
So a deferred operator's trigger takes its first look FIRST_LOOK_SECONDS after the deferral
(FirstLookAfter), time the scheduler has to process that exit. A Glue load also completes in the
worker for longer (loads run one at a time, in a one-slot pool, so holding a worker for a load
costs no load concurrency).

Still needed on the pinned Airflow 3.3.2 (checked for issue 29): the fix of #67287 (a resumed
task already QUEUED, apache/airflow#68741) is on Airflow's main branch, not in 3.3.2, whose
SchedulerJobRunner.process_executor_events treats only a SCHEDULED task with next_method as
requeued; and #72716 (the resumed try already RUNNING) is open, its fixes (#71579, #72767)
unmerged. When the pinned Airflow treats QUEUED and RUNNING alike, this module can go and the
DAG use the provider's operators with deferrable=True as they are.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, NoReturn

from airflow.providers.amazon.aws.hooks.athena import AthenaHook
from airflow.providers.amazon.aws.hooks.redshift_data import FAILURE_STATES, FINISHED_STATE
from airflow.providers.amazon.aws.operators.athena import AthenaOperator
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.operators.glue_crawler import GlueCrawlerRunOperator
from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator
from airflow.providers.common.compat.sdk import AirflowException
from airflow.sdk.exceptions import TaskDeferred
from airflow.triggers.base import BaseTrigger, TriggerEvent

SETTLE_SECONDS = 3.0
FIRST_LOOK_SECONDS = 10.0
# Status checks while settling: the first at once, then backing off from 10 ms to 0.5 s, so work
# that ends within milliseconds is seen done then, at most about its own time later (a fixed 0.5 s
# cost 9 extracts 4.5 s a run; from 50 ms, each local_aws extract of 7-33 ms waited 50 ms). Looks
# at 0, .01, .03, .07, .15, .31, .63 s, then every 0.5 s: a query that takes seconds on Athena
# costs two status calls more than a back-off from 50 ms would.
_FIRST_POLL_SECONDS = 0.01
_POLL_SECONDS = 0.5


def trigger_class(classpath: str) -> type[BaseTrigger]:
    module, _, name = classpath.rpartition(".")
    return getattr(importlib.import_module(module), name)


class FirstLookAfter(BaseTrigger):
    """Runs a provider trigger (class path + its serialized kwargs) once `first_look_at` (epoch
    seconds, set at deferral) has passed."""

    def __init__(self, trigger_classpath: str, trigger_kwargs: dict[str, Any], first_look_at: float):
        super().__init__()
        self.trigger_classpath = trigger_classpath
        self.trigger_kwargs = trigger_kwargs
        self.first_look_at = first_look_at

    @classmethod
    def wrapping(cls, trigger: BaseTrigger, seconds: float) -> FirstLookAfter:
        classpath, kwargs = trigger.serialize()
        return cls(classpath, kwargs, time.time() + seconds)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (f"{type(self).__module__}.{type(self).__qualname__}",
                {"trigger_classpath": self.trigger_classpath, "trigger_kwargs": self.trigger_kwargs,
                 "first_look_at": self.first_look_at})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        await asyncio.sleep(max(0.0, self.first_look_at - time.time()))
        inner = trigger_class(self.trigger_classpath)(**self.trigger_kwargs)
        async for event in inner.run():
            yield event


class _CompleteQuickWork:
    """Mixin over a provider operator: `_state()` of the started work, `_done` / `_failed` its
    terminal states, `_success_event()` what the operator's trigger yields on success."""

    _done: tuple[str, ...] = ()
    _failed: tuple[str, ...] = ()
    _fails_here: tuple[str, ...] = ()  # of _failed: those the provider's synchronous path raises on
    _settle_seconds = SETTLE_SECONDS

    if TYPE_CHECKING:  # what the provider operator after this mixin in the MRO has
        log: Any

        def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> Any: ...

    def execute(self, context: Any) -> Any:
        try:
            return super().execute(context)  # type: ignore[misc]  # the operator's, after the mixin
        except TaskDeferred as deferred:
            state = self._state_within(self._settle_seconds)
            if state in self._fails_here:
                self.log.info("%s within %.0f s: failed here, not deferred", state, self._settle_seconds)
                self._fail_here(state)
            if state not in self._done:
                raise TaskDeferred(trigger=FirstLookAfter.wrapping(deferred.trigger, FIRST_LOOK_SECONDS),
                                   method_name=deferred.method_name, kwargs=deferred.kwargs,
                                   timeout=deferred.timeout) from None
            self.log.info("done within %.0f s: completed here, not deferred", self._settle_seconds)
            self._completed_here()
            return self.execute_complete(context, self._success_event())

    def _state_within(self, seconds: float) -> str | None:
        """The work's state once it is done or failed, or when `seconds` have passed."""
        # A loop of our own: the hooks' waits (AthenaHook.poll_query_status, the Glue waiters)
        # treat running past the limit as an error to log or raise, and here it is the usual case.
        deadline = time.monotonic() + seconds
        pause = _FIRST_POLL_SECONDS
        while True:
            state = self._state()
            if state in self._done or state in self._failed or time.monotonic() >= deadline:
                return state
            time.sleep(pause)
            pause = min(pause * 2, _POLL_SECONDS)

    def _state(self) -> str | None:
        raise NotImplementedError

    def _success_event(self) -> dict[str, Any]:
        raise NotImplementedError

    def _completed_here(self) -> None:
        """What the provider's trigger would have done besides reporting success."""

    def _fail_here(self, state: str | None) -> NoReturn:
        """Raise as the provider's operator does, not deferrable, for work that ended `state`."""
        raise NotImplementedError


class AthenaQueryOperator(_CompleteQuickWork, AthenaOperator):
    """AthenaOperator(deferrable=True), a query that is done in 3 s not deferred."""

    _done = AthenaHook.SUCCESS_STATES
    _failed = _fails_here = AthenaHook.FAILURE_STATES

    def _state(self) -> str | None:
        assert self.query_execution_id, "started before the deferral"
        return self.hook.check_query_status(self.query_execution_id)

    def _success_event(self) -> dict[str, Any]:
        return {"status": "success", "value": self.query_execution_id}

    def _fail_here(self, state: str | None) -> NoReturn:
        # AthenaOperator.execute's own words when not deferrable (provider 9.39.0)
        assert self.query_execution_id, "started before the deferral"
        error = self.hook.get_state_change_reason(self.query_execution_id)
        raise AirflowException(f"Final state of Athena job is {state}, query_execution_id is "
                               f"{self.query_execution_id}. Error: {error}")


class GlueJobRunOperator(_CompleteQuickWork, GlueJobOperator):
    """GlueJobOperator(deferrable=True), a job run that is done in 20 s not deferred."""

    _done = ("SUCCEEDED",)
    _settle_seconds = 20.0
    _failed = ("FAILED", "STOPPED", "TIMEOUT", "ERROR")
    _fails_here = ("FAILED", "TIMEOUT")  # GlueJobHook._handle_state's failed states

    def _state(self) -> str | None:
        assert self._job_run_id, "started before the deferral"
        return self.hook.get_job_state(self.job_name, self._job_run_id)

    def _success_event(self) -> dict[str, Any]:
        return {"status": "success", "run_id": self._job_run_id}

    def _fail_here(self, state: str | None) -> NoReturn:
        # GlueJobOperator's synchronous wait: the run's logs when verbose, then its exception
        assert self._job_run_id, "started before the deferral"
        self.hook.job_completion(self.job_name, self._job_run_id, self.verbose)
        raise AirflowException(f"Exiting Job {self._job_run_id} Run State: {state}")  # not reached

    def _completed_here(self) -> None:
        if self.verbose and self._job_run_id:  # the trigger forwards the run's logs when verbose
            self.hook.print_job_logs(job_name=self.job_name, run_id=self._job_run_id,
                                     continuation_tokens=self.hook.LogContinuationTokens())


class GlueCrawlOperator(_CompleteQuickWork, GlueCrawlerRunOperator):
    """GlueCrawlerRunOperator(deferrable=True), a crawl that is done in 3 s not deferred (local_aws
    crawls the small sample in ~0.25 s; the trigger's first look came a poll interval later, 1 s
    of every first run under `dags test`, and under the scheduler a trigger and a resumed try).
    Done and failed as the provider's trigger decides them: its `crawler_ready` waiter."""

    _done = ("SUCCEEDED",)
    _failed = _fails_here = ("FAILED", "CANCELLED")
    # AWS's clock and the worker's may differ by this much: a last crawl that started up to this
    # long before the StartCrawler call still counts as the one this task started.
    _CLOCK_SKEW = dt.timedelta(seconds=5)
    _asked_at = dt.datetime.max.replace(tzinfo=dt.UTC)

    def execute(self, context: Any) -> Any:
        self._asked_at = dt.datetime.now(dt.UTC)
        return super().execute(context)

    def _state(self) -> str | None:
        # crawler_ready (the provider's waiters/glue.json): READY with the last crawl FAILED or
        # CANCELLED is a failure, READY otherwise success; any other state is still running.
        # Stricter than the waiter, whose first look comes a poll interval after the start: READY
        # whose last crawl began before this task asked for one is an earlier crawl's outcome
        # (GetCrawler right after StartCrawler, or a crawl already running that ended), so here
        # it is not done, and after the settle time the provider's trigger decides.
        crawler = self.hook.get_crawler(self.crawler_name)
        if crawler["State"] != "READY":
            return crawler["State"]
        last = crawler.get("LastCrawl") or {}
        if last.get("StartTime") is None or last["StartTime"] < self._asked_at - self._CLOCK_SKEW:
            return "READY (an earlier crawl)"
        return last["Status"] if last.get("Status") in self._failed else "SUCCEEDED"

    def _success_event(self) -> dict[str, Any]:
        return {"status": "success", "value": None}  # GlueCrawlerCompleteTrigger's

    def _fail_here(self, state: str | None) -> NoReturn:
        # the provider's synchronous wait: its waiter's terminal failure, naming the crawler
        self.hook.wait_for_crawler_completion(crawler_name=self.crawler_name,
                                              poll_interval=self.poll_interval)
        raise AirflowException(f"Glue crawl of {self.crawler_name} ended {state}")  # not reached


class RedshiftStatementsOperator(_CompleteQuickWork, RedshiftDataOperator):
    """RedshiftDataOperator(deferrable=True, wait_for_completion=True), statements done in 3 s not
    deferred. The provider's operator looks once right after submitting and defers when the
    statements are still running, which a batch of CREATE TABLEs on local_aws always is at that
    instant: the trigger, the resumed try and the wait cost create_tables 3.6-4 s a run under
    the scheduler."""

    _done = (FINISHED_STATE,)
    _failed = _fails_here = tuple(sorted(FAILURE_STATES))

    def _state(self) -> str | None:
        assert self.statement_id, "submitted before the deferral"
        return self.hook.conn.describe_statement(Id=self.statement_id)["Status"]

    def _success_event(self) -> dict[str, Any]:
        return {"status": "success", "statement_id": self.statement_id}

    def _fail_here(self, state: str | None) -> NoReturn:
        # the provider's synchronous wait raises RedshiftDataQueryFailedError / ...AbortedError,
        # naming the statement and its error
        assert self.statement_id, "submitted before the deferral"
        self.hook.check_query_is_finished(self.statement_id)
        raise AirflowException(f"Statement {self.statement_id} terminated with status {state}")

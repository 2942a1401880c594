"""Stand-in for `tests_common.test_utils.watcher`: a task that fails the run when any task did.

The DAGs end with teardown tasks (trigger rule all_done) that succeed even after a failure, which
would leave the run green; `list(dag.tasks) >> watcher()` makes a failure anywhere fail the run.
"""

from __future__ import annotations

from airflow.exceptions import AirflowException
from airflow.sdk import TriggerRule, task


@task(trigger_rule=TriggerRule.ONE_FAILED, retries=0)
def watcher():
    raise AirflowException("Failing task because one or more upstream tasks failed.")

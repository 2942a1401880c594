"""The "covid_lake_preload" Airflow plugin: wiring only.

A listener (Airflow's documented `on_starting` lifecycle hook, registered through a plugin)
that loads what the DAGs' task processes need into the scheduler before it forks its
LocalExecutor workers, so that every task process inherits it instead of loading it again:
covid_lake.tasks.preload says what and why. Only `airflow scheduler` warms: the other components
(API server, triggerer, DAG processor, `airflow dags test`, a task process) call `on_starting`
too, and skip it.
"""

from __future__ import annotations

import sys

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin


class _WarmTheScheduler:
    @hookimpl
    def on_starting(self, component) -> None:
        # The scheduler's Job has no type yet when on_starting runs (Job.__init__), so the command
        # says which component this is; its task processes, forked from it, have the same
        # command, and a TaskRunnerMarker for a component.
        if sys.argv[1:2] != ["scheduler"]:
            return
        from airflow.jobs.job import Job

        if isinstance(component, Job):
            from covid_lake.tasks import preload

            preload.warm()


class CovidLakePreloadPlugin(AirflowPlugin):
    name = "covid_lake_preload"
    listeners = [_WarmTheScheduler()]

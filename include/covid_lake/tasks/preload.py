"""What every task process would otherwise load for itself, loaded once in the scheduler.

Under the LocalExecutor (make airflow, the compose stack) the scheduler forks its worker
processes when it starts, and each worker forks a process per task. A task process starts with
what the scheduler had loaded and nothing more, so each of a run's 37 task processes parsed the
DAG file's imports again (the provider's operators, boto3, our packages), imported pandas and
pyarrow where a task builds tables, and read botocore's JSON models for each AWS client it made.
Loaded here first, they are inherited: measured under make airflow (a triggered run and the
scheduled one), 54.7-57.5 s of CPU before, 45.3 s after (docs/performance.md).

`warm()` runs from the scheduler's start (plugins/covid_lake_preload.py) and nowhere else: the
API server, the triggerer and the DAG processor fork no task process, and `airflow dags test`
runs every task in its own process once.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time

log = logging.getLogger(__name__)

# The AWS services the DAGs' tasks and the provider's operators make clients for (S3, the Glue
# catalog, crawler and job, Athena, the Redshift Data API, CloudWatch Logs for the Glue job's
# output, STS for the crawler's ARN).
SERVICES = ("s3", "glue", "athena", "redshift-data", "logs", "sts")
# botocore's shared data (endpoints, partitions, retry rules) and each service's files.
_SHARED_DATA = ("endpoints", "partitions", "sdk-default-configuration", "_retry")
_SERVICE_FILES = ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2")
# Imported by the DAG files themselves, not through the covid_lake package. First: the
# provider's base_aws resolves `[aws] session_factory` (covid_lake.aws.sessions) when it is
# imported, which fails if covid_lake.aws.sessions, which imports base_aws, was imported first.
_DAG_IMPORTS = (
    "airflow.providers.amazon.aws.hooks.base_aws",
    "airflow.providers.amazon.aws.operators.glue_crawler",
    "airflow.providers.standard.operators.empty",
    "airflow.timetables.interval",
    # what @task and @task.branch load on first use, and boto3's S3 client methods
    "airflow.providers.standard.decorators.python",
    "airflow.providers.standard.decorators.branch_python",
    "boto3.s3.inject",
)


def import_task_modules() -> list[str]:
    """Every module of the pipeline's task, AWS and data-rule layers (the task bodies import
    theirs lazily) and what the DAG files import besides. Returns the names imported. (The
    consumers' layers, the report and the web views, stay out: this module is below them.)"""
    import covid_lake.aws
    import covid_lake.domain
    import covid_lake.tasks

    names = list(_DAG_IMPORTS)
    for package in (covid_lake.tasks, covid_lake.aws, covid_lake.domain):
        names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    for name in names:
        importlib.import_module(name)
    return names


def load_aws_models() -> None:
    """The services' models into the process's shared botocore loader (covid_lake.aws.sessions),
    which every session of a forked task process then reads from memory."""
    import botocore.exceptions
    import botocore.session

    from covid_lake.aws.sessions import shared_loader

    loader = shared_loader(botocore.session.Session().get_config_variable("data_path"))
    for name in _SHARED_DATA:
        loader.load_data(name)
    for service in SERVICES:
        for kind in _SERVICE_FILES:
            try:
                loader.load_service_model(service, kind)
            except botocore.exceptions.DataNotFoundError:
                pass  # not every service has paginators or waiters


def warm() -> None:
    started = time.monotonic()
    modules = import_task_modules()
    load_aws_models()
    log.info("covid_lake preload: %d modules and the models of %s loaded for the task processes "
             "in %.1f s", len(modules), ", ".join(SERVICES), time.monotonic() - started)

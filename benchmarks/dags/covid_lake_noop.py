"""covid_lake_noop: Airflow's own floor for covid_lake_daily (issue 30).

The daily DAG's graph, task for task: the same ids, TaskGroups, branch, trigger rules and mapped
tasks (land over the ten datasets, extract over the nine queries), every task returning at once.
`make bench` runs it under `airflow dags test` beside the daily run, in the same bench run, so
what the daily run costs above Airflow's fixed cost (process start, parse, serialisation, the
run's creation, 37 task instances) is measured rather than guessed.

Keep it in step with dags/covid_lake_daily.py: tests/benchmarks/test_noop_dag.py compares the
two graphs.

With COVID_LAKE_NOOP_GC_FREEZE=1 its tasks start as the daily DAG's do (pre_execute:
covid_lake.tasks.gc_freeze.before_task): the bench's like-for-like floor beside the plain one.
"""

from __future__ import annotations

import datetime as dt
import os

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import TaskGroup, chain, dag, task

DATASETS = 10  # covid_lake.domain.datasets.DATASETS (not imported: the floor imports nothing)
EXTRACTS = 9  # covid_lake.aws.athena_io.EXTRACTS


def _default_args() -> dict:
    if os.environ.get("COVID_LAKE_NOOP_GC_FREEZE") != "1":
        return {}
    from covid_lake.tasks import gc_freeze

    return {"pre_execute": gc_freeze.before_task}


@dag(dag_id="covid_lake_noop", schedule=None, start_date=dt.datetime(2020, 1, 22, tzinfo=dt.UTC),
     catchup=False, tags=["benchmark"], default_args=_default_args())
def covid_lake_noop():
    @task
    def resolve_run() -> dict:
        return {"run_date": "2020-04-15", "full_refresh": False}

    @task
    def ensure_bucket() -> bool:
        return False

    @task(map_index_template="{{ task.op_kwargs['name'] }}")
    def land(name: str) -> dict:
        return {"name": name, "copied": False}

    @task
    def prepare_catalog() -> dict:
        return {"missing_tables": []}

    @task.branch
    def choose_crawl(landed: list[dict], catalog: dict) -> str:
        return "crawl_not_needed"

    @task
    def update_crawler() -> None:
        return None

    @task(trigger_rule="none_failed_min_one_success")
    def crawl() -> None:
        return None

    @task(trigger_rule="none_failed_min_one_success")
    def read_csv_as_text() -> dict:
        return {}

    @task
    def profile() -> str:
        return "profile-query-id"

    @task
    def check_raw(profile_query_id: str) -> list[dict]:
        return []

    @task
    def extract_queries(run: dict) -> list[str]:
        return [f"query {i}" for i in range(EXTRACTS)]

    @task
    def extract(query: str) -> str:
        return query

    @task
    def transform_and_publish(query_ids: list[str], run: dict, raw_profile: list[dict]) -> dict:
        return {}

    @task
    def create_tables() -> None:
        return None

    @task
    def stage_load_job() -> list[str]:
        return []

    @task
    def load_arguments(published: dict) -> dict[str, str]:
        return {}

    @task
    def load(arguments: dict[str, str]) -> None:
        return None

    @task
    def check_warehouse(published: dict) -> dict:
        return {}

    @task
    def prune_snapshots() -> list[str]:
        return []

    run = resolve_run()
    with TaskGroup("landing", prefix_group_id=False):
        landed = land.expand(name=[f"dataset_{i}" for i in range(DATASETS)])
        chain(run, ensure_bucket(), landed)
    with TaskGroup("cataloguing", prefix_group_id=False):
        catalog = prepare_catalog()
        landed >> catalog
        updated, crawled = update_crawler(), crawl()
        crawl_not_needed = EmptyOperator(task_id="crawl_not_needed")
        choose_crawl(landed, catalog) >> [updated, crawl_not_needed]
        updated >> crawled
        as_text = read_csv_as_text()
        [crawled, crawl_not_needed] >> as_text
    with TaskGroup("profile_and_extract", prefix_group_id=False):
        profiled = profile()
        as_text >> profiled
        raw_ok = check_raw(profiled)
        queries = extract_queries(run)
        raw_ok >> queries
        extracted = extract.expand(query=queries)
    with TaskGroup("star", prefix_group_id=False):
        published = transform_and_publish(extracted, run, raw_ok)
    with TaskGroup("warehouse", prefix_group_id=False):
        loaded = load(load_arguments(published))
        chain(published, create_tables(), stage_load_job(), loaded, check_warehouse(published),
              prune_snapshots())


covid_lake_noop()

"""covid_lake_daily: the AWS COVID-19 data lake to a Redshift star schema, one run date at a time.

For run date D (covid_lake.tasks.run_date: the `run_date` param, else the data interval's
start, else today): land the ten source objects in our bucket, crawl them when something
changed, declare the CSV tables' columns text (Athena's CSV SerDe fails on empty numbers),
profile them with Athena, extract D's slice, build and validate the star rows with pandas,
publish them as Parquet, and load Redshift in one transaction through a Glue job; SQL checks
gate the run. The graph's stages are TaskGroups (docs/dag.md).
The param `full_refresh` rebuilds every date of the sources in one run.

This file is wiring only. What each step does: include/covid_lake/tasks/; SQL: include/sql/;
the Glue job: include/scripts/load_redshift.py; settings: include/covid_lake/tasks/settings.py.
The same DAG runs on AWS and on local_aws: only the aws_default connection and settings differ.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from airflow.providers.amazon.aws.operators.glue_crawler import GlueCrawlerUpdateOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import Param, TaskGroup, chain, dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from covid_lake.domain import layout
from covid_lake.domain.datasets import DATASETS
from covid_lake.tasks import assets, settings
from covid_lake.tasks.crawler import crawler_config
from covid_lake.tasks.deferral import (
    AthenaQueryOperator,
    GlueCrawlOperator,
    GlueJobRunOperator,
    RedshiftStatementsOperator,
)
from covid_lake.tasks.policy import DAGRUN_TIMEOUT, LONG_WAIT, fail_fast, task_defaults

INCLUDE = Path(__file__).resolve().parents[1] / "include"
AWS_CONN_ID = "aws_default"
S = settings.templated()  # every setting as a Jinja template, resolved at run time
POLL = settings.poll_interval()
# The warehouse tables as Assets (covid_lake_report is scheduled on them); runaudit holds what
# each run left out (quality.py).
WAREHOUSE = list(assets.WAREHOUSE.values())
LOAD_SCRIPT = INCLUDE / "scripts" / layout.LOAD_SCRIPT
LOAD_SCRIPT_URI = layout.uri(S.bucket, layout.load_script_key(S.scripts_prefix))
ATHENA_OUTPUT = layout.uri(S.bucket, layout.athena_output(S.athena_output_prefix))

# Airflow pools (created by `make run` / `make airflow` / the compose init): one crawl and one
# Redshift load at a time across concurrent runs and backfills.
CRAWLER_POOL = "covid_lake_crawler"
LOAD_POOL = "covid_lake_redshift_load"


@functools.cache
def _client(service: str):
    # One client per service and process: tasks sharing a process (`airflow dags test`) skip the
    # hook's per-client costs (its user-agent's stack inspection, the endpoint rule set).
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    return AwsBaseHook(aws_conn_id=AWS_CONN_ID, client_type=service).get_conn()


@dag(
    dag_id="covid_lake_daily",
    # Interval, not trigger, semantics: the run made at midnight covers the day that just ended,
    # and a backfill's logical dates are exactly the days it processes.
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=dt.datetime(2020, 1, 22, tzinfo=dt.UTC),
    catchup=False,  # history is loaded on purpose, with `airflow backfill create`
    max_active_runs=3,
    template_searchpath=[str(INCLUDE / "sql")],
    default_args={**task_defaults(POLL), "aws_conn_id": AWS_CONN_ID},  # errors.py: the policy
    dagrun_timeout=DAGRUN_TIMEOUT,
    params={
        "run_date": Param(None, type=["null", "string"], format="date",
                          description="Date to process (YYYY-MM-DD); empty: the run's own date"),
        "full_refresh": Param(False, type="boolean",
                              description="Rebuild every date of the sources in this run"),
        "raw_versions": Param({}, type="object",
                              description="Run on earlier raw copies instead of the sources: "
                                          '{"<dataset>": "<S3 version id>"}, the version ids '
                                          "a land task logged (after a bad source was published)"),
    },
    tags=["covid-lake"],
    doc_md=__doc__,
)
def covid_lake_daily():
    @task(multiple_outputs=False)
    def resolve_run(**context) -> dict:
        from covid_lake.tasks import land, run_date

        with fail_fast():
            return {"run_date": run_date.from_context(context).isoformat(),
                    "full_refresh": bool(context["params"].get("full_refresh")),
                    "raw_versions": land.pinned_versions(context["params"].get("raw_versions"))}

    @task
    def ensure_bucket() -> bool:
        from covid_lake.tasks import land

        s3 = _client("s3")
        return land.ensure_bucket(s3, settings.load().bucket, s3.meta.region_name)

    @task(multiple_outputs=False, map_index_template="{{ task.op_kwargs['name'] }}")
    def land(name: str, **context) -> dict:
        from covid_lake.tasks import land

        with fail_fast():
            pinned = land.pinned_versions(context["params"].get("raw_versions")).get(name)
            return land.land(_client("s3"), settings.load(), name, pinned_version=pinned)

    @task(multiple_outputs=False)
    def prepare_catalog() -> dict:
        from covid_lake.tasks import catalog

        return catalog.prepare_catalog(_client("glue"), settings.load())

    @task.branch
    def choose_crawl(landed: list[dict], catalog: dict) -> str:
        from covid_lake.tasks.mapped_results import all_results

        if not any(x["copied"] for x in all_results(landed)) and not catalog["missing_tables"]:
            return "crawl_not_needed"
        return "update_crawler"

    @task(multiple_outputs=False, trigger_rule="none_failed_min_one_success")
    def read_csv_as_text() -> dict:
        from covid_lake.tasks import catalog

        return catalog.read_csv_as_text(_client("glue"), settings.load())

    @task
    def check_raw(profile_query_id: str) -> list[dict]:
        from covid_lake.tasks import catalog

        with fail_fast():
            return catalog.check_raw(_client("glue"), _client("athena"), settings.load(),
                                   profile_query_id)

    @task(multiple_outputs=False)
    def extract_queries(run: dict) -> list[str]:
        from covid_lake.tasks import extract

        return extract.extract_queries(
            None if run["full_refresh"] else dt.date.fromisoformat(run["run_date"]))

    @task(multiple_outputs=False, execution_timeout=LONG_WAIT)
    def transform_and_publish(query_ids: list[str], run: dict, raw_profile: list[dict]) -> dict:
        from covid_lake.tasks import publish
        from covid_lake.tasks.mapped_results import all_results

        with fail_fast():
            return publish.transform_and_publish(
                _client("athena"), _client("s3"), settings.load(), all_results(query_ids),
                dt.date.fromisoformat(run["run_date"]), run["full_refresh"], raw_profile)

    @task
    def stage_load_job() -> list[str]:
        from covid_lake.tasks import warehouse

        return warehouse.stage_load_job(_client("s3"), settings.load(), LOAD_SCRIPT,
                                    INCLUDE / "sql" / "redshift" / "load")

    @task(multiple_outputs=False, outlets=WAREHOUSE)
    def check_warehouse(published: dict, **context) -> dict:
        from covid_lake.tasks import warehouse

        with fail_fast():
            checked = warehouse.check_warehouse(_client("redshift-data"), settings.load(), published)
        extra = assets.check_event_extra(published, checked, dt.datetime.now(dt.UTC)
                                         .isoformat(timespec="seconds"))
        for asset in WAREHOUSE:
            context["outlet_events"][asset].extra = extra
        return checked

    @task
    def load_arguments(published: dict) -> dict[str, str]:
        from covid_lake.tasks import warehouse

        return warehouse.load_job_arguments(settings.load(), published)

    @task
    def prune_snapshots() -> list[str]:
        from covid_lake.tasks import warehouse

        return warehouse.prune_snapshots(_client("s3"), settings.load())

    # The graph's stages (the README's diagram); task ids stay unprefixed, as the run audit,
    # the tests and the views name them.
    run = resolve_run()

    with TaskGroup("landing", prefix_group_id=False,
                   tooltip="the ten source objects, checked, into raw/ (versioned)"):
        landed = land.expand(name=[d.name for d in DATASETS])
        chain(run, ensure_bucket(), landed)

    with TaskGroup("cataloguing", prefix_group_id=False,
                   tooltip="the Glue catalog of raw/: crawled when something landed, CSV as text"):
        catalog = prepare_catalog()
        landed >> catalog
        # prepare_catalog creates the crawler (race-free across concurrent runs); this keeps its
        # settings as declared, one run at a time.
        update_crawler = GlueCrawlerUpdateOperator(task_id="update_crawler",
                                                   config=crawler_config(S), pool=CRAWLER_POOL)
        crawl = GlueCrawlOperator(
            task_id="crawl", crawler_name=S.crawler_name,
            poll_interval=POLL, deferrable=True, fail_on_already_running=False,
            pool=CRAWLER_POOL, trigger_rule="none_failed_min_one_success",
            execution_timeout=LONG_WAIT)
        crawl_not_needed = EmptyOperator(task_id="crawl_not_needed")
        choose_crawl(landed, catalog) >> [update_crawler, crawl_not_needed]
        update_crawler >> crawl
        as_text = read_csv_as_text()
        [crawl, crawl_not_needed] >> as_text

    with TaskGroup("profile_and_extract", prefix_group_id=False,
                   tooltip="the raw tables profiled and checked; the run's slice extracted"):
        profile = AthenaQueryOperator(
            task_id="profile", query="athena/profile.sql", database=S.glue_database,
            output_location=ATHENA_OUTPUT, workgroup=S.athena_workgroup,
            sleep_time=POLL, deferrable=True)
        as_text >> profile
        raw_ok = check_raw(profile.output)
        queries = extract_queries(run)
        raw_ok >> queries
        # One query per extract, in parallel; no worker slot is held while a query runs longer
        # than a few seconds (tasks/deferral.py: why a quick one completes in the worker).
        extracted = AthenaQueryOperator.partial(
            task_id="extract", database=S.glue_database,
            output_location=ATHENA_OUTPUT, workgroup=S.athena_workgroup,
            sleep_time=POLL, deferrable=True,
            map_index_template="{{ task.query.splitlines()[0].split()[-1] }}",
        ).expand(query=queries)

    with TaskGroup("star", prefix_group_id=False,
                   tooltip="validated, cleaned, built into star rows, published as Parquet"):
        published = transform_and_publish(extracted.output, run, raw_ok)

    with TaskGroup("warehouse", prefix_group_id=False,
                   tooltip="Redshift: tables, one-transaction load, checks, Asset events"):
        create_tables = RedshiftStatementsOperator(
            task_id="create_tables", sql=[f"redshift/{t}.sql" for t in layout.WAREHOUSE],
            database=S.redshift_database, **settings.redshift_operator_target(),
            poll_interval=POLL, wait_for_completion=True, deferrable=True)
        load = GlueJobRunOperator(
            task_id="load",
            job_name=S.glue_job_name,
            script_location=LOAD_SCRIPT_URI,  # on S3 already (stage_load_job): nothing to upload
            iam_role_arn=S.glue_job_role_arn,
            update_config=True,
            verbose=True,  # the load script's output (CloudWatch Logs) in the task's log
            create_job_kwargs={
                "Command": {"Name": "pythonshell", "PythonVersion": "3.9",
                            "ScriptLocation": LOAD_SCRIPT_URI},
                "MaxCapacity": 0.0625, "Timeout": 30,
                "ExecutionProperty": {"MaxConcurrentRuns": 1},
            },
            # the run's dates and plan (tables, sources: layout.py) and the warehouse target
            script_args=load_arguments(published),
            wait_for_completion=True,
            deferrable=True,
            job_poll_interval=POLL,
            waiter_delay=POLL,  # the deferred wait's own interval (default 60 s)
            durable=True,  # a retry re-attaches to a still-running job run, never starts another
            pool=LOAD_POOL,
            execution_timeout=LONG_WAIT,
        )
        chain(published, create_tables, stage_load_job(), load, check_warehouse(published),
              prune_snapshots())


covid_lake_daily()

"""covid_lake_report: what the warehouse holds, as one HTML page for analysts.

Scheduled on the five star tables' Assets: it runs after each covid_lake_daily run whose
warehouse checks passed (one report run for all five updates of that run; a backfill's updates
queued meanwhile make one run). It queries the warehouse through the Redshift Data API (SQL in
include/sql/redshift/report/), renders a self-contained page (charts, their SQL and data, Vega's
JavaScript inline) and writes s3://<bucket>/reports/latest.html plus one file per update
(reports/updates/<run time>.html); offline also to .local/report/. The Airflow UI's
"COVID warehouse" view (plugins/) shows the latest.

This file is wiring only: include/covid_lake/report/.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag, task

from covid_lake.tasks import assets, settings
from covid_lake.tasks.policy import fail_fast, task_defaults

AWS_CONN_ID = "aws_default"


def _client(service: str):
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    return AwsBaseHook(aws_conn_id=AWS_CONN_ID, client_type=service).get_conn()


@dag(
    dag_id="covid_lake_report",
    schedule=assets.STAR,  # all five updated: covid_lake_daily's check task updates them at once
    start_date=dt.datetime(2020, 1, 22, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,  # reports/latest.html is written by one run at a time
    # Unpaused from the start: it runs only when covid_lake_daily updates the warehouse, and
    # only reads it; paused, the report would silently fall behind the warehouse.
    is_paused_upon_creation=False,
    default_args=task_defaults(settings.poll_interval()),
    tags=["covid-lake"],
    doc_md=__doc__,
)
def covid_lake_report():
    # inlets: the task reads every update event of factcovid (run date, checks passed).
    @task(multiple_outputs=False, inlets=[assets.WAREHOUSE["factcovid"]])
    def render_report(**context) -> dict:
        from covid_lake.report import build

        events = context["inlet_events"][assets.WAREHOUSE["factcovid"]]
        checks = [dict(e.extra or {}) for e in events]
        with fail_fast():
            return build.build_and_publish(_client("redshift-data"), _client("s3"),
                                           settings.load(), checks,
                                           context["dag_run"].run_after)

    render_report()


covid_lake_report()

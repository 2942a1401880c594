"""Where the warehouse's data lives, defined once: the tables in load order, their S3 prefixes,
the load job's plan and the Airflow Asset of each table.

    s3://<bucket>/<star_prefix>/<fact>/date=YYYY-MM-DD/part-0.parquet    one partition per day
    s3://<bucket>/<star_prefix>/<table>/run_date=YYYY-MM-DD/<table>.parquet a run's dimension
                                                                          snapshot (and runaudit)

Facts are replaced per day; dimensions are a snapshot per run, so concurrent runs of a backfill
never read each other's; snapshots older than the last `keep_snapshots` are pruned after a
successful load (steps.prune_snapshots). Light on purpose: the DAG file imports it at parse time.
"""

from __future__ import annotations

import datetime as dt

DIMENSIONS = ("dimdate", "dimregion", "dimhospital")
FACTS = ("factcovid", "factcovidcounty")
AUDIT = "runaudit"  # the run's data-quality report (covid_lake.domain.quality)
STAR = (*DIMENSIONS, *FACTS)
WAREHOUSE = (*STAR, AUDIT)  # load order: dimensions before the facts that reference them


def fact_prefix(star_prefix: str, table: str, day: dt.date) -> str:
    """star_prefix: the key prefix ('star') or a URI ('s3://bucket/star')."""
    return f"{star_prefix}/{table}/date={day.isoformat()}/"


def snapshot_prefix(star_prefix: str, table: str, run_date: dt.date) -> str:
    return f"{star_prefix}/{table}/run_date={run_date.isoformat()}/"


def snapshot_key(star_prefix: str, table: str, run_date: dt.date) -> str:
    return f"{snapshot_prefix(star_prefix, table, run_date)}{table}.parquet"


def latest_report_key(reports_prefix: str) -> str:
    """covid_lake_report's newest page, the one the Airflow view shows."""
    return f"{reports_prefix}/latest.html"


def update_report_key(reports_prefix: str, update: str) -> str:
    """covid_lake_report's page for one warehouse update."""
    return f"{reports_prefix}/updates/{update}.html"


def asset_uri(table: str, workgroup: str = "covid-lake", database: str = "dev",
              schema: str = "public") -> str:
    """Airflow's URI form for a Redshift table (the provider's redshift:// asset scheme)."""
    return f"redshift://{workgroup}:5439/{database}/{schema}/{table}"


def load_plan(star_uri: str, run_date: dt.date, start: dt.date, end: dt.date,
              counts: dict[str, int]) -> list[dict[str, str]]:
    """What the load job runs, in order: per table the SQL template (include/sql/redshift/load/),
    the S3 prefix its COPY reads ('' when there is nothing to copy) and the merge key. The job
    (include/scripts/load_redshift.py) knows nothing of this layout: it runs the plan."""
    from covid_lake.domain.contracts import WAREHOUSE_TABLES

    star_uri = star_uri.rstrip("/")
    plan = []
    for table in WAREHOUSE:
        rows = counts.get(table, 0)
        key = ", ".join(WAREHOUSE_TABLES[table].key)
        if table in FACTS:
            if not rows:
                template, source = "fact_empty", ""
            elif start == end:
                template, source = "fact", fact_prefix(star_uri, table, start)
            else:
                template, source = "fact_range", f"{star_uri}/{table}/"
        elif not rows:
            continue  # a dimension (or audit) without rows: nothing to merge
        else:
            template = table if table in ("dimregion", AUDIT) else "dimension"
            source = snapshot_prefix(star_uri, table, run_date)
        plan.append({"table": table, "template": template, "source": source, "key": key})
    return plan

"""Every S3 address the pipeline reads or writes, defined once; the warehouse tables in load
order, the load job's plan and the Airflow Asset URI of each table.

    s3://<source_bucket>/<dataset key>                                    a source object
    s3://<bucket>/<raw_prefix>/<dataset>/<file>                           our raw copy (crawled)
    s3://<bucket>/<athena_output_prefix>/                                 Athena's results
    s3://<bucket>/<star_prefix>/<fact>/date=YYYY-MM-DD/part-0.parquet     one partition per day
    s3://<bucket>/<star_prefix>/<table>/run_date=YYYY-MM-DD/<table>.parquet a run's dimension
                                                                          snapshot (and runaudit)
    s3://<bucket>/quarantine/<extract>/run_date=YYYY-MM-DD/rejected.csv   a run's rejected rows
    s3://<bucket>/<scripts_prefix>/load_redshift.py, .../sql/load/*.sql   the load job
    s3://<bucket>/<reports_prefix>/latest.html, .../updates/<update>.html covid_lake_report

The functions take the prefixes as arguments (values, or the DAG's Jinja templates at parse
time) and return keys; `uri` makes an s3:// address of a bucket and a key.

Facts are replaced per day; dimensions are a snapshot per run, so concurrent runs of a backfill
never read each other's; snapshots older than the last `keep_snapshots` are pruned after a
successful load (tasks/warehouse.prune_snapshots). Light on purpose: the DAG file imports it at parse time.
"""

from __future__ import annotations

import datetime as dt

DIMENSIONS = ("dimdate", "dimregion", "dimhospital")
FACTS = ("factcovid", "factcovidcounty")
AUDIT = "runaudit"  # the run's data-quality report (covid_lake.domain.quality)
STAR = (*DIMENSIONS, *FACTS)
WAREHOUSE = (*STAR, AUDIT)  # load order: dimensions before the facts that reference them


QUARANTINE_PREFIX = "quarantine"
LOAD_SCRIPT = "load_redshift.py"


def uri(bucket: str, key: str = "") -> str:
    return f"s3://{bucket}/{key}"


def split_uri(address: str) -> tuple[str, str]:
    """s3://bucket/key -> (bucket, key)."""
    if not address.startswith("s3://"):
        raise ValueError(f"not an s3:// address: {address!r}")
    bucket, _, key = address[len("s3://"):].partition("/")
    return bucket, key


def raw_zone(raw_prefix: str) -> str:
    """The crawler's target: one folder per dataset below it, so one table per dataset."""
    return f"{raw_prefix}/"


def athena_output(athena_output_prefix: str) -> str:
    return f"{athena_output_prefix}/"


def star_key(star_prefix: str, relative: str) -> str:
    """A file the Parquet writer laid out under the star (`table/date=.../part-0.parquet`)."""
    return f"{star_prefix}/{relative}"


def table_prefix(star_prefix: str, table: str) -> str:
    return f"{star_prefix}/{table}/"


def snapshots_prefix(star_prefix: str, table: str) -> str:
    """Every run's snapshot of a dimension (or runaudit): what pruning lists."""
    return f"{table_prefix(star_prefix, table)}run_date="


def fact_prefix(star_prefix: str, table: str, day: dt.date) -> str:
    """star_prefix: the key prefix ('star') or a URI ('s3://bucket/star')."""
    return f"{table_prefix(star_prefix, table)}date={day.isoformat()}/"


def snapshot_prefix(star_prefix: str, table: str, run_date: dt.date) -> str:
    return f"{snapshots_prefix(star_prefix, table)}{run_date.isoformat()}/"


def snapshot_key(star_prefix: str, table: str, run_date: dt.date) -> str:
    return f"{snapshot_prefix(star_prefix, table, run_date)}{table}.parquet"


def quarantine_prefix(extract: str, run_date: dt.date) -> str:
    return f"{QUARANTINE_PREFIX}/{extract}/run_date={run_date.isoformat()}/"


def quarantine_key(extract: str, run_date: dt.date) -> str:
    return f"{quarantine_prefix(extract, run_date)}rejected.csv"


def load_script_key(scripts_prefix: str) -> str:
    """The Glue job's script; its SQL templates sit beside it (load_sql_prefix)."""
    return f"{scripts_prefix}/{LOAD_SCRIPT}"


def load_sql_prefix(scripts_prefix: str) -> str:
    return f"{scripts_prefix}/sql/load"


def load_sql_key(scripts_prefix: str, name: str) -> str:
    return f"{load_sql_prefix(scripts_prefix)}/{name}"


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
    (include/scripts/load_redshift.py) knows nothing of this layout: it runs the plan. A table
    whose contract keeps loaded values over a run's NULLs (dimregion) also gets their columns."""
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
                template, source = "fact_range", table_prefix(star_uri, table)
        elif not rows:
            continue  # a dimension (or audit) without rows: nothing to merge
        else:
            template = table if table in ("dimregion", AUDIT) else "dimension"
            source = snapshot_prefix(star_uri, table, run_date)
        step = {"table": table, "template": template, "source": source, "key": key}
        if WAREHOUSE_TABLES[table].kept_when_null and template == table:
            step["keep"] = ", ".join(WAREHOUSE_TABLES[table].kept_when_null)
        plan.append(step)
    return plan

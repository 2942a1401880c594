"""The warehouse tasks: the load job's script and SQL staged on S3, the loaded warehouse checked
against what the run published, old dimension snapshots pruned."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from covid_lake.aws import redshift_io
from covid_lake.aws.s3_objects import delete_prefix, upload_if_changed
from covid_lake.domain import layout
from covid_lake.domain.errors import DataError
from covid_lake.tasks.policy import DAGRUN_TIMEOUT
from covid_lake.tasks.settings import Settings

log = logging.getLogger(__name__)


def stage_load_job(s3, settings: Settings, script: Path, sql_folder: Path) -> list[str]:
    """Upload the load job's script and its SQL templates (when changed) beside each other under
    <scripts_prefix>/: the job is created with this script location, and reads the SQL there."""
    files = [(Path(script), layout.load_script_key(settings.scripts_prefix))]
    files += [(path, layout.load_sql_key(settings.scripts_prefix, path.name))
              for path in sorted(Path(sql_folder).glob("*.sql"))]
    return upload_if_changed(s3, settings.bucket, files)


LOCAL_BATCH_POLL = "0.05"


def load_job_arguments(settings: Settings, published: dict[str, Any]) -> dict[str, str]:
    """The Glue load job's arguments (include/scripts/load_redshift.py parses them): the published
    run's dates and plan, where the load's SQL is, the COPY role and the warehouse target."""
    return {
        "--run_date": published["run_date"],
        "--start_date": published["start_date"],
        "--end_date": published["end_date"],
        "--plan": json.dumps(published["plan"]),
        "--sql_uri": layout.uri(settings.bucket, layout.load_sql_prefix(settings.scripts_prefix)),
        "--iam_role": settings.redshift_copy_role_arn,
        "--database": settings.redshift_database,
        "--workgroup": settings.redshift_workgroup,
        "--cluster_identifier": settings.redshift_cluster_identifier,
        # the batch's status checks: local_aws ends a day's batch in tens of milliseconds, where
        # the script's default second was half of a load's time; on AWS the default stays
        "--poll_seconds": LOCAL_BATCH_POLL if settings.env == "local_aws" else "1.0",
    }


def prune_snapshots(s3, settings: Settings, now: dt.datetime | None = None) -> list[str]:
    """After a successful load: delete the dimension and audit snapshots of older runs (their
    rows are in Redshift). A run date's snapshot stays while it is among the newest
    `keep_snapshots` run dates, or younger than the DAG's run timeout: a run of a backfill still
    in flight may be about to load it. Returns the prefixes deleted."""
    try:
        keep = int(settings.keep_snapshots)
        if keep < 1:
            raise ValueError("must be at least 1")
    except ValueError as exc:
        raise ValueError(f"covid_lake_settings keep_snapshots={settings.keep_snapshots!r}: "
                         f"{exc}") from None
    now = now or dt.datetime.now(dt.UTC)
    deleted = []
    for table in (*layout.DIMENSIONS, layout.AUDIT):
        base = layout.table_prefix(settings.star_prefix, table)
        snapshots: dict[str, dt.datetime] = {}  # prefix -> newest object's LastModified
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=settings.bucket, Prefix=layout.snapshots_prefix(settings.star_prefix, table))
        for page in pages:
            for o in page.get("Contents", []):
                prefix = o["Key"][: o["Key"].index("/", len(base)) + 1]
                snapshots[prefix] = max(snapshots.get(prefix, o["LastModified"]), o["LastModified"])
        for prefix in sorted(snapshots)[:-keep]:
            if now - snapshots[prefix] > DAGRUN_TIMEOUT:
                delete_prefix(s3, settings.bucket, prefix)
                deleted.append(prefix)
    if deleted:
        log.info("pruned %d old snapshot(s), e.g. %s", len(deleted), deleted[0])
    return deleted


class WarehouseCheckError(DataError):
    """The warehouse does not hold what the run published; the message has the numbers."""


def check_warehouse(client, settings: Settings, published: dict[str, Any]) -> dict[str, Any]:
    """Counts for the run's days equal the published counts; keys unique; fact keys resolve."""
    start = dt.date.fromisoformat(published["start_date"])
    end = dt.date.fromisoformat(published["end_date"])
    params = {"start_key": start.strftime("%Y%m%d"), "end_key": end.strftime("%Y%m%d")}
    target = settings.redshift_target()
    counts = {r["table_name"]: int(r["row_count"]) for r in redshift_io.query(
        client, redshift_io.sql_file("checks/counts.sql"), target, params)}
    integrity = {r["check_name"]: int(r["bad_rows"]) for r in redshift_io.query(
        client, redshift_io.sql_file("checks/integrity.sql"), target, params)}
    run_key = dt.date.fromisoformat(published["run_date"]).strftime("%Y%m%d")
    counts["runaudit"] = int(redshift_io.query(
        client, redshift_io.sql_file("checks/audit_count.sql"), target,
        {"run_key": run_key})[0]["row_count"])
    want = published["counts"]
    problems = []
    for table in ("factcovid", "factcovidcounty", "runaudit"):
        if counts[table] != want.get(table, 0):
            problems.append(f"{table}: {counts[table]} rows in Redshift for {start}..{end}, "
                            f"{want.get(table, 0)} published")
    days = (end - start).days + 1
    if counts["dimdate"] != days:
        problems.append(f"dimdate: {counts['dimdate']} of the {days} days {start}..{end}")
    for table in ("dimregion", "dimhospital"):
        if counts[table] < want.get(table, 0):
            problems.append(f"{table}: {counts[table]} rows in Redshift, fewer than the "
                            f"{want.get(table, 0)} published")
    problems += [f"{name}: {bad}" for name, bad in integrity.items() if bad]
    if problems:
        raise WarehouseCheckError("warehouse check failed: " + "; ".join(problems))
    # fact and audit counts, dimdate's days, the two dimensions, and the integrity rows
    total = 3 + 1 + 2 + len(integrity)
    return {"counts": counts, "integrity": integrity, "checks_passed": total,
            "checks_total": total}

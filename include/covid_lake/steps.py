"""What each task of covid_lake_daily does, as plain functions on boto3 clients.

The DAG file wires these to operators and tasks; here they take clients and settings, so they
run the same in a task, in a test against local_aws and on AWS.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from covid_lake import athena_io, raw_contract
from covid_lake.catalog import CSV_CLASSIFIER, crawler_config, reads_as_text, text_table_input
from covid_lake.datasets import DATASETS, dataset
from covid_lake.errors import DataError
from covid_lake.settings import Settings

log = logging.getLogger(__name__)
SOURCE_ETAG = "source-etag"  # metadata on our copy: the source object's ETag when copied
PREVIOUS_VERSION = "previous-version-id"  # metadata on our copy: the version it replaced


class SourceMissingError(DataError):
    """A source object is not in the lake bucket: a retry finds it missing again."""


def _missing(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound", "NoSuchBucket",
                                             "EntityNotFoundException")


def ensure_bucket(s3, bucket: str, region: str) -> bool:
    """Create our bucket when missing, and make sure it is versioned (the CloudFormation stack
    versions it on AWS; local_aws's bucket is versioned here), so that re-landing a changed
    source never loses the previous raw copy. True when the bucket was created."""
    created = False
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if not _missing(exc):
            raise
        extra = {} if region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": region}}
        created = _create(s3.create_bucket, Bucket=bucket, **extra)
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        log.info("bucket %s: turning versioning on (raw landing keeps every version)", bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return created


def _head(s3, bucket: str, key: str) -> dict | None:
    try:
        return s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if not _missing(exc):
            raise
        return None


def land(s3, settings: Settings, name: str, pinned_version: str | None = None) -> dict[str, Any]:
    """Copy one source object server-side to raw/<dataset>/<file>, unless its ETag is unchanged.

    A changed source is read and checked first (source_files: compression, encoding, CSV/JSON
    shape, header): a damaged one fails here, naming dataset, key and problem, and our raw copy
    stays as it was. Our bucket is versioned: the copy it replaces stays as a previous version,
    whose id the result records (and the new object's metadata), so that a run can be repeated
    on it: `pinned_version` makes that version of our raw copy the current one instead of
    landing the source (the DAG param raw_versions).
    """
    from covid_lake import source_files

    ds = dataset(name)
    key = ds.raw_key(settings.raw_prefix)
    ours = _head(s3, settings.bucket, key)
    if pinned_version:
        return _restore(s3, settings, name, key, ours, pinned_version)
    try:
        src = s3.head_object(Bucket=settings.source_bucket, Key=ds.key)
    except ClientError as exc:
        if not _missing(exc):
            raise  # throttling, 5xx, ...: the task's retries are for these
        raise SourceMissingError(f"dataset {name}: source s3://{settings.source_bucket}/{ds.key} "
                                 f"does not exist ({exc.response['Error']['Code']})") from None
    result = {"dataset": name, "etag": src["ETag"], "key": key}
    if ours is not None and ours.get("Metadata", {}).get(SOURCE_ETAG) == src["ETag"]:
        return {**result, "copied": False, "version_id": ours.get("VersionId")}
    body = s3.get_object(Bucket=settings.source_bucket, Key=ds.key, IfMatch=src["ETag"])["Body"]
    stats = source_files.check(ds, f"s3://{settings.source_bucket}/{ds.key}",
                               body.iter_chunks(1 << 20))
    previous = ours.get("VersionId") if ours is not None else None
    meta = {SOURCE_ETAG: src["ETag"], **({PREVIOUS_VERSION: previous} if previous else {})}
    copied = s3.copy_object(Bucket=settings.bucket, Key=key,
                            CopySource={"Bucket": settings.source_bucket, "Key": ds.key},
                            MetadataDirective="REPLACE", Metadata=meta)
    log.info("landed %s: %s bytes, %s records -> s3://%s/%s version %s%s", name,
             f"{stats.bytes:,}", f"{stats.records:,}", settings.bucket, key,
             copied.get("VersionId"),
             f" (the copy it replaced is version {previous}: param raw_versions="
             f'{{"{name}": "{previous}"}} re-runs on it)' if previous else "")
    return {**result, "copied": True, "version_id": copied.get("VersionId"),
            "previous_version_id": previous, "bytes": stats.bytes, "records": stats.records}


class RawVersionError(DataError):
    """The param raw_versions names an unknown dataset, or a version that does not exist."""


def pinned_versions(param: Any) -> dict[str, str]:
    """The DAG param raw_versions, checked: {dataset name: version id}."""
    if not param:
        return {}
    if not isinstance(param, dict):
        raise RawVersionError(f"param raw_versions must be an object {{dataset: version id}}, "
                              f"got {type(param).__name__}")
    unknown = sorted(set(param) - {d.name for d in DATASETS})
    if unknown:
        raise RawVersionError(f"param raw_versions names unknown datasets {unknown}; known: "
                              f"{', '.join(d.name for d in DATASETS)}")
    bad = sorted(k for k, v in param.items() if not isinstance(v, str) or not v)
    if bad:
        raise RawVersionError(f"param raw_versions: the version ids of {bad} are not strings")
    return dict(param)


def _restore(s3, settings: Settings, name: str, key: str, ours: dict | None,
             version: str) -> dict[str, Any]:
    """Make `version` of our raw copy the current one (a copy onto itself: history is kept)."""
    result = {"dataset": name, "key": key, "pinned_version": version}
    try:
        old = s3.head_object(Bucket=settings.bucket, Key=key, VersionId=version)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code not in ("404", "400", "NoSuchVersion", "NoSuchKey", "InvalidArgument"):
            raise
        raise RawVersionError(f"dataset {name}: param raw_versions names version {version!r} "
                              f"of s3://{settings.bucket}/{key}, which does not exist "
                              f"({code})") from None
    etag = old.get("Metadata", {}).get(SOURCE_ETAG)
    if ours is not None and ours["ETag"] == old["ETag"]:  # restored by an earlier run already
        return {**result, "copied": False, "version_id": ours.get("VersionId"), "etag": etag}
    copied = s3.copy_object(Bucket=settings.bucket, Key=key,
                            CopySource={"Bucket": settings.bucket, "Key": key, "VersionId": version},
                            MetadataDirective="COPY")
    log.info("restored %s: version %s of s3://%s/%s is current again (as version %s)", name,
             version, settings.bucket, key, copied.get("VersionId"))
    return {**result, "copied": True, "version_id": copied.get("VersionId"),
            "previous_version_id": ours.get("VersionId") if ours else None, "etag": etag}


def _create(call, **kwargs) -> bool:
    """call(**kwargs), a create_* API; False when the object already exists (a concurrent run
    of the same backfill created it first), True when this call created it."""
    try:
        call(**kwargs)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("AlreadyExistsException", "BucketAlreadyOwnedByYou"):
            return False
        raise
    return True


def prepare_catalog(glue, settings: Settings) -> dict[str, Any]:
    """Database, classifier and crawler exist (classifier as declared); what the crawl decision
    needs. Concurrent runs of a backfill all get here: whoever creates second finds the object
    there (AlreadyExists) and goes on. The crawler's own settings are kept as declared by the
    DAG's GlueCrawlerUpdateOperator, inside the crawler pool."""
    _create(glue.create_database, DatabaseInput={"Name": settings.glue_database,
                                                 "Description": "covid-lake raw zone (crawled)"})
    spec = {"Name": settings.classifier_name, **CSV_CLASSIFIER}
    if not _create(glue.create_classifier, CsvClassifier=spec):
        current = glue.get_classifier(Name=settings.classifier_name)["Classifier"]
        if any(current.get("CsvClassifier", {}).get(k) != v for k, v in spec.items()):
            glue.update_classifier(CsvClassifier=spec)
    crawler_created = _create(glue.create_crawler, **crawler_config(settings))
    tables = {t["Name"] for page in glue.get_paginator("get_tables").paginate(
        DatabaseName=settings.glue_database) for t in page["TableList"]}
    return {"crawler_created": crawler_created,
            "missing_tables": sorted({d.name for d in DATASETS} - tables)}


def read_csv_as_text(glue, settings: Settings) -> dict[str, list[str]]:
    """Type every column of the crawled CSV tables string (catalog.py: why), after each crawl and
    before Athena reads them. Idempotent: a table already all-string is left alone. Returns
    {dataset: the columns retyped} for the log."""
    retyped = {}
    for d in DATASETS:
        try:
            table = glue.get_table(DatabaseName=settings.glue_database, Name=d.name)["Table"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "EntityNotFoundException":
                continue  # check_raw names the missing table
            raise
        table_input = text_table_input(table)
        if table_input is None:
            continue
        glue.update_table(DatabaseName=settings.glue_database, TableInput=table_input)
        retyped[d.name] = [c["Name"] for c in table["StorageDescriptor"]["Columns"]
                           if c.get("Type", "").lower() != "string"]
        log.info("%s: columns now read as text: %s", d.name, ", ".join(retyped[d.name]))
    return retyped


def check_raw(glue, athena, settings: Settings, profile_query_id: str) -> list[dict]:
    """Fail, naming dataset and column, when a raw table is not what the pipeline reads
    (a DataError: no retries); measure the raw files' quirks (duplicate keys) against their
    limits. Returns the profile, one row per dataset, for the run's report."""
    from covid_lake import quality

    for d in DATASETS:
        table = glue.get_table(DatabaseName=settings.glue_database, Name=d.name)["Table"]
        raw_contract.check_columns(d.name, table["StorageDescriptor"]["Columns"],
                                   read_as_text=reads_as_text(table))
    rows = athena_io.results_frame(athena, profile_query_id).to_dict("records")
    raw_contract.check_profile(rows)
    profile = [{k: (int(v) if k != "dataset" else v) for k, v in r.items()} for r in rows]
    found = quality.with_limits(quality.raw_findings(profile, raw_contract.keys()),
                                settings.quirk_limit)
    for line in quality.log_lines(found):
        log.info("raw quirk: %s", line)
    quality.check_limits(found)
    return profile


EXTRACT_MARK = "-- covid_lake extract "  # first line of each query: the map index's name


def extract_queries(run_date: dt.date | None) -> list[str]:
    """The extract queries of a run (run_date None: everything), in athena_io.EXTRACTS order;
    the DAG runs them as mapped, deferrable AthenaOperator tasks, in parallel."""
    return [f"{EXTRACT_MARK}{name}\n{athena_io.render(name, run_date)}"
            for name in athena_io.EXTRACTS]


def extract(athena, settings: Settings, run_date: dt.date | None) -> dict[str, str]:
    """The same queries run one after another here (benchmarks, tools): {dataset: query id}."""
    return {name: athena_io.run_query(athena, sql, settings.glue_database,
                                      settings.athena_output, settings.athena_workgroup)
            for name, sql in zip(athena_io.EXTRACTS, extract_queries(run_date))}


def _delete_prefix(s3, bucket: str, prefix: str) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})


def transform_and_publish(athena, s3, settings: Settings, query_ids: dict[str, str] | list[str],
                          run_date: dt.date, full_refresh: bool,
                          raw_profile: list[dict] | None = None) -> dict[str, Any]:
    """Build the star rows, validate them, and write Parquet to star/ (overwrite, never append).

    Facts go to star/<table>/date=YYYY-MM-DD/, dimensions to star/<table>/run_date=<run date>/:
    one object per run, so concurrent runs of a backfill never read each other's dimensions.
    """
    import pandas as pd

    from covid_lake import balance, layout, parquet_io, quality, star, validate
    from covid_lake.clean import clean_lake

    if not isinstance(query_ids, dict):  # the mapped extract's ids, in EXTRACTS order
        query_ids = dict(zip(athena_io.EXTRACTS, query_ids, strict=True))
    frames = {name: athena_io.results_frame(athena, qid, s3) for name, qid in query_ids.items()}
    checked = validate.split(frames, today=dt.datetime.now(dt.timezone.utc).date())
    quarantined = write_quarantine(s3, settings, run_date, checked.rejected)
    lake = clean_lake(checked.frames)
    if full_refresh:
        start, end = star.lake_span(lake)
        build = star.build_range(lake, start, end)
    else:
        start = end = run_date
        build = star.build_day(lake, run_date)
    # Every row read for a built day is loaded or audited with its reason, or the run fails.
    rows_balance = balance.check(balance.with_rejects(
        build.balance, checked.rejected, pd.Timestamp(start), pd.Timestamp(end)))
    report = quality.with_limits(
        quality.combine(quality.raw_findings(raw_profile or [], raw_contract.keys()),
                        checked.report, build.report, balance.audit_findings(rows_balance)),
        {quality.QUIRK: settings.quirk_limit, quality.REJECT: settings.reject_limit})
    log.info("run %s, %s..%s: %d findings\n%s", run_date, start, end, len(report),
             "\n".join(quality.log_lines(report)))
    quality.check_limits(report)
    counts = build.counts()
    tables = {**build.tables, "runaudit": quality.audit_rows(report, counts, run_date)}
    with tempfile.TemporaryDirectory() as tmp:
        written = parquet_io.write_star(tables, tmp, prefix="")
        for table, paths in written.items():
            is_fact = table in layout.FACTS
            if is_fact:
                # Replace exactly the days this run built.
                for day in _days(start, end):
                    _delete_prefix(s3, settings.bucket,
                                   layout.fact_prefix(settings.star_prefix, table, day))
            else:
                _delete_prefix(s3, settings.bucket,
                               layout.snapshot_prefix(settings.star_prefix, table, run_date))
            for path in paths:
                key = (f"{settings.star_prefix}/{Path(path).relative_to(tmp).as_posix()}" if is_fact
                       else layout.snapshot_key(settings.star_prefix, table, run_date))
                s3.upload_file(path, settings.bucket, key)
    counts = {**counts, "runaudit": len(tables["runaudit"])}
    return {"run_date": run_date.isoformat(), "start_date": start.isoformat(),
            "end_date": end.isoformat(), "counts": counts,
            "plan": layout.load_plan(f"s3://{settings.bucket}/{settings.star_prefix}", run_date,
                                     start, end, counts),
            "report": quality.records(report), "quarantined": quarantined}


QUARANTINE_PREFIX = "quarantine"  # s3://<bucket>/quarantine/<dataset>/run_date=D/


def write_quarantine(s3, settings: Settings, run_date: dt.date,
                     rejected: dict[str, Any]) -> dict[str, str]:
    """Replace the run date's quarantine: one CSV per extract with rejected rows (their values as
    extracted, plus reject_reasons); a rerun that rejects nothing leaves nothing behind.
    Returns {extract: s3 uri}."""
    from covid_lake import athena_io

    written = {}
    for name in dict.fromkeys((*athena_io.EXTRACTS, *rejected)):
        prefix = f"{QUARANTINE_PREFIX}/{name}/run_date={run_date.isoformat()}/"
        _delete_prefix(s3, settings.bucket, prefix)
        rows = rejected.get(name)
        if rows is None or not len(rows):
            continue
        key = f"{prefix}rejected.csv"
        s3.put_object(Bucket=settings.bucket, Key=key,
                      Body=rows.to_csv(index=False).encode("utf-8"), ContentType="text/csv")
        written[name] = f"s3://{settings.bucket}/{key}"
        log.warning("dataset %s: %d row(s) rejected and quarantined at %s", name, len(rows),
                    written[name])
    return written


def stage_load_job(s3, settings: Settings, script: Path, sql_folder: Path) -> list[str]:
    """Upload the load job's script and its SQL templates (when changed) beside each other under
    <scripts_prefix>/: the job is created with this script location, and reads the SQL there."""
    import hashlib

    written = []
    files = [(script, f"{settings.scripts_prefix}/{Path(script).name}")]
    files += [(path, f"{settings.scripts_prefix}/sql/load/{path.name}")
              for path in sorted(Path(sql_folder).glob("*.sql"))]
    for path, key in files:
        body = Path(path).read_bytes()
        try:
            if s3.head_object(Bucket=settings.bucket, Key=key)["ETag"].strip('"') == \
                    hashlib.md5(body).hexdigest():
                continue
        except ClientError as exc:
            if not _missing(exc):
                raise
        s3.put_object(Bucket=settings.bucket, Key=key, Body=body)
        written.append(key)
    return written


def prune_snapshots(s3, settings: Settings, now: dt.datetime | None = None) -> list[str]:
    """After a successful load: delete the dimension and audit snapshots of older runs (their
    rows are in Redshift). A run date's snapshot stays while it is among the newest
    `keep_snapshots` run dates, or younger than the DAG's run timeout: a run of a backfill still
    in flight may be about to load it. Returns the prefixes deleted."""
    from covid_lake import layout
    from covid_lake.errors import DAGRUN_TIMEOUT

    try:
        keep = int(settings.keep_snapshots)
        if keep < 1:
            raise ValueError("must be at least 1")
    except ValueError as exc:
        raise ValueError(f"covid_lake_settings keep_snapshots={settings.keep_snapshots!r}: "
                         f"{exc}") from None
    now = now or dt.datetime.now(dt.timezone.utc)
    deleted = []
    for table in (*layout.DIMENSIONS, layout.AUDIT):
        base = f"{settings.star_prefix}/{table}/"
        snapshots: dict[str, dt.datetime] = {}  # prefix -> newest object's LastModified
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.bucket,
                                                                 Prefix=base + "run_date="):
            for o in page.get("Contents", []):
                prefix = o["Key"][: o["Key"].index("/", len(base)) + 1]
                snapshots[prefix] = max(snapshots.get(prefix, o["LastModified"]), o["LastModified"])
        for prefix in sorted(snapshots)[:-keep]:
            if now - snapshots[prefix] > DAGRUN_TIMEOUT:
                _delete_prefix(s3, settings.bucket, prefix)
                deleted.append(prefix)
    if deleted:
        log.info("pruned %d old snapshot(s), e.g. %s", len(deleted), deleted[0])
    return deleted


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]


class WarehouseCheckError(DataError):
    """The warehouse does not hold what the run published; the message has the numbers."""


def check_warehouse(client, settings: Settings, published: dict[str, Any]) -> dict[str, Any]:
    """Counts for the run's days equal the published counts; keys unique; fact keys resolve."""
    from covid_lake import redshift_io

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

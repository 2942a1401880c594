"""The transform task: the run's extracts validated, cleaned and built into star rows, written as
Parquet to star/ (and rejected rows to quarantine/), with the load job's plan."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

from covid_lake.aws import athena_io
from covid_lake.aws.s3_objects import delete_prefix, delete_prefixes, put_files
from covid_lake.domain import layout, raw_contract
from covid_lake.tasks.settings import Settings

log = logging.getLogger(__name__)


def transform_and_publish(athena, s3, settings: Settings, query_ids: dict[str, str] | list[str],
                          run_date: dt.date, full_refresh: bool,
                          raw_profile: list[dict] | None = None) -> dict[str, Any]:
    """Build the star rows, validate them, and write Parquet to star/ (overwrite, never append).

    Facts go to star/<table>/date=YYYY-MM-DD/, dimensions to star/<table>/run_date=<run date>/:
    one object per run, so concurrent runs of a backfill never read each other's dimensions.
    """
    import pandas as pd

    from covid_lake.aws import arrow_memory, parquet_io
    from covid_lake.domain import balance, quality, star, validate
    from covid_lake.domain.clean import clean_lake

    arrow_memory.use_pipeline_memory()  # before the run's frames are read: the build's peak memory
    if not isinstance(query_ids, dict):  # the mapped extract's ids, in EXTRACTS order
        query_ids = dict(zip(athena_io.EXTRACTS, query_ids, strict=True))
    frames = athena_io.results_frames(athena, query_ids, s3)
    checked = validate.split(frames, today=dt.datetime.now(dt.UTC).date())
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
        # The build validated the star tables against their contracts; runaudit is new here.
        written = {**parquet_io.write_star(build.tables, tmp, validate=False, prefix=""),
                   **parquet_io.write_star({"runaudit": tables["runaudit"]}, tmp, prefix="")}
        puts = []
        for table, paths in written.items():
            is_fact = table in layout.FACTS
            if is_fact:
                # Replace exactly the days this run built.
                delete_prefixes(s3, settings.bucket, layout.table_prefix(settings.star_prefix, table),
                                [layout.fact_prefix(settings.star_prefix, table, day)
                                 for day in _days(start, end)])
            else:
                delete_prefix(s3, settings.bucket,
                               layout.snapshot_prefix(settings.star_prefix, table, run_date))
            puts += [(path, layout.star_key(settings.star_prefix, Path(path).relative_to(tmp).as_posix())
                      if is_fact else layout.snapshot_key(settings.star_prefix, table, run_date))
                     for path in paths]
        put_files(s3, settings.bucket, puts)
    counts = {**counts, "runaudit": len(tables["runaudit"])}
    return {"run_date": run_date.isoformat(), "start_date": start.isoformat(),
            "end_date": end.isoformat(), "counts": counts,
            "plan": layout.load_plan(layout.uri(settings.bucket, settings.star_prefix), run_date,
                                     start, end, counts),
            "report": quality.records(report), "quarantined": quarantined}


def write_quarantine(s3, settings: Settings, run_date: dt.date,
                     rejected: dict[str, Any]) -> dict[str, str]:
    """Replace the run date's quarantine: one CSV per extract with rejected rows (their values as
    extracted, plus reject_reasons); a rerun that rejects nothing leaves nothing behind.
    Returns {extract: s3 uri}."""
    written = {}
    for name in dict.fromkeys((*athena_io.EXTRACTS, *rejected)):
        delete_prefix(s3, settings.bucket, layout.quarantine_prefix(name, run_date))
        rows = rejected.get(name)
        if rows is None or not len(rows):
            continue
        key = layout.quarantine_key(name, run_date)
        s3.put_object(Bucket=settings.bucket, Key=key,
                      Body=rows.to_csv(index=False).encode("utf-8"), ContentType="text/csv")
        written[name] = layout.uri(settings.bucket, key)
        log.warning("dataset %s: %d row(s) rejected and quarantined at %s", name, len(rows),
                    written[name])
    return written



def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]



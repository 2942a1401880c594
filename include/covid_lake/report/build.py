"""The report end to end: query the warehouse, render the page, write it where analysts find it.

    s3://<bucket>/<reports_prefix>/latest.html             the newest, what the Airflow view shows
    s3://<bucket>/<reports_prefix>/updates/<update>.html   one per warehouse update, kept
    <report_dir>/latest.html, <report_dir>/updates/...      the same, on disk (setting report_dir;
                                                            set offline, empty on AWS)

<update> names the report run (its run_after time), so rerunning a report run rewrites its own
file and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pandas as pd

from covid_lake.domain import layout
from covid_lake.report import charts, counties, data, figures, page

TITLE = "COVID-19 warehouse report"
LATEST_DISAGREEMENTS_SHOWN = 15


def update_name(run_after: dt.datetime) -> str:
    """A file name from the report run's time: 2026-11-27T02:30:00Z -> 20261127T023000Z."""
    return run_after.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def report_keys(prefix: str, name: str) -> tuple[str, str]:
    if not re.fullmatch(r"[0-9A-Za-z_.-]+", name):
        raise ValueError(f"report name {name!r}: letters, digits, '_', '.' and '-' only")
    return layout.update_report_key(prefix, name), layout.latest_report_key(prefix)


def sections(results: dict[str, data.Result], checks: list[dict]) -> tuple[list[page.Section],
                                                                          dict[str, list[str]]]:
    """The page's five sections and their alerts, from the queries' results and the warehouse
    checks recorded on covid_lake_daily's asset events."""
    alerts: dict[str, list[str]] = {}
    wide = results["state_sources"].frame
    flagged = figures.disagreements(figures.sources_long(wide))
    if not wide.empty:
        wide = figures.flag_disagreements(wide, flagged)
    latest_day = wide["date"].max() if not wide.empty else None
    latest_flags = flagged[flagged["date"] == latest_day] if latest_day else flagged
    if not flagged.empty:
        alerts["sources"] = [
            f"The sources disagree by more than {figures.DISAGREEMENT_SHARE:.0%} on "
            f"{len(flagged):,} state-days ({len(latest_flags):,} on the latest date, "
            f"{latest_day}); largest: {_describe(flagged.iloc[0])}."]
    county = results["county_cases"].frame
    county_day = (figures.run_date(county["date_key"].iloc[0]) if not county.empty else "")
    testing = results["testing"].frame
    audit = results["data_quality"].frame
    loaded, left_out = figures.loaded_rows(audit), figures.left_out_rows(audit)
    balanced = figures.balance_rows(audit)
    checked = figures.checks_by_run_date(checks)
    run_dates = sorted({*loaded["run_date"], *left_out["run_date"]})
    if run_dates:
        by_date = checked.set_index("run_date") if not checked.empty else None
        missing = [d for d in run_dates if by_date is None or d not in by_date.index]
        if missing:
            alerts["quality"] = [f"No warehouse check recorded for run dates {', '.join(missing)} "
                                 "(loaded before checks were recorded on the asset events, or "
                                 "by another Airflow)."]
    return [
        page.Section(
            "sources", "Cases and deaths per state: three sources side by side",
            "Pick a state: each line is one source's cumulative count; a red triangle marks a day "
            f"where they differ by more than {figures.DISAGREEMENT_SHARE:.0%} of the highest "
            f"(when it is at least {figures.DISAGREEMENT_FLOOR}).",
            [results["state_sources"].sql], {"state_sources": wide, "disagreements": flagged},
            _spec(charts.state_sources(wide)),
            [(f"Disagreements on the latest date, {latest_day}", latest_flags.head(
                LATEST_DISAGREEMENTS_SHOWN))] if not latest_flags.empty else []),
        page.Section(
            "counties", f"Cases per 100,000 people per county{', ' + county_day if county_day else ''}",
            "Darker counties have more cases per 100,000 residents (JHU confirmed, NYT where JHU "
            "has none; 2018 population); grey counties have no figure that day.",
            [results["county_cases"].sql], {"county_cases": county},
            _county_spec(county)),
        page.Section(
            "testing", "Testing per state: tests per 100,000 people and positivity",
            "Further right: more testing per resident; higher up: a larger share of tests came "
            "back positive (COVID Tracking Project, latest date).",
            [results["testing"].sql], {"testing": testing}, _spec(charts.testing(testing))),
        page.Section(
            "hospitals", "Hospital capacity: beds per 100,000 people against cases per 100,000",
            "Each state twice: its staffed and its ICU beds per 100,000 residents (vertical) "
            "beside its cases per 100,000 on the latest date (horizontal); low and to the right "
            "means fewer beds for more cases.",
            [results["hospital_capacity"].sql], {"hospital_capacity": results[
                "hospital_capacity"].frame},
            _spec(charts.hospital_capacity(results["hospital_capacity"].frame))),
        page.Section(
            "quality", "Data quality per run date: rows loaded, rows left out, checks passed",
            "Top: the rows each run loaded per table; bottom: the rows it left out or resolved "
            "per dataset and rule (runaudit); the tables: the warehouse checks that gated it, "
            "and each dataset's row balance per day (rows read = loaded + left out).",
            [results["data_quality"].sql], {"rows_loaded": loaded, "rows_left_out": left_out,
                                            "checks": checked, "row_balance": balanced},
            _spec(charts.data_quality(loaded, left_out)),
            ([("Warehouse checks per run date", checked)] if not checked.empty else [])
            + ([("Row balance per run date, dataset and day", balanced)]
               if not balanced.empty else [])),
    ], alerts


def _describe(row) -> str:
    return (f"{row['state_name']} {row['measure']} on {row['date']} ({row['figures']}; "
            f"{row['gap']:.0%} apart)")


def _spec(chart) -> dict | None:
    import altair as alt

    if chart is None:
        return None
    # altair refuses more than 5,000 rows by default (a notebook guard); the page is meant to
    # carry the whole history: 21,239 state-days on the full sample.
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict()


def _county_spec(county: pd.DataFrame) -> dict | None:
    spec = _spec(charts.county_map(county))
    return charts.with_county_shapes(spec, counties.geojson()) if spec else None


def overview(results: dict[str, data.Result]) -> dict | None:
    frame = results["overview"].frame
    if frame.empty or pd.isna(frame["first_date_key"].iloc[0]):
        return None
    row = frame.iloc[0]
    return {"first": figures.run_date(row["first_date_key"]),
            "last": figures.run_date(row["last_date_key"]),
            "rows": ", ".join(f"{int(row[c]):,} {c.removesuffix('_rows')} rows" for c in (
                "factcovid_rows", "factcovidcounty_rows", "dimregion_rows",
                "dimhospital_rows"))}


def render(results: dict[str, data.Result], checks: list[dict], generated_at: dt.datetime,
           warehouse: str) -> str:
    parts, alerts = sections(results, checks)
    return page.render(parts, TITLE, generated_at.strftime("%Y-%m-%d %H:%M UTC"), warehouse,
                       overview(results), alerts)


def build_and_publish(redshift, s3, settings, checks: list[dict], run_after: dt.datetime,
                      now: dt.datetime | None = None) -> dict:
    """Query, render and write the report; returns where it went, its size and timings."""
    t0 = time.perf_counter()
    target = settings.redshift_target()
    results = data.fetch(redshift, target)
    t1 = time.perf_counter()
    warehouse = "/".join(v for k, v in sorted(target.items()))
    text = render(results, checks, now or dt.datetime.now(dt.UTC), warehouse)
    t2 = time.perf_counter()
    body = text.encode()
    update_key, latest_key = report_keys(settings.reports_prefix, update_name(run_after))
    for key in (update_key, latest_key):
        s3.put_object(Bucket=settings.bucket, Key=key, Body=body,
                      ContentType="text/html; charset=utf-8")
    written = [layout.uri(settings.bucket, update_key), layout.uri(settings.bucket, latest_key)]
    if settings.report_dir:
        folder = Path(settings.report_dir)
        for key in (update_key, latest_key):
            path = folder / key.removeprefix(settings.reports_prefix + "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            written.append(str(path))
    return {"written": written, "bytes": len(body), "query_seconds": round(t1 - t0, 2),
            "render_seconds": round(t2 - t1, 2),
            "rows": {name: len(r.frame) for name, r in results.items()}}

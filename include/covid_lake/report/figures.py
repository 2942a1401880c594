"""Plain pandas on the report queries' results: no Airflow, no AWS, no charts."""

from __future__ import annotations

import pandas as pd

# The three sources of factcovid and their columns per measure (state_sources.sql).
SOURCES: dict[str, dict[str, str]] = {
    "JHU": {"cases": "jhu_cases", "deaths": "jhu_deaths"},
    "NYT": {"cases": "nyt_cases", "deaths": "nyt_deaths"},
    "COVID Tracking": {"cases": "tracking_cases", "deaths": "tracking_deaths"},
}
# Sources disagree on a state's day when their highest and lowest figure differ by more than
# this share of the highest...
DISAGREEMENT_SHARE = 0.10
# ... and the highest is at least this: below it a handful of cases is a large share.
DISAGREEMENT_FLOOR = 50
LEFT_OUT = ("scope", "quirk", "reject")


def sources_long(wide: pd.DataFrame) -> pd.DataFrame:
    """One row per (date, state, measure, source) with a figure; a source's missing figure is
    no row, not a zero."""
    columns = ["date", "state_abbr", "state_name", "measure", "source", "value"]
    if wide.empty:
        return pd.DataFrame(columns=columns)
    parts = []
    for source, by_measure in SOURCES.items():
        for measure, column in by_measure.items():
            part = wide[["date", "state_abbr", "state_name", column]].rename(
                columns={column: "value"})
            parts.append(part.assign(measure=measure, source=source))
    long = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    return long[columns].sort_values(["state_name", "measure", "date", "source"],
                                     ignore_index=True)


def disagreements(long: pd.DataFrame, share: float = DISAGREEMENT_SHARE,
                  floor: float = DISAGREEMENT_FLOOR) -> pd.DataFrame:
    """The (date, state, measure) whose sources (two or more) disagree: highest - lowest >
    share x highest, with highest >= floor. Columns: the key, lowest, highest, gap (a share of
    the highest) and `figures` ("JHU 120, NYT 100"), largest gap first."""
    key = ["date", "state_abbr", "state_name", "measure"]
    columns = [*key, "lowest", "highest", "gap", "figures"]
    if long.empty:
        return pd.DataFrame(columns=columns)
    grouped = long.groupby(key, sort=False)
    spread = grouped["value"].agg(lowest="min", highest="max", sources="count").reset_index()
    spread["gap"] = (spread["highest"] - spread["lowest"]) / spread["highest"].where(
        spread["highest"] > 0)
    flagged = spread[(spread["sources"] >= 2) & (spread["highest"] >= floor)
                     & (spread["gap"] > share)]
    if flagged.empty:
        return pd.DataFrame(columns=columns)
    figures = (long.assign(text=long["source"] + " " + long["value"].map("{:,.0f}".format))
               .groupby(key, sort=False)["text"].agg(", ".join).rename("figures").reset_index())
    out = flagged.merge(figures, on=key, how="left")[columns]
    return out.sort_values(["gap", "date"], ascending=[False, False], ignore_index=True)


def flag_disagreements(wide: pd.DataFrame, flagged: pd.DataFrame) -> pd.DataFrame:
    """`wide` (state_sources.sql's rows) with booleans cases_disagree and deaths_disagree: that
    state's day and measure is in `flagged`."""
    marks = (set(flagged[["date", "state_abbr", "measure"]].itertuples(index=False, name=None))
             if not flagged.empty else set())
    keys = list(wide[["date", "state_abbr"]].itertuples(index=False, name=None))
    return wide.assign(**{f"{m}_disagree": [(d, s, m) in marks for d, s in keys]
                          for m in ("cases", "deaths")})


def run_date(run_date_key: float | int) -> str:
    text = str(int(run_date_key))
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def loaded_rows(audit: pd.DataFrame) -> pd.DataFrame:
    """Rows loaded per run date and star table (runaudit kind 'loaded')."""
    return _audit_rows(audit, ["loaded"]).rename(columns={"dataset": "table"})


def left_out_rows(audit: pd.DataFrame) -> pd.DataFrame:
    """Rows left out or resolved per run date, dataset, kind and reason."""
    return _audit_rows(audit, LEFT_OUT)


def balance_rows(audit: pd.DataFrame) -> pd.DataFrame:
    """Per run date, dataset and day: rows read = loaded + left out (runaudit kind 'tally';
    row_count = loaded + left out, of_rows = read; a run whose balance does not close fails)."""
    return _audit_rows(audit, ["tally"]).rename(
        columns={"reason": "balance", "row_count": "accounted", "of_rows": "read"}).drop(
        columns="kind")


def _audit_rows(audit: pd.DataFrame, kinds) -> pd.DataFrame:
    columns = ["run_date", "dataset", "kind", "reason", "row_count", "of_rows"]
    if audit.empty:
        return pd.DataFrame(columns=columns)
    rows = audit[audit["kind"].isin(kinds)]
    return rows.assign(run_date=rows["run_date_key"].map(run_date))[columns].reset_index(drop=True)


def checks_by_run_date(events: list[dict]) -> pd.DataFrame:
    """The warehouse checks per run date, from the extras of covid_lake_daily's asset events
    (the check task attaches them; a later event for the same run date replaces an earlier)."""
    columns = ["run_date", "checks_passed", "checks_total", "checked_at"]
    rows = [{"run_date": e["run_date"], "checks_passed": e["checks_passed"],
             "checks_total": e["checks_total"], "checked_at": e.get("checked_at", "")}
            for e in events if {"run_date", "checks_passed", "checks_total"} <= set(e)]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows).sort_values(["run_date", "checked_at"])
    return frame.drop_duplicates("run_date", keep="last")[columns].reset_index(drop=True)

"""Every row a run reads is loaded or in the run audit with its reason: the balance, per daily
dataset and built day.

    read = loaded + left out (scope + quirk, by reason) + rejected

- read: the dataset's rows dated that day that the run extracted (rows validation rejected
  included). A JHU row's day is the UTC day of its last_update.
- loaded: the rows a fact of that day is built from, where the fact carries the source's
  figures (a fact row whose measures from that source are all NULL loaded none of them: a
  row kept out of the sums is not counted as loaded because another source made the row).
  JHU: the latest report of a region placed in a state (regions.classify_jhu) whose state's
  factcovid row has a JHU measure, and, for a county, whose county's factcovidcounty row has
  one: each such row is in its state's figure (a county also in its county's). NYT us_county:
  a row whose (day, fips) factcovidcounty row has an NYT measure; us_states / states_daily: a
  row whose (day, fips) factcovid row has an NYT / COVID Tracking measure.
- left out: JHU non-US rows, cruise ships, the national 'Recovered' row, earlier reports of a
  region that day, the smaller of a region reported twice in one report; NYT county rows
  without fips; state rows without fips. Each is one reason of the run report (star._report).
- rejected: rows validation quarantined (covid_lake.domain.validate), by the day they carry.

The buckets are disjoint by construction (a row is loaded only if no left-out rule took it), so
the balance closes unless a row fell through: a run where it does not fails with a
`BalanceError` naming the dataset, the day and the difference. Rows whose date is no date (a
missing last_update, an impossible date) belong to no day: they are in the report of every
run (quirk / reject), not in a day's balance. The balance is written to runaudit as kind
'tally', one row per dataset and day: row_count = loaded + left out + rejected,
of_rows = read.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from covid_lake.domain import regions
from covid_lake.domain.errors import DataError
from covid_lake.domain.parsing import _text, jhu_timestamps, normalise_columns
from covid_lake.domain.star_keys import _PLACED, _key_of, _window

# runaudit.kind is VARCHAR(6): the balance rows are kind 'tally'.
TALLY, LOADED, READ, REJECT = "tally", "loaded", "read", "reject"
DATASETS = ("enigma_jhu", "us_county", "us_states", "states_daily")
COLUMNS = ("dataset", "date", "part", "kind", "reason", "rows")
_LEFT_OUT_RULES = ("non_us", "no_state", "national")
# Each source's measures in the facts (contracts.py): a row is loaded into a fact row only
# where the fact holds at least one of them.
_JHU = ("confirmed", "deaths", "recovered")
_NYT = ("nyt_cases", "nyt_deaths")
_TRACKING = ("positive", "negative", "hospitalized_currently", "hospitalized_cumulative",
             "hospitalized_discharged", "in_icu_currently", "on_ventilator_currently", "death",
             "total_test_results")


class BalanceError(DataError):
    """Rows read on a day are neither loaded nor in the run audit with a reason."""


def _parts(rows: list[tuple]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    return out.astype({"dataset": "str", "part": "str", "kind": "str", "reason": "str",
                       "rows": "int64"}).assign(date=pd.to_datetime(out["date"]))


def _per_day(dataset: str, part: str, kind: str, reason: str, dates: pd.Series) -> list[tuple]:
    return [(dataset, d, part, kind, reason, int(n))
            for d, n in dates.value_counts(sort=False).sort_index().items()]


def _keys(df: pd.DataFrame, fips: str = "fips") -> pd.MultiIndex:
    days = df["date_key"].astype("int64")
    codes = df[fips]
    if not isinstance(codes.dtype, pd.CategoricalDtype):
        return pd.MultiIndex.from_arrays([days, codes.astype("str")])
    # A categorical's categories are its level and its codes the level's codes (-1: missing, as
    # from_arrays makes them): no text made per row.
    day_codes, day_level = pd.factorize(days, sort=True)
    return pd.MultiIndex(levels=[day_level, codes.cat.categories], verify_integrity=False,
                         codes=[day_codes, codes.cat.codes.to_numpy()], names=[None, None])


def _carrying(table: pd.DataFrame, measures: tuple[str, ...], fips: str = "fips") -> pd.MultiIndex:
    """The (date_key, fips) keys of the fact rows holding any of a source's measures."""
    carrying = table[list(measures)].notna().any(axis=1)
    return _keys(table.loc[carrying, ["date_key", fips]], fips)  # the other columns not gathered


def _date_key(dates: pd.Series) -> pd.Series:
    return (dates.dt.year * 10000 + dates.dt.month * 100 + dates.dt.day).astype("int64")


def of_build(lake: Mapping[str, pd.DataFrame], jhu: pd.DataFrame, jhu_latest: pd.DataFrame,
             tables: Mapping[str, pd.DataFrame], lo: pd.Timestamp, hi: pd.Timestamp,
             repeats: tuple[pd.Series, pd.Series] | None = None) -> pd.DataFrame:
    """The balance's parts for the days lo..hi of a star build: `jhu` the classified JHU rows,
    `jhu_latest` star.latest_jhu_reports of them, `tables` the built star tables, `repeats`
    star.placed_repeats(jhu, lo, hi) when the caller has it already."""
    from covid_lake.domain import star  # star builds with this module; imported here, not at load

    rows: list[tuple] = []
    covid, county = tables["factcovid"], tables["factcovidcounty"]

    day = _window(jhu, lo, hi)
    rows += _per_day("enigma_jhu", READ, READ, "", day["date"])
    for rule in _LEFT_OUT_RULES:
        rows += _per_day("enigma_jhu", "left out", star._RULE_KIND[rule], regions.JHU_RULES[rule],
                         day.loc[day["rule"] == rule, "date"])
    # the placed rows' days, in the order of placed_repeats' rows (the same mask of `day`)
    placed = day.loc[day["placement"].isin(_PLACED), "date"]
    earlier, twice = star.placed_repeats(jhu, lo, hi) if repeats is None else repeats
    rows += _per_day("enigma_jhu", "left out", star.QUIRK, star.SAME_REPORT_TWICE,
                     placed[twice.to_numpy()])
    rows += _per_day("enigma_jhu", "left out", star.SCOPE, star.EARLIER_REPORT,
                     placed[earlier.to_numpy()])
    # Each filter below takes only the columns it uses: gathering unused text columns of millions
    # of rows is what a filter costs.
    latest = jhu_latest.loc[jhu_latest["date_key"].between(_key_of(lo), _key_of(hi)),
                            ["date_key", "placement", "state_fips", "county_fips"]]
    state_keys = _keys(latest, "state_fips")
    feeds = pd.Series(state_keys.isin(_carrying(covid, _JHU)), index=latest.index)
    # A state reported as one row is that row (star_facts._jhu_state_day): any other row of the
    # state that day would be in no figure.
    level = latest["placement"].eq(regions.STATE_LEVEL).to_numpy()
    feeds &= level | ~state_keys.isin(state_keys[level])
    is_county = latest["placement"].eq(regions.COUNTY)
    feeds &= ~is_county | pd.Series(_keys(latest, "county_fips").isin(_carrying(county, _JHU)),
                                    index=latest.index)
    rows += _per_day("enigma_jhu", LOADED, LOADED, "", _from_key(latest.loc[feeds, "date_key"]))

    nyt = _window(lake["us_county"], lo, hi)
    rows += _per_day("us_county", READ, READ, "", nyt["date"])
    no_fips = nyt.loc[nyt["fips"].isna(), ["county", "date"]]
    for name, part in no_fips.groupby(no_fips["county"].fillna("(missing)"), sort=True):
        rows += _per_day("us_county", "left out", star.SCOPE, f"no county fips: {name}",
                         part["date"])
    with_fips = nyt.loc[nyt["fips"].notna(), ["date", "fips"]]
    rows += _per_day("us_county", LOADED, LOADED, "", with_fips.loc[
        _keys(with_fips.assign(date_key=_date_key(with_fips["date"]))).isin(
            _carrying(county, _NYT)), "date"])

    for name, measures in (("us_states", _NYT), ("states_daily", _TRACKING)):
        df = _window(lake[name], lo, hi)
        rows += _per_day(name, READ, READ, "", df["date"])
        rows += _per_day(name, "left out", star.QUIRK, "no state fips",
                         df.loc[df["fips"].isna(), "date"])
        known = df.loc[df["fips"].notna(), ["date", "fips"]]
        rows += _per_day(name, LOADED, LOADED, "", known.loc[
            _keys(known.assign(date_key=_date_key(known["date"]))).isin(
                _carrying(covid, measures)), "date"])
    return _parts(rows)


def _from_key(keys: pd.Series) -> pd.Series:
    # parsed once per distinct day (a few hundred), not once per row (millions)
    days, rows = np.unique(keys.to_numpy(dtype="int64"), return_inverse=True)
    parsed = pd.to_datetime(pd.Series(days).astype("str"), format="%Y%m%d")
    return pd.Series(parsed.to_numpy()[rows], index=keys.index, name=keys.name)


# How validation's rejected rows (as extracted: text, or crawler-typed) carry their day.
_DATE_COLUMN = {"enigma_jhu": "last_update", "us_county": "date", "us_states": "date",
                "states_daily": "date"}


def _rejected_days(name: str, rejected: pd.DataFrame) -> pd.Series:
    df = normalise_columns(rejected, name, required=(_DATE_COLUMN[name],))
    values = df[_DATE_COLUMN[name]]
    if name == "enigma_jhu":
        return jhu_timestamps(values).dt.normalize()
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.normalize()
    text = _text(values).str.replace(r"\.0*$", "", regex=True)
    fmt = "%Y%m%d" if name == "states_daily" else "ISO8601"
    return pd.to_datetime(text, format=fmt, errors="coerce").dt.normalize()


def with_rejects(parts: pd.DataFrame, rejected: Mapping[str, pd.DataFrame],
                 lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    """Adds the rows validation rejected (validate.Validated.rejected) that are dated on a
    balanced day: each is read and rejected. A rejected row dated outside lo..hi (JHU's day
    before, which only feeds new_*) or on no date is in no day's balance."""
    rows: list[tuple] = []
    for name in DATASETS:
        df = rejected.get(name)
        if df is None or not len(df):
            continue
        d = _rejected_days(name, df)
        inside = d.between(lo, hi).fillna(False).astype(bool)
        rows += _per_day(name, READ, READ, "", d[inside])
        rows += _per_day(name, "left out", REJECT, "rejected by validation (quarantined)",
                         d[inside])
    return pd.concat([parts, _parts(rows)], ignore_index=True) if rows else parts


def summary(parts: pd.DataFrame) -> pd.DataFrame:
    """One row per dataset and day: read, loaded, left out (by kind) and the difference."""
    cols = ["dataset", "date", "read", "loaded", "scope", "quirk", "reject", "difference"]
    if not len(parts):
        return pd.DataFrame(columns=cols)
    wide = parts.pivot_table(index=["dataset", "date"], columns="kind", values="rows",
                             aggfunc="sum", fill_value=0)
    for k in ("read", "loaded", "scope", "quirk", "reject"):
        if k not in wide.columns:
            wide[k] = 0
    wide = wide.reset_index()
    wide["difference"] = wide["read"] - wide["loaded"] - wide["scope"] - wide["quirk"] \
        - wide["reject"]
    return wide[cols].astype({c: "int64" for c in cols[2:]}).sort_values(
        ["dataset", "date"], kind="mergesort").reset_index(drop=True)


def check(parts: pd.DataFrame) -> pd.DataFrame:
    """The summary; fails when any dataset's day does not close."""
    table = summary(parts)
    open_ = table[table["difference"] != 0]
    if len(open_):
        lines = [f"dataset {r.dataset}, day {r.date.date()}: read {r.read:,} != loaded "
                 f"{r.loaded:,} + left out {r.scope + r.quirk + r.reject:,} (scope {r.scope:,}, "
                 f"quirk {r.quirk:,}, reject {r.reject:,}): difference {r.difference:+,} rows "
                 "neither loaded nor audited" for r in open_.itertuples()]
        raise BalanceError("row balance does not close: " + "; ".join(lines))
    return table


def audit_findings(table: pd.DataFrame) -> pd.DataFrame:
    """The balance as run-report findings (quality.COLUMNS), kind 'tally': one per dataset
    and day, rows = loaded + left out, of_rows = read."""
    from covid_lake.domain import quality

    return quality.frame(
        (r.dataset, f"balance {r.date.date()}: read {r.read:,} = loaded {r.loaded:,} + scope "
         f"{r.scope:,} + quirk {r.quirk:,} + reject {r.reject:,}", TALLY,
         r.loaded + r.scope + r.quirk + r.reject, r.read) for r in table.itertuples())

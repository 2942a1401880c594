"""From the cleaned lake tables to the star schema, at the grain each table declares.

Inputs are the frames `clean.py` returns, keyed by dataset name (a `Lake`). Two entry points:
`build_day(lake, day)` for a daily run and `build_range(lake, start, end)` for a backfill; both go
through `_build`, so building D alone and taking D out of a range give identical fact rows.

Decisions (docs/data-model.md has them for users; see also the comments below):
- JHU: a report's day is the calendar day of its last_update (UTC, as JHU publishes it). Every
  row is placed first (regions.classify_jhu): on a county, in its state's total only
  (Unassigned, Out of <state>, a county-like row no county name matches), as a state's own row
  (Puerto Rico, the territories), or nowhere (non-US, cruise ships, the national 'Recovered'
  row). Per region and day the report with the latest last_update wins (file order is not
  trusted); the same region twice in one report keeps the row with the larger counts.
- A state's JHU measures are the sum of all its placed rows; a state reported as one row is that
  row. Sums skip missing values and are missing only when every region lacks the measure.
  JHU's Active is 0 on every US row (not computed): loaded as NULL.
- Rows without a usable fips are never joined on NULL: they are placed as above or counted in
  `StarBuild.report` per dataset and rule, with their kind ('scope': left out by design;
  'quirk': a source defect, measured against a limit by covid_lake.domain.quality); non-US rows also
  per country in `StarBuild.non_us`.
- NYT 'New York City' has no county fips and is dropped from factCovidCounty (splitting it over
  the five boroughs would invent numbers); the boroughs keep their JHU measures, and the city is
  inside NYT's New York state total in factCovid.
- new_confirmed / new_deaths: JHU's count on D minus the same county's count on D-1; missing when
  either day is missing; negative when a cumulative count drops (a correction, kept visible).
- Dimensions are whole reference tables: dimRegion holds every real state, territory and county
  any source of the lake knows (never a cruise ship or an 'Out of' code); a county's coordinates
  come from its latest JHU report that has them, read from `jhu_regions` (every report) when the
  lake has it, so every daily run gives the same dimRegion. States: names from state_abv (by
  postal code) else NYT / countypopulation / TERRITORIES; postal codes from states_daily else
  state_abv by name. dimDate holds the built days.
- Missing last_update (JHU) is quarantined: the row cannot be placed on a day; it is counted in
  every report. An unparseable last_update is an error raised by the cleaner (clean.py).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from covid_lake.domain import balance, contracts, regions
from covid_lake.domain.contracts import DataContractError
from covid_lake.domain.parsing import SourceDataError
from covid_lake.domain.star_county import build_fact_covid_county
from covid_lake.domain.star_dimensions import build_dim_date, build_dim_hospital, build_dim_region
from covid_lake.domain.star_facts import build_fact_covid, latest_jhu_reports
from covid_lake.domain.star_keys import (
    _PLACED,
    Lake,
    _as_date,
    _key_of,
    _window,
    day_numbers,
    pair_codes,
    rank,
    rows_where,
)

REQUIRED = ("enigma_jhu", "us_county", "us_states", "states_daily", "hospital_beds",
            "countypopulation", "state_abv")


@dataclass
class StarBuild:
    """The star tables of one build and what could not be joined."""

    start: dt.date
    end: dt.date
    tables: dict[str, pd.DataFrame]
    report: pd.DataFrame  # dataset, reason, kind, rows, of_rows (quality.REPORT_COLUMNS)
    non_us: pd.DataFrame  # country_region, alpha_3_code, rows, regions
    balance: pd.DataFrame  # per dataset and day, rows read / loaded / left out (balance.py)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    def counts(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.tables.items()}


# ---------------------------------------------------------------------------------------------
# What could not be joined
# ---------------------------------------------------------------------------------------------

SCOPE, QUIRK = "scope", "quirk"  # left out by design / a defect of the source, measured
SAME_REPORT_TWICE = ("same region twice in one report (e.g. 'Dona Ana' / 'Doña Ana' 35013): "
                     "kept the row with the larger counts")
EARLIER_REPORT = "earlier report of a region on the same day: the latest one is used"


def repeated_reports(placed: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The placed JHU rows latest_jhu_reports does not keep: an earlier report of a region that
    day, and the smaller of a region reported twice in one report (the run report's two
    reasons, which the row balance counts too)."""
    # A (region, date) reported once is neither: only the rows sharing theirs (a few thousand
    # of x10's two million) are hashed by duplicated(), in their own order, as all were.
    region = rank(placed["region"])
    group = pair_codes(region, day_numbers(placed["date"]))
    shared = np.flatnonzero(np.bincount(group)[group] > 1) if len(group) else group
    keys = placed[["date", "last_update"]].iloc[shared].assign(region=region[shared])
    same = np.zeros(len(placed), dtype=bool)
    twice = np.zeros(len(placed), dtype=bool)
    same[shared] = keys.duplicated(["region", "date"]).to_numpy()
    twice[shared] = keys.duplicated(["region", "date", "last_update"]).to_numpy()
    return (pd.Series(same & ~twice, index=placed.index),
            pd.Series(twice, index=placed.index))


_RULE_KIND = {"non_us": SCOPE, "no_state": SCOPE, "national": SCOPE, "unassigned": SCOPE,
              "out_of": SCOPE, "state_level": SCOPE, "matched": QUIRK, "unmatched": QUIRK}


def placed_repeats(jhu: pd.DataFrame, lo: pd.Timestamp,
                   hi: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """repeated_reports of the classified JHU rows of the days lo..hi placed in a state, indexed
    as those rows: the run report and the row balance both count them, from one computation."""
    day = _window(jhu, lo, hi)
    return repeated_reports(day.loc[day["placement"].isin(_PLACED), ["region", "date", "last_update"]])


def _report(lake: Lake, jhu: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp,
            repeats: tuple[pd.Series, pd.Series] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the build left out, resolved or changed, per dataset and rule, for the days lo..hi.
    `of_rows` is the number of the dataset's rows the rule was applied to (its share is what
    the run's limits in settings are compared with). `repeats`: placed_repeats(jhu, lo, hi)."""
    rows: list[tuple[str, str, str, int, int]] = []

    def add(dataset: str, reason: str, kind: str, n: int, of: int) -> None:
        if n:
            rows.append((dataset, reason, kind, int(n), int(of)))

    jhu_all = lake["enigma_jhu"]
    add("enigma_jhu", "no last_update: cannot be placed on a day (whole file)", QUIRK,
        jhu_all["date"].isna().sum(), len(jhu_all))
    day = _window(jhu, lo, hi)
    n_day = len(day)
    rules = day.loc[day["rule"] != "", "rule"].value_counts(sort=False).sort_index()
    for rule, n in rules[rules > 0].items():  # a categorical counts its unused categories as 0
        add("enigma_jhu", regions.JHU_RULES[rule], _RULE_KIND[rule], n, n_day)
    earlier, twice = placed_repeats(jhu, lo, hi) if repeats is None else repeats
    add("enigma_jhu", SAME_REPORT_TWICE, QUIRK, twice.sum(), n_day)
    add("enigma_jhu", EARLIER_REPORT, SCOPE, earlier.sum(), n_day)
    add("enigma_jhu", "active 0 on a US row (JHU does not compute it for the US): loaded as NULL",
        SCOPE, day["active_not_computed"].sum(), n_day)

    nyt = _window(lake["us_county"], lo, hi)
    no_fips = nyt.loc[nyt["fips"].isna(), ["county"]]
    for county, n in no_fips.groupby(no_fips["county"].fillna("(missing)"), sort=True).size().items():
        add("us_county", f"no county fips: {county}", SCOPE, n, len(nyt))
    for name in ("us_states", "states_daily"):
        df = _window(lake[name], lo, hi)
        add(name, "no state fips", QUIRK, df["fips"].isna().sum(), len(df))
    hosp = lake["hospital_beds"]
    add("hospital_beds", "no county fips (county_fips left empty)", QUIRK, hosp["fips"].isna().sum(),
        len(hosp))
    pop = lake["countypopulation"]
    add("countypopulation", "county name with an undecodable byte (U+FFFD): another source's "
        "name used where one has the county", QUIRK, pop["county_name"].str.contains("\ufffd", regex=False,
                                                                    na=False).sum(), len(pop))
    report = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    report = report.astype({"rows": "int64", "of_rows": "int64"})

    non = rows_where(day, day["placement"] == regions.NON_US,
                     ["combined_key", "province_state", "country_region", "date"])
    non_us = (non.assign(region=non["combined_key"].fillna(non["province_state"]))
              .groupby(non["country_region"].fillna("(missing)"), sort=True)
              .agg(rows=("date", "size"), regions=("region", "nunique"))
              .rename_axis("country_region").reset_index())
    if "countrycode" in lake:
        cc = lake["countrycode"]
        codes = cc.assign(k=cc["country"].str.lower()).drop_duplicates("k").set_index("k")
        alpha3 = codes["alpha_3_code"].reindex(non_us["country_region"].str.lower())
        non_us.insert(1, "alpha_3_code", alpha3.to_numpy())
    return report, non_us


REPORT_COLUMNS = ("dataset", "reason", "kind", "rows", "of_rows")


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------

def _check_references(tables: dict[str, pd.DataFrame]) -> None:
    region = pd.Index(tables["dimregion"]["fips"])
    dates = pd.Index(tables["dimdate"]["date_key"])
    for name, c in contracts.TABLES.items():
        for col in c.columns:
            if not col.references:
                continue
            target = region if col.references[0] == "dimregion" else dates
            values = tables[name][col.name].dropna()
            missing = values[~values.isin(target)]
            if len(missing):
                raise DataContractError(
                    f"{name}.{col.name}: {len(missing)} value(s) not in "
                    f"{col.references[0]}.{col.references[1]}, e.g. {sorted(set(missing))[:5]}"
                )


def _active_computed(jhu: pd.DataFrame) -> pd.DataFrame:
    """JHU does not compute Active for US rows and writes 0 on every one of them (23,485 of
    23,485 in the real file, whatever confirmed - deaths - recovered is): a US row's 0 is
    loaded as NULL, "not reported", rather than as a false zero."""
    bad = (jhu["placement"].isin(_PLACED) & jhu["active"].eq(0)).fillna(False).astype(bool)
    return jhu.assign(active=jhu["active"].mask(bad), active_not_computed=bad)


def _build(lake: Lake, start: dt.date, end: dt.date, validate: bool = True) -> StarBuild:
    missing = [n for n in REQUIRED if n not in lake]
    if missing:
        raise SourceDataError(f"star build needs datasets {missing}")
    if end < start:
        raise ValueError(f"empty range: {start} > {end}")
    lo = pd.Timestamp(start) - pd.Timedelta(days=1)  # new_* need the day before
    hi = pd.Timestamp(end)
    k0, k1 = _key_of(start), _key_of(end)

    geo = regions.geography(lake["countypopulation"], lake["us_states"])
    window = _window(lake["enigma_jhu"], lo, hi)
    placed = regions.classify_jhu(window, geo)
    jhu = _active_computed(placed)
    jhu_latest = latest_jhu_reports(jhu)
    # A daily run's extract has only its days of JHU; jhu_regions has every report's regions.
    if "jhu_regions" in lake:
        jhu_regions = regions.classify_jhu(lake["jhu_regions"], geo)
    elif window is lake["enigma_jhu"]:
        jhu_regions = placed  # the window is every row (a full history): placed once, not twice
    else:
        jhu_regions = regions.classify_jhu(lake["enigma_jhu"], geo)
    tables = {
        "dimdate": build_dim_date(start, end),
        "dimregion": build_dim_region(lake, jhu_regions, geo),
        "dimhospital": build_dim_hospital(lake["hospital_beds"]),
        "factcovid": build_fact_covid(jhu_latest, _window(lake["us_states"], lo, hi),
                                      _window(lake["states_daily"], lo, hi), k0, k1),
        "factcovidcounty": build_fact_covid_county(jhu_latest, _window(lake["us_county"], lo, hi),
                                                   k0, k1),
    }
    # Of the latest reports the balance reads only these: their measures (72 MB on x10) are
    # let go before validation, the report and the balance, where the build peaks.
    jhu_latest = jhu_latest[["date_key", "placement", "state_fips", "county_fips"]]
    first = pd.Timestamp(start)
    repeats = placed_repeats(jhu, first, hi)  # the report's and the balance's, found once
    # The balance only reads what is built, as validation and the report do: on a thread of its
    # own it overlaps them (pandas' sorts and hashes and Arrow's kernels let go of the GIL). The
    # errors raised are as before: a contract's first (leaving the pool waits for the balance),
    # then the report's, then the balance's.
    with ThreadPoolExecutor(1, thread_name_prefix="balance") as pool:
        balanced = pool.submit(balance.of_build, lake, jhu, jhu_latest, tables, first, hi,
                               repeats=repeats)
        if validate:
            for name, df in tables.items():
                contracts.validate(name, df)
            _check_references(tables)
        report, non_us = _report(lake, jhu, first, hi, repeats)
        parts = balanced.result()
    return StarBuild(start, end, tables, report, non_us, parts)


def build_day(lake: Lake, day, validate: bool = True) -> StarBuild:
    """The star rows for run date `day`: its facts, and the dimensions they need."""
    d = _as_date(day)
    return _build(lake, d, d, validate)


def build_range(lake: Lake, start, end, validate: bool = True) -> StarBuild:
    """All days start..end (inclusive) in one call: a full refresh or a backfill."""
    return _build(lake, _as_date(start), _as_date(end), validate)


def lake_span(lake: Lake) -> tuple[dt.date, dt.date]:
    """First and last day any dated source has data for."""
    firsts, lasts = [], []
    for name in ("enigma_jhu", "us_county", "us_states", "states_daily"):
        d = lake[name]["date"].dropna()
        if len(d):
            firsts.append(d.min())
            lasts.append(d.max())
    return min(firsts).date(), max(lasts).date()


def build_full_history(lake: Lake, validate: bool = True) -> StarBuild:
    """Everything the lake holds (the benchmark's unit of work)."""
    return build_range(lake, *lake_span(lake), validate=validate)

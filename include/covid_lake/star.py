"""From the cleaned lake tables to the star schema, at the grain each table declares.

Inputs are the frames `clean.py` returns, keyed by dataset name (a `Lake`). Two entry points:
`build_day(lake, day)` for a daily run and `build_range(lake, start, end)` for a backfill; both go
through `_build`, so building D alone and taking D out of a range give identical fact rows.

Decisions (README "The star schema" has them for users; see also the comments below):
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
  'quirk': a source defect, measured against a limit by covid_lake.quality); non-US rows also
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
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from covid_lake import balance, contracts, regions
from covid_lake.clean import STATES_DAILY_MEASURES, SourceDataError
from covid_lake.contracts import DataContractError

Lake = Mapping[str, pd.DataFrame]  # dataset name -> frame as returned by its cleaner

REQUIRED = ("enigma_jhu", "us_county", "us_states", "states_daily", "hospital_beds",
            "countypopulation", "state_abv")
JHU_MEASURES = ("confirmed", "deaths", "recovered", "active")

TERRITORIES = regions.TERRITORIES
_PLACED = (regions.COUNTY, regions.STATE_OTHER, regions.STATE_LEVEL)


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
# Keys and small helpers
# ---------------------------------------------------------------------------------------------

def _as_date(day) -> dt.date:
    if isinstance(day, str):
        return dt.date.fromisoformat(day)
    if isinstance(day, pd.Timestamp):
        return day.date()
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    raise TypeError(f"not a date: {day!r}")


def date_key(dates: pd.Series) -> pd.Series:
    """datetime64 -> INT YYYYMMDD (int32)."""
    return (dates.dt.year * 10000 + dates.dt.month * 100 + dates.dt.day).astype("int32")


def _key_of(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _require_unique(df: pd.DataFrame, keys: list[str], dataset: str) -> None:
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        sample = df.loc[dup, keys].drop_duplicates().head(5).to_dict("records")
        raise SourceDataError(
            f"{dataset}: {int(dup.sum())} rows share a key {keys} that must be unique, "
            f"e.g. {sample}"
        )


def _window(df: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    d = df["date"]
    return df[(d >= lo) & (d <= hi)]


# ---------------------------------------------------------------------------------------------
# Facts
# ---------------------------------------------------------------------------------------------

def _merge(left: pd.DataFrame, right: pd.DataFrame, **how) -> pd.DataFrame:
    """DataFrame.merge that also works on a day with no source rows: an empty groupby returns
    Arrow-backed key columns with zero chunks, and pandas 3.1 then fails to factorize them
    (ArrowInvalid: cannot construct ChunkedArray from empty vector)."""
    return _nonempty_chunks(left).merge(_nonempty_chunks(right), **how)


def _nonempty_chunks(df: pd.DataFrame) -> pd.DataFrame:
    if len(df):
        return df
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in df.dtypes.items()})


def latest_jhu_reports(placed: pd.DataFrame) -> pd.DataFrame:
    """One row per (region, date) of the JHU rows placed in a state (regions.classify_jhu): the
    report with the latest last_update. The same region twice in one report (same last_update,
    e.g. 'Dona Ana' and 'Doña Ana', both 35013) keeps the row with the larger counts."""
    # Only the columns needed: text columns are Arrow arrays and cost to filter and sort.
    keep = placed["placement"].isin(_PLACED) & placed["date"].notna()
    us = placed.loc[keep, ["region", "placement", "state_fips", "county_fips", "date",
                           "last_update", *JHU_MEASURES]]
    ordered = us.sort_values(["region", "date", "last_update", *JHU_MEASURES],
                             na_position="first", kind="mergesort")
    latest = ordered.drop_duplicates(["region", "date"], keep="last")
    out = latest.drop(columns=["date", "last_update"]).copy()
    out.insert(0, "date_key", date_key(latest["date"]))
    return out.reset_index(drop=True)


def _jhu_state_day(latest: pd.DataFrame) -> pd.DataFrame:
    """A state's JHU measures: the sum of its counties and its other rows (Unassigned, Out of
    <state>, unmatched); where JHU reports the state as one row (Puerto Rico, the territories),
    that row is the total and nothing is added to it (the real lake never has both)."""
    keys = ["date_key", "state_fips"]
    level = latest[latest["placement"] == regions.STATE_LEVEL]
    rest = latest[latest["placement"] != regions.STATE_LEVEL]
    level_sum = _sum_by(level, keys)
    rest_sum = _sum_by(rest, keys)
    rest_sum = _merge(rest_sum, level_sum[keys], on=keys, how="left", indicator=True)
    rest_sum = rest_sum[rest_sum["_merge"] == "left_only"].drop(columns="_merge")
    out = pd.concat([rest_sum, level_sum], ignore_index=True).rename(columns={"state_fips": "fips"})
    for c in JHU_MEASURES:
        out[c] = out[c].astype("Int64")
    return out


def _sum_by(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if not len(df):
        return pd.DataFrame({**{k: pd.Series([], dtype=df[k].dtype) for k in keys},
                             **{c: pd.Series([], dtype="Int64") for c in JHU_MEASURES}})
    return df.groupby(keys, sort=False)[list(JHU_MEASURES)].sum(min_count=1).reset_index()


def _county_diffs(jhu_counties: pd.DataFrame) -> pd.DataFrame:
    prev = jhu_counties[["date_key", "fips", "confirmed", "deaths"]].copy()
    day = pd.to_datetime(prev["date_key"].astype("str"), format="%Y%m%d")
    next_day = day + pd.Timedelta(days=1)
    prev["date_key"] = date_key(next_day)
    prev = prev.rename(columns={"confirmed": "prev_confirmed", "deaths": "prev_deaths"})
    out = _merge(jhu_counties, prev, on=["date_key", "fips"], how="left", validate="one_to_one")
    out["new_confirmed"] = (out["confirmed"] - out["prev_confirmed"]).astype("Int64")
    out["new_deaths"] = (out["deaths"] - out["prev_deaths"]).astype("Int64")
    return out.drop(columns=["prev_confirmed", "prev_deaths"])


def _finish(df: pd.DataFrame, table: str, k0: int, k1: int) -> pd.DataFrame:
    c = contracts.contract(table)
    df = df[(df["date_key"] >= k0) & (df["date_key"] <= k1)]
    df = df.sort_values(list(c.key), kind="mergesort").reset_index(drop=True)
    out = pd.DataFrame(index=df.index)
    for col in c.columns:
        if col.name in df.columns:
            out[col.name] = df[col.name].astype(col.pandas_dtype)
        else:
            out[col.name] = pd.Series(pd.NA, index=df.index, dtype=col.pandas_dtype)
    return out


def build_fact_covid_county(jhu_latest: pd.DataFrame, nyt_county: pd.DataFrame,
                            k0: int, k1: int) -> pd.DataFrame:
    counties = jhu_latest[jhu_latest["placement"] == regions.COUNTY]
    jhu = _county_diffs(pd.concat([counties[["date_key"]], counties["county_fips"].rename("fips"),
                                   counties[list(JHU_MEASURES)]], axis=1))
    nyt = nyt_county[nyt_county["fips"].notna()]
    nyt = pd.DataFrame({"date_key": date_key(nyt["date"]), "fips": nyt["fips"],
                        "nyt_cases": nyt["cases"], "nyt_deaths": nyt["deaths"]})
    _require_unique(nyt, ["date_key", "fips"], "us_county")
    fact = _merge(jhu, nyt, on=["date_key", "fips"], how="outer", validate="one_to_one")
    return _finish(fact, "factcovidcounty", k0, k1)


def build_fact_covid(jhu_latest: pd.DataFrame, nyt_states: pd.DataFrame,
                     states_daily: pd.DataFrame, k0: int, k1: int) -> pd.DataFrame:
    sd = states_daily[states_daily["fips"].notna()]
    sd = pd.concat([pd.DataFrame({"date_key": date_key(sd["date"]), "fips": sd["fips"]}),
                    sd[list(STATES_DAILY_MEASURES)]], axis=1)
    _require_unique(sd, ["date_key", "fips"], "states_daily")
    ny = nyt_states[nyt_states["fips"].notna()]
    ny = pd.DataFrame({"date_key": date_key(ny["date"]), "fips": ny["fips"],
                       "nyt_cases": ny["cases"], "nyt_deaths": ny["deaths"]})
    _require_unique(ny, ["date_key", "fips"], "us_states")
    jhu = _jhu_state_day(jhu_latest)
    fact = _merge(_merge(sd, jhu, on=["date_key", "fips"], how="outer", validate="one_to_one"),
                  ny, on=["date_key", "fips"], how="outer", validate="one_to_one")
    return _finish(fact, "factcovid", k0, k1)


# ---------------------------------------------------------------------------------------------
# Dimensions
# ---------------------------------------------------------------------------------------------

_MONTHS = np.array(["January", "February", "March", "April", "May", "June", "July", "August",
                    "September", "October", "November", "December"])
_DAYS = np.array(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])


def build_dim_date(start: dt.date, end: dt.date) -> pd.DataFrame:
    dates = pd.Series(pd.date_range(start, end, freq="D").astype("datetime64[ns]"))
    iso = dates.dt.isocalendar()
    dow = iso["day"].astype("int32")
    out = pd.DataFrame({
        "date_key": date_key(dates),
        "date": dates,
        "year": dates.dt.year.astype("int32"),
        "quarter": dates.dt.quarter.astype("int32"),
        "month": dates.dt.month.astype("int32"),
        "month_name": pd.Series(_MONTHS[dates.dt.month.to_numpy() - 1], dtype="str"),
        "day": dates.dt.day.astype("int32"),
        "day_of_week": dow,
        "day_name": pd.Series(_DAYS[dow.to_numpy() - 1], dtype="str"),
        "week_of_year": iso["week"].astype("int32"),
        "is_weekend": (dow >= 6).astype("bool"),
    })
    return _finish_dim(out, "dimdate")


def _finish_dim(df: pd.DataFrame, table: str) -> pd.DataFrame:
    c = contracts.contract(table)
    df = df.sort_values(list(c.key), kind="mergesort").reset_index(drop=True)
    return pd.DataFrame({col.name: df[col.name].astype(col.pandas_dtype) for col in c.columns})


def _latest_by(df: pd.DataFrame, key: str, order: str, cols: list[str]) -> pd.DataFrame:
    """Per key, the columns of its newest row by `order` (rows with a missing key or order
    skipped). Locating rows first and taking only those few keeps this fast on millions of rows
    (pandas' text columns are Arrow arrays: filtering or sorting them whole is what costs)."""
    usable = df[key].notna() & df[order].notna()
    newest = df.loc[usable, [key, order]].groupby(key, sort=True)[order].idxmax()
    return df.loc[newest.to_numpy(), cols].set_axis(newest.index)


def _no_null_island(df: pd.DataFrame) -> pd.DataFrame:
    """JHU writes unknown coordinates as 0,0 (cruise ships, Unassigned, some counties)."""
    zero = df["latitude"].eq(0) & df["longitude"].eq(0)
    return df.assign(latitude=df["latitude"].mask(zero), longitude=df["longitude"].mask(zero))


def build_dim_region(lake: Lake, jhu: pd.DataFrame | None = None,
                     geo: regions.Geography | None = None) -> pd.DataFrame:
    """Every real state, territory and county any source knows, attributes from the best source
    that has them. `jhu` is the classified JHU table (regions.classify_jhu): only rows placed
    on a county or as a state's own row name a region; cruise ships, Unassigned and 'Out of'
    rows never become one. Without `jhu`/`geo`, both come from the lake."""
    if geo is None:
        geo = regions.geography(lake["countypopulation"], lake["us_states"])
    if jhu is None:
        jhu = regions.classify_jhu(lake.get("jhu_regions", lake["enigma_jhu"]), geo)
    pop = lake["countypopulation"]
    nyt_c = lake["us_county"]
    nyt_s = lake["us_states"]
    sd = lake["states_daily"]
    hosp = lake["hospital_beds"]
    abv = lake["state_abv"]

    jhu = _no_null_island(jhu)
    jhu_c = jhu[jhu["placement"] == regions.COUNTY].assign(fips=lambda d: d["county_fips"])
    jhu_latest = _latest_by(jhu_c, "fips", "last_update", ["admin2", "province_state"])
    located = jhu_c[jhu_c["latitude"].notna() & jhu_c["longitude"].notna()]
    jhu_coords = _latest_by(located, "fips", "last_update", ["latitude", "longitude"])
    jhu_s = jhu[jhu["placement"] == regions.STATE_LEVEL].assign(fips=lambda d: d["state_fips"])
    jhu_state = _latest_by(jhu_s, "fips", "last_update", ["province_state", "latitude",
                                                           "longitude"])
    nyt_c = nyt_c[regions.is_county_fips(nyt_c["fips"], geo.states)]
    nyt_c_latest = _latest_by(nyt_c, "fips", "date", ["county", "state"])
    hosp_c = hosp[regions.is_county_fips(hosp["fips"], geo.states)]
    hosp_county = _latest_by(hosp_c, "fips", "objectid", ["county_name", "state_name"])
    _require_unique(pop, ["fips"], "countypopulation")

    # Counties: countypopulation is the reference; others only add regions it lacks, and name
    # a county whose reference name has a byte the source could not decode ('Do\ufffda Ana').
    county_fips = pd.Index(pop["fips"]).union(jhu_latest.index).union(nyt_c_latest.index) \
        .union(hosp_county.index)
    counties = pd.DataFrame(index=county_fips.rename("fips"))
    p = pop.set_index("fips")
    ref_name = p["county_name"].reindex(counties.index)
    ref_name = ref_name.mask(ref_name.str.contains("\ufffd", regex=False, na=False))
    counties["county_name"] = (ref_name
                               .fillna(nyt_c_latest["county"].reindex(counties.index))
                               .fillna(jhu_latest["admin2"].reindex(counties.index))
                               .fillna(hosp_county["county_name"].reindex(counties.index))
                               .fillna(p["county_name"].reindex(counties.index)))
    counties["pop_state_name"] = p["state_name"].reindex(counties.index)
    counties["latitude"] = jhu_coords["latitude"].reindex(counties.index)
    counties["longitude"] = jhu_coords["longitude"].reindex(counties.index)
    counties["population"] = p["population"].reindex(counties.index)
    counties = counties.reset_index()
    counties["state_fips"] = counties["fips"].str[:2]
    counties["region_level"] = "county"

    # States: names and postal codes from every source that pairs them with a fips.
    name_by_fips = pd.concat([
        _latest_by(nyt_s, "fips", "date", ["state"])["state"],
        pop.assign(sf=pop["fips"].str[:2]).drop_duplicates("sf").set_index("sf")["state_name"],
        TERRITORIES.set_index("fips")["state_name"],
        hosp[hosp["state_fips"].notna()].drop_duplicates("state_fips")
            .set_index("state_fips")["state_name"],
        jhu_state["province_state"],
    ])
    name_by_fips = name_by_fips[name_by_fips.notna()]
    name_by_fips = name_by_fips[~name_by_fips.index.duplicated(keep="first")]
    abbr_by_fips = pd.concat([
        _latest_by(sd, "fips", "date", ["state"])["state"],
        TERRITORIES.set_index("fips")["state_abbr"],
    ])
    abbr_by_fips = abbr_by_fips[abbr_by_fips.notna() & ~abbr_by_fips.index.duplicated(keep="first")]
    abbr_by_name = abv.drop_duplicates("state_name").set_index("state_name")["state_abbr"]
    name_by_abbr = abv.drop_duplicates("state_abbr").set_index("state_abbr")["state_name"]

    state_fips = (pd.Index(name_by_fips.index).union(abbr_by_fips.index)
                  .union(pd.Index(counties["state_fips"].unique()))
                  .union(pd.Index(sd["fips"].dropna().unique()))
                  .union(pd.Index(nyt_s["fips"].dropna().unique())))
    states = pd.DataFrame(index=state_fips.rename("fips"))
    states["state_abbr"] = abbr_by_fips.reindex(states.index)
    # state_abv is the reference for names of the 50 states and DC.
    states["state_name"] = (name_by_abbr.reindex(states["state_abbr"]).set_axis(states.index)
                            .fillna(name_by_fips.reindex(states.index)))
    states["state_abbr"] = states["state_abbr"].fillna(
        abbr_by_name.reindex(states["state_name"]).set_axis(states.index))
    states["population"] = counties.groupby("state_fips")["population"].sum(min_count=1) \
        .reindex(states.index)
    # Only a state-level source row (JHU Puerto Rico, the territories) gives a state coordinates.
    states["latitude"] = jhu_state["latitude"].reindex(states.index)
    states["longitude"] = jhu_state["longitude"].reindex(states.index)
    states = states.reset_index()
    states["state_fips"] = states["fips"]
    states["county_name"] = pd.Series(np.nan, index=states.index, dtype="str")
    states["region_level"] = "state"

    st = states.set_index("fips")
    counties["state_name"] = st["state_name"].reindex(counties["state_fips"]).to_numpy()
    counties["state_name"] = counties["state_name"].fillna(counties["pop_state_name"])
    counties["state_abbr"] = st["state_abbr"].reindex(counties["state_fips"]).to_numpy()
    out = pd.concat([states, counties.drop(columns="pop_state_name")], ignore_index=True)
    out["country_region"] = "US"
    return _finish_dim(out, "dimregion")


def build_dim_hospital(hosp: pd.DataFrame) -> pd.DataFrame:
    _require_unique(hosp, ["objectid"], "hospital_beds")
    address = hosp["hq_address"].where(
        hosp["hq_address1"].isna(), hosp["hq_address"].fillna("") + ", " + hosp["hq_address1"])
    out = pd.DataFrame({
        "hospital_id": hosp["objectid"],
        "hospital_name": hosp["hospital_name"],
        "hospital_type": hosp["hospital_type"],
        "address": address,
        "city": hosp["hq_city"],
        "state_abbr": hosp["hq_state"],
        "zip_code": hosp["hq_zip_code"],
        "county_fips": hosp["fips"],
        "state_fips": hosp["state_fips"],
        "num_licensed_beds": hosp["num_licensed_beds"],
        "num_staffed_beds": hosp["num_staffed_beds"],
        "num_icu_beds": hosp["num_icu_beds"],
        "adult_icu_beds": hosp["adult_icu_beds"],
        "pedi_icu_beds": hosp["pedi_icu_beds"],
        "bed_utilization": hosp["bed_utilization"],
        "potential_increase_in_bed_capac": hosp["potential_increase_in_bed_capac"],
        "latitude": hosp["latitude"],
        "longitude": hosp["longtitude"],
    })
    return _finish_dim(out, "dimhospital")


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
    same = placed.duplicated(["region", "date"])
    twice = placed.duplicated(["region", "date", "last_update"])
    return same & ~twice, twice


_RULE_KIND = {"non_us": SCOPE, "no_state": SCOPE, "national": SCOPE, "unassigned": SCOPE,
              "out_of": SCOPE, "state_level": SCOPE, "matched": QUIRK, "unmatched": QUIRK}


def _report(lake: Lake, jhu: pd.DataFrame, lo: pd.Timestamp,
            hi: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the build left out, resolved or changed, per dataset and rule, for the days lo..hi.
    `of_rows` is the number of the dataset's rows the rule was applied to (its share is what
    the run's limits in settings are compared with)."""
    rows: list[tuple[str, str, str, int, int]] = []

    def add(dataset: str, reason: str, kind: str, n: int, of: int) -> None:
        if n:
            rows.append((dataset, reason, kind, int(n), int(of)))

    jhu_all = lake["enigma_jhu"]
    add("enigma_jhu", "no last_update: cannot be placed on a day (whole file)", QUIRK,
        jhu_all["date"].isna().sum(), len(jhu_all))
    day = _window(jhu, lo, hi)
    n_day = len(day)
    for rule, n in day.loc[day["rule"] != "", "rule"].value_counts(sort=False).sort_index().items():
        add("enigma_jhu", regions.JHU_RULES[rule], _RULE_KIND[rule], n, n_day)
    earlier, twice = repeated_reports(day[day["placement"].isin(_PLACED)])
    add("enigma_jhu", SAME_REPORT_TWICE, QUIRK, twice.sum(), n_day)
    add("enigma_jhu", EARLIER_REPORT, SCOPE, earlier.sum(), n_day)
    add("enigma_jhu", "active 0 on a US row (JHU does not compute it for the US): loaded as NULL",
        SCOPE, day["active_not_computed"].sum(), n_day)

    nyt = _window(lake["us_county"], lo, hi)
    no_fips = nyt[nyt["fips"].isna()]
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

    non = day[day["placement"] == regions.NON_US]
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
    jhu = _active_computed(regions.classify_jhu(_window(lake["enigma_jhu"], lo, hi), geo))
    jhu_latest = latest_jhu_reports(jhu)
    # A daily run's extract has only its days of JHU; jhu_regions has every report's regions.
    jhu_regions = regions.classify_jhu(lake.get("jhu_regions", lake["enigma_jhu"]), geo)
    tables = {
        "dimdate": build_dim_date(start, end),
        "dimregion": build_dim_region(lake, jhu_regions, geo),
        "dimhospital": build_dim_hospital(lake["hospital_beds"]),
        "factcovid": build_fact_covid(jhu_latest, _window(lake["us_states"], lo, hi),
                                      _window(lake["states_daily"], lo, hi), k0, k1),
        "factcovidcounty": build_fact_covid_county(jhu_latest, _window(lake["us_county"], lo, hi),
                                                   k0, k1),
    }
    if validate:
        for name, df in tables.items():
            contracts.validate(name, df)
        _check_references(tables)
    report, non_us = _report(lake, jhu, pd.Timestamp(start), hi)
    parts = balance.of_build(lake, jhu, jhu_latest, tables, pd.Timestamp(start), hi)
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


def build_lake_to_parquet(lake_dir, out_dir, start=None, end=None) -> dict[str, int]:
    """Files laid out like the source bucket -> cleaned -> star -> Parquet directly under out_dir
    (out_dir/<table>/...). The whole history unless start/end are given. Returns rows per table."""
    from covid_lake import parquet_io
    from covid_lake.clean import clean_lake, load_raw_from_dir

    lake = clean_lake(load_raw_from_dir(lake_dir))
    s, e = lake_span(lake)
    built = build_range(lake, start or s, end or e)
    # validated in the build already; the writer need not validate again
    parquet_io.write_star(built.tables, str(out_dir), validate=False, prefix="")
    return built.counts()

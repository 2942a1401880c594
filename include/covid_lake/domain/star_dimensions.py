"""The star's dimensions: dimDate (the built days), dimRegion (every state, territory and county
any source knows) and dimHospital (the rules: star.py's docstring)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from covid_lake.domain import contracts, regions
from covid_lake.domain.star_keys import (
    TERRITORIES,
    Lake,
    _require_unique,
    as_text,
    date_key,
    rows_where,
)

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


def _latest_by(df: pd.DataFrame, key: str, order: str, cols: list[str],
               rows: pd.Series | None = None) -> pd.DataFrame:
    """Per key, the columns of its newest row by `order` among `rows` (all by default; rows with
    a missing key or order skipped), indexed by the key as text (`cols` as they are). Locating rows first and taking
    only those few keeps this fast on millions of rows (pandas' text columns are Arrow arrays:
    filtering or sorting them whole is what costs)."""
    usable = df[key].notna() & df[order].notna()
    if rows is not None:
        usable &= rows
    newest = df.loc[usable, [key, order]].groupby(key, sort=True, observed=True)[order].idxmax()
    key_text = pd.Index(as_text(newest.index.to_series()), name=newest.index.name)
    return df.loc[newest.to_numpy(), cols].set_axis(key_text)


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

    # The JHU rows are chosen by masks, never filtered whole: the few newest rows are taken
    # alone (filtering millions of rows gathers every column, its text too).
    jhu = _no_null_island(jhu[["placement", "county_fips", "state_fips", "last_update", "admin2",
                               "province_state", "latitude", "longitude"]])
    in_county = jhu["placement"] == regions.COUNTY
    jhu_c = jhu.assign(fips=jhu["county_fips"])
    jhu_latest = _latest_by(jhu_c, "fips", "last_update", ["admin2", "province_state"], in_county)
    located = in_county & jhu["latitude"].notna() & jhu["longitude"].notna()
    jhu_coords = _latest_by(jhu_c, "fips", "last_update", ["latitude", "longitude"], located)
    jhu_s = jhu.assign(fips=jhu["state_fips"])
    jhu_state = _latest_by(jhu_s, "fips", "last_update", ["province_state", "latitude",
                                                           "longitude"],
                           jhu["placement"] == regions.STATE_LEVEL)
    nyt_c = rows_where(nyt_c, regions.is_county_fips(nyt_c["fips"], geo.states),
                       ["fips", "date", "county", "state"])
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



"""factCovid (per state and day) from the placed JHU reports and NYT / COVID Tracking rows, and the
latest JHU report per region and day both facts take (the rules: star.py's docstring;
factCovidCounty: star_county.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from covid_lake.domain import contracts, regions
from covid_lake.domain.clean import STATES_DAILY_MEASURES
from covid_lake.domain.star_keys import (
    _PLACED,
    JHU_MEASURES,
    _require_unique,
    as_text,
    date_key,
    day_numbers,
    pair_codes,
    rank,
)


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
    rows = np.flatnonzero((placed["placement"].isin(_PLACED) & placed["date"].notna()).to_numpy())
    region = rank(placed["region"])[rows]
    group = pair_codes(region, day_numbers(placed["date"])[rows])
    # A (region, date) reported once is its own latest: of x10's two million rows, a few
    # thousand share theirs, and only those are sorted (as all were: stably, so a tie keeps the
    # later row, as it did).
    shared = np.bincount(group)[group] > 1
    many = placed[["date", "last_update", *JHU_MEASURES]].iloc[rows[shared]].assign(
        region=region[shared], row=rows[shared])
    many = many.sort_values(["region", "date", "last_update", *JHU_MEASURES],
                            na_position="first", kind="mergesort")
    last = ~many.duplicated(["region", "date"], keep="last").to_numpy()
    chosen = np.sort(np.concatenate([rows[~shared], many["row"].to_numpy()[last]]))
    # Only the columns needed, gathered once for the rows kept, in their own order.
    latest = placed[["region", "placement", "state_fips", "county_fips", "date",
                     *JHU_MEASURES]].iloc[chosen]
    out = latest.drop(columns=["date"])
    out.insert(0, "date_key", date_key(latest["date"]))
    return out.reset_index(drop=True)


def _jhu_state_day(latest: pd.DataFrame) -> pd.DataFrame:
    """A state's JHU measures: the sum of its counties and its other rows (Unassigned, Out of
    <state>, unmatched); where JHU reports the state as one row (Puerto Rico, the territories),
    that row is the total and nothing is added to it (the real lake never has both)."""
    keys = ["date_key", "state_fips"]
    cols = [*keys, *JHU_MEASURES]  # filtered without the text columns it does not use
    level = latest.loc[latest["placement"] == regions.STATE_LEVEL, cols]
    rest = latest.loc[latest["placement"] != regions.STATE_LEVEL, cols]
    level_sum = _sum_by(level, keys)
    rest_sum = _sum_by(rest, keys)
    rest_sum = _merge(rest_sum, level_sum[keys], on=keys, how="left", indicator=True)
    rest_sum = rest_sum[rest_sum["_merge"] == "left_only"].drop(columns="_merge")
    out = pd.concat([rest_sum, level_sum], ignore_index=True).rename(columns={"state_fips": "fips"})
    out["fips"] = as_text(out["fips"])  # joined with the other sources' text fips
    for c in JHU_MEASURES:
        out[c] = out[c].astype("Int64")
    return out


def _sum_by(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if not len(df):
        return pd.DataFrame({**{k: pd.Series([], dtype=df[k].dtype) for k in keys},
                             **{c: pd.Series([], dtype="Int64") for c in JHU_MEASURES}})
    return df.groupby(keys, sort=False, observed=True)[list(JHU_MEASURES)].sum(
        min_count=1).reset_index()


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


def build_fact_covid(jhu_latest: pd.DataFrame, nyt_states: pd.DataFrame,
                     states_daily: pd.DataFrame, k0: int, k1: int) -> pd.DataFrame:
    sd = states_daily.loc[states_daily["fips"].notna(), ["date", "fips", *STATES_DAILY_MEASURES]]
    sd = pd.concat([pd.DataFrame({"date_key": date_key(sd["date"]), "fips": sd["fips"]}),
                    sd[list(STATES_DAILY_MEASURES)]], axis=1)
    _require_unique(sd, ["date_key", "fips"], "states_daily")
    ny = nyt_states.loc[nyt_states["fips"].notna(), ["date", "fips", "cases", "deaths"]]
    ny = pd.DataFrame({"date_key": date_key(ny["date"]), "fips": ny["fips"],
                       "nyt_cases": ny["cases"], "nyt_deaths": ny["deaths"]})
    _require_unique(ny, ["date_key", "fips"], "us_states")
    jhu = _jhu_state_day(jhu_latest)
    fact = _merge(_merge(sd, jhu, on=["date_key", "fips"], how="outer", validate="one_to_one"),
                  ny, on=["date_key", "fips"], how="outer", validate="one_to_one")
    return _finish(fact, "factcovid", k0, k1)



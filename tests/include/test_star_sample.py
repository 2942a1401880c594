"""The whole path (files -> cleaners -> star -> Parquet) on the generated sample lakes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from covid_lake.aws import parquet_io
from covid_lake.domain import regions, star
from covid_lake.domain.contracts import TABLES, validate


@pytest.fixture(scope="module")
def small_star(small_sample):
    return star.build_full_history(small_sample["lake"])


def _check_keys_and_references(b: star.StarBuild) -> None:
    for name, df in b.tables.items():
        validate(name, df)
        assert not df.duplicated(list(TABLES[name].key)).any(), name
    region = set(b["dimregion"]["fips"])
    dates = set(b["dimdate"]["date_key"])
    for fact in ("factcovid", "factcovidcounty"):
        assert set(b[fact]["fips"]) <= region, fact
        assert set(b[fact]["date_key"]) <= dates, fact
    county_fips = b["dimhospital"]["county_fips"]
    assert set(county_fips.dropna()) <= region
    reported = b.report.set_index("dataset")["rows"].get("hospital_beds", 0)
    assert county_fips.isna().sum() == reported


def test_small_sample_keys_references_and_report(small_star):
    b = small_star
    _check_keys_and_references(b)
    reasons = set(b.report["reason"])
    non_us = regions.JHU_RULES["non_us"]
    assert {non_us, "no county fips: New York City",
            "no county fips: Unknown", "no county fips: Kansas City",
            "no county fips: Joplin"} <= reasons
    assert b.non_us["rows"].sum() == b.report.set_index("reason")["rows"][non_us]
    # factCovid: at most one row per state per day, Puerto Rico included, no county in it
    fc = b["factcovid"]
    assert (fc["fips"].str.len() == 2).all() and "72" in set(fc["fips"])
    assert fc.groupby("date_key").size().max() <= b["dimregion"]["region_level"].eq("state").sum()
    assert not b["factcovidcounty"]["fips"].str.startswith("72").any()
    # every day of the span is in dimDate
    assert len(b["dimdate"]) == (b.end - b.start).days + 1


def test_small_sample_corrections_are_the_only_drops(small_sample, small_star):
    from covid_lake_dev.sample_lake import corrections

    fcc = small_star["factcovidcounty"]
    drops = fcc[fcc["new_confirmed"].fillna(0) < 0]
    got = {(f, k) for f, k in zip(drops["fips"], drops["date_key"], strict=True)}
    want = {(f, int(d.strftime("%Y%m%d"))) for f, d in corrections("small")}
    assert got == want and want


def test_small_sample_day_equals_range_slice(small_sample, small_star):
    lake = small_sample["lake"]
    for d in (small_star.start, dt.date(2020, 4, 1), small_star.end):
        one = star.build_day(lake, d)
        k = int(d.strftime("%Y%m%d"))
        for fact in ("factcovid", "factcovidcounty"):
            part = small_star[fact][small_star[fact]["date_key"] == k].reset_index(drop=True)
            pd.testing.assert_frame_equal(one[fact], part, obj=f"{fact} {d}")
        pd.testing.assert_frame_equal(one["dimregion"], small_star["dimregion"])


def test_small_sample_jhu_state_sums(small_sample, small_star):
    """factCovid's JHU confirmed equals the latest report of each of the state's regions (its
    counties, Unassigned and Out of rows, by province_state), summed, recomputed here the slow
    obvious way for a few state-days."""
    jhu = small_sample["lake"]["enigma_jhu"]
    jhu = jhu[jhu["country_region"] == "US"]
    names = small_star["dimregion"].set_index("fips")["state_name"]
    fc = small_star["factcovid"].set_index(["date_key", "fips"])
    sample = fc[fc["confirmed"].notna()].sample(8, random_state=1)
    for (k, fips), row in sample.iterrows():
        day = pd.Timestamp(str(k))
        rows = jhu[(jhu["date"] == day) & (jhu["province_state"] == names[fips])]
        latest = {}
        for r in rows.itertuples():
            region = (r.admin2, r.fips)
            if region not in latest or r.last_update > latest[region].last_update:
                latest[region] = r
        assert row["confirmed"] == sum(r.confirmed for r in latest.values()), (k, fips)


def test_small_sample_parquet(small_star, tmp_path):
    parquet_io.write_star(small_star.tables, str(tmp_path))
    back = parquet_io.read_table("factcovid", str(tmp_path))
    assert back.num_rows == len(small_star["factcovid"])


@pytest.mark.slow
def test_full_sample_tutorial_signatures_are_impossible(full_sample):
    lake = full_sample["lake"]
    b = star.build_full_history(lake)
    _check_keys_and_references(b)
    fc = b["factcovid"]
    states = b["dimregion"][b["dimregion"]["region_level"] == "state"]
    # The tutorial's factCovid held 26,418 rows, all Puerto Rico. Here: about 56 states x days.
    assert fc.groupby("date_key")["fips"].nunique().max() <= 56
    assert len(fc) <= 56 * len(b["dimdate"])
    assert fc["fips"].nunique() == 56 and len(states) == 56
    last_jhu_day = int(lake["enigma_jhu"]["date"].max().strftime("%Y%m%d"))
    on_day = fc[fc["date_key"] == last_jhu_day]
    assert on_day["confirmed"].notna().sum() >= 51  # the 50 states and DC, not only Puerto Rico
    # Dimensions: one row per key (the tutorial's dimRegion had millions of rows)
    assert len(b["dimregion"]) == b["dimregion"]["fips"].nunique() < 4000
    assert len(b["dimdate"]) == b["dimdate"]["date_key"].nunique() == 420
    assert len(b["dimhospital"]) == 6637
    # nothing joined on a missing key: the non-US rows are all reported
    assert b.report.set_index("reason")["rows"][regions.JHU_RULES["non_us"]] == 22_157
    # Speed is measured by `make bench` (benchmarks/cases.py), not asserted here.


def test_lake_dir_to_parquet_entry_point(small_sample, tmp_path):
    counts = parquet_io.build_lake_to_parquet(small_sample["dir"], tmp_path / "star")
    assert set(counts) == set(TABLES) and counts["factcovid"] > 0
    back = parquet_io.read_table("factcovidcounty", str(tmp_path / "star"), prefix="")
    assert back.num_rows == counts["factcovidcounty"]
    assert (tmp_path / "star" / "dimregion" / "dimregion.parquet").exists()


def test_a_lake_cut_to_the_run_days_gives_the_same_facts(small_sample, small_star):
    """A daily extract holds only D-1 and D of the dated sources (see the Athena extracts);
    the facts for D are the same as when built from the whole lake."""
    lake = small_sample["lake"]
    d = pd.Timestamp("2020-04-20")
    cut = dict(lake)
    for name in ("enigma_jhu", "us_county", "us_states", "states_daily"):
        df = lake[name]
        cut[name] = df[df["date"].between(d - pd.Timedelta(days=1), d)].reset_index(drop=True)
    one = star.build_day(cut, d)
    for fact in ("factcovid", "factcovidcounty"):
        part = small_star[fact][small_star[fact]["date_key"] == 20200420].reset_index(drop=True)
        assert len(part) > 0
        pd.testing.assert_frame_equal(one[fact], part, obj=fact)
    assert set(one["factcovidcounty"]["fips"]) <= set(one["dimregion"]["fips"])

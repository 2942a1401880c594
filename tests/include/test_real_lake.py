"""The star build on the real lake files (../shared/real-lake, read in place), against figures
tests/support/real_lake.py computes by hand from the raw rows. The DAG on the same files:
tests/dags/test_real_lake_dag.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from covid_lake.domain import quality, raw_contract, regions, star
from covid_lake.domain.clean import clean_lake, load_raw_from_dir
from tests.support import real_lake as hand

pytestmark = pytest.mark.skipif(not hand.available(), reason=hand.SKIP_REASON)

FIRST, LAST = hand.JHU_DAYS[0], hand.JHU_DAYS[-1]


@pytest.fixture(scope="module")
def lake():
    return clean_lake(load_raw_from_dir(hand.REAL_LAKE))


@pytest.fixture(scope="module")
def built(lake):
    return star.build_range(lake, FIRST, LAST)


def key(day: dt.date) -> int:
    return int(day.strftime("%Y%m%d"))


def facts(built, table: str, day: dt.date) -> pd.DataFrame:
    df = built[table]
    return df[df["date_key"] == key(day)].set_index("fips")


@pytest.mark.parametrize("day", hand.JHU_DAYS, ids=str)
def test_every_state_jhu_figure_is_all_its_rows_of_the_day(built, day):
    fact = facts(built, "factcovid", day)
    for measure in ("confirmed", "deaths"):
        want = hand.jhu_state_totals(day, measure)
        got = fact[measure].dropna().astype(int).to_dict()
        assert got == want, (day, measure, {k: (got.get(k), want.get(k))
                                            for k in set(got) | set(want)
                                            if got.get(k) != want.get(k)})


def test_issue_figures(built):
    """The figures the real-lake issue quoted: Washington on 2020-04-01 sums all of its 5,608
    JHU cases (its Unassigned rows included), Puerto Rico keeps its state-level row."""
    fact = facts(built, "factcovid", LAST)
    assert fact.loc["53", "confirmed"] == 5_608
    assert fact.loc["72", "confirmed"] == 286 and fact.loc["72", "deaths"] == 11
    assert fact.loc["36", "nyt_cases"] == 84_363


@pytest.mark.parametrize("day", hand.JHU_DAYS, ids=str)
def test_nyt_and_covid_tracking_state_figures_are_their_own_rows(built, day):
    fact = facts(built, "factcovid", day)
    for fips, (cases, deaths) in hand.nyt_states(day).items():
        assert (fact.loc[fips, "nyt_cases"], fact.loc[fips, "nyt_deaths"]) == (cases, deaths), fips
    for fips, positive in hand.tracking_positive(day).items():
        got = fact.loc[fips, "positive"]
        assert (pd.isna(got) and positive is None) or got == positive, fips


def test_cruise_ships_and_pseudo_regions_never_become_regions(built):
    region = built["dimregion"].set_index("fips")
    states = region[region["region_level"] == "state"]
    assert set(states.index) == set(hand.state_fips_by_name().values())
    assert len(states) == 56  # 50 states, DC, AS, GU, MP, PR, VI
    assert set(region[region["region_level"] == "county"].index) == hand.county_fips()
    for table in ("factcovid", "factcovidcounty"):
        assert not built[table]["fips"].str[:2].isin(["80", "88", "90", "99"]).any(), table
    assert set(built["factcovid"]["fips"]) <= set(states.index)


@pytest.mark.parametrize("day", hand.JHU_DAYS, ids=str)
def test_county_facts_equal_the_unambiguous_jhu_and_nyt_rows(built, day):
    fact = facts(built, "factcovidcounty", day)
    for fips, confirmed in hand.jhu_county_values(day).items():
        assert fact.loc[fips, "confirmed"] == confirmed, (day, fips)
    for fips, cases in hand.nyt_counties(day).items():
        assert fact.loc[fips, "nyt_cases"] == cases, (day, fips)


@pytest.mark.parametrize("day, fips, confirmed, why", [
    (dt.date(2020, 3, 25), "35013", 13, "Dona Ana 13 and Doña Ana 0, both 35013: the larger"),
    (dt.date(2020, 3, 25), "32007", 2, "Elko 0 and Elko County 2, both 32007"),
    (dt.date(2020, 3, 28), "35013", 17, "Dona Ana without fips (17) beside Doña Ana 35013 (0)"),
    (dt.date(2020, 3, 31), "48201", 680, "Harris, Texas: no fips and no coordinates that day"),
    (dt.date(2020, 4, 1), "47041", 5, "DeKalb, Tennessee: no fips on 03-31 and 04-01"),
    (dt.date(2020, 4, 1), "22059", 2, "LaSalle, Louisiana is 'LaSalle Parish' in countypopulation"),
    (dt.date(2020, 4, 1), "51683", 9, "Manassas, Virginia is 'Manassas city'"),
])
def test_counties_without_or_with_a_duplicated_fips(built, day, fips, confirmed, why):
    assert facts(built, "factcovidcounty", day).loc[fips, "confirmed"] == confirmed, why


def test_four_digit_fips_days_give_the_same_counties_as_five_digit_days(built):
    per_day = built["factcovidcounty"].groupby("date_key")["fips"].apply(set)
    assert per_day[20200328] == per_day[20200327]  # 03-28 writes 1001 for 01001
    assert all(len(f) == 5 for f in per_day[20200328])


def test_dona_ana_is_named_from_a_source_that_could_decode_it(built):
    region = built["dimregion"].set_index("fips")
    assert region.loc["35013", "county_name"] == "Doña Ana"


def test_active_is_null_for_us_rows_where_jhu_writes_zero(built):
    """JHU writes Active 0 on every US row (it does not compute it for the US)."""
    assert built["factcovid"]["active"].isna().all()


def test_report_counts_per_rule_for_one_day(lake):
    b = star.build_day(lake, LAST)
    rep = b.report.set_index(["dataset", "reason"])["rows"]
    rules = regions.JHU_RULES
    us = lambda pred: hand.count_jhu_us(LAST, pred)  # noqa: E731
    assert rep["enigma_jhu", rules["no_state"]] == us(
        lambda r: r["province_state"] in ("Diamond Princess", "Grand Princess"))
    assert rep["enigma_jhu", rules["national"]] == us(lambda r: r["province_state"] == "Recovered")
    assert rep["enigma_jhu", rules["unassigned"]] == us(lambda r: r["admin2"] == "Unassigned")
    assert rep["enigma_jhu", rules["out_of"]] == us(lambda r: r["admin2"].startswith("Out of"))
    # Counties JHU wrote without fips that day, and the two names no county matches.
    no_fips = us(lambda r: not r["fips"] and r["admin2"] and r["admin2"] != "Unassigned"
                 and not r["admin2"].startswith("Out of"))
    assert rep["enigma_jhu", rules["unmatched"]] == 2  # Dukes and Nantucket, Kansas City
    assert rep["enigma_jhu", rules["matched"]] == no_fips - 2
    for county, n in hand.nyt_rows_without_fips(LAST).items():
        assert rep["us_county", f"no county fips: {county}"] == n
    kinds = b.report.set_index("reason")["kind"]
    assert kinds[rules["matched"]] == "quirk" and kinds[rules["no_state"]] == "scope"


def test_real_quirks_stay_under_the_default_limits_and_a_tighter_limit_fails(lake):
    b = star.build_day(lake, LAST)
    profile = [{"dataset": "countrycode", "row_count": 256, "key_nulls": 0, "duplicate_keys": 13}]
    report = quality.combine(quality.raw_findings(profile, raw_contract.keys()), b.report)
    quality.check_limits(quality.with_limits(report, lambda d: 0.10))
    with pytest.raises(quality.QuirkLimitError,
                       match=r"dataset countrycode: duplicate keys \(alpha-2 code\).*13 of 256"):
        quality.check_limits(quality.with_limits(report, lambda d: 0.05))


def run_extract(lake, day: dt.date) -> dict:
    """What a daily run's Athena extracts hold: JHU of D-1..D, the other daily sources of D,
    the reference tables whole, and jhu_regions (every US JHU row's region columns)."""
    d = pd.Timestamp(day)
    out = dict(lake)
    for name, back in (("enigma_jhu", 1), ("us_county", 0), ("us_states", 0), ("states_daily", 0)):
        df = lake[name]
        out[name] = df[(df["date"] >= d - pd.Timedelta(days=back)) & (df["date"] <= d)]
    jhu = lake["enigma_jhu"]
    out["jhu_regions"] = jhu.loc[jhu["country_region"] == "US",
                                 ["fips", "admin2", "province_state", "country_region",
                                  "last_update", "date", "latitude", "longitude"]]
    return out


def test_dimregion_is_the_same_whichever_day_a_run_builds(lake):
    """JHU revised some coordinates between reports (Navajo AZ on 2020-04-01, ...): taking them from every
    report, not the run's, keeps a backfill's result independent of the order runs finish in."""
    first = star.build_day(run_extract(lake, FIRST), FIRST)["dimregion"]
    last = star.build_day(run_extract(lake, LAST), LAST)["dimregion"]
    pd.testing.assert_frame_equal(first, last)
    navajo = last.set_index("fips").loc["04017"]
    # 35.3997715 in its reports of 03-25..03-31, 35.402 in its last one (2020-04-01)
    assert navajo["latitude"] == 35.402 and navajo["longitude"] == -110.1403

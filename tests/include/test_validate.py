"""validate: row rules decided on the real files. No real or sample row is rejected; hostile
copies of real rows are, each with its reason; the real quirks that are legitimate are not."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from covid_lake.domain import quality, validate
from covid_lake.domain.clean import clean_lake, load_raw_from_dir
from covid_lake.domain.errors import QuirkLimitError
from tests.support.real_lake import REAL_LAKE, SKIP_REASON

TODAY = dt.date(2026, 11, 26)
REGION_COLUMNS = ["fips", "admin2", "province_state", "country_region", "last_update",
                  "latitude", "longitude"]


def extracts(lake_dir) -> dict[str, pd.DataFrame]:
    """The nine extracts as whole files (a full refresh), raw text as read from the files."""
    raw = load_raw_from_dir(lake_dir)
    del raw["us_daily"], raw["us_total_latest"]
    raw["jhu_regions"] = raw["enigma_jhu"][REGION_COLUMNS]
    return raw


@pytest.fixture(scope="module")
def real():
    if not REAL_LAKE.exists():
        pytest.skip(SKIP_REASON)
    return extracts(REAL_LAKE)


def test_no_real_row_breaks_a_rule(real):
    checked = validate.split(real, TODAY)
    assert checked.rejected == {} and len(checked.report) == 0
    assert all(checked.frames[n] is real[n] or checked.frames[n].equals(real[n]) for n in real)


def test_no_sample_row_breaks_a_rule(small_lake):
    checked = validate.split(extracts(small_lake), TODAY)
    assert checked.rejected == {}


def first_us_row(jhu: pd.DataFrame, state: str) -> int:
    rows = jhu.index[(jhu["country_region"] == "US") & (jhu["province_state"] == state)
                     & jhu["fips"].notna()]
    return int(rows[0])


def test_hostile_rows_are_rejected_with_their_reasons(real):
    frames = {n: f.copy() for n, f in real.items()}
    us = frames["us_states"]
    wa = us.index[(us["state"] == "Washington") & (us["date"] == "2020-04-01")][0]
    ny = us.index[(us["state"] == "New York") & (us["date"] == "2020-04-01")][0]
    tx = us.index[(us["state"] == "Texas") & (us["date"] == "2020-03-31")][0]
    us.loc[wa, "cases"] = "-5"
    us.loc[ny, "date"] = "2020-02-30"
    us.loc[tx, "fips"] = "06"  # Texas under California's code
    county = frames["us_county"]
    king = county.index[(county["county"] == "King") & (county["state"] == "Washington")][0]
    county.loc[king, "fips"] = "06033"
    county.loc[king + 1, "date"] = "2031-01-01"
    sd = frames["states_daily"]
    sd.loc[0, "positive"] = "lots"
    sd.loc[1, "date"] = "20200431"
    sd.loc[2, "death"] = "-1"
    jhu = frames["enigma_jhu"]
    row = first_us_row(jhu, "South Carolina")
    jhu.loc[row, "fips"] = "06037"
    jhu.loc[row + 1, "latitude"] = "123.4"
    jhu.loc[row + 2, "last_update"] = "2020-02-30 23:59:00"
    frames["jhu_regions"] = jhu[REGION_COLUMNS]
    beds = frames["hospital_beds"]
    beds.loc[0, "NUM_STAFFED_BEDS"] = "-10"

    checked = validate.split(frames, TODAY)
    reasons = {n: r[validate.REASON_COLUMN].to_dict() for n, r in checked.rejected.items()}
    assert reasons["us_states"] == {wa: "cases: negative (a cumulative count never is)",
                                    ny: "date: not a real calendar date (YYYY-MM-DD)",
                                    tx: "fips: not the fips of the row's state"}
    assert reasons["us_county"] == {
        king: "fips: a county of another state than the row's",
        king + 1: "date: outside the sources' span 2020-01-01..today"}
    assert reasons["states_daily"] == {0: "positive: not a number",
                                       1: "date: not a real calendar date (YYYYMMDD)",
                                       2: "death: negative (a cumulative count never is)"}
    assert reasons["enigma_jhu"] == {
        row: "fips: a region of another state than province_state",
        row + 1: "latitude: not a latitude (outside -90..90)",
        row + 2: "last_update: not a real calendar date (a known timestamp format)"}
    assert reasons["hospital_beds"] == {0: "num_staffed_beds: negative (a cumulative count "
                                           "never is)"}
    # the region extract is the same rows' region columns: rejected for the same reasons
    assert reasons["jhu_regions"] == reasons["enigma_jhu"]
    # rejected rows are out, every other row is in, unchanged
    for name, frame in frames.items():
        out = checked.frames[name]
        assert len(out) + len(checked.rejected.get(name, [])) == len(frame)
        assert out.equals(frame.drop(index=list(reasons.get(name, {}))))
    # the kept rows clean without an error
    clean_lake({n: f for n, f in checked.frames.items() if n != "jhu_regions"})
    report = checked.report.set_index(["dataset", "reason"])
    assert set(report["kind"]) == {quality.REJECT}
    assert report.loc[("us_states", "fips: not the fips of the row's state"), "rows"] == 1
    assert report.loc[("us_states", "fips: not the fips of the row's state"), "of_rows"] == 3754
    us_rows = int((real["enigma_jhu"]["country_region"] == "US").sum())
    assert set(report.loc["enigma_jhu", "of_rows"]) == {us_rows}  # only US rows are validated


def test_legitimate_quirks_are_not_rejected(real):
    frames = {n: f.copy() for n, f in real.items()}
    us = frames["us_states"]
    # a correction that lowers a cumulative count from one day to the next
    wa = us.index[(us["state"] == "Washington") & (us["date"] == "2020-04-01")][0]
    us.loc[wa, "cases"] = "1"
    jhu = frames["enigma_jhu"]
    non_us = jhu.index[jhu["country_region"] != "US"][0]
    jhu.loc[non_us, "active"] = "-3"  # a non-US row is out of scope, not validated
    checked = validate.split(frames, TODAY)
    assert checked.rejected == {}
    # and the real rows that look odd stay: NYT Unknown counties without fips, JHU's cruise
    # ships and 'Out of' rows, negative potential_increase_in_bed_capac
    county = real["us_county"]
    assert (county["county"].eq("Unknown") & county["fips"].isna()).any()
    assert real["enigma_jhu"]["fips"].isin(["88888", "99999"]).any()
    assert (pd.to_numeric(real["hospital_beds"]["Potential_Increase_In_Bed_Capac"]) < 0).any()


def test_crawled_forms_are_validated_alike(real):
    """As Athena returns them: lower-case names, fips typed bigint (floats with NaN)."""
    us = real["us_states"].copy()
    us["fips"] = pd.to_numeric(us["fips"]).astype("float64")
    us["cases"] = pd.to_numeric(us["cases"])
    wa = us.index[(us["state"] == "Washington")][0]
    us.loc[wa, "fips"] = 6.0
    us.loc[wa + 1, "cases"] = -2
    checked = validate.split({"us_states": us, "countypopulation": real["countypopulation"],
                              "state_abv": real["state_abv"]}, TODAY)
    assert sorted(checked.rejected["us_states"].index) == [wa, wa + 1]


def test_too_many_rejected_rows_fail_the_run_naming_the_counts(real):
    frames = {"us_states": real["us_states"].copy(), "countypopulation": real["countypopulation"],
              "state_abv": real["state_abv"]}
    frames["us_states"].loc[:199, "cases"] = "-1"  # 200 of 3,754 rows: 5.3%
    report = quality.with_limits(validate.split(frames, TODAY).report,
                                 {quality.REJECT: lambda d: 0.05})
    with pytest.raises(QuirkLimitError, match=r"dataset us_states: cases: negative \(a cumulative "
                                              r"count never is\): 200 of 3754 rows \(5\.3%\) > "
                                              r"limit 5\.0%"):
        quality.check_limits(report)
    quality.check_limits(quality.with_limits(validate.split(frames, TODAY).report,
                                             {quality.REJECT: lambda d: 0.06}))

"""Every form the sources' region keys take (docs/source-key-forms.md) through validation, the
cleaners and the star build: each is placed where the rules say, and the day's row balance
closes. The rows are hand-written in the shape of the real ones, not copied from the sources.

The hand lake (fixtures/lake.py) has Alabama's three counties on 2020-04-01 at 12 + 18 + 7 = 37
confirmed; one row in the form under test is added to that day.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from covid_lake.domain import balance, jhu_keys, star, validate
from covid_lake.domain.clean import clean_lake, clean_states_daily, clean_us_county, clean_us_states
from covid_lake.domain.errors import DataError
from tests.include.fixtures.lake import _jhu, raw_frame

DAY = dt.date(2020, 4, 1)
KEY = 20200401
ALABAMA_COUNTIES = 37
TODAY = dt.date(2026, 1, 1)


def _run(raw: dict, *rows: dict, drop_puerto_rico: bool = False) -> star.StarBuild:
    jhu = raw["enigma_jhu"]
    if drop_puerto_rico:
        jhu = jhu[jhu["province_state"] != "Puerto Rico"]
    raw["enigma_jhu"] = pd.concat([jhu, raw_frame("enigma_jhu", list(rows))], ignore_index=True)
    # hospital_beds is JSON text here; the rules checked are the tables'.
    checked = validate.split({k: v for k, v in raw.items() if isinstance(v, pd.DataFrame)},
                             today=TODAY)
    assert "enigma_jhu" not in checked.rejected, checked.rejected.get("enigma_jhu")
    built = star.build_day(clean_lake({**raw, **checked.frames}), DAY)
    table = balance.check(built.balance)
    assert (table["difference"] == 0).all() and len(table) == 4
    return built


def _state(built, fips: str):
    f = built["factcovid"].set_index(["date_key", "fips"])
    return f.loc[(KEY, fips), "confirmed"] if (KEY, fips) in f.index else None


def _counties(built) -> set[str]:
    return set(built["factcovidcounty"]["fips"]) | set(
        built["dimregion"].query("region_level == 'county'")["fips"])


# A territory's own row, in each form its fips took: 66000 (until 2020-04-01), empty,
# zero-padded 00066 (04-02 .. 04-12), 2 digits 66 (from April), and the combined_key variants.
@pytest.mark.parametrize("fips,combined_key", [
    ("66000", "Guam, US"), (None, "Guam, US"), ("00066", "Guam, US"), ("66", "Guam, US"),
    ("78", ",Virgin Islands,US"), ("66.0", "Guam, US"),
], ids=["xx000", "empty", "000xx", "2-digit", "2-digit-odd-key", "crawler-float"])
def test_a_territory_reported_as_one_row_is_its_figure_whatever_its_fips(hand_raw, fips,
                                                                         combined_key):
    name = "Virgin Islands" if combined_key.startswith(",Virgin") else "Guam"
    state = "78" if name == "Virgin Islands" else "66"
    built = _run(hand_raw, _jhu(fips, None, name, "US", "2020-04-01 23:00:00", "93", "4",
                                "0", "0", combined_key, "13.4", "144.8"))
    assert _state(built, state) == 93
    assert state not in {f[:2] for f in _counties(built) if f.endswith("000")}
    assert not any(f.endswith(state) and f.startswith("000") for f in _counties(built))


# Rows that add to their state's figure and make no county: Unassigned and Out of XX in each
# form (no fips; 90xxx / 80xxx; xx999 / xx888 from July 2020; lower-case 'unassigned'), a
# 90xxx code with a district name, a county-like row no county matches.
@pytest.mark.parametrize("fips,admin2", [
    (None, "Unassigned"), ("90001", "Unassigned"), (None, "unassigned"), ("01999", "Unassigned"),
    (None, "Out of AL"), ("80001", "Out of AL"), ("01888", "Out of AL"),
    ("90001", "South District"), (None, "Out-of-state"), (None, "Mobile Metro Area"),
])
def test_rows_of_a_state_but_no_county_add_to_the_state_only(hand_raw, fips, admin2):
    built = _run(hand_raw, _jhu(fips, admin2, "Alabama", "US", "2020-04-01 23:00:00", "5", "1",
                                "0", "0", f"{admin2}, Alabama, US", "0.0", "0.0"))
    assert _state(built, "01") == ALABAMA_COUNTIES + 5
    assert _counties(built) == {"01001", "01003", "01005", "36061", "72001"}


@pytest.mark.parametrize("fips,admin2", [("72999", "Unassigned"), ("72888", "Out of PR")])
def test_puerto_rico_unassigned_and_out_of_codes_are_not_counties(hand_raw, fips, admin2):
    """From July 2020 Puerto Rico has municipios, and codes 72999 / 72888 beside them."""
    built = _run(hand_raw,
                 _jhu("72001", "Adjuntas", "Puerto Rico", "US", "2020-04-01 23:00:00", "40", "0"),
                 _jhu(fips, admin2, "Puerto Rico", "US", "2020-04-01 23:00:00", "9", "0"),
                 drop_puerto_rico=True)
    assert _state(built, "72") == 49
    assert fips not in _counties(built)


@pytest.mark.parametrize("fips,last_update", [
    ("01003", "2020-04-01 23:30:00"), ("1003", "4/1/20 23:30"), ("1003", "2020-04-01T23:30:00Z"),
], ids=["5-digit", "4-digit-us-date", "4-digit-iso-z"])
def test_a_county_is_the_same_county_in_each_code_and_timestamp_form(hand_raw, fips,
                                                                     last_update):
    built = _run(hand_raw, _jhu(fips, "Baldwin", "Alabama", "US", last_update, "30", "3"))
    f = built["factcovidcounty"].set_index(["date_key", "fips"])
    assert f.loc[(KEY, "01003"), "confirmed"] == 30  # the later report wins
    assert _state(built, "01") == 12 + 30 + 7


def test_a_county_without_fips_is_matched_by_name(hand_raw):
    built = _run(hand_raw, _jhu(None, "Barbour County", "Alabama", "US", "2020-04-01 23:59:30",
                                "8", "0", combined_key="Barbour County,Alabama,US"))
    f = built["factcovidcounty"].set_index(["date_key", "fips"])
    assert f.loc[(KEY, "01005"), "confirmed"] == 8 and _state(built, "01") == 12 + 18 + 8


@pytest.mark.parametrize("fips,province", [("88888", "Diamond Princess"),
                                           ("99999", "Grand Princess"), (None, "Recovered")])
def test_cruise_ships_and_recovered_are_left_out_with_their_reason(hand_raw, fips, province):
    built = _run(hand_raw, _jhu(fips, None, province, "US", "2020-04-01 23:00:00", "50", "1"))
    assert _state(built, "01") == ALABAMA_COUNTIES
    left = built.balance.query("dataset == 'enigma_jhu' and part == 'left out'")
    assert left["reason"].str.contains("cruise ship|Recovered").any()


@pytest.mark.parametrize("fips", ["57001", "123456", "661"])
def test_a_key_in_no_known_form_fails_naming_dataset_column_and_value(hand_lake, fips):
    jhu = hand_lake["enigma_jhu"]
    row = jhu.iloc[[0]].assign(fips=str(fips).zfill(5) if len(fips) <= 5 else fips)
    lake = {**hand_lake, "enigma_jhu": pd.concat([jhu, row], ignore_index=True)}
    with pytest.raises(DataError, match=rf"enigma_jhu: column 'fips'.*'{row['fips'].iloc[0]}'"):
        star.build_day(lake, DAY)


def test_forms_and_states_of_each_cleaned_code():
    codes = pd.Series(["66", "00066", "66000", "01001", "80001", "01888", "90001", "01999",
                       "88888", "99999", None, "57001"], dtype="str")
    form = jhu_keys.fips_forms(codes, frozenset({"01", "66"}))
    assert list(form) == ["state", "state_padded", "state_000", "county", "out_of", "out_of",
                          "unassigned", "unassigned", "ship", "ship", "empty", "unknown"]
    state = jhu_keys.state_of_fips(codes, form)
    assert list(state.fillna("-")) == ["66", "66", "66", "01", "01", "01", "01", "01", "-", "-",
                                       "-", "-"]


# NYT and COVID Tracking: fips as the file writes it (zero-padded text) and as a crawler types
# it (a number that lost its leading zero), or empty.
def test_nyt_and_tracking_key_forms():
    county = clean_us_county(raw_frame("us_county", [
        {"date": "2020-06-01", "county": "Autauga", "state": "Alabama", "fips": "01001",
         "cases": "1", "deaths": "0"},
        {"date": "2020-06-01", "county": "Autauga", "state": "Alabama", "fips": "1001.0",
         "cases": "1", "deaths": "0"},
        {"date": "2020-06-01", "county": "Joplin", "state": "Missouri", "fips": None,
         "cases": "1", "deaths": "0"},
        {"date": "2020-06-01", "county": "St. Croix", "state": "Virgin Islands", "fips": "78010",
         "cases": "1", "deaths": "0"}]))
    assert list(county["fips"].fillna("-")) == ["01001", "01001", "-", "78010"]
    states = clean_us_states(raw_frame("us_states", [
        {"date": "2020-06-01", "state": "California", "fips": "6", "cases": "1", "deaths": "0"},
        {"date": "2020-06-01", "state": "Guam", "fips": "66", "cases": "1", "deaths": "0"}]))
    assert list(states["fips"]) == ["06", "66"]
    daily = clean_states_daily(raw_frame("states_daily", [
        {"date": "20200601", "state": "as", "fips": "60"},
        {"date": "20200601.0", "state": "CA", "fips": "6"}]))
    assert list(daily["fips"]) == ["60", "06"] and list(daily["state"]) == ["AS", "CA"]
    assert (daily["date"] == pd.Timestamp("2020-06-01")).all()

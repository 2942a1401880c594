"""The star build on the hand lake of conftest.py; every expected number is worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from covid_lake.domain import regions, star, star_facts, star_keys
from covid_lake.domain.clean import clean_lake
from covid_lake.domain.contracts import DataContractError, validate
from covid_lake.domain.parsing import SourceDataError

DAY = "2020-04-01"
K = 20200401


def _row(df: pd.DataFrame, **key) -> dict:
    m = pd.Series(True, index=df.index)
    for k, v in key.items():
        m &= df[k] == v
    assert m.sum() == 1, f"expected one row for {key}, got {int(m.sum())}"
    return {k: (None if pd.isna(v) else v) for k, v in df[m].iloc[0].to_dict().items()}


@pytest.fixture
def day(hand_lake):
    return star.build_day(hand_lake, DAY)


def test_state_day_sums_the_latest_report_of_each_county(day):
    al = _row(day["factcovid"], date_key=K, fips="01")
    # latest reports: Autauga 12/1/11, Baldwin 18/3/15, Barbour 7/0/6 (not the first in the file,
    # not the largest)
    assert (al["confirmed"], al["deaths"], al["active"]) == (37, 4, 32)
    # no Alabama region reports 'recovered': the measure is missing, not 0
    assert al["recovered"] is None
    assert (al["positive"], al["negative"], al["death"], al["total_test_results"]) == \
        (1077, 6697, 26, 7774)
    assert al["hospitalized_cumulative"] == 152 and al["hospitalized_currently"] is None
    assert (al["nyt_cases"], al["nyt_deaths"]) == (1000, 20)


def test_factcovid_has_one_row_per_state_with_any_source(day):
    fc = day["factcovid"]
    # AL (all three), NY (JHU + NYT), GU (COVID Tracking only), PR (all three)
    assert list(fc["fips"]) == ["01", "36", "66", "72"]
    assert set(fc["date_key"]) == {K}
    gu = _row(fc, fips="66")
    assert gu["positive"] == 77 and gu["negative"] == 0  # a real 0 stays 0
    assert (gu["hospitalized_currently"], gu["in_icu_currently"], gu["on_ventilator_currently"],
            gu["hospitalized_discharged"]) == (5, 2, 1, 3)
    assert gu["confirmed"] is None and gu["nyt_cases"] is None
    ny = _row(fc, fips="36")
    assert (ny["confirmed"], ny["deaths"], ny["nyt_cases"]) == (1000, 50, 83712)
    assert ny["positive"] is None


def test_puerto_rico_is_a_state_row_and_never_a_county_row(day):
    pr = _row(day["factcovid"], fips="72")
    assert (pr["confirmed"], pr["deaths"], pr["active"], pr["positive"], pr["nyt_cases"]) == \
        (286, 11, 275, 286, 286)
    assert not day["factcovidcounty"]["fips"].str.startswith("72").any()


def test_county_facts_and_day_over_day_differences(day):
    fcc = day["factcovidcounty"]
    assert list(fcc["fips"]) == ["01001", "01003", "01005", "36061"]
    autauga = _row(fcc, fips="01001")
    assert (autauga["confirmed"], autauga["nyt_cases"], autauga["nyt_deaths"]) == (12, 13, 1)
    assert (autauga["new_confirmed"], autauga["new_deaths"]) == (2, 0)
    baldwin = _row(fcc, fips="01003")
    # the cumulative count dropped from 20 to 18: the difference shows the correction
    assert (baldwin["confirmed"], baldwin["new_confirmed"], baldwin["new_deaths"]) == (18, -2, 1)
    assert baldwin["nyt_cases"] is None
    barbour = _row(fcc, fips="01005")
    assert (barbour["confirmed"], barbour["new_confirmed"]) == (7, 2)


def test_new_york_city_is_reported_not_joined(day):
    manhattan = _row(day["factcovidcounty"], fips="36061")
    # JHU has the borough; NYT's city total has no county fips and is not spread over boroughs
    assert manhattan["confirmed"] == 1000 and manhattan["nyt_cases"] is None
    assert manhattan["new_confirmed"] is None  # no report the day before
    rep = day.report.set_index("reason")["rows"]
    assert rep["no county fips: New York City"] == 1
    assert rep["no county fips: Unknown"] == 1
    assert rep["no county fips: Kansas City"] == 1
    # the city is still inside NYT's New York state total
    assert _row(day["factcovid"], fips="36")["nyt_cases"] == 83712


def test_non_us_rows_are_counted_per_country(day):
    rep = day.report.set_index("reason")["rows"]
    assert rep[regions.JHU_RULES["non_us"]] == 2  # on the day built; Anhui's 03-31 row is not
    non_us = day.non_us.set_index("country_region")
    assert non_us.loc["China", "rows"] == 1 and non_us.loc["China", "alpha_3_code"] == "CHN"
    assert non_us.loc["Korea, South", "rows"] == 1
    assert pd.isna(non_us.loc["Korea, South", "alpha_3_code"])


def test_hospital_without_fips_is_kept_and_reported(day):
    h = day["dimhospital"].set_index("hospital_id")
    assert h.loc[1, "county_fips"] == "01001" and h.loc[1, "longitude"] == -86.46
    assert pd.isna(h.loc[2, "county_fips"]) and h.loc[2, "state_fips"] == "66"
    assert h.loc[2, "address"] == "850 Gov Carlos Camacho Rd, Suite 1"
    assert pd.isna(h.loc[1, "pedi_icu_beds"])
    rep = day.report.set_index(["dataset", "reason"])["rows"]
    assert rep[("hospital_beds", "no county fips (county_fips left empty)")] == 1


def test_dim_region(day):
    r = day["dimregion"].set_index("fips")
    assert r.index.is_unique
    assert r.loc["01", "population"] == 55869 + 223234 + 24686
    assert r.loc["01", "region_level"] == "state" and pd.isna(r.loc["01", "county_name"])
    assert (r.loc["01", "state_name"], r.loc["01", "state_abbr"]) == ("Alabama", "AL")
    assert r.loc["01003"].to_dict() | {"latitude": None, "longitude": None} == {
        "region_level": "county", "county_name": "Baldwin County", "state_name": "Alabama",
        "state_abbr": "AL", "state_fips": "01", "country_region": "US", "population": 223234,
        "latitude": None, "longitude": None}
    # New York: no COVID Tracking row here, so its postal code comes from state_abv by name
    assert (r.loc["36", "state_name"], r.loc["36", "state_abbr"]) == ("New York", "NY")
    # territories: names from the package's table, not in state_abv
    assert (r.loc["66", "state_name"], r.loc["66", "state_abbr"]) == ("Guam", "GU")
    assert pd.isna(r.loc["66", "population"])
    assert (r.loc["72", "state_name"], r.loc["72", "population"]) == ("Puerto Rico", 17781)
    assert r.loc["72", "latitude"] == 18.2  # from JHU's state-level row
    assert r.loc["36061", "latitude"] == 40.8


def test_dim_date():
    d = star.build_dim_date(dt.date(2020, 3, 21), dt.date(2020, 3, 23)).set_index("date_key")
    assert list(d.index) == [20200321, 20200322, 20200323]
    sun = d.loc[20200322]
    assert (sun["year"], sun["quarter"], sun["month"], sun["month_name"], sun["day"]) == \
        (2020, 1, 3, "March", 22)
    assert (sun["day_of_week"], sun["day_name"], sun["week_of_year"], sun["is_weekend"]) == \
        (7, "Sunday", 12, True)
    mon = d.loc[20200323]
    assert (mon["day_of_week"], mon["week_of_year"], mon["is_weekend"]) == (1, 13, False)
    # ISO week 53 of 2020 runs into 2021
    assert star.build_dim_date(dt.date(2021, 1, 1), dt.date(2021, 1, 1))["week_of_year"][0] == 53


def test_build_day_equals_the_day_taken_from_a_range(hand_lake):
    rng = star.build_range(hand_lake, "2020-03-31", "2020-04-02")
    for d in ("2020-03-31", "2020-04-01", "2020-04-02"):
        one = star.build_day(hand_lake, d)
        k = int(d.replace("-", ""))
        for table in ("factcovid", "factcovidcounty"):
            part = rng[table][rng[table]["date_key"] == k].reset_index(drop=True)
            pd.testing.assert_frame_equal(one[table], part)
        pd.testing.assert_frame_equal(one["dimregion"], rng["dimregion"])
        pd.testing.assert_frame_equal(one["dimhospital"], rng["dimhospital"])
        pd.testing.assert_frame_equal(
            one["dimdate"], rng["dimdate"][rng["dimdate"]["date_key"] == k].reset_index(drop=True))
    assert len(rng["dimdate"]) == 3
    # 04-02 has only COVID Tracking data: one Alabama row with JHU and NYT measures missing
    al2 = _row(rng["factcovid"], date_key=20200402, fips="01")
    assert al2["positive"] == 1233 and al2["confirmed"] is None and al2["nyt_cases"] is None


def test_first_day_of_a_range_still_gets_differences(hand_lake):
    # the day before the range is read for new_*, but not emitted
    b = star.build_range(hand_lake, DAY, DAY)
    assert _row(b["factcovidcounty"], fips="01003")["new_confirmed"] == -2
    assert set(b["factcovidcounty"]["date_key"]) == {K}


def test_every_key_unique_and_every_reference_resolves(hand_lake):
    b = star.build_range(hand_lake, "2020-03-31", "2020-04-02")
    for name, df in b.tables.items():
        validate(name, df)  # includes key uniqueness
    region = set(b["dimregion"]["fips"])
    dates = set(b["dimdate"]["date_key"])
    for fact in ("factcovid", "factcovidcounty"):
        assert set(b[fact]["fips"]) <= region
        assert set(b[fact]["date_key"]) <= dates
    hosp = b["dimhospital"]["county_fips"]
    assert set(hosp.dropna()) <= region
    assert hosp.isna().sum() == b.report.set_index("dataset").loc["hospital_beds", "rows"]


def test_duplicate_source_key_is_an_error_naming_the_dataset(hand_raw):
    raw = hand_raw
    sd = raw["states_daily"]
    raw["states_daily"] = pd.concat([sd, sd.iloc[[1]]], ignore_index=True)
    lake = clean_lake(raw)
    with pytest.raises(SourceDataError, match=r"states_daily: .*date_key.*fips"):
        star.build_day(lake, DAY)


def test_unknown_timestamp_format_is_an_error_naming_row_and_value(hand_raw):
    raw = hand_raw
    raw["enigma_jhu"].loc[4, "last_update"] = "01.04.2020 08:00"
    with pytest.raises(SourceDataError,
                       match=r"enigma_jhu: column 'last_update'.*row 4 .*01\.04\.2020"):
        clean_lake(raw)


def test_missing_last_update_is_quarantined_and_counted(hand_raw):
    raw = hand_raw
    raw["enigma_jhu"].loc[4, "last_update"] = pd.NA  # Autauga's earlier report
    b = star.build_day(clean_lake(raw), DAY)
    rep = b.report.set_index("reason")["rows"]
    assert rep["no last_update: cannot be placed on a day (whole file)"] == 1
    assert _row(b["factcovidcounty"], fips="01001")["confirmed"] == 12


def test_a_fact_fips_missing_from_dimregion_is_a_contract_error(hand_lake):
    tables = star.build_day(hand_lake, DAY).tables
    tables["dimregion"] = tables["dimregion"][tables["dimregion"]["fips"] != "01003"]
    with pytest.raises(DataContractError, match=r"factcovidcounty\.fips: 1 value"):
        star._check_references(tables)


def test_a_state_level_report_replaces_its_counties_sum():
    latest = pd.DataFrame({"date_key": [K, K, K, K],
                           "placement": ["state_level", "county", "county", "state_other"],
                           "state_fips": ["72", "72", "01", "01"],
                           "confirmed": [286, 5, 12, 3], "deaths": [11, 0, 1, 0],
                           "recovered": [None, None, None, None], "active": [275, 5, None, None]})
    latest = latest.astype({"state_fips": "str", **{c: "Int64" for c in star_keys.JHU_MEASURES}})
    out = star_facts._jhu_state_day(latest).set_index("fips")
    # Puerto Rico's own row is its total; Alabama is its county plus its Unassigned row
    assert out.loc["72", "confirmed"] == 286 and out.loc["01", "confirmed"] == 15
    assert pd.isna(out.loc["01", "active"]) and pd.isna(out.loc["72", "recovered"])
    assert len(out) == 2


def test_missing_datasets_are_named(hand_lake):
    lake = dict(hand_lake)
    del lake["states_daily"]
    with pytest.raises(SourceDataError, match="states_daily"):
        star.build_day(lake, DAY)


def test_raw_and_crawled_forms_build_the_same_star(hand_lake, hand_raw):
    """The same lake as Athena would return it over crawled tables gives identical stars."""
    raw = hand_raw
    crawled = {}
    for name, df in raw.items():
        if isinstance(df, str):
            crawled[name] = df
            continue
        df = df.rename(columns=str.lower)
        for col in df.columns:
            num = pd.to_numeric(df[col], errors="coerce")
            if num.notna().sum() == df[col].notna().sum() and df[col].notna().any() \
                    and col not in ("last_update", "date"):
                df[col] = num  # bigint / double, as a crawler types them (fips lose zeros)
        if name == "states_daily":
            df["date"] = pd.to_numeric(df["date"])
        crawled[name] = df.assign(partition_0="x") if name == "us_states" else df
    sa = crawled["state_abv"]
    crawled["state_abv"] = pd.concat(
        [pd.DataFrame({"col0": ["State"], "col1": ["Abbreviation"]}),
         sa.set_axis(["col0", "col1"], axis=1)], ignore_index=True)
    assert crawled["enigma_jhu"]["fips"].dtype == "float64"  # 1001.0, 72.0
    a = star.build_range(hand_lake, "2020-03-31", "2020-04-02")
    b = star.build_range(clean_lake(crawled), "2020-03-31", "2020-04-02")
    for name in a.tables:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)
    pd.testing.assert_frame_equal(a.report, b.report)


def test_full_history_entry_point(hand_lake):
    b = star.build_full_history(hand_lake)
    assert (b.start, b.end) == (dt.date(2020, 3, 31), dt.date(2020, 4, 2))
    assert b.counts() == {"dimdate": 3, "dimregion": len(b["dimregion"]), "dimhospital": 2,
                          "factcovid": 1 + 4 + 1, "factcovidcounty": 3 + 4}


def test_the_star_modules_import_without_airflow():
    import subprocess
    import sys

    code = ("import covid_lake.domain.clean, covid_lake.domain.contracts, covid_lake.domain.star, "
            "covid_lake.aws.parquet_io, sys; sys.exit('airflow' in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=sys.prefix)  # the install, not cwd


def test_a_day_without_data_builds_empty_facts_and_its_date(hand_lake):
    b = star.build_day(hand_lake, dt.date(2019, 12, 31))
    assert len(b["factcovid"]) == 0 and len(b["factcovidcounty"]) == 0
    assert list(b["dimdate"]["date_key"]) == [20191231]
    assert list(b.report["dataset"]) == ["hospital_beds"]


def test_a_day_with_no_source_rows_builds_its_date_row_and_no_facts(hand_raw):
    """The scheduled run for a day after the lake's last one: the day-slice extracts are empty."""
    for name in ("enigma_jhu", "us_states", "us_county", "states_daily"):
        hand_raw[name] = hand_raw[name].iloc[0:0]
    build = star.build_day(clean_lake(hand_raw), "2026-11-23")
    assert len(build.tables["dimdate"]) == 1
    assert len(build.tables["factcovid"]) == 0 and len(build.tables["factcovidcounty"]) == 0
    assert len(build.tables["dimregion"]) > 0


def test_the_latest_report_of_a_region_and_day_wins_however_its_rows_are_ordered():
    t = pd.Timestamp
    placed = pd.DataFrame({
        "region": ["01001", "01003", "01001", "01003", "01003", "01005", "01005"],
        "placement": ["county"] * 7,
        "state_fips": ["01"] * 7,
        "county_fips": ["01001", "01003", "01001", "01003", "01003", "01005", "01005"],
        "date": [t("2020-04-01")] * 5 + [t("2020-04-01"), t("2020-04-02")],
        "last_update": [t("2020-04-01 23:00"), t("2020-04-01 10:00"), t("2020-04-01 09:00"),
                        t("2020-04-01 10:00"), t("2020-04-01 10:00"), t("2020-04-01 08:00"),
                        t("2020-04-02 08:00")],
        "confirmed": [5, 7, 9, 8, 8, 1, 2], "deaths": [0, 1, 0, 0, 0, 0, 0],
        "recovered": [None] * 7, "active": [None] * 7,
    }).astype({c: "Int64" for c in star_keys.JHU_MEASURES})
    # as classify_jhu hands it on, and as text: the same rows either way
    as_categories = placed.astype({c: "category" for c in ("region", "placement", "state_fips",
                                                           "county_fips")})
    for frame in (placed, as_categories):
        out = star_facts.latest_jhu_reports(frame)
        got = [(r, k, c) for r, k, c in zip(out["region"].astype("str"), out["date_key"],
                                             out["confirmed"], strict=True)]
        # 01001: the later report (23:00), though first in the file; 01003: three rows of one
        # report, the larger counts (8); 01005: one per day
        assert got == [("01001", K, 5), ("01003", K, 8), ("01005", K, 1), ("01005", 20200402, 2)]
        assert out.index.equals(pd.RangeIndex(4))

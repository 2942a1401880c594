"""Raw-side cleaning: each source in its raw-text form and in its crawled (Athena) form."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from covid_lake.domain import clean
from covid_lake.domain.datasets import DATASETS
from covid_lake.domain.parsing import SourceDataError
from tests.include.fixtures.lake import raw_frame


def S(values, dtype="str"):
    return pd.Series(values, dtype=dtype)


# --- FIPS ------------------------------------------------------------------------------------

@pytest.mark.parametrize("values", [
    S(["01001", "1001", "1001.0", " 01001 "]),
    S([1001, 1001, 1001, 1001], "int64"),
    S([1001.0, 1001.0, 1001.0, 1001.0], "float64"),
    S([1001, 1001, 1001, 1001], "Int64"),
])
def test_county_fips_padded_from_every_form(values):
    assert list(clean.pad_fips(values, "x", "fips")) == ["01001"] * 4


def test_fips_width_decided_per_value_state_vs_county():
    out = clean.pad_fips(S([72.0, np.nan, 1001.0, 6.0], "float64"), "x", "fips")
    assert out.iloc[0] == "72" and pd.isna(out.iloc[1]) and out.iloc[2] == "01001"
    assert out.iloc[3] == "06"


def test_fixed_width_fips():
    assert list(clean.pad_fips(S([1, 72], "int64"), "x", "fips", width=2)) == ["01", "72"]
    with pytest.raises(SourceDataError, match=r"x: column 'fips'.*too long.*row 1 .*: '123'"):
        clean.pad_fips(S(["01", "123"]), "x", "fips", width=2)


def test_bad_fips_names_dataset_column_row_and_value():
    with pytest.raises(SourceDataError,
                       match=r"us_county: column 'fips': 1 value\(s\) are not FIPS"
                             r".*row 2 .*: 'NYC'"):
        clean.pad_fips(S(["01001", None, "NYC"]), "us_county", "fips")
    with pytest.raises(SourceDataError, match="not whole numbers"):
        clean.pad_fips(S([1001.5], "float64"), "x", "fips")


# --- numbers and dates -----------------------------------------------------------------------

def test_counts_are_nullable_int64_and_junk_is_an_error():
    out = clean.to_int64(S(["12", "12.0", None, " 7 "]), "x", "c")
    assert str(out.dtype) == "Int64" and out.tolist()[:2] == [12, 12] and pd.isna(out[2])
    assert clean.to_int64(S([3.0, np.nan], "float64"), "x", "c").tolist()[0] == 3
    with pytest.raises(SourceDataError, match=r"states_daily: column 'positive'.*row 1 .*: 'n/a'"):
        clean.to_int64(S(["1", "n/a"]), "states_daily", "positive")
    with pytest.raises(SourceDataError, match="whole numbers"):
        clean.to_int64(S(["1.5"]), "x", "c")


def test_jhu_timestamps_in_every_format_present():
    out = clean.parse_jhu_timestamp(S(["2020-03-22 23:45:00", "3/22/20 23:45",
                                       "2020-03-22T23:45:00", "2020-03-22T23:45:00Z",
                                       "3/22/2020 23:45", None]))
    assert out[:5].tolist() == [pd.Timestamp("2020-03-22 23:45")] * 5
    assert pd.isna(out[5])


def test_jhu_timestamp_already_typed_by_athena():
    ts = pd.Series(pd.to_datetime(["2020-03-22 23:45:00"]))
    assert clean.parse_jhu_timestamp(ts)[0] == pd.Timestamp("2020-03-22 23:45")


def test_unknown_timestamp_format_is_an_error():
    with pytest.raises(SourceDataError,
                       match=r"enigma_jhu: column 'last_update': 1 value"
                             r".*row 1 .*: '22\.03\.2020'"):
        clean.parse_jhu_timestamp(S(["2020-03-22 23:45:00", "22.03.2020"]))


def test_yyyymmdd_dates_from_int_float_or_text():
    expected = [pd.Timestamp("2020-03-22"), pd.Timestamp("2021-03-07")]
    for values in (S([20200322, 20210307], "int64"), S([20200322.0, 20210307.0], "float64"),
                   S(["20200322", "20210307"])):
        assert clean.parse_yyyymmdd(values, "x", "date").tolist() == expected
    with pytest.raises(SourceDataError, match="not dates YYYYMMDD"):
        clean.parse_yyyymmdd(S(["20201322"]), "states_daily", "date")


# --- column names ----------------------------------------------------------------------------

def test_camel_case_headers_and_crawler_lower_case_give_the_same_names():
    cols = {d.name: d for d in DATASETS}["states_daily"].columns
    raw = pd.DataFrame(columns=list(cols))
    crawled = pd.DataFrame(columns=[c.lower() for c in cols] + ["partition_0"])
    a = clean.normalise_columns(raw, "states_daily")
    b = clean.normalise_columns(crawled, "states_daily")
    assert list(a.columns) == list(b.columns)
    assert {"hospitalized_currently", "total_test_results", "in_icu_currently",
            "on_ventilator_currently", "hospitalized_discharged"} <= set(a.columns)


def test_missing_column_is_named():
    df = raw_frame("us_states", [{"date": "2020-04-01", "state": "Alabama", "fips": "01"}])
    with pytest.raises(SourceDataError, match=r"us_states: missing columns \['deaths'\]"):
        clean.clean_us_states(df.drop(columns="deaths"))


# --- one cleaner per source ------------------------------------------------------------------

def test_enigma_jhu_raw_and_crawled():
    rows = [{"fips": "01001", "admin2": "Autauga", "province_state": "Alabama",
             "country_region": "US", "last_update": "3/22/20 23:45", "confirmed": "5",
             "deaths": "0", "active": None, "latitude": "32.5", "longitude": "-86.6"},
            {"fips": "72", "province_state": "Puerto Rico", "country_region": "US",
             "last_update": "2020-03-23 23:45:00", "confirmed": "31", "deaths": "2"},
            {"fips": None, "province_state": "Anhui", "country_region": "China",
             "last_update": "2020-03-23T10:00:00", "confirmed": "990", "deaths": "6",
             "combined_key": "Anhui, China"}]
    raw = raw_frame("enigma_jhu", rows)
    out = clean.clean_enigma_jhu(raw)
    assert out["fips"].tolist()[:2] == ["01001", "72"] and pd.isna(out["fips"][2])
    assert out["date"].tolist() == [pd.Timestamp("2020-03-22"), pd.Timestamp("2020-03-23"),
                                    pd.Timestamp("2020-03-23")]
    assert str(out["confirmed"].dtype) == "Int64" and pd.isna(out["active"][0])
    assert out["combined_key"][2] == "Anhui, China"
    crawled = raw.rename(columns=str.lower).assign(
        fips=[1001.0, 72.0, np.nan], confirmed=[5.0, 31.0, 990.0], deaths=[0, 2, 6],
        latitude=[32.5, np.nan, np.nan], longitude=[-86.6, np.nan, np.nan])
    pd.testing.assert_frame_equal(clean.clean_enigma_jhu(crawled), out)


def test_states_daily_crawled():
    raw = raw_frame("states_daily", [{"date": "20200401", "state": "al", "fips": "01",
                                      "positive": "1077", "hospitalizedCurrently": None}])
    out = clean.clean_states_daily(raw)
    assert (out["date"][0], out["state"][0], out["fips"][0], out["positive"][0]) == \
        (pd.Timestamp("2020-04-01"), "AL", "01", 1077)
    crawled = raw.rename(columns=str.lower).assign(date=[20200401], fips=[1], positive=[1077.0])
    out2 = clean.clean_states_daily(crawled)
    for col in ("date", "state", "fips", *clean.STATES_DAILY_MEASURES):
        pd.testing.assert_series_equal(out2[col], out[col])


def test_nyt_tables():
    c = clean.clean_us_county(raw_frame("us_county", [
        {"date": "2020-04-01", "county": "New York City", "state": "New York", "fips": None,
         "cases": "47439", "deaths": "1374"},
        {"date": "2020-04-01", "county": "Autauga", "state": "Alabama", "fips": "1001",
         "cases": "13", "deaths": "1"}]))
    assert pd.isna(c["fips"][0]) and c["fips"][1] == "01001"
    s = clean.clean_us_states(raw_frame("us_states", [
        {"date": "2020-04-01", "state": "Puerto Rico", "fips": "72", "cases": "286",
         "deaths": "11"}]))
    assert (s["fips"][0], s["date"][0]) == ("72", pd.Timestamp("2020-04-01"))


def test_state_abv_with_and_without_a_detected_header():
    good = pd.DataFrame({"State": ["Alabama", "Alaska"], "Abbreviation": ["AL", "AK"]})
    missed = pd.DataFrame({"col0": ["State", "Alabama", "Alaska"],
                           "col1": ["Abbreviation", "AL", "AK"]})
    a = clean.clean_state_abv(good)
    pd.testing.assert_frame_equal(a, clean.clean_state_abv(missed))
    assert a.to_dict("list") == {"state_name": ["Alabama", "Alaska"], "state_abbr": ["AL", "AK"]}


def test_countrycode_byte_order_mark_in_either_decoding():
    rows = [{"Country": "China", "Alpha-2 code": "CN", "Alpha-3 code": "CHN",
             "Numeric code": "156", "Latitude": "35", "Longitude": "105"}]
    base = raw_frame("countrycode", rows)
    for bom in ("\ufeff", "ï»¿"):
        out = clean.clean_countrycode(base.rename(columns={"Country": bom + "Country"}))
        assert out.columns[0] == "country" and out["country"][0] == "China"
        assert out["numeric_code"][0] == 156


def test_countypopulation_id2_from_a_crawler_and_checked_against_id():
    df = pd.DataFrame({"id": ["0500000US01001"], "id2": [1001], "county": ["Autauga County"],
                       "state": ["Alabama"], "population estimate 2018": [55869]})
    out = clean.clean_countypopulation(df)
    assert out.to_dict("records") == [{"fips": "01001", "county_name": "Autauga County",
                                       "state_name": "Alabama", "population": 55869}]
    with pytest.raises(SourceDataError, match="countypopulation: column 'id'.*disagree with Id2"):
        clean.clean_countypopulation(df.assign(id2=[1003]))


HOSPITAL = {"objectid": 7, "hospital_name": "H", "hospital_type": "T", "hq_address": "1 Main",
            "hq_address1": None, "hq_city": "C", "hq_state": "AL", "hq_zip_code": "06067",
            "county_name": "Autauga", "state_name": "Alabama", "state_fips": "01",
            "cnty_fips": "001", "fips": "01001", "num_licensed_beds": 85,
            "num_staffed_beds": None, "num_icu_beds": 6, "adult_icu_beds": 6,
            "pedi_icu_beds": 0, "bed_utilization": 0.4, "avg_ventilator_usage": None,
            "potential_increase_in_bed_capac": 30, "latitude": 32.46, "longtitude": -86.46}
TERRITORY = dict(HOSPITAL, objectid=8, fips=None, cnty_fips=None, state_fips="66")


def test_hospital_json_lines_and_geojson_agree():
    lines = "\n".join(json.dumps(h) for h in (HOSPITAL, TERRITORY)) + "\n"
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [h["longtitude"],
                                                                           h["latitude"]]},
         "properties": h} for h in (HOSPITAL, TERRITORY)]}
    a = clean.clean_hospital_beds(lines)
    for other in (json.dumps(fc), fc, lines.encode("utf-8"), pd.DataFrame([HOSPITAL, TERRITORY])):
        pd.testing.assert_frame_equal(clean.clean_hospital_beds(other), a)
    assert a["fips"][0] == "01001" and pd.isna(a["fips"][1]) and a["state_fips"][1] == "66"
    assert a["hq_zip_code"][0] == "06067" and a["longtitude"][0] == -86.46
    # a crawler typing the zip as bigint loses its zero; it comes back
    crawled = pd.DataFrame([HOSPITAL, TERRITORY]).assign(hq_zip_code=[6067, 6067])
    assert clean.clean_hospital_beds(crawled)["hq_zip_code"][0] == "06067"


def test_load_raw_from_dir_reads_text_with_bom_and_gzip(tmp_path):
    d = {x.name: x for x in DATASETS}
    files = {
        "enigma_jhu": gzip.compress(b"fips,admin2,province_state,country_region,last_update,"
                                    b"latitude,longitude,confirmed,deaths,recovered,active,"
                                    b"combined_key\n01001,Autauga,Alabama,US,3/22/20 23:45,"
                                    b"32.5,-86.6,5,0,,,\"Autauga, Alabama, US\"\n"),
        "countrycode": "\ufeffCountry,Alpha-2 code,Alpha-3 code,Numeric code,Latitude,Longitude\n"
                       "\"Korea, Republic of\",KR,KOR,410,37,127.5\n".encode("utf-8"),
        "hospital_beds": (json.dumps(HOSPITAL) + "\n").encode("utf-8"),
    }
    for name, data in files.items():
        p = tmp_path / d[name].key
        p.parent.mkdir(parents=True)
        p.write_bytes(data)
    raw = clean.load_raw_from_dir(tmp_path, names=tuple(files))
    jhu = raw["enigma_jhu"]
    assert jhu["fips"][0] == "01001" and pd.isna(jhu["active"][0])
    assert jhu["combined_key"][0] == "Autauga, Alabama, US"
    # pandas' parser drops a leading BOM itself; Athena and other readers may not (tested above)
    assert raw["countrycode"].columns[0].lstrip("\ufeff") == "Country"
    assert raw["hospital_beds"]["objectid"][0] == "7"
    assert pd.isna(raw["hospital_beds"]["hq_address1"][0])
    lake = clean.clean_lake(raw)
    assert lake["countrycode"]["country"][0] == "Korea, Republic of"
    assert lake["hospital_beds"]["num_licensed_beds"][0] == 85
    with pytest.raises(FileNotFoundError, match="us_states"):
        clean.load_raw_from_dir(tmp_path, names=("us_states",))


@pytest.mark.parametrize("convert", ["to_int64", "to_float64"])
def test_numbers_are_read_alike_with_or_without_padding(convert):
    # Arrow's cast of the text as it is comes first; padding and empties must still be read as
    # the stripped text is, and text that is no number must still fail
    from covid_lake.domain import parsing

    fn = getattr(parsing, convert)
    plain = fn(pd.Series(["12", None, "4"], dtype="str"), "d", "c")
    padded = fn(pd.Series([" 12", "", "4\t"], dtype="str"), "d", "c")
    pd.testing.assert_series_equal(plain, padded)
    assert pd.isna(padded[1])
    with pytest.raises(SourceDataError, match=r"column 'c': 1 value\(s\) are not numbers"):
        fn(pd.Series(["NaN", "1"], dtype="str"), "d", "c")


def _python_parse(path) -> pd.DataFrame:
    """The JSON-lines reading every earlier version did: json.loads per line, then
    DataFrame.from_records, text everywhere, null -> missing."""
    text = path.read_text(encoding="utf-8-sig")
    records = pd.DataFrame.from_records([json.loads(x) for x in text.splitlines() if x.strip()])
    return records.astype("str").where(records.notna())


ODD_LINES = {
    # ints, an int column with a null (floats in pandas: '6.0'), floats, booleans
    "typed": [dict(HOSPITAL, pedi_icu_beds=1.0, ok=True),
              dict(TERRITORY, pedi_icu_beds=2.5, num_icu_beds=None, avg_ventilator_usage=1e20,
                   ok=False)],
    # a number in one line and text in the next: Arrow refuses the column
    "mixed": [HOSPITAL, dict(TERRITORY, num_icu_beds="6")],
    # nested values: Arrow would make structs of them
    "nested": [dict(HOSPITAL, extra={"a": 1}), dict(TERRITORY, extra=None)],
    # a column of nulls only; a key missing from a line
    "nulls": [dict(HOSPITAL, extra=None), dict(TERRITORY, extra=None)],
    "ragged": [HOSPITAL, {k: v for k, v in TERRITORY.items() if k != "hq_city"}],
}


@pytest.mark.parametrize("case", [*ODD_LINES, "bom", "blank lines"])
def test_json_lines_read_by_arrow_give_the_python_parse_text(tmp_path, case):
    """read_raw_file reads flat JSON lines with Arrow (docs/performance.md) and must give the
    frame the Python parse gave, value for value; whatever Arrow cannot type alike goes the
    Python way."""
    rows = ODD_LINES.get(case, [HOSPITAL, TERRITORY])
    text = "\n".join(json.dumps(r) for r in rows) + "\n"
    if case == "bom":
        text = "\ufeff" + text
    if case == "blank lines":
        text = "\n" + text.replace("\n", "\n\n")
    path = tmp_path / "hospitals.json"
    path.write_text(text, encoding="utf-8")
    got = clean.read_raw_file(path, "hospital_beds")
    pd.testing.assert_frame_equal(got, _python_parse(path))
    if case in ("mixed", "nested"):
        assert clean._flat_json_lines(path) is None
    if case in ("typed", "nulls", "ragged"):
        assert clean._flat_json_lines(path) is not None
    if case == "typed":
        assert got["num_icu_beds"][0] == "6.0" and pd.isna(got["num_icu_beds"][1])
        assert got["num_licensed_beds"][0] == "85" and got["pedi_icu_beds"][0] == "1.0"
        assert got["avg_ventilator_usage"][1] == "1e+20" and got["ok"][0] == "True"


def test_the_real_hospital_file_is_read_by_arrow_alike():
    from tests.support import real_lake as hand

    if not hand.available():
        pytest.skip(hand.SKIP_REASON)
    path = hand.REAL_LAKE / clean.dataset("hospital_beds").key
    assert clean._flat_json_lines(path) is not None  # the fast path is the one taken
    got = clean.read_raw_file(path, "hospital_beds")
    pd.testing.assert_frame_equal(got, _python_parse(path))
    assert len(got) == 6_637 and got["PEDI_ICU_BEDS"].str.endswith(".0").any()


def test_clean_lake_on_threads_gives_each_cleaners_own_result(hand_raw):
    """clean_lake runs the cleaners on threads: the same frames as each cleaner alone."""
    got = clean.clean_lake(hand_raw)
    assert list(got) == list(hand_raw)
    for name, frame in hand_raw.items():
        pd.testing.assert_frame_equal(got[name], clean.CLEANERS[name](frame))


def test_clean_lake_names_the_first_bad_dataset_in_its_order(hand_raw):
    bad = dict(hand_raw)
    bad["us_states"] = bad["us_states"].drop(columns="deaths")
    bad["enigma_jhu"] = bad["enigma_jhu"].assign(confirmed="many")  # the largest: cleaned first
    with pytest.raises(SourceDataError, match="enigma_jhu: column 'confirmed'"):
        clean.clean_lake(bad)
    with pytest.raises(SourceDataError, match=r"us_states: missing columns \['deaths'\]"):
        clean.clean_lake({name: bad[name] for name in ("us_states", "enigma_jhu")})

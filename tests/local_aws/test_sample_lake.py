"""The synthetic sample lake has the real lake's keys, headers, row counts and quirks."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from covid_lake.datasets import BY_NAME, DATASETS
from local_aws.geography import NYC_BOROUGHS
from local_aws.sample_lake import DEFAULT_SEED, corrections, generate

# The ten keys exactly as ../shared/docs/covid19-lake.md lists them.
DOC_KEYS = {
    "enigma-jhu/csv/Enigma-JHU.csv.gz",
    "enigma-nytimes-data-in-usa/csv/us_county/us_county.csv",
    "enigma-nytimes-data-in-usa/csv/us_states/us_states.csv",
    "rearc-covid-19-testing-data/csv/states_daily/states_daily.csv",
    "rearc-covid-19-testing-data/csv/us_daily/us_daily.csv",
    "rearc-covid-19-testing-data/csv/us-total-latest/us.csv",
    "rearc-usa-hospital-beds/json/usa-hospital-beds.geojson",
    "static-datasets/csv/countrycode/CountryCodeQS.csv",
    "static-datasets/csv/CountyPopulation/County_Population.csv",
    "static-datasets/csv/state-abv/states_abv.csv",
}


def text(lake: Path, name: str) -> str:
    path = lake / BY_NAME[name].key
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


def frame(lake: Path, name: str) -> pd.DataFrame:
    """Every column as text, empty cells as NA: the file as written."""
    body = text(lake, name).lstrip("\ufeff")
    if BY_NAME[name].fmt == "jsonl":
        return pd.DataFrame([json.loads(line) for line in body.splitlines()])
    return pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False).replace("", pd.NA)


def files_under(lake: Path) -> set[str]:
    return {p.relative_to(lake).as_posix() for p in lake.rglob("*") if p.is_file()}


@pytest.mark.parametrize("scale", ["small", "full"])
def test_writes_exactly_the_ten_documented_objects_with_their_headers(scale, request):
    lake = request.getfixturevalue(f"{scale}_lake")
    assert files_under(lake) == DOC_KEYS == {d.key for d in DATASETS}
    for d in DATASETS:
        if d.fmt == "jsonl":
            first = json.loads(text(lake, d.name).splitlines()[0])
            assert tuple(first) == d.columns, d.name
        else:
            header = next(csv.reader(io.StringIO(text(lake, d.name))))
            assert tuple(header) == tuple(
                [d.columns[0] if d.name != "countrycode" else "\ufeff" + d.columns[0]]
                + list(d.columns[1:])), d.name


def test_full_scale_has_the_real_files_row_counts(full_lake):
    jhu = frame(full_lake, "enigma_jhu")
    assert len(jhu) == pytest.approx(222_804, rel=0.02)
    assert jhu["fips"].isna().sum() == pytest.approx(24_440, rel=0.02)
    assert (jhu["fips"] == "72").sum() == 74
    sd = frame(full_lake, "states_daily")
    assert len(sd) == pytest.approx(20_780, rel=0.02)
    assert sd["state"].nunique() == 56
    assert (sd["date"].min(), sd["date"].max()) == ("20200113", "20210307")
    nyt = frame(full_lake, "us_states")
    assert len(nyt) == pytest.approx(3_754, rel=0.02)
    assert (nyt["date"].min(), nyt["date"].max()) == ("2020-01-21", "2020-05-09")
    assert len(frame(full_lake, "us_daily")) == 420
    hospitals = frame(full_lake, "hospital_beds")
    assert len(hospitals) == pytest.approx(6_637, rel=0.02)
    assert hospitals["fips"].isna().sum() == 8
    assert len(frame(full_lake, "countypopulation")) == pytest.approx(3_220, rel=0.02)
    assert len(frame(full_lake, "countrycode")) == 255
    assert len(frame(full_lake, "state_abv")) == 51
    latest = frame(full_lake, "us_total_latest")
    assert len(latest) == 1 and latest["lastModified"][0].startswith("2020-05-01")


@pytest.mark.parametrize("scale", ["small", "full"])
def test_keys_are_unique_where_the_real_files_are(scale, request):
    lake = request.getfixturevalue(f"{scale}_lake")
    assert not frame(lake, "states_daily").duplicated(["date", "state"]).any()
    assert not frame(lake, "us_states").duplicated(["date", "state"]).any()
    county = frame(lake, "us_county")
    assert not county.dropna(subset=["fips"]).duplicated(["date", "fips"]).any()
    assert frame(lake, "hospital_beds")["objectid"].is_unique
    assert frame(lake, "countypopulation")["Id2"].is_unique


def test_fips_are_zero_padded_text_inside_their_state(full_lake):
    jhu = frame(full_lake, "enigma_jhu").dropna(subset=["fips"])
    assert jhu["fips"].str.fullmatch(r"\d{5}|72").all()
    assert (jhu["fips"] == "01001").any()  # leading zero kept in the file
    pop = frame(full_lake, "countypopulation")
    assert pop["Id2"].str.fullmatch(r"\d{5}").all()
    assert (pop["Id"] == "0500000US" + pop["Id2"]).all()
    assert (pop["Id2"].str[:2] == "72").sum() == 78  # Puerto Rico's municipios
    sd = frame(full_lake, "states_daily")
    assert sd["fips"].str.fullmatch(r"\d{2}").all()
    real = {"AL": "01", "CA": "06", "NY": "36", "TX": "48", "WY": "56", "PR": "72", "GU": "66"}
    pairs = dict(sd[["state", "fips"]].drop_duplicates().itertuples(index=False))
    assert {k: pairs[k] for k in real} == real
    hosp = frame(full_lake, "hospital_beds").dropna(subset=["fips"])
    assert (hosp["fips"] == hosp["state_fips"] + hosp["cnty_fips"]).all()
    assert set(hosp["fips"]) <= set(pop["Id2"])


def test_jhu_quirks(small_lake):
    raw = text(small_lake, "enigma_jhu")
    jhu = frame(small_lake, "enigma_jhu")
    non_us = jhu[jhu["country_region"] != "US"]
    assert len(non_us) and non_us["fips"].isna().all()
    assert '"Korea, South"' in raw and '"Anhui, China"' in raw  # quoted commas
    pr = jhu[jhu["fips"] == "72"]
    assert len(pr) and (pr["province_state"] == "Puerto Rico").all() and pr["admin2"].isna().all()
    assert jhu["last_update"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").any()
    assert jhu["last_update"].str.fullmatch(r"\d{1,2}/\d{1,2}/\d\d \d{1,2}:\d\d").any()
    assert jhu["active"].isna().any()


def test_jhu_repeats_some_regions_within_a_day_with_the_latest_report_first(small_lake):
    jhu = frame(small_lake, "enigma_jhu").dropna(subset=["fips"])
    stamp = pd.to_datetime(jhu["last_update"], format="mixed")
    jhu = jhu.assign(day=stamp.dt.date, ts=stamp, pos=range(len(jhu)))
    repeated = jhu[jhu.duplicated(["fips", "day"], keep=False)]
    assert repeated.groupby(["fips", "day"]).size().eq(2).all() and len(repeated)
    # File order is not time order: the earlier report comes second.
    for _, g in repeated.groupby(["fips", "day"]):
        assert g.sort_values("pos")["ts"].is_monotonic_decreasing


@pytest.mark.parametrize("scale", ["small", "full"])
def test_cumulative_counts_only_drop_at_documented_corrections(scale, request):
    lake = request.getfixturevalue(f"{scale}_lake")
    jhu = frame(lake, "enigma_jhu").dropna(subset=["fips"])
    jhu["ts"] = pd.to_datetime(jhu["last_update"], format="mixed")
    jhu["day"] = jhu["ts"].dt.date
    jhu["confirmed"] = jhu["confirmed"].astype(int)
    latest = jhu.sort_values("ts").drop_duplicates(["fips", "day"], keep="last")
    latest = latest.sort_values(["fips", "day"])
    drops = latest[latest.groupby("fips")["confirmed"].diff() < 0]
    assert set(zip(drops["fips"], drops["day"])) == set(corrections(scale))
    assert len(drops) >= 1
    county = frame(lake, "us_county").dropna(subset=["fips"])
    county["cases"] = county["cases"].astype(int)
    assert (county.sort_values("date").groupby("fips")["cases"].diff().dropna() >= 0).all()
    sd = frame(lake, "states_daily")
    sd["positive"] = sd["positive"].astype(int)
    assert (sd.sort_values("date").groupby("state")["positive"].diff().dropna() >= 0).all()


def test_nyt_quirks_and_state_totals_equal_their_counties(small_lake):
    county = frame(small_lake, "us_county")
    no_fips = county[county["fips"].isna()]
    assert {"Unknown", "New York City", "Kansas City", "Joplin"} <= set(no_fips["county"])
    assert not county["fips"].isin(list(NYC_BOROUGHS)).any()  # the boroughs are folded into NYC
    states = frame(small_lake, "us_states")
    county["cases"] = county["cases"].astype(int)
    totals = county.groupby(["date", "state"])["cases"].sum()
    stated = states.set_index(["date", "state"])["cases"].astype(int)
    pd.testing.assert_series_equal(totals.sort_index(), stated.sort_index(), check_names=False)


def test_states_daily_is_sorted_by_date_descending_with_yyyymmdd_dates(small_lake):
    sd = frame(small_lake, "states_daily")
    assert sd["date"].str.fullmatch(r"20\d{6}").all()
    assert sd["date"].is_monotonic_decreasing
    assert sd["hospitalizedDischarged"].isna().any()  # measures a state does not report stay empty


def test_static_files(small_lake):
    assert (small_lake / BY_NAME["countrycode"].key).read_bytes().startswith(b"\xef\xbb\xbf")
    abv = frame(small_lake, "state_abv")
    assert len(abv) == 51 and abv["Abbreviation"].str.fullmatch(r"[A-Z]{2}").all()
    assert {"District of Columbia", "New York"} <= set(abv["State"])


def digest(lake: Path) -> dict[str, str]:
    return {k: hashlib.sha256((lake / k).read_bytes()).hexdigest() for k in sorted(DOC_KEYS)}


def test_same_seed_gives_identical_bytes_and_another_seed_differs(small_lake, tmp_path):
    again = tmp_path / "again"
    generate(again, scale="small", seed=DEFAULT_SEED)
    assert digest(again) == digest(small_lake)
    other = tmp_path / "other"
    generate(other, scale="small", seed=DEFAULT_SEED + 1)
    assert digest(other)[BY_NAME["enigma_jhu"].key] != digest(small_lake)[BY_NAME["enigma_jhu"].key]


def test_small_scale_is_small(small_lake):
    total = sum((small_lake / k).stat().st_size for k in DOC_KEYS)
    assert total < 3_000_000
    pop = frame(small_lake, "countypopulation")
    assert 20 <= len(pop) <= 60


def test_cli_writes_the_lake(tmp_path):
    from local_aws.sample_lake import main

    assert main([str(tmp_path), "--scale", "small"]) == 0
    assert files_under(tmp_path) == DOC_KEYS

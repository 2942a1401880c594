"""The synthetic sample lake has the real lake's keys, headers, row counts and quirks, real county
names, plausible numbers, and sources that disagree the way the real ones do."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from covid_lake.domain.datasets import BY_NAME, DATASETS
from covid_lake_dev.geography import (
    NYC_BOROUGHS,
    STATE_BY_ABBR,
    STATES,
    addfips_names,
    nyt_name,
    population_file_name,
)
from covid_lake_dev.sample_lake import DEFAULT_SEED, corrections, generate

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
SMALL_JURISDICTIONS = {"WA", "NY", "MO", "CA", "DC", "PR", "GU", "NM", "TX", "MA", "MI"}
# The states that led in April 2020, and two that did not.
EARLY_LEADERS = ("NY", "NJ", "CA", "MI", "LA", "MA", "IL", "FL", "PA", "WA")
SHEET_DAYS = {"2020-03-28", "2020-03-29", "2020-03-30"}  # JHU's spreadsheet-edited reports


def raw_bytes(lake: Path, name: str) -> bytes:
    path = lake / BY_NAME[name].key
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.name.endswith(".gz") else raw


def text(lake: Path, name: str) -> str:
    return raw_bytes(lake, name).decode("utf-8")


def frame(lake: Path, name: str) -> pd.DataFrame:
    """Every column as text, empty cells as NA: the file as written."""
    body = text(lake, name).lstrip("\ufeff")
    if BY_NAME[name].fmt == "jsonl":
        return pd.DataFrame([json.loads(line) for line in body.splitlines()])
    return pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False).replace("", pd.NA)


def jhu_frame(lake: Path) -> pd.DataFrame:
    jhu = frame(lake, "enigma_jhu")
    jhu["ts"] = pd.to_datetime(jhu["last_update"], format="mixed")
    jhu["day"] = jhu["ts"].dt.strftime("%Y-%m-%d")
    for c in ("confirmed", "deaths", "recovered", "active"):
        jhu[c] = jhu[c].astype(int)
    return jhu


def files_under(lake: Path) -> set[str]:
    return {p.relative_to(lake).as_posix() for p in lake.rglob("*") if p.is_file()}


def abbr_of() -> dict[str, str]:
    return {s.name: s.abbr for s in STATES}


def state_figures(lake: Path, day: str) -> pd.DataFrame:
    """Per state (postal code) on one day: NYT state, NYT county sum, JHU sum, COVID Tracking."""
    ab = abbr_of()
    nyt = frame(lake, "us_states")
    nyt = nyt[nyt["date"] == day].set_index("state")["cases"].astype(int)
    county = frame(lake, "us_county")
    county = county[county["date"] == day]
    county_sum = county.assign(cases=county["cases"].astype(int)).groupby("state")["cases"].sum()
    jhu = jhu_frame(lake)
    jhu = jhu[(jhu["country_region"] == "US") & (jhu["day"] == day)]
    latest = jhu.sort_values("ts").drop_duplicates(["fips", "admin2", "province_state"],
                                                   keep="last")
    jhu_sum = latest.groupby("province_state")["confirmed"].sum()
    sd = frame(lake, "states_daily")
    sd = sd[sd["date"] == day.replace("-", "")].set_index("state")["positive"]
    out = pd.DataFrame({"nyt": nyt, "nyt_counties": county_sum, "jhu": jhu_sum})
    out = out[out.index.isin(ab)]
    out.index = [ab[n] for n in out.index]
    out["ctp"] = sd.reindex(out.index).astype(float)
    return out


# ---- layout


@pytest.mark.parametrize("scale", ["small", "full"])
def test_writes_exactly_the_ten_documented_objects_with_their_headers(scale, request):
    lake = request.getfixturevalue(f"{scale}_lake")
    assert files_under(lake) == DOC_KEYS == {d.key for d in DATASETS}
    for d in DATASETS:
        if d.fmt == "jsonl":
            first = json.loads(text(lake, d.name).splitlines()[0])
            assert tuple(k.lower() for k in first) == d.columns, d.name
            assert "OBJECTID" in first and "longtitude" in first  # the real file's spelling
            assert "Potential_Increase_In_Bed_Capac" in first
        else:
            header = next(csv.reader(io.StringIO(text(lake, d.name))))
            assert tuple(header) == tuple(
                [d.columns[0] if d.name != "countrycode" else "\ufeff" + d.columns[0]]
                + list(d.columns[1:])), d.name


def test_full_scale_has_the_real_files_row_counts(full_lake):
    jhu = frame(full_lake, "enigma_jhu")
    assert len(jhu) == pytest.approx(222_804, rel=0.02)
    assert (jhu["country_region"] != "US").sum() == pytest.approx(22_000, rel=0.1)
    pr = jhu[jhu["province_state"].eq("Puerto Rico") & jhu["admin2"].isna()]
    assert len(pr) == 74 and pr["fips"].isna().all()
    sd = frame(full_lake, "states_daily")
    assert len(sd) == pytest.approx(20_780, rel=0.02)
    assert sd["state"].nunique() == 56
    assert (sd["date"].min(), sd["date"].max()) == ("20200113", "20210307")
    nyt = frame(full_lake, "us_states")
    assert len(nyt) == 3_754
    assert (nyt["date"].min(), nyt["date"].max()) == ("2020-01-21", "2020-05-09")
    assert nyt["state"].nunique() == 55  # American Samoa never has a case
    assert len(frame(full_lake, "us_daily")) == 420
    hospitals = frame(full_lake, "hospital_beds")
    assert len(hospitals) == pytest.approx(6_637, rel=0.02)
    assert hospitals["FIPS"].isna().sum() == 8
    assert len(frame(full_lake, "countypopulation")) == 3_220
    assert len(frame(full_lake, "countrycode")) == 256
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
    assert frame(lake, "hospital_beds")["OBJECTID"].is_unique
    assert frame(lake, "countypopulation")["Id2"].is_unique


# ---- geography: the real counties and names


def test_counties_are_the_real_ones_with_addfips_names(full_lake):
    names = addfips_names()
    pop = frame(full_lake, "countypopulation")
    fips = pop["Id"].str[-5:]
    assert (pop["Id2"] == fips.str.lstrip("0")).all()  # Id2 lost its leading zeros
    assert (pop["Id2"].str.len() == 4).sum() > 300  # as in the real file (316)
    assert set(fips) == {f for f in names if f[:2] not in ("60", "66", "69", "74", "78")
                         and f != "51515"}  # Bedford city, VA, dissolved in 2013
    for f, county in zip(fips, pop["County"], strict=False):
        assert county in {population_file_name(n) for n in names[f]}, f
    got = dict(zip(fips, pop["County"], strict=False))
    assert got["06001"] == "Alameda" and got["22001"] == "Acadia Parish"
    assert got["24510"] == "Baltimore city" and got["72001"] == "Adjuntas Municipio"
    assert got["35013"] == "Doña Ana" and got["11001"] == "District of Columbia"
    assert (fips.str[:2] == "72").sum() == 78  # Puerto Rico's municipios
    # NYT and JHU name the same counties their own way.
    county = frame(full_lake, "us_county").dropna(subset=["fips"])
    for f, name in county.drop_duplicates("fips")[["fips", "county"]].itertuples(index=False):
        assert name in {nyt_name(n) for n in names[f]}, f
    jhu = frame(full_lake, "enigma_jhu")
    admin2 = dict(jhu.dropna(subset=["fips"])[["fips", "admin2"]].drop_duplicates("fips")
                  .itertuples(index=False))
    assert admin2["06001"] == "Alameda" and admin2["02110"] == "Juneau"
    assert admin2["24510"] == "Baltimore City" and admin2["51510"] == "Alexandria"
    assert admin2["36061"] == "New York City"


def test_populations_are_real_state_totals_with_one_big_county_and_a_long_tail(full_lake):
    pop = frame(full_lake, "countypopulation")
    pop["n"] = pop["Population Estimate 2018"].astype(int)
    by_state = pop.groupby("State")["n"]
    totals = by_state.sum()
    assert totals["California"] == pytest.approx(39_512_223, rel=0.01)
    assert totals["Wyoming"] == pytest.approx(578_759, rel=0.01)
    assert totals["Puerto Rico"] == pytest.approx(3_193_694, rel=0.01)
    assert totals.sum() == pytest.approx(331e6, rel=0.02)
    big = pop.loc[pop.groupby("State")["n"].idxmax()].set_index("State")["County"]
    assert big["California"] == "Los Angeles" and big["Texas"] == "Harris"
    assert big["Illinois"] == "Cook" and big["New York"] == "Kings"
    skew = (by_state.max() / by_state.median())[by_state.size() > 10]
    assert (skew > 2).all() and skew.median() > 10  # real file: New Jersey 2.1, median 21
    assert pop["n"].min() >= 80


# ---- plausible numbers


def test_the_big_early_states_lead_on_2020_04_01(full_lake):
    f = state_figures(full_lake, "2020-04-01")
    for source in ("nyt", "nyt_counties", "jhu", "ctp"):
        col = f[source].dropna()
        assert col["CA"] > 1_000, source
        top = set(col.sort_values(ascending=False).index[:15])
        assert len(top & set(EARLY_LEADERS)) >= 8, (source, top)
        for lead in EARLY_LEADERS:
            assert col[lead] > 5 * max(col["WY"], col["AK"]), (source, lead)
    assert f["nyt"].idxmax() == "NY"
    assert 150_000 < f["nyt"].sum() < 400_000  # the real NYT total: about 215,000


def test_small_sample_california_and_every_jurisdiction_have_cases(small_lake):
    f = state_figures(small_lake, "2020-04-01")
    assert set(f.index) == SMALL_JURISDICTIONS
    assert (f[["nyt", "jhu", "ctp"]] > 0).all().all()
    assert f.loc["CA", "jhu"] > 100 and f.loc["NY", "nyt"] == f["nyt"].max()


def test_the_curve_has_three_waves_and_a_plausible_size(full_lake):
    usd = frame(full_lake, "us_daily").set_index("date")
    positive = usd["positive"].astype(int)
    assert positive["20200501"] == pytest.approx(1.1e6, rel=0.5)
    assert positive["20210307"] == pytest.approx(29e6, rel=0.2)
    assert usd["death"].astype(int)["20210307"] == pytest.approx(515e3, rel=0.3)
    daily = usd["positiveIncrease"].astype(int)
    assert daily["20200415"] > 1.5 * daily["20200601"]  # spring peak, then a lull
    assert daily["20200720"] > daily["20200601"]  # summer wave
    assert daily["20201215"] > 3 * daily["20200720"]  # winter wave


# ---- sources disagree, a little


def test_sources_disagree_by_a_few_percent(full_lake):
    f = state_figures(full_lake, "2020-04-20")
    f = f[f["nyt"] >= 1_000]
    assert len(f) >= 35
    for source in ("nyt_counties", "jhu", "ctp"):
        ratio = f[source] / f["nyt"]
        assert ratio.between(0.8, 1.15).all(), (source, ratio.sort_values())
        assert (ratio.round(6) != 1).mean() > 0.8, source  # not copies of each other
        assert abs(ratio.median() - 1) < 0.06, source


@pytest.mark.parametrize("scale", ["small", "full"])
def test_nyt_state_totals_are_not_the_sum_of_their_counties(scale, request):
    lake = request.getfixturevalue(scale + "_lake")
    county = frame(lake, "us_county")
    county["cases"] = county["cases"].astype(int)
    sums = county.groupby(["date", "state"])["cases"].sum()
    states = frame(lake, "us_states").set_index(["date", "state"])["cases"].astype(int)
    both = pd.DataFrame({"sum": sums, "state": states}).dropna()
    both = both[both["state"] >= 100]
    assert len(both) > 100
    ratio = both["sum"] / both["state"]
    assert (ratio != 1).mean() > 0.7
    assert (ratio > 1).any() and (ratio < 1).any()  # captured earlier on some days, later on others
    assert ratio.between(0.9, 1.1).mean() > 0.95 and abs(ratio.median() - 1) < 0.03
    assert ratio.between(0.5, 1.5).all()


def test_us_daily_is_another_revision_of_the_states(full_lake):
    sd = frame(full_lake, "states_daily")
    sums = sd.assign(p=sd["positive"].fillna("0").astype(int)).groupby("date")["p"].sum()
    usd = frame(full_lake, "us_daily").set_index("date")["positive"].astype(int)
    later = usd.index >= "20200401"
    diff = (usd[later] - sums[usd.index[later]]).abs()
    assert (diff > 0).mean() > 0.9
    assert (diff / usd[later]).max() < 0.01


# ---- the real files' quirks


def test_jhu_quirks(small_lake):
    raw = text(small_lake, "enigma_jhu")
    jhu = jhu_frame(small_lake)
    us = jhu[jhu["country_region"] == "US"]
    non_us = jhu[jhu["country_region"] != "US"]
    assert len(non_us) and non_us["fips"].isna().all()
    assert '"Korea, South"' in raw and '"Anhui, China"' in raw and '",,MS Zaandam"' in raw
    assert (us["active"] == 0).all() and (non_us["active"] != 0).any()

    def rows(**kw):
        m = pd.Series(True, index=jhu.index)
        for k, v in kw.items():
            m &= jhu[k].fillna("") == v
        return jhu[m]

    unassigned = rows(admin2="Unassigned", country_region="US")
    assert {"New York", "Michigan", "Washington"} <= set(unassigned["province_state"])
    assert unassigned["fips"].isna().all() and (unassigned["latitude"].isin(["0.0", "0"])).all()
    ny = unassigned[unassigned["province_state"] == "New York"]
    assert (ny["confirmed"] == 0).all() and ny["deaths"].max() > 0
    assert "Unassigned,Michigan,US" in set(unassigned["combined_key"])
    out_of = rows(admin2="Out of MI")
    assert len(out_of) and out_of["fips"].isna().all() and out_of["confirmed"].max() > 0
    for f, ship in (("88888", "Diamond Princess"), ("99999", "Grand Princess")):
        s = rows(fips=f)
        assert (s["province_state"] == ship).all() and s["admin2"].isna().all()
        assert set(s["latitude"]) <= {"0.0", "0"} and (s["country_region"] == "US").all()
    guam = rows(fips="66000")
    assert len(guam) and (guam["province_state"] == "Guam").all() and guam["admin2"].isna().all()
    pr = rows(province_state="Puerto Rico")
    assert len(pr) and pr["fips"].isna().all() and pr["admin2"].isna().all()
    assert not jhu["fips"].isin(["72", "66"]).any()
    rec = rows(province_state="Recovered", country_region="US")
    assert len(rec) and (rec[["confirmed", "deaths"]] == 0).all().all()
    assert rec["recovered"].max() > 0
    for name in ("Kansas City", "Dukes and Nantucket"):
        assert len(rows(admin2=name)) and rows(admin2=name)["fips"].isna().all(), name
    # New York City is one JHU row under 36061; the other boroughs are absent.
    assert set(rows(fips="36061")["admin2"]) == {"New York City"}
    assert not jhu["fips"].isin(set(NYC_BOROUGHS) - {"36061"}).any()
    # China provinces keep a stale timestamp.
    tibet = rows(province_state="Tibet")
    assert tibet["last_update"].nunique() < len(tibet) / 5
    assert (tibet["day"] < jhu["day"].max()).all()


def test_jhu_dona_ana_and_harris(small_lake):
    jhu = jhu_frame(small_lake)
    dona = jhu[jhu["admin2"].isin(["Dona Ana", "Doña Ana"])]
    per_day = {d: g for d, g in dona.groupby("day")}
    both = per_day["2020-03-26"]
    assert set(both["admin2"]) == {"Dona Ana", "Doña Ana"} and (both["fips"] == "35013").all()
    assert both.set_index("admin2")["confirmed"]["Doña Ana"] == 0
    assert both.set_index("admin2")["confirmed"]["Dona Ana"] > 0
    switched = per_day["2020-03-29"].set_index("admin2")
    assert pd.isna(switched["fips"]["Dona Ana"]) and switched["fips"]["Doña Ana"] == "35013"
    assert switched["confirmed"]["Doña Ana"] == 0
    late = per_day["2020-04-05"]
    assert list(late["admin2"]) == ["Dona Ana"] and late["fips"].isna().all()
    harris = jhu[(jhu["admin2"] == "Harris") & (jhu["province_state"] == "Texas")]
    odd = harris[harris["fips"].isna()]
    assert list(odd["day"]) == ["2020-03-31"] and odd["latitude"].isna().all()
    assert set(harris.loc[harris["fips"].notna(), "fips"]) == {"48201"}
    assert "2020-03-31" not in set(harris.loc[harris["fips"].notna(), "day"])


def test_jhu_fips_and_timestamps_change_format_on_three_days(small_lake):
    jhu = jhu_frame(small_lake)
    sheet = jhu["day"].isin(SHEET_DAYS)
    us_style = jhu["last_update"].str.fullmatch(r"\d{1,2}/\d{1,2}/\d\d \d{1,2}:\d\d")
    iso = jhu["last_update"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
    fresh = jhu["country_region"] != "China"  # stale stamps keep their old day
    assert us_style[sheet & fresh].all() and iso[~sheet & fresh].all()
    fips = jhu["fips"].dropna()
    four = fips.str.fullmatch(r"[1-9]\d{3}")
    assert four.any() and jhu.loc[four[four].index, "day"].isin(SHEET_DAYS).all()
    assert fips[~jhu.loc[fips.index, "day"].isin(SHEET_DAYS)].str.fullmatch(r"\d{5}").all()
    assert (fips == "06037").any() and (fips == "6037").any()
    zeros = jhu.loc[jhu["admin2"].eq("Unassigned"), ["day", "latitude"]]
    assert set(zeros.loc[zeros["day"].isin(SHEET_DAYS), "latitude"]) == {"0"}
    assert set(zeros.loc[~zeros["day"].isin(SHEET_DAYS), "latitude"]) == {"0.0"}


def test_jhu_repeats_some_regions_within_a_day_with_the_latest_report_first(small_lake):
    jhu = jhu_frame(small_lake).dropna(subset=["fips"])
    jhu = jhu[jhu["fips"] != "35013"].assign(pos=lambda x: range(len(x)))  # Doña Ana: own test
    repeated = jhu[jhu.duplicated(["fips", "day"], keep=False)]
    assert repeated.groupby(["fips", "day"]).size().eq(2).all() and len(repeated)
    # File order is not time order: the earlier report comes second.
    for _, g in repeated.groupby(["fips", "day"]):
        assert g.sort_values("pos")["ts"].is_monotonic_decreasing
        assert g["ts"].nunique() == 2


@pytest.mark.parametrize("scale", ["small", "full"])
def test_cumulative_counts_only_drop_at_documented_corrections(scale, request):
    lake = request.getfixturevalue(f"{scale}_lake")
    jhu = jhu_frame(lake).dropna(subset=["fips"])
    jhu = jhu[(jhu["country_region"] == "US") & (jhu["fips"] != "35013")]
    jhu["fips"] = jhu["fips"].str.zfill(5)
    latest = jhu.sort_values("ts").drop_duplicates(["fips", "day"], keep="last")
    latest = latest.sort_values(["fips", "day"])
    drops = latest[latest.groupby("fips")["confirmed"].diff() < 0]
    got = {(f, pd.Timestamp(d).date()) for f, d in zip(drops["fips"], drops["day"], strict=False)}
    assert got == set(corrections(scale))
    assert len(drops) >= 1
    county = frame(lake, "us_county").dropna(subset=["fips"])
    county["cases"] = county["cases"].astype(int)
    assert (county.sort_values("date").groupby("fips")["cases"].diff().dropna() >= 0).all()
    sd = frame(lake, "states_daily").dropna(subset=["positive"])
    sd["positive"] = sd["positive"].astype(int)
    assert (sd.sort_values("date").groupby("state")["positive"].diff().dropna() >= 0).all()


def test_nyt_quirks(small_lake):
    county = frame(small_lake, "us_county")
    no_fips = county[county["fips"].isna()]
    assert {"Unknown", "New York City", "Kansas City", "Joplin"} <= set(no_fips["county"])
    assert not county["fips"].isin(list(NYC_BOROUGHS)).any()  # the boroughs are folded into NYC
    territories = county[county["state"].isin(["Puerto Rico", "Guam"])]
    assert len(territories) and set(territories["county"]) == {"Unknown"}
    assert territories["fips"].isna().all()
    states = frame(small_lake, "us_states")
    assert states["fips"].str.fullmatch(r"\d\d").all()
    assert set(states["fips"]) == {STATE_BY_ABBR[a].fips for a in SMALL_JURISDICTIONS}


def test_states_daily_quirks(full_lake):
    sd = frame(full_lake, "states_daily")
    assert sd["date"].str.fullmatch(r"20\d{6}").all()
    assert sd["date"].is_monotonic_decreasing
    for c in ("dataQualityGrade", "grade", "positiveTestsAntibody", "totalTestsPeopleAntibody",
              "positiveTestsPeopleAntigen"):
        assert sd[c].isna().all(), c
    assert (sd[["score", "commercialScore"]] == "0").all().all()
    assert set(sd.dropna(subset=["probableCases"])["state"]) == {"ID", "MI", "ND", "VT", "WI"}
    assert set(sd.dropna(subset=["hospitalizedDischarged"])["state"]) <= {"NY", "RI"}
    assert sd.loc[sd["state"] == "NY", "hospitalizedCumulative"].isna().all()
    assert (sd["negativeIncrease"].dropna().astype(int) < 0).any()
    assert (sd["hospitalizedIncrease"].dropna().astype(int) < 0).any()
    assert sd["totalTestResultsSource"].nunique() >= 3
    assert sd["lastUpdateEt"].str.fullmatch(r"\d{1,2}/\d{1,2}/20\d\d \d\d:\d\d").all()
    assert sd["checkTimeEt"].str.fullmatch(r"\d\d/\d\d \d\d:\d\d").all()
    modified = pd.to_datetime(sd["dateModified"]).dt.strftime("%Y%m%d")
    assert (modified < sd["date"]).mean() > 0.1  # stale reports carried forward
    assert (sd["positiveIncrease"].dropna().astype(int) >= 0).all()


def test_us_daily_and_latest(small_lake):
    usd = frame(small_lake, "us_daily")
    assert usd["date"].is_monotonic_decreasing
    assert usd["dateChecked"].str.endswith("T24:00:00Z").all()
    assert (usd["lastModified"] == usd["dateChecked"]).all()
    assert usd["recovered"].isna().all() and (usd["total"] == "0").all()
    raw = raw_bytes(small_lake, "us_total_latest")
    assert not raw.endswith(b"\n")
    assert b'"NOTE: ""total"", ""posNeg"", ""hospitalized"" will be removed in the future."' in raw


def test_static_files(small_lake):
    cc = raw_bytes(small_lake, "countrycode")
    assert cc.startswith(b"\xef\xbb\xbf") and b"\r\n" in cc and not cc.endswith(b"\n")
    codes = frame(small_lake, "countrycode")
    names = codes.groupby("Alpha-2 code")["Country"].apply(set)
    assert {"Côte d'Ivoire", "Ivory Coast"} <= names["CI"]
    assert {"Myanmar", "Burma"} <= names["MM"] and len(names["VC"]) == 3
    assert names["US"] == {"US"}
    assert codes["Numeric code"].str.fullmatch(r"[1-9]\d*").all()
    pop = raw_bytes(small_lake, "countypopulation")
    assert pop.count(b"\r\n") == pop.count(b"\n") and pop.endswith(b"\r\n")
    abv = raw_bytes(small_lake, "state_abv")
    assert b"\r" not in abv
    abv = frame(small_lake, "state_abv")
    assert len(abv) == 51 and abv["Abbreviation"].str.fullmatch(r"[A-Z]{2}").all()
    assert {"District of Columbia", "New York"} <= set(abv["State"])


def test_hospital_beds_nulls_and_zip_codes(full_lake):
    h = frame(full_lake, "hospital_beds")
    n = len(h)
    missing = h.isna().sum()
    no_fips = h[h["FIPS"].isna()]
    assert len(no_fips) == 8
    assert no_fips[["COUNTY_NAME", "STATE_NAME", "STATE_FIPS", "CNTY_FIPS"]].isna().all().all()
    assert missing["HQ_ADDRESS1"] / n == pytest.approx(6_271 / 6_637, abs=0.03)
    assert missing["BED_UTILIZATION"] / n == pytest.approx(733 / 6_637, abs=0.02)
    assert missing["PEDI_ICU_BEDS"] / n == pytest.approx(798 / 6_637, abs=0.02)
    assert 0 < missing["NUM_LICENSED_BEDS"] < missing["NUM_STAFFED_BEDS"] < n * 0.1
    ct = h[h["HQ_STATE"] == "CT"]
    assert ct["HQ_ZIP_CODE"].str.fullmatch(r"[1-9]\d{3}").all()  # '6516': leading zero lost
    assert h["HQ_ZIP_CODE"].str.fullmatch(r"[1-9]\d{2,4}").all()  # Puerto Rico: '957'
    assert h.loc[h["HQ_STATE"] == "CA", "HQ_ZIP_CODE"].str.fullmatch(r"9\d{4}").all()
    first = json.loads(text(full_lake, "hospital_beds").splitlines()[0])
    assert isinstance(first["NUM_ICU_BEDS"], int)
    assert first["PEDI_ICU_BEDS"] is None or isinstance(first["PEDI_ICU_BEDS"], float)


# ---- determinism and size


def digest(lake: Path) -> dict[str, str]:
    return {k: hashlib.sha256((lake / k).read_bytes()).hexdigest() for k in sorted(DOC_KEYS)}


def test_same_seed_gives_identical_bytes_and_another_seed_differs(small_lake, tmp_path):
    again = tmp_path / "again"
    generate(again, scale="small", seed=DEFAULT_SEED)
    assert digest(again) == digest(small_lake)
    other = tmp_path / "other"
    generate(other, scale="small", seed=DEFAULT_SEED + 1)
    assert digest(other)[BY_NAME["enigma_jhu"].key] != digest(small_lake)[BY_NAME["enigma_jhu"].key]
    assert digest(other)[BY_NAME["countypopulation"].key] != \
        digest(small_lake)[BY_NAME["countypopulation"].key]


def test_small_scale_is_small(small_lake):
    total = sum((small_lake / k).stat().st_size for k in DOC_KEYS)
    assert total < 1_000_000
    pop = frame(small_lake, "countypopulation")
    assert 40 <= len(pop) <= 90
    assert set(pop["State"]) == {STATE_BY_ABBR[a].name for a in SMALL_JURISDICTIONS} - {"Guam"}


def test_cli_writes_the_lake(tmp_path):
    from covid_lake_dev.sample_lake import main

    assert main([str(tmp_path), "--scale", "small"]) == 0
    assert files_under(tmp_path) == DOC_KEYS

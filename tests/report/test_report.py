"""The report on a small warehouse built by hand: every figure the page shows equals a value
computed here from the inserted rows, not by the report's own functions; the page is written to
S3 and the local folder, once per update, and renders with no rows at all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest

from covid_lake.aws import redshift_io
from covid_lake.report import build
from covid_lake.tasks import settings
from tests.support.warehouse import TARGET, values, warehouse_emulator

RUN_AFTER = dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 27, 2, 31, tzinfo=dt.UTC)

# (fips, level, county, state, abbr, state_fips, population)
REGIONS = [
    ("36", "state", None, "New York", "NY", "36", 1_000_000),
    ("06", "state", None, "California", "CA", "06", 2_000_000),
    ("36061", "county", "New York", "New York", "NY", "36", 100_000),
    ("36047", "county", "Kings", "New York", "NY", "36", 50_000),
    ("06037", "county", "Los Angeles", "California", "CA", "06", 200_000),
    ("06075", "county", "San Francisco", "California", "CA", "06", None),  # no population
]
# (date_key, fips, positive, death, total_test_results, confirmed, deaths, nyt_cases, nyt_deaths)
FACTS = [
    (20200401, "36", 700, 48, 5000, 1000, 50, 1050, 52),    # cases 700..1050: 33% apart
    (20200402, "36", 1500, 66, 9000, 1600, 70, 1620, 71),   # 1500..1620: 7.4%, agree
    (20200401, "06", 30, 1, 800, 40, 2, 45, 2),             # 30..45 apart, but under the floor
    (20200402, "06", 490, 10, 10000, 500, 11, 510, 11),
]
# (date_key, fips, confirmed, nyt_cases)
COUNTY_FACTS = [
    (20200401, "36061", 100, 110), (20200402, "36061", 300, 310),
    (20200402, "36047", None, 100), (20200402, "06037", 50, 60), (20200402, "06075", 7, 8),
]
# (hospital_id, state_fips, county_fips, staffed, icu)
HOSPITALS = [(1, "36", "36061", 100, 10), (2, "36", "36047", 200, 20), (3, "06", "06037", 500, 50)]
# (run_date_key, dataset, reason, kind, row_count, of_rows)
AUDIT = [
    (20200401, "factcovid", "loaded", "loaded", 2, 2),
    (20200401, "factcovidcounty", "loaded", "loaded", 1, 1),
    (20200401, "us_county", "fips outside the 50 states and DC", "scope", 4, 40),
    (20200402, "factcovid", "loaded", "loaded", 2, 2),
    (20200402, "factcovidcounty", "loaded", "loaded", 4, 4),
    (20200402, "states_daily", "negative count", "reject", 1, 56),
]
CHECKS = [{"run_date": "2020-04-01", "start_date": "2020-04-01", "end_date": "2020-04-01",
           "checks_passed": 16, "checks_total": 16, "checked_at": "2026-11-27T01:00:00+00:00"},
          {"run_date": "2020-04-02", "start_date": "2020-04-02", "end_date": "2020-04-02",
           "checks_passed": 16, "checks_total": 16, "checked_at": "2026-11-27T02:00:00+00:00"}]


emulator = pytest.fixture(warehouse_emulator, scope="module", name="emulator")


@pytest.fixture(scope="module")
def clients(emulator):
    return emulator.client("redshift-data"), emulator.client("s3")


def _fill(rsd) -> None:
    statements = [
        "INSERT INTO dimdate VALUES (20200401, '2020-04-01', 2020, 2, 4, 'April', 1, 3, "
        "'Wednesday', 14, false), (20200402, '2020-04-02', 2020, 2, 4, 'April', 2, 4, "
        "'Thursday', 14, false)",
        "INSERT INTO dimregion (fips, region_level, county_name, state_name, state_abbr, "
        f"state_fips, population, country_region) VALUES "
        f"{values([(*r, 'US') for r in REGIONS])}",
        "INSERT INTO factcovid (date_key, fips, positive, death, total_test_results, confirmed, "
        f"deaths, nyt_cases, nyt_deaths) VALUES {values(FACTS)}",
        "INSERT INTO factcovidcounty (date_key, fips, confirmed, nyt_cases) VALUES "
        f"{values(COUNTY_FACTS)}",
        "INSERT INTO dimhospital (hospital_id, state_fips, county_fips, num_staffed_beds, "
        f"num_icu_beds) VALUES {values(HOSPITALS)}",
        "INSERT INTO runaudit (run_date_key, dataset, reason, kind, row_count, of_rows) VALUES "
        f"{values(AUDIT)}",
    ]
    for sql in statements:
        redshift_io.query(rsd, sql, TARGET)


def _settings(report_dir) -> settings.Settings:
    return dataclasses.replace(settings.load(lambda key, default: default),
                               report_dir=str(report_dir))


def _spec(page: str, section: str) -> dict:
    m = re.search(rf'<script type="application/json" id="spec-{section}">(.*?)</script>',
                  page, re.S)
    assert m, f"no chart in section {section}"
    return json.loads(m.group(1))


def _datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def _rows_with(spec: dict, column: str) -> list[dict]:
    return [row for rows in _datasets(spec) for row in rows
            if isinstance(row, dict) and column in row]


@pytest.fixture(scope="module")
def empty_report(clients, tmp_path_factory):
    rsd, s3 = clients
    out = tmp_path_factory.mktemp("empty-report")
    done = build.build_and_publish(rsd, s3, _settings(out), [], RUN_AFTER, now=NOW)
    return done, (out / "latest.html").read_text()


@pytest.fixture(scope="module")
def report(clients, empty_report, tmp_path_factory):
    rsd, s3 = clients
    _fill(rsd)
    out = tmp_path_factory.mktemp("report")
    done = build.build_and_publish(rsd, s3, _settings(out), CHECKS, RUN_AFTER, now=NOW)
    return done, out, (out / "latest.html").read_text()


def test_an_empty_warehouse_gives_a_page_that_says_so(empty_report):
    done, page = empty_report
    assert page.count("No data for this chart yet") == 5
    assert done["rows"]["state_sources"] == 0


def test_county_cases_per_100k_equal_the_rows(report):
    page = report[2]
    rows = {r["fips"]: r for r in _rows_with(_spec(page, "counties"), "cases_per_100k")}
    # latest date 2020-04-02: JHU confirmed, NYT where JHU has none, over the population
    assert rows["36061"]["cases_per_100k"] == pytest.approx(300 * 100_000 / 100_000)
    assert rows["36047"]["cases_per_100k"] == pytest.approx(100 * 100_000 / 50_000)
    assert rows["06037"]["cases_per_100k"] == pytest.approx(50 * 100_000 / 200_000)
    assert "06075" not in rows  # no population: no rate (grey on the map)
    assert "Cases per 100,000 people per county, 2020-04-02" in page


def test_testing_and_hospital_figures_equal_the_rows(report):
    page = report[2]
    testing = {r["state_abbr"]: r for r in _rows_with(_spec(page, "testing"), "positivity")}
    assert testing["NY"]["tests_per_100k"] == pytest.approx(9000 * 100_000 / 1_000_000)
    assert testing["NY"]["positivity"] == pytest.approx(1500 / 9000)
    assert testing["CA"]["positivity"] == pytest.approx(490 / 10000)
    beds = {(r["state_abbr"], r["beds"]): r for r in _rows_with(_spec(page, "hospitals"),
                                                                 "beds_per_100k")}
    assert beds["NY", "staffed beds"]["beds_per_100k"] == pytest.approx(300 * 100_000 / 1_000_000)
    assert beds["NY", "ICU beds"]["beds_per_100k"] == pytest.approx(30 * 100_000 / 1_000_000)
    assert beds["CA", "staffed beds"]["cases_per_100k"] == pytest.approx(500 * 100_000 / 2_000_000)


def test_sources_are_side_by_side_and_disagreements_are_named(report):
    page = report[2]
    rows = _rows_with(_spec(page, "sources"), "cases_disagree")
    ny_day1 = next(r for r in rows if r["state_name"] == "New York" and r["date"] == "2020-04-01")
    assert {k: ny_day1[k] for k in ("JHU|cases", "NYT|cases", "COVID Tracking|cases",
                                    "JHU|deaths", "NYT|deaths", "COVID Tracking|deaths")} == {
        "JHU|cases": 1000, "NYT|cases": 1050, "COVID Tracking|cases": 700,
        "JHU|deaths": 50, "NYT|deaths": 52, "COVID Tracking|deaths": 48}
    flagged = {(r["state_name"], m, r["date"]) for r in rows for m in ("cases", "deaths")
               if r[f"{m}_disagree"]}
    # only NY cases on 04-01 differ by > 10% of the highest with the highest >= 50
    assert flagged == {("New York", "cases", "2020-04-01")}
    assert ("The sources disagree by more than 10% on 1 state-days (0 on the latest date, "
            "2020-04-02); largest: New York cases on 2020-04-01") in page
    assert '"bind":{"input":"select"' in page.replace(" ", "")  # the state selector


def test_data_quality_per_run_date(report):
    page = report[2]
    spec = _spec(page, "quality")
    loaded = {(r["run_date"], r["table"]): r["row_count"] for r in _rows_with(spec, "table")}
    assert loaded == {("2020-04-01", "factcovid"): 2, ("2020-04-01", "factcovidcounty"): 1,
                      ("2020-04-02", "factcovid"): 2, ("2020-04-02", "factcovidcounty"): 4}
    left = {(r["run_date"], r["dataset"], r["kind"]): r["row_count"]
            for r in _rows_with(spec, "rule")}
    assert left == {("2020-04-01", "us_county", "scope"): 4,
                    ("2020-04-02", "states_daily", "reject"): 1}
    section = page[page.index('id="quality"'):]
    assert "Warehouse checks per run date" in section
    assert section.count("<td>2020-04-0") == 2 and "No warehouse check recorded" not in page


def test_every_chart_carries_its_sql_and_data(report):
    page = report[2]
    for name in ("state_sources", "county_cases", "testing", "hospital_capacity",
                 "data_quality"):
        sql = build.data.sql(name)
        assert sql.splitlines()[-1].replace("'", "&#39;").replace(">", "&gt;").replace(
            "<", "&lt;") in page
    assert page.count("data:text/csv;base64,") == 9  # sources 2, quality 4, the others 1
    assert page.count('class="note"') == 5


def test_the_page_is_written_to_s3_and_the_folder_once_per_update(report, clients):
    done, out, page = report
    rsd, s3 = clients
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="covid-lake",
                                                       Prefix="reports/")["Contents"])
    assert keys == ["reports/latest.html", "reports/updates/20261127T023000Z.html"]
    latest = s3.get_object(Bucket="covid-lake", Key="reports/latest.html")
    assert latest["ContentType"] == "text/html; charset=utf-8"
    assert latest["Body"].read().decode() == page
    assert (out / "updates" / "20261127T023000Z.html").read_text() == page
    assert done["bytes"] == len(page.encode())
    # a rerun of the same report run rewrites its own file, nothing else
    build.build_and_publish(rsd, s3, _settings(out), CHECKS, RUN_AFTER, now=NOW)
    assert sorted(o["Key"] for o in s3.list_objects_v2(
        Bucket="covid-lake", Prefix="reports/")["Contents"]) == keys
    assert (out / "latest.html").read_text() == page


def test_the_page_needs_nothing_from_the_network(report):
    page = report[2]
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', page)
    assert "vegaEmbed" in page and "<script src" not in page


def test_report_names_are_safe_file_names():
    assert build.update_name(dt.datetime(2020, 4, 1, 23, 0, tzinfo=dt.timezone(
        dt.timedelta(hours=-5)))) == "20200402T040000Z"
    with pytest.raises(ValueError, match="letters, digits"):
        build.report_keys("reports", "../x")


def test_a_long_history_is_not_cut_by_altairs_row_limit():
    import pandas as pd

    from covid_lake.report import charts

    days = pd.date_range("2020-01-22", periods=6000).strftime("%Y-%m-%d")
    wide = pd.DataFrame({"date": days, "state_abbr": "NY", "state_name": "New York",
                         **{c: 1.0 for c in ("jhu_cases", "nyt_cases", "tracking_cases",
                                              "jhu_deaths", "nyt_deaths", "tracking_deaths")},
                         "cases_disagree": False, "deaths_disagree": False})
    spec = build._spec(charts.state_sources(wide))
    assert sum(len(rows) for rows in spec["datasets"].values()) == 6000

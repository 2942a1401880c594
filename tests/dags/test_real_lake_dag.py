"""covid_lake_daily under `airflow dags test` on the real lake files: local_aws seeded with
`--lake ../shared/real-lake` (read in place); a full refresh loads every day the real files
cover, two daily runs (a 4-digit-FIPS day, a day of counties without fips) and a rerun follow,
and the warehouse is compared with figures tests/support/real_lake.py computes by hand from the
raw rows. (Four runs: each `airflow dags test` costs about a minute here.)"""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd
import pytest

from tests.support import real_lake as hand
from tests.support.emulator import start_emulator
from tests.support.pipeline import ROOT, Pipeline

pytestmark = pytest.mark.skipif(not hand.available(), reason=hand.SKIP_REASON)


@pytest.fixture(scope="module")
def real(airflow, tmp_path_factory):
    from covid_lake_dev.local_stack import POOLS_FILE

    done = airflow.run("pools", "import", str(POOLS_FILE), dags_folder=ROOT / "dags")
    assert done.returncode == 0, done.stderr[-2000:]
    emu = start_emulator(tmp_path_factory.mktemp("real-aws"), "--lake", str(hand.REAL_LAKE))
    yield Pipeline(airflow, emu)
    emu.stop()


FULL_REFRESH_DAY = hand.JHU_DAYS[-1]
DAILY = (dt.date(2020, 3, 28), dt.date(2020, 4, 1))  # 4-digit FIPS + '3/28/20' / counties w/o fips


@pytest.fixture(scope="module")
def every_day(real):
    """A full refresh (every day of the sources in one run), then two daily runs over it."""
    seconds, logs = {}, {}
    t0 = time.perf_counter()
    state, log = real.run_conf(FULL_REFRESH_DAY.isoformat(), full_refresh=True)
    seconds["full_refresh"] = time.perf_counter() - t0
    assert state == "success", f"full refresh ended {state}:\n{log[-8000:]}"
    full = real.snapshot()
    for day in DAILY:
        t0 = time.perf_counter()
        state, log = real.run(day.isoformat())
        seconds[day.isoformat()] = time.perf_counter() - t0
        assert state == "success", f"run {day} ended {state}:\n{log[-8000:]}"
        logs[day] = log
    print("real-lake runs (s): " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    return {"full_refresh": full, "snapshot": real.snapshot(), "logs": logs}


def test_every_day_of_the_real_fixture_loads_what_the_raw_rows_say(every_day):
    fact = pd.DataFrame(every_day["snapshot"]["factcovid"])
    assert {int(d.strftime("%Y%m%d")) for d in hand.JHU_DAYS} <= set(fact["date_key"])
    assert not fact.duplicated(["date_key", "fips"]).any()
    for day in hand.JHU_DAYS:
        today = fact[fact["date_key"] == int(day.strftime("%Y%m%d"))].set_index("fips")
        got = {f: int(v) for f, v in today["confirmed"].dropna().items()}
        assert got == hand.jhu_state_totals(day), day
        nyt = {f: (int(r["nyt_cases"]), int(r["nyt_deaths"]))
               for f, r in today.dropna(subset=["nyt_cases"]).iterrows()}
        assert nyt == hand.nyt_states(day), day
    wa = fact[(fact["fips"] == "53") & (fact["date_key"] == 20200401)].iloc[0]
    assert int(wa["confirmed"]) == 5_608


def test_a_daily_run_loads_the_rows_the_full_refresh_loaded(every_day):
    """Two daily runs over the full refresh's warehouse change nothing in the star: a day built
    alone equals the same day built with the whole history (facts, dimregion, dimdate)."""
    assert every_day["snapshot"] == every_day["full_refresh"]


def test_real_regions_only(every_day):
    region = pd.DataFrame(every_day["snapshot"]["dimregion"])
    states = set(region.loc[region["region_level"] == "state", "fips"])
    assert states == set(hand.state_fips_by_name().values())
    assert set(region.loc[region["region_level"] == "county", "fips"]) == hand.county_fips()
    county = pd.DataFrame(every_day["snapshot"]["factcovidcounty"])
    assert set(county["fips"]) <= hand.county_fips()
    harris = county[(county["fips"] == "48201") & (county["date_key"] == 20200331)].iloc[0]
    assert int(harris["confirmed"]) == 680  # JHU wrote Harris, Texas without fips that day


def test_the_report_is_in_the_log_the_xcom_and_the_warehouse(every_day, real):
    day = DAILY[-1]
    log = every_day["logs"][day]
    assert "non-US region (out of scope)" in log
    assert "duplicate keys (alpha-2 code) in the raw file" in log  # check_raw's raw quirks
    assert "'report': [" in log  # transform_and_publish's XCom, as `dags test` prints it
    audit = real.query(
        "SELECT dataset, reason, kind, row_count FROM runaudit WHERE run_date_key = :k",
        {"k": day.strftime("%Y%m%d")})
    rows = {(r["dataset"], r["reason"]): int(r["row_count"]) for r in audit}
    assert rows[("us_county", "no county fips: Unknown")] == hand.nyt_rows_without_fips(day)["Unknown"]
    assert rows[("enigma_jhu", "US row of no state or territory (cruise ship 88888/99999)")] == 2
    assert rows[("countrycode", "duplicate keys (alpha-2 code) in the raw file")] == 13
    loaded = {d: n for (d, reason), n in rows.items() if reason == "rows published"}
    assert loaded["factcovid"] == 56 and loaded["dimdate"] == 1
    # The row balance of the day, per daily dataset: everything read is accounted for.
    tally = real.query("SELECT dataset, row_count, of_rows FROM runaudit "
                       "WHERE run_date_key = :k AND kind = 'tally'", {"k": day.strftime("%Y%m%d")})
    read = {r["dataset"]: int(r["of_rows"]) for r in tally}
    assert read == {name: hand.rows_read(name, day) for name in
                    ("enigma_jhu", "us_county", "us_states", "states_daily")}
    assert all(int(r["row_count"]) == int(r["of_rows"]) for r in tally)
    per_run = real.query("SELECT run_date_key, count(*) AS n FROM runaudit GROUP BY 1 ORDER BY 1")
    assert [int(r["run_date_key"]) for r in per_run] == [20200328, 20200401]


def test_rerunning_a_real_day_changes_nothing(every_day, real):
    before = real.query("SELECT * FROM runaudit ORDER BY run_date_key, dataset, reason")
    state, log = real.run(DAILY[0].isoformat())
    assert state == "success", log[-6000:]
    assert real.snapshot() == every_day["snapshot"]
    assert real.query("SELECT * FROM runaudit ORDER BY run_date_key, dataset, reason") == before

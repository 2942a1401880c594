"""The whole covid_lake_daily DAG under `airflow dags test`, against local_aws seeded with the small
sample lake: the warehouse it builds, idempotent reruns, and failures that name their cause."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from covid_lake import redshift_io
from covid_lake.datasets import BY_NAME
from tests.local_aws.conftest import start_emulator
from tests.support.pipeline import ROOT, Pipeline

DAY1, DAY2 = "2020-04-01", "2020-04-02"


@pytest.fixture(scope="module")
def pipeline(airflow, tmp_path_factory):
    from covid_lake.local_stack import POOLS_FILE

    done = airflow.run("pools", "import", str(POOLS_FILE), dags_folder=ROOT / "dags")
    assert done.returncode == 0, done.stderr[-2000:]
    emu = start_emulator(tmp_path_factory.mktemp("dag-aws"), "--sample-scale", "small")
    yield Pipeline(airflow, emu)
    emu.stop()


def jhu_state_confirmed(lake: Path, state: str, day: str) -> int:
    """Independent of the pipeline: every US row of the state (counties, Unassigned, Out of),
    the latest report of each region that day, summed."""
    raw = gzip.decompress((lake / BY_NAME["enigma_jhu"].key).read_bytes()).decode()
    jhu = pd.read_csv(io.StringIO(raw), dtype=str)
    jhu = jhu[(jhu["country_region"] == "US") & (jhu["province_state"] == state)]
    jhu["ts"] = pd.to_datetime(jhu["last_update"], format="mixed")
    jhu = jhu[jhu["ts"].dt.date.astype(str) == day]
    region = jhu["admin2"].fillna("") + "|" + jhu["fips"].fillna("")
    latest = jhu.assign(region=region).sort_values("ts").drop_duplicates("region", keep="last")
    return int(latest["confirmed"].astype(int).sum())


@pytest.fixture(scope="module")
def two_days(pipeline):
    results = [pipeline.run(DAY1), pipeline.run(DAY2)]
    for (state, log), day in zip(results, (DAY1, DAY2)):
        assert state == "success", f"run {day} ended {state}:\n{log[-6000:]}"
    return pipeline.snapshot()


def test_two_dates_build_the_star_schema(two_days, small_lake):
    fact = pd.DataFrame(two_days["factcovid"])
    assert sorted(fact["date_key"].unique()) == [20200401, 20200402]
    # One row per state per day; the small lake has 11 jurisdictions.
    assert len(fact) == 22 and not fact.duplicated(["date_key", "fips"]).any()
    county = pd.DataFrame(two_days["factcovidcounty"])
    assert not county.duplicated(["date_key", "fips"]).any() and len(county) > 0
    assert set(fact["fips"]) <= {r["fips"] for r in two_days["dimregion"]}
    assert [r["date_key"] for r in two_days["dimdate"]] == [20200401, 20200402]
    wa = fact[(fact["fips"] == "53") & (fact["date_key"] == 20200402)].iloc[0]
    assert int(wa["confirmed"]) == jhu_state_confirmed(small_lake, "Washington", DAY2)


def test_rerunning_a_date_changes_nothing(two_days, pipeline):
    state, log = pipeline.run(DAY2)
    assert state == "success", log[-6000:]
    assert pipeline.snapshot() == two_days


@contextlib.contextmanager
def fault(pipeline: Pipeline, operation: str, count: int):
    """Arm a local_aws fault for the duration of the block (admin endpoint), then disarm."""
    base = f"{pipeline.emulator.endpoint_url}/_local_aws/faults"
    body = json.dumps({"operation": operation, "count": count}).encode()
    req = urllib.request.Request(base, data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).close()
    try:
        yield
    finally:
        urllib.request.urlopen(urllib.request.Request(base, method="DELETE")).close()


def test_failed_load_leaves_the_warehouse_as_it_was_and_a_retry_succeeds(two_days, pipeline):
    day3 = "2020-04-03"
    before = pipeline.snapshot()
    # The last COPY of the load's transaction fails, after the dimensions and factcovid have
    # been rewritten inside it; every attempt fails, so the run fails.
    with fault(pipeline, "COPY stage_factcovidcounty", 100):
        state, log = pipeline.run(day3)
    assert state == "failed", log[-4000:]
    assert "COPY stage_factcovidcounty failed by local_aws fault injection" in log
    assert "the whole batch was rolled back" in log
    assert pipeline.snapshot() == before  # nothing half loaded

    # One failure: the first job run fails, the task's retry starts a fresh job run that loads.
    with fault(pipeline, "COPY stage_factcovidcounty", 1):
        state, log = pipeline.run(day3)
    assert state == "success", log[-6000:]
    glue = pipeline.client("glue")
    runs = glue.get_job_runs(JobName="covid-lake-load-redshift")["JobRuns"]
    day3_runs = [r["JobRunState"] for r in runs if r["Arguments"].get("--run_date") == day3]
    assert day3_runs.count("SUCCEEDED") == 1 and "FAILED" in day3_runs
    after = pipeline.snapshot()
    assert {r["date_key"] for r in after["dimdate"]} == {20200401, 20200402, 20200403}
    assert len([r for r in after["factcovid"] if r["date_key"] == 20200403]) == 11


def test_a_source_missing_a_used_column_fails_the_profile_naming_it(pipeline):
    s3 = pipeline.client("s3")
    key = BY_NAME["us_states"].key
    original = s3.get_object(Bucket="covid19-lake", Key=key)["Body"].read()
    broken = pd.read_csv(io.BytesIO(original), dtype=str).drop(columns=["cases"])
    s3.put_object(Bucket="covid19-lake", Key=key, Body=broken.to_csv(index=False).encode())
    try:
        state, log = pipeline.run(DAY1)
    finally:
        s3.put_object(Bucket="covid19-lake", Key=key, Body=original)
    assert state == "failed"
    assert "dataset us_states: column 'cases' is missing" in log
    # A data error fails at once: one attempt, no retries with backoff (errors.fail_fast).
    assert log.count("[DAG TEST] starting task_id=check_raw ") == 1
    assert "AirflowFailException: RawContractError: dataset us_states" in log


def test_full_refresh_loads_every_date_of_the_sources(pipeline, small_lake):
    from covid_lake import star
    from covid_lake.clean import clean_lake, load_raw_from_dir

    state, log = pipeline.run_conf(DAY1, full_refresh=True)
    assert state == "success", log[-6000:]
    expected = star.build_full_history(clean_lake(load_raw_from_dir(small_lake))).counts()
    got = {r["table_name"]: int(r["row_count"]) for r in
           pipeline.query(redshift_io.sql_file("summary/row_counts.sql"))}
    for table in ("factcovid", "factcovidcounty", "dimdate"):
        assert got[table] == expected[table], table
    fact = pd.DataFrame(pipeline.snapshot()["factcovid"])
    assert not fact.duplicated(["date_key", "fips"]).any()


def test_a_day_without_reports_erases_nothing_earlier_runs_loaded(pipeline):
    """What the scheduler's daily run does once the lake has stopped growing: the date after its
    last day loads that date's row and no facts, succeeds, and leaves every region's attributes
    (coordinates come only from a day's JHU reports) as they were, so that the runs of a
    backfill may finish in any order."""
    state, log = pipeline.run(DAY1)  # a day with reports (loaded already when run in order)
    assert state == "success", log[-6000:]
    before = pipeline.snapshot()
    assert any(r["latitude"] is not None for r in before["dimregion"])
    state, log = pipeline.run("2026-11-23")
    assert state == "success", log[-6000:]
    after = pipeline.snapshot()
    assert after["dimregion"] == before["dimregion"]
    assert after["dimhospital"] == before["dimhospital"]
    assert after["factcovid"] == before["factcovid"]
    assert after["factcovidcounty"] == before["factcovidcounty"]
    assert [r["date_key"] for r in after["dimdate"]] == \
        [r["date_key"] for r in before["dimdate"]] + [20261123]

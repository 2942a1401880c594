"""The whole covid_lake_daily DAG under `airflow dags test`, against local_aws seeded with the small
sample lake: the warehouse it builds, idempotent reruns, and failures that name their cause."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from covid_lake.aws import redshift_io
from covid_lake.domain.datasets import BY_NAME, DATASETS
from covid_lake.tasks import settings
from tests.support.airflow_home import migrated
from tests.support.emulator import start_emulator
from tests.support.pipeline import ROOT, Pipeline

DAY1, DAY2 = "2020-04-01", "2020-04-02"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    from covid_lake_dev.local_stack import POOLS_FILE

    # A metadata DB of its own: the report test reads covid_lake_daily's Asset events, and other
    # files' runs of the DAG (the e2e file's reference replays other dates) share the session's.
    airflow = migrated(tmp_path_factory.mktemp("daily-airflow-home"))

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
    for (state, log), day in zip(results, (DAY1, DAY2), strict=True):
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
    # The load job's own output reached the task's log (verbose: CloudWatch Logs of the run).
    assert "Glue Job Run /aws-glue/python-jobs/output Logs:" in log
    assert f"loaded {DAY2}:" in log


def test_the_report_shows_the_warehouse_and_the_checks_each_run_passed(two_days, pipeline):
    state, log = pipeline.run_report()
    assert state == "success", log[-6000:]
    s3 = pipeline.client("s3")
    page = s3.get_object(Bucket="covid-lake", Key="reports/latest.html")["Body"].read().decode()
    updates = s3.list_objects_v2(Bucket="covid-lake", Prefix="reports/updates/")["Contents"]
    assert [o["Size"] for o in updates] == [len(page.encode())]
    # the checks come back from covid_lake_daily's Asset events (their extra), one per run date
    checks = page[page.index("Warehouse checks per run date"):].split("</table>")[0]
    rows = re.findall(r"<tr><td>(2020-04-0\d)</td><td class=\"num\">(\d+)</td>"
                      r"<td class=\"num\">(\d+)</td>", checks)
    assert sorted({r[0] for r in rows}) == [DAY1, DAY2]
    assert all(r[1] == r[2] and int(r[1]) > 10 for r in rows)
    assert "No data for this chart yet" not in page
    # the map's figures are the warehouse's rows of the latest date, over dimregion's population
    assert f"Cases per 100,000 people per county, {DAY2}" in page
    population = {r["fips"]: r["population"] for r in two_days["dimregion"]}
    want = {}
    for r in two_days["factcovidcounty"]:
        cases = r["confirmed"] if r["confirmed"] is not None else r["nyt_cases"]
        if r["date_key"] == 20200402 and cases is not None and population.get(r["fips"]):
            want[r["fips"]] = int(cases) * 100_000 / int(population[r["fips"]])
    spec = json.loads(re.search(r'id="spec-counties">(.*?)</script>', page, re.DOTALL).group(1))
    got = {row["fips"]: row["cases_per_100k"] for rows in spec["datasets"].values()
           for row in rows if isinstance(row, dict) and "cases_per_100k" in row}
    assert len(want) > 5 and got == pytest.approx(want)


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
    # each failed try failed in the worker (deferral.py), the provider's synchronous message
    assert log.count("FAILED within 20 s: failed here, not deferred") == 4
    assert "Exiting Job jr_" in log and "Run State: FAILED" in log
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


@contextlib.contextmanager
def published(pipeline: Pipeline, **damaged: Callable[[bytes], bytes]):
    """Upstream publishes damaged copies of some source objects; the good ones come back after."""
    s3 = pipeline.client("s3")
    originals = {}
    for name, damage in damaged.items():
        key = BY_NAME[name].key
        originals[key] = s3.get_object(Bucket="covid19-lake", Key=key)["Body"].read()
        s3.put_object(Bucket="covid19-lake", Key=key, Body=damage(originals[key]))
    try:
        yield
    finally:
        for key, body in originals.items():
            s3.put_object(Bucket="covid19-lake", Key=key, Body=body)


def _drop_cases(data: bytes) -> bytes:
    return pd.read_csv(io.BytesIO(data), dtype=str).drop(columns=["cases"]).to_csv(
        index=False).encode()


def _bad_byte_on_line_97(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[96] = lines[96].replace(b",", b"\xff,", 1)
    return b"\n".join(lines)


def _raw_versions(pipeline: Pipeline) -> dict[str, str]:
    s3 = pipeline.client("s3")
    return {d.name: s3.head_object(Bucket="covid-lake", Key=d.raw_key())["VersionId"]
            for d in DATASETS}


DAMAGES = {  # dataset: (what upstream published, what the run must say of it)
    "us_states": (_drop_cases, "has a changed header: column(s) ['cases'] missing"),
    "enigma_jhu": (lambda data: data[: len(data) // 2], "is a truncated gzip file"),
    "us_county": (_bad_byte_on_line_97, "is not UTF-8: byte 0xff at line 97"),
}


@pytest.fixture(scope="module")
def damaged_run(two_days, pipeline):
    """One run while three sources are damaged at once: their land tasks are independent
    (mapped), so each fails on its own, and one run shows all three."""
    before, raw_before = pipeline.snapshot(), _raw_versions(pipeline)
    with published(pipeline, **{name: damage for name, (damage, _) in DAMAGES.items()}):
        state, log = pipeline.run(DAY2)
    return {"state": state, "log": log, "before": before, "raw_before": raw_before,
            "after": pipeline.snapshot(), "raw_after": _raw_versions(pipeline)}


@pytest.mark.parametrize("name", list(DAMAGES), ids=["header-changed", "truncated-gzip", "not-utf8"])
def test_a_damaged_source_fails_at_landing_naming_it_and_changes_nothing(damaged_run, name):
    problem = DAMAGES[name][1]
    log = damaged_run["log"]
    assert damaged_run["state"] == "failed"
    key = BY_NAME[name].key
    assert (f"AirflowFailException: SourceFileError: dataset {name}: source object "
            f"s3://covid19-lake/{key} {problem}") in log
    # A data error fails at once (errors.fail_fast): one attempt, no retries with backoff; the
    # crawler and Athena never see the file.
    index = [d.name for d in DATASETS].index(name)
    assert log.count(f"[DAG TEST] starting task_id=land map_index={index} ") == 1
    assert "starting task_id=crawl " not in log and "starting task_id=profile " not in log
    assert damaged_run["raw_after"] == damaged_run["raw_before"]  # our raw copy was not replaced
    assert damaged_run["after"] == damaged_run["before"]


def _one_row(name: str, match: dict[str, str], column: str, value: str) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        hit = pd.Series(True, index=df.index)
        for col, want in match.items():
            hit &= df[col] == want
        assert hit.sum() == 1, (name, match)
        df.loc[hit, column] = value
        return df.to_csv(index=False).encode()
    return damage


def test_invalid_rows_are_quarantined_named_and_left_out_and_a_clean_rerun_restores(
        two_days, pipeline):
    """Three hostile rows on DAY2: a negative cumulative count (NYT Washington), an impossible
    date (NYT New York's row), Texas's COVID Tracking row under California's code. The run
    loads everything else, says what it left out, and a rerun after the sources are fixed
    gives back the clean warehouse."""
    before = pipeline.snapshot()
    day2 = DAY2.replace("-", "")
    s3 = pipeline.client("s3")
    with published(pipeline,
                   us_states=lambda d: _one_row("us_states", {"date": DAY2, "state": "New York"},
                                                "date", "2020-02-30")(
                       _one_row("us_states", {"date": DAY2, "state": "Washington"},
                                "cases", "-5")(d)),
                   states_daily=_one_row("states_daily", {"date": day2, "state": "TX"},
                                         "fips", "06")):
        # 1 row of the sample's 11 per dataset is 9%: above the default limit (5%), the run
        # fails naming the counts, the warehouse as it was, the rejected rows in quarantine.
        state, log = pipeline.run(DAY2)
        assert state == "failed"
        assert ("QuirkLimitError: data-quality findings above their limits (covid_lake_settings "
                "max_quirk_share / quirk_limits for quirks, max_reject_share / "
                "reject_limits for quarantined rows): dataset states_daily: fips: not the fips "
                "of the row's state code: 1 of 11 rows (9.1%) > limit 5.0%") in log
        assert log.count("[DAG TEST] starting task_id=transform_and_publish ") == 1
        assert pipeline.snapshot() == before
        assert s3.list_objects_v2(Bucket="covid-lake", Prefix=f"quarantine/us_states/"
                                  f"run_date={DAY2}/")["KeyCount"] == 1
        # With the limit raised for this run (the settings Variable from the environment), it loads.
        state, log = pipeline.run_conf(DAY2, env=settings.environment(max_reject_share="0.1"))
    assert state == "success", log[-6000:]
    after = pipeline.snapshot()
    fact = {(r["date_key"], r["fips"]): r for r in after["factcovid"]}
    old = {(r["date_key"], r["fips"]): r for r in before["factcovid"]}
    key = int(day2)
    assert fact[(key, "53")]["nyt_cases"] is None and old[(key, "53")]["nyt_cases"] is not None
    assert fact[(key, "36")]["nyt_cases"] is None
    assert fact[(key, "48")]["positive"] is None and old[(key, "48")]["positive"] is not None
    assert fact[(key, "06")]["positive"] == old[(key, "06")]["positive"]  # not Texas's figure
    for k in old:  # nothing else changed
        if k not in ((key, "53"), (key, "36"), (key, "48")):
            assert fact[k] == old[k], k
    quarantine = pd.read_csv(s3.get_object(
        Bucket="covid-lake",
        Key=f"quarantine/us_states/run_date={DAY2}/rejected.csv")["Body"])
    assert sorted(quarantine["reject_reasons"]) == [
        "cases: negative (a cumulative count never is)",
        "date: not a real calendar date (YYYY-MM-DD)"]
    audit = pipeline.query("SELECT dataset, reason, row_count FROM runaudit "
                           "WHERE run_date_key = :k AND kind = 'reject' ORDER BY 1, 2",
                           {"k": str(key)})
    assert [(r["dataset"], r["reason"], int(r["row_count"])) for r in audit] == [
        ("states_daily", "fips: not the fips of the row's state code", 1),
        ("us_states", "cases: negative (a cumulative count never is)", 1),
        ("us_states", "date: not a real calendar date (YYYY-MM-DD)", 1)]
    assert "dataset us_states: 2 row(s) rejected and quarantined at s3://covid-lake/" \
           "quarantine/us_states/run_date=2020-04-02/rejected.csv" in log

    # The sources are fixed upstream: the rerun lands them again and equals a clean run.
    state, log = pipeline.run(DAY2)
    assert state == "success", log[-6000:]
    assert pipeline.snapshot() == before
    listed = s3.list_objects_v2(Bucket="covid-lake", Prefix="quarantine/")
    assert [o["Key"] for o in listed.get("Contents", []) if f"run_date={DAY2}" in o["Key"]] == []


def test_full_refresh_loads_every_date_of_the_sources(pipeline, small_lake):
    from covid_lake.domain import star
    from covid_lake.domain.clean import clean_lake, load_raw_from_dir

    state, log = pipeline.run_conf(DAY1, full_refresh=True)
    assert state == "success", log[-6000:]
    expected = star.build_full_history(clean_lake(load_raw_from_dir(small_lake))).counts()
    got = {r["table_name"]: int(r["row_count"]) for r in
           pipeline.query(redshift_io.sql_file("summary/row_counts.sql"))}
    for table in ("factcovid", "factcovidcounty", "dimdate"):
        assert got[table] == expected[table], table
    fact = pd.DataFrame(pipeline.snapshot()["factcovid"])
    assert not fact.duplicated(["date_key", "fips"]).any()


def test_a_day_without_reports_erases_nothing_earlier_runs_loaded(two_days, pipeline):
    """What the scheduler's daily run does once the lake has stopped growing: the date after its
    last day loads that date's row and no facts, succeeds, and leaves every region's attributes
    (coordinates come only from a day's JHU reports) as they were, so that the runs of a
    backfill may finish in any order."""
    before = pipeline.snapshot()  # days with reports loaded (two_days, and whatever ran since)
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

"""The AWS cost model (benchmarks/aws_costs.py) on the sample lake: positive, internally
consistent figures, the queries the SQL files really make, and room under the Athena limit."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest import approx

from benchmarks import aws_costs
from covid_lake.domain.datasets import DATASETS

TIMINGS = {"daily": {"ddl": 0.1, "load": 2.0, "check": 0.3},
           "full_refresh": {"ddl": 0.1, "load": 75.0, "check": 0.4}}


def test_each_query_reads_the_tables_its_sql_names():
    queries = aws_costs.run_queries()
    assert queries.pop("profile") == {d.name for d in DATASETS}
    # jhu_regions reads enigma_jhu again (every report's regions, for dimregion)
    assert queries.pop("extract/jhu_regions") == {"enigma_jhu"}
    assert queries == {f"extract/{name}": {name} for name in
                       ("enigma_jhu", "us_county", "us_states", "states_daily", "hospital_beds",
                        "countypopulation", "state_abv", "countrycode")}
    assert aws_costs.tables_read("SELECT a FROM t1 -- FROM nope\nJOIN \"t2\" ON x "
                                 "{% if d %}WHERE a = '{{ d.iso }}'{% endif %}") == {"t1", "t2"}


def test_billing_rounds_up_to_the_megabyte_with_a_ten_megabyte_minimum():
    assert aws_costs.billed_bytes(1) == 10_000_000
    assert aws_costs.billed_bytes(22_000_001) == 23_000_000
    assert aws_costs.billed_bytes(30_000_000) == 30_000_000


def test_cost_model_on_the_small_sample(small_lake):
    c = aws_costs.costs(small_lake, TIMINGS)
    h, daily, backfill, full = c["history"], c["daily"], c["backfill"], c["full_refresh"]
    start, end = dt.date.fromisoformat(h["start"]), dt.date.fromisoformat(h["end"])
    assert start >= aws_costs.dag_start() == dt.date(2020, 1, 22)
    assert h["days"] == (end - start).days + 1 > 1

    sizes = c["object_bytes"]
    assert all(v > 0 for v in sizes.values()) and c["lake_bytes"] == sum(sizes.values())
    assert daily["queries"] == 10  # the profile and nine extracts
    assert daily["bytes_per_query"]["profile"] == c["lake_bytes"]  # whole objects, all ten
    assert daily["bytes_scanned"] == sum(daily["bytes_per_query"].values())
    assert daily["bytes_billed"] >= max(daily["bytes_scanned"], 10 * 10_000_000)
    # Whole objects are read whatever the WHERE: a full refresh scans what a day does.
    assert full["bytes_scanned"] == daily["bytes_scanned"]

    assert daily["glue_dpu_seconds"] == approx(0.0625 * 60)  # the 1-minute minimum
    assert full["glue_dpu_seconds"] == approx(0.0625 * 75)
    assert daily["redshift_rpu_seconds"] == approx(8 * 3 * 60)
    assert daily["redshift_rpu_seconds_low"] == approx(8 * 60)

    for key in ("queries", "bytes_scanned", "bytes_billed", "glue_dpu_seconds",
                "redshift_rpu_seconds"):
        assert backfill[key] == approx(daily[key] * h["days"]), key
    usd = daily["usd"]
    assert usd["total"] == approx(usd["athena"] + usd["glue"] + usd["redshift"])
    assert usd["athena"] == approx(daily["bytes_billed"] / 1e12 * 5)
    assert 0 < usd["total_low"] < usd["total"]
    assert backfill["usd"]["total"] == approx(usd["total"] * h["days"])
    assert c["first_crawl"]["usd"] == approx(2 * 600 / 3600 * 0.44)


@pytest.mark.slow
def test_full_lake_history_and_the_athena_limit(full_lake):
    c = aws_costs.costs(full_lake, aws_costs.LOCAL_FALLBACK)
    assert c["history"] == {"start": "2020-01-22", "end": "2021-03-07", "days": 411}
    # The workgroup's default cutoff must never cancel one of the pipeline's own queries.
    assert c["athena_cutoff_bytes"] >= 10 * c["max_query_bytes"]


def test_the_timings_are_measured_on_local_aws_as_the_dag_runs_the_steps():
    """`make bench` measures the load's and the checks' seconds on local_aws (the small sample
    here): the steps in the DAG's order, the CSV tables read as text before the extracts (without
    that step Athena refused the first extract, and `make bench` ended there)."""
    sizes, timings = aws_costs.measure("small", "2020-04-15")
    assert set(sizes) == {d.name for d in DATASETS} and all(n > 0 for n in sizes.values())
    assert set(timings) == {"daily", "full_refresh"}
    for run in timings.values():
        assert set(run) == {"ddl", "load", "check"} and all(0 < s < 120 for s in run.values())

"""The benchmark's comparison builds stay honest: on the same lake, the DuckDB SQL version of the
star schema has the pandas build's row counts, and the tutorial's merges show its defects."""

from __future__ import annotations

from benchmarks import cases


def test_duckdb_sql_star_agrees_with_pandas_build(small_lake):
    pandas_rows = cases.pandas_history(str(small_lake))["rows"]
    duck_rows = cases.duckdb_history(str(small_lake))["rows"]
    assert duck_rows == pandas_rows


def test_tutorial_merges_blow_up_and_duplicate_keys(small_lake):
    rows = cases.tutorial(str(small_lake))["rows"]
    assert rows["dimregion_duplicate_keys"] > 0  # a dimension with duplicate keys
    assert rows["dimdate"] > cases.pandas_history(str(small_lake))["rows"]["dimdate"]

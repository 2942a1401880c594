"""Parquet output: explicit Arrow types, the star/ layout, idempotent reruns, any filesystem."""

from __future__ import annotations

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from covid_lake.aws import parquet_io
from covid_lake.domain import star
from covid_lake.domain.contracts import DataContractError


@pytest.fixture
def built(hand_lake):
    return star.build_range(hand_lake, "2020-03-31", "2020-04-02")


def test_arrow_types_come_from_the_contract():
    s = parquet_io.arrow_schema("factcovidcounty")
    assert s.field("fips").type == pa.string() and not s.field("fips").nullable
    assert s.field("date_key").type == pa.int32()
    assert s.field("confirmed").type == pa.int64() and s.field("confirmed").nullable
    d = parquet_io.arrow_schema("dimdate")
    assert d.field("date").type == pa.date32() and d.field("is_weekend").type == pa.bool_()
    assert parquet_io.arrow_schema("dimregion").field("latitude").type == pa.float64()


def test_layout_types_and_round_trip(built, tmp_path):
    written = parquet_io.write_star(built.tables, str(tmp_path))
    rel = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.parquet"))
    assert rel == sorted([
        "star/dimdate/dimdate.parquet", "star/dimregion/dimregion.parquet",
        "star/dimhospital/dimhospital.parquet",
        "star/factcovid/date=2020-03-31/part-0.parquet",
        "star/factcovid/date=2020-04-01/part-0.parquet",
        "star/factcovid/date=2020-04-02/part-0.parquet",
        "star/factcovidcounty/date=2020-03-31/part-0.parquet",
        "star/factcovidcounty/date=2020-04-01/part-0.parquet",
    ])
    assert len(written["factcovid"]) == 3
    # the file itself holds exactly the contract's columns and types (FIPS as text, not numbers)
    f = pq.read_table(tmp_path / "star/factcovidcounty/date=2020-04-01/part-0.parquet")
    assert f.schema.equals(parquet_io.arrow_schema("factcovidcounty"), check_metadata=False)
    assert f.column("fips").to_pylist() == ["01001", "01003", "01005", "36061"]
    assert f.column("nyt_cases").to_pylist() == [13, None, None, None]
    for table in built.tables:
        back = parquet_io.to_pandas(table, parquet_io.read_table(table, str(tmp_path)))
        back = back.sort_values(list(back.columns[:2]) if table.startswith("fact")
                                else [back.columns[0]]).reset_index(drop=True)
        pd.testing.assert_frame_equal(back, built[table], obj=table)


def test_rerun_replaces_a_day_and_keeps_the_others(hand_lake, built, tmp_path):
    parquet_io.write_star(built.tables, str(tmp_path))
    day = star.build_day(hand_lake, "2020-04-01")
    parquet_io.write_star(day.tables, str(tmp_path))
    parquet_io.write_star(day.tables, str(tmp_path))
    fc = parquet_io.read_table("factcovid", str(tmp_path)).to_pandas()
    assert len(fc) == len(built["factcovid"])  # no duplicates after two reruns
    assert sorted(set(fc["date_key"])) == [20200331, 20200401, 20200402]
    dates = parquet_io.read_table("dimdate", str(tmp_path)).to_pandas()
    assert list(dates["date_key"]) == [20200401]  # a dimension is one object per run


def test_invalid_frame_is_not_written(built, tmp_path):
    bad = built["factcovid"].copy()
    bad.loc[0, "fips"] = "1"
    with pytest.raises(DataContractError):
        parquet_io.write_table("factcovid", bad, str(tmp_path))
    assert not list(tmp_path.rglob("*.parquet"))


def test_writes_through_an_fsspec_filesystem(built):
    fs = fsspec.filesystem("memory")
    root = "/covid-lake-test"
    parquet_io.write_star(built.tables, root, filesystem=fs)
    assert fs.exists(f"{root}/star/factcovid/date=2020-04-01/part-0.parquet")
    t = parquet_io.read_table("factcovid", root, filesystem=fs, dates=["2020-04-01"])
    assert t.num_rows == 4
    fs.rm(root, recursive=True)

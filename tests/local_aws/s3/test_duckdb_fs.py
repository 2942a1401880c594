"""DuckDB's view of the emulator's S3 (s3/duckdb_fs.py), in-process: it reads what moto holds now,
one version of an object per open file, and each query's session starts clean although the
databases behind the sessions are reused."""

from __future__ import annotations

import uuid

import duckdb
import pytest

from local_aws.s3 import duckdb_fs
from local_aws.s3 import objects as s3_data


@pytest.fixture
def bucket() -> str:
    name = f"duckdb-fs-{uuid.uuid4().hex[:12]}"
    s3_data.ensure_bucket(name, "us-east-1")
    return name


def test_a_query_reads_the_objects_as_they_are_now(bucket):
    s3_data.write(bucket, "t/a.csv", b"1,x\n2,y\n")
    with duckdb_fs.connect() as conn:
        assert conn.execute(f"SELECT count(*) FROM read_csv('s3://{bucket}/t/a.csv', header = false)"
                            ).fetchone() == (2,)
    s3_data.write(bucket, "t/a.csv", b"1,x\n2,y\n3,z\n")  # put again: the next query sees it
    with duckdb_fs.connect() as conn:
        assert conn.execute(f"SELECT count(*) FROM read_csv('s3://{bucket}/t/a.csv', header = false)"
                            ).fetchone() == (3,)


def test_an_open_file_never_mixes_two_versions(bucket):
    s3_data.write(bucket, "k", b"old content")
    with duckdb_fs._FILESYSTEM.open(f"s3://{bucket}/k", "rb") as f:
        assert f.read(3) == b"old"
        s3_data.write(bucket, "k", b"NEW CONTENT, longer")
        with pytest.raises(OSError, match="replaced while the query read it"):
            f.read()
    with duckdb_fs._FILESYSTEM.open(f"s3://{bucket}/k", "rb") as f:
        f.seek(4)
        assert f.read(7) == b"CONTENT"


def test_info_ls_and_missing_paths(bucket):
    s3_data.write(bucket, "dir/a.csv", b"a")
    s3_data.write(bucket, "dir/sub/b.csv", b"bb")
    fs = duckdb_fs._FILESYSTEM
    assert fs.info(f"s3://{bucket}/dir/sub/b.csv")["size"] == 2
    assert fs.info(f"s3://{bucket}/dir")["type"] == "directory"
    assert sorted(fs.ls(f"s3://{bucket}/dir", detail=False)) == [f"{bucket}/dir/a.csv", f"{bucket}/dir/sub"]
    assert fs.glob(f"s3://{bucket}/dir/*.csv") == [f"{bucket}/dir/a.csv"]
    with pytest.raises(FileNotFoundError):
        fs.info(f"s3://{bucket}/nothing")
    with pytest.raises(FileNotFoundError):
        fs.open(f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/k", "rb")
    with duckdb_fs.connect() as conn, pytest.raises(duckdb.Error):
        conn.execute(f"SELECT * FROM read_csv('s3://{bucket}/dir/missing.csv')").fetchall()


def test_the_filesystem_does_not_write(bucket):
    with pytest.raises(PermissionError):
        duckdb_fs._FILESYSTEM.open(f"s3://{bucket}/k", "wb")


def test_a_session_starts_clean_on_a_reused_database():
    with duckdb_fs.connect() as conn:
        conn.execute("CREATE TEMP TABLE leftover AS SELECT 1 AS x")
        conn.execute("SET integer_division = true")
    for _ in range(3):  # whichever database the pool hands out
        with duckdb_fs.connect() as conn:
            assert conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'leftover'"
                                ).fetchone() == (0,)
            assert conn.execute("SELECT 7 / 2").fetchone() == (3.5,)
            assert conn.execute("SELECT current_setting('disabled_optimizers')").fetchone() == ("type_pushdown",)


def test_concurrent_queries_use_different_databases():
    with duckdb_fs.connect() as one, duckdb_fs.connect() as two:
        one.execute("CREATE OR REPLACE MACRO only_here(x) AS x + 1")
        with pytest.raises(duckdb.CatalogException):
            two.execute("SELECT only_here(1)").fetchall()

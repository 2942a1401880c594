"""DuckDB connections that read s3:// paths from the emulator, through s3fs.

DuckDB's own S3 support lives in the httpfs extension, which it downloads on first use; that is
not possible offline. s3fs (an fsspec filesystem) registered on the connection serves s3:// paths
instead, talking to this emulator like any other S3 client.
"""

from __future__ import annotations

import threading

import duckdb
import s3fs

from local_aws.core import runtime

# Any credentials work against moto; these are the ones the tests and docs use.
_DUMMY_KEY = "testing"


_filesystems: dict[str, s3fs.S3FileSystem] = {}
_lock = threading.Lock()


def filesystem() -> s3fs.S3FileSystem:
    """One s3fs instance per emulator endpoint: building its client costs more than a small query."""
    endpoint = runtime.current().endpoint_url
    with _lock:
        if endpoint not in _filesystems:
            _filesystems[endpoint] = _new_filesystem(endpoint)
        return _filesystems[endpoint]


def _new_filesystem(endpoint: str) -> s3fs.S3FileSystem:
    return s3fs.S3FileSystem(
        key=_DUMMY_KEY,
        secret=_DUMMY_KEY,
        endpoint_url=endpoint,
        client_kwargs={"region_name": runtime.DEFAULT_REGION},
        # A query must see the objects as they are now, not as an earlier query listed them.
        use_listings_cache=False,
        skip_instance_cache=True,
    )


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection whose s3:// paths resolve against the emulator."""
    conn = duckdb.connect()
    conn.register_filesystem(filesystem())
    # DuckDB 2.0's type_pushdown moves TRY_CAST(text AS BIGINT) into the CSV reader as a strict
    # cast, so one bad value fails the query instead of reading as NULL (Hive's behaviour).
    conn.execute("SET disabled_optimizers = 'type_pushdown'")
    return conn

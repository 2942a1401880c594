"""DuckDB sessions that read s3:// paths of this emulator straight from its S3 backend.

DuckDB's own S3 support lives in the httpfs extension, which it downloads on first use; that is
not possible offline. An fsspec filesystem registered on the database serves s3:// paths
instead. It reads moto's objects in-process (as objects.py does): the data planes run inside the
server process, and reading through the emulator's own HTTP endpoint (s3fs, before) cost most of
a small query's time: a HEAD, a GET per range and a last-modified lookup per file, each a full
moto S3 request on the same two cores.

A DuckDB database costs ~15 ms to open, more than a small query takes; a cursor of an open one
costs ~0.03 ms. So each query gets a fresh cursor (its own DuckDB session: temp tables and
session settings end with it) of a database no other query is using at that moment (the
macros trino_macros.py creates outlive the query, and would otherwise be replaced under a
concurrent one). Databases are made on demand and kept for the next query.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime

import duckdb
from fsspec.spec import AbstractBufferedFile, AbstractFileSystem
from moto.s3.models import FakeKey

from local_aws.s3 import objects as s3_data


class EmulatorS3(AbstractFileSystem):
    """s3://bucket/key read-only, from moto's backend; writes go through objects.write."""

    protocol = ("s3", "s3a")
    cachable = False  # a query must see the objects as they are now

    def _key(self, path: str) -> tuple[str, str, FakeKey | None]:
        bucket, _, key = self._strip_protocol(path).partition("/")
        try:
            found = s3_data.backend().get_object(bucket, key) if key else None
        except Exception:  # no such bucket
            found = None
        return bucket, key, found

    def info(self, path: str, **kwargs) -> dict:
        bucket, key, found = self._key(path)
        if found is not None:
            return {"name": f"{bucket}/{key}", "size": found.size, "type": "file",
                    "LastModified": found.last_modified, "ETag": found.etag}
        prefix = f"{key.rstrip('/')}/" if key else ""
        try:
            if s3_data.list_keys(bucket, prefix) or not key:
                return {"name": f"{bucket}/{key}".rstrip("/"), "size": 0, "type": "directory"}
        except Exception:
            pass
        raise FileNotFoundError(path)

    def ls(self, path: str, detail: bool = True, **kwargs) -> list:
        bucket, key, found = self._key(path)
        if found is not None:
            entries = [self.info(path)]
        else:
            prefix = f"{key.rstrip('/')}/" if key else ""
            try:
                keys = s3_data.list_keys(bucket, prefix)
            except Exception:
                raise FileNotFoundError(path) from None
            if not keys and key:
                raise FileNotFoundError(path)
            children = sorted({k[len(prefix):].split("/", 1)[0] + ("/" if "/" in k[len(prefix):] else "")
                               for k in keys})
            entries = [self.info(f"{bucket}/{prefix}{child.rstrip('/')}") for child in children]
        return entries if detail else [e["name"] for e in entries]

    def modified(self, path: str) -> datetime:
        info = self.info(path)
        if info["type"] != "file":
            raise IsADirectoryError(path)
        return info["LastModified"]

    def _open(self, path: str, mode: str = "rb", block_size=None, autocommit=True,
              cache_options=None, **kwargs) -> _ObjectFile:
        if mode != "rb":
            raise PermissionError(f"{path}: DuckDB reads the emulator's S3 here; data planes "
                                  "write objects through local_aws.s3.objects")
        bucket, key, found = self._key(path)
        if found is None:
            raise FileNotFoundError(path)
        return _ObjectFile(self, f"{bucket}/{key}", found)


class _ObjectFile(AbstractBufferedFile):
    """One object's bytes, read by range from the version opened. An object put again while a
    query reads it fails the query (moto frees the old version's bytes), as Athena fails a
    query whose file changed under it, rather than reading half of each version."""

    def __init__(self, fs: EmulatorS3, path: str, key: FakeKey) -> None:
        self._object = key
        super().__init__(fs, path, mode="rb", cache_type="none", size=key.size)

    def _fetch_range(self, start: int, end: int) -> bytes:
        # moto's FakeKey.value reads under this lock too; the buffer may spill to a temp file
        with self._object.lock:
            try:
                buffer = self._object._value_buffer
                buffer.seek(start)
                return buffer.read(max(0, end - start))
            except ValueError:  # the buffer was closed: a newer version replaced this one
                raise OSError(f"s3://{self.path} was replaced while the query read it") from None


_FILESYSTEM = EmulatorS3()


class _Databases:
    """Open DuckDB databases not in use by a query."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[duckdb.DuckDBPyConnection] = []

    def take(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        database = duckdb.connect()
        database.register_filesystem(_FILESYSTEM)
        # Global settings (the database's, not a session's):
        # DuckDB 2.0's type_pushdown moves TRY_CAST(text AS BIGINT) into the CSV reader as a
        # strict cast, so one bad value fails the query instead of reading as NULL (Hive's way).
        database.execute("SET disabled_optimizers = 'type_pushdown'")
        # The database outlives a query: never serve an object's bytes a previous query cached.
        database.execute("SET enable_external_file_cache = false")
        return database

    def give_back(self, database: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            self._idle.append(database)


_databases = _Databases()


@contextlib.contextmanager
def connect() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh DuckDB session whose s3:// paths resolve against the emulator."""
    database = _databases.take()
    healthy = True
    try:
        with database.cursor() as session:
            yield session
    except (duckdb.FatalException, duckdb.InternalException):
        healthy = False  # DuckDB invalidates a database after these: never hand it out again
        raise
    finally:
        if healthy:
            _databases.give_back(database)
        else:
            database.close()

"""COPY and UNLOAD: Redshift's statements that read and write S3, on the emulator's S3 in-process.

COPY stages the objects under its prefix as local files and loads them with DuckDB's native CSV
and Parquet readers into the target table's columns; UNLOAD writes a query's rows as Redshift's
slices would (unload.py: the rules). A missing bucket or prefix fails as on Redshift.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import duckdb

from local_aws.core import faults
from local_aws.redshift.sql import CopyCommand, RedshiftSqlError, SqlCommand, translate
from local_aws.redshift.unload import UnloadCommand, delimited
from local_aws.s3 import objects as s3_data


def _keys_under(bucket: str, prefix: str) -> list[str]:
    """The keys COPY reads from, or UNLOAD would write over; a missing bucket fails as on Redshift."""
    try:
        return s3_data.list_keys(bucket, prefix)
    except Exception as exc:  # moto's MissingBucket and friends
        raise RedshiftSqlError(f"S3ServiceException: The specified bucket does not exist: "
                               f"{bucket} ({type(exc).__name__})") from None


def copy(cursor: duckdb.DuckDBPyConnection, copy: CopyCommand) -> int:
    # A statement-level fault ("COPY <table>"): fails inside a transaction, to prove rollbacks.
    if faults.registry.take(f"COPY {copy.table}") is not None:
        raise RedshiftSqlError(f"S3ServiceException: COPY {copy.table} failed by local_aws "
                               f"fault injection")
    bucket, prefix = s3_data.split_uri(copy.source)
    keys = _keys_under(bucket, prefix)
    if not keys:
        raise RedshiftSqlError(f"S3ServiceException: The specified S3 prefix '{prefix}' does not exist "
                               f"(COPY {copy.table} FROM '{copy.source}')")
    target = [(name, dtype) for name, dtype in _table_columns(cursor, copy.table)]
    if copy.columns:
        by_name = {name.lower(): (name, dtype) for name, dtype in target}
        missing = [c for c in copy.columns if c.lower() not in by_name]
        if missing:
            raise RedshiftSqlError(f"column {missing[0]!r} of relation {copy.table!r} does not exist")
        target = [by_name[c.lower()] for c in copy.columns]

    # Objects are staged as local files so DuckDB reads them with its native readers.
    staging = Path(tempfile.mkdtemp(prefix="local-aws-copy-"))
    try:
        files = []
        for n, key in enumerate(keys):
            path = staging / f"{n:06d}-{Path(key).name}"
            path.write_bytes(s3_data.read(bucket, key))
            files.append(str(path))
        source = _reader(copy, files)
        source_columns = [d[0] for d in cursor.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        if len(source_columns) != len(target):
            raise RedshiftSqlError(
                f"COPY {copy.table}: the files under {copy.source} have {len(source_columns)} "
                f"column(s) but the load expects {len(target)} "
                f"({'Extra column(s) found' if len(source_columns) > len(target) else 'Missing data for columns'})")
        select = ", ".join(_load_expression(src, dtype, copy)
                           for src, (_, dtype) in zip(source_columns, target, strict=False))
        insert_columns = ", ".join(_quote(name) for name, _ in target)
        cursor.execute(f"INSERT INTO {copy.table} ({insert_columns}) SELECT {select} FROM {source}")
        return int(cursor.fetchall()[0][0])
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def unload(cursor: duckdb.DuckDBPyConnection, unload: UnloadCommand,
            parameters: dict[str, str]) -> int:
    """Run UNLOAD's query in the statement's transaction and write its rows to S3 as one
    slice would (unload.py: the rules)."""
    commands = translate(unload.query, parameters)
    if len(commands) != 1 or not isinstance(commands[0], SqlCommand) or not commands[0].returns_rows:
        raise RedshiftSqlError("UNLOAD needs one SELECT statement")
    bucket, prefix = s3_data.split_uri(unload.target)
    if _keys_under(bucket, prefix) and not unload.allow_overwrite:
        raise RedshiftSqlError("Specified unload destination on S3 is not empty. Consider using "
                               "a different bucket / prefix, manually removing the target files "
                               "in S3, or using the ALLOWOVERWRITE option.")
    result = cursor.execute(commands[0].sql)
    if unload.format == "parquet":
        import pyarrow.parquet as pq

        table = result.to_arrow_table()
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        data, count = buffer.getvalue(), table.num_rows
    else:
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        data, count = delimited(unload, names, rows), len(rows)
    s3_data.write(bucket, unload.key(prefix), data)
    return count


def _table_columns(cursor: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    try:
        rows = cursor.execute(f"DESCRIBE {table}").fetchall()
    except duckdb.CatalogException:
        raise RedshiftSqlError(f'relation "{table}" does not exist') from None
    return [(r[0], r[1]) for r in rows]


def _reader(copy: CopyCommand, files: list[str]) -> str:
    file_list = "[" + ", ".join(_literal(f) for f in files) + "]"
    if copy.format == "parquet":
        return f"read_parquet({file_list})"
    options = {
        "header": "false",
        "skip": str(copy.ignore_header),  # applied to every file, as IGNOREHEADER is
        "delim": _literal(copy.delimiter),
        "quote": _literal(copy.quote or ""),
        "escape": _literal(copy.quote or ""),
        "compression": _literal("gzip" if copy.gzip else "none"),
        "all_varchar": "true",
        "auto_detect": "true",
        "null_padding": "false",
        "nullstr": _literal(copy.null_as if copy.null_as is not None else "\x00never-null\x00"),
    }
    return f"read_csv({file_list}, {', '.join(f'{k} = {v}' for k, v in options.items())})"


def _load_expression(source_column: str, dtype: str, copy: CopyCommand) -> str:
    column = _quote(source_column)
    if copy.format == "parquet":
        return f"CAST({column} AS {dtype})"
    if dtype == "VARCHAR":
        # Redshift keeps empty text fields as '' unless EMPTYASNULL.
        return f"NULLIF({column}, '')" if copy.empty_as_null else column
    # For every other type an empty field is NULL, and a bad value fails the load.
    return f"CAST(NULLIF(TRIM({column}), '') AS {dtype})"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"

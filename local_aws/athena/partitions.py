"""Writing a query's rows into Hive partitions, for partitioned CTAS and INSERT INTO.

Rows are first put in a DuckDB temp table; each distinct partition value then gets one Parquet
object under <table location>/<key>=<value>/..., and the partitions Glue lacks are added to it.
Athena writes at most 100 partitions per CTAS or INSERT INTO
(https://docs.aws.amazon.com/athena/latest/ug/ctas-insert-into.html, whose error text this
repeats). A NULL partition value (Hive's __HIVE_DEFAULT_PARTITION__) and values that Hive would
%-escape in a folder name are refused by name.
"""

from __future__ import annotations

import duckdb

from local_aws.athena import ddl as athena_ddl
from local_aws.athena.exceptions import AthenaQueryError
from local_aws.athena.sql import quote_identifier, quote_literal
from local_aws.glue import catalog as glue_catalog
from local_aws.glue.catalog import GlueBackend

MAX_PARTITIONS = 100
# Characters Hive writes %XX-escaped in a partition folder's name (FileUtils.escapePathName)
_ESCAPED_IN_FOLDERS = set('"#%\'*/:=?\\{[]^\x7f')

Partition = tuple[tuple[str, ...], str]  # (values as Glue holds them, location)


def write_partitions(conn: duckdb.DuckDBPyConnection, rows_table: str, table: str, location: str,
                     keys: list[str], data_columns: list[str], known: dict[tuple[str, ...], str],
                     query_id: str) -> tuple[int, list[str], list[Partition]]:
    """Write rows_table's data_columns, one Parquet object per value of keys; known: the table's
    partitions and their locations. Returns (rows, s3:// paths written, partitions to add)."""
    selected = ", ".join(quote_identifier(name) for name in data_columns)
    total, written, new = 0, [], []
    for texts in _partition_texts(conn, rows_table, table, keys):
        folder = known.get(texts) or (location.rstrip("/") + "/"
                                      + "".join(f"{k}={v}/" for k, v in zip(keys, texts, strict=False)))
        where = " AND ".join(f"CAST({quote_identifier(k)} AS VARCHAR) = {quote_literal(v)}"
                             for k, v in zip(keys, texts, strict=False))
        _, rows, files = athena_ddl.write_parquet(conn, f"SELECT {selected} FROM {rows_table} WHERE {where}",
                                                  folder, query_id, must_be_empty=False)
        total += rows
        written += files
        if texts not in known:
            new.append((texts, folder))
    return total, written, new


def add_partitions(glue: GlueBackend, database: str, name: str, partitions: list[Partition]) -> None:
    """Add the partitions to the Glue table, each with the table's storage descriptor."""
    if not partitions:
        return
    descriptor = glue_catalog.current_table_input(glue.get_table(database, name))["StorageDescriptor"]
    for values, location in partitions:
        glue.create_partition(database, name, {"Values": list(values),
                                               "StorageDescriptor": {**descriptor, "Location": location}})


def _partition_texts(conn: duckdb.DuckDBPyConnection, rows_table: str, table: str,
                     keys: list[str]) -> list[tuple[str, ...]]:
    """Each partition's values as the text of its folder name (key=value) and of its Glue Values."""
    texts = ", ".join(f"CAST({quote_identifier(k)} AS VARCHAR)" for k in keys)
    found = conn.execute(f"SELECT DISTINCT {texts} FROM {rows_table}").fetchall()
    if len(found) > MAX_PARTITIONS:
        raise AthenaQueryError("HIVE_TOO_MANY_OPEN_PARTITIONS",
                               f"Exceeded limit of {MAX_PARTITIONS} open writers for partitions/buckets")
    for row in found:
        for key, text in zip(keys, row, strict=False):
            if text is None:
                raise AthenaQueryError("NOT_SUPPORTED", f"local_aws does not write a NULL value of partition "
                                       f"column {key} (Hive's __HIVE_DEFAULT_PARTITION__) into {table}")
            if any(c in _ESCAPED_IN_FOLDERS or ord(c) < 32 for c in text):
                raise AthenaQueryError("NOT_SUPPORTED", f"local_aws does not write partition {key}={text!r} "
                                       f"of {table}: Hive escapes such a value in the folder name")
    return found

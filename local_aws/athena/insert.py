"""Athena's INSERT INTO for Hive tables stored as Parquet
(https://docs.aws.amazon.com/athena/latest/ug/insert-into.html).

What the page documents and local_aws does:
  * INSERT INTO table [(column, ...)] SELECT ... | VALUES (...), ...; columns not listed are NULL.
  * The new rows go to new objects under the table's location (a partition's own location for a
    partitioned table); partitions that do not exist yet are added to the Glue catalog.
  * At most 100 partitions per query (athena_partitions.py): ctas-insert-into.html, whose
    example then lists the partitions its INSERTs added with SHOW PARTITIONS.
  * The data manifest (<QueryID>-manifest.csv) lists the objects written
    (https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html), and
    GetQueryResults' UpdateCount is the number of rows inserted (API_GetQueryResults).
The query's column types must coerce to the table's as Trino coerces them implicitly, or the
query fails TYPE_MISMATCH ("Insert query has mismatched column types"), as Trino's analyzer does.

Not served (NOT_SUPPORTED, named): tables in formats other than Parquet (local_aws writes no
text, JSON, ORC or Avro), columns of complex types, and the partition values athena_partitions.py
refuses.
"""

from __future__ import annotations

import re

import duckdb
from sqlglot import exp

from local_aws.athena import ddl as athena_ddl
from local_aws.athena import partitions as athena_partitions
from local_aws.athena.exceptions import AthenaQueryError
from local_aws.athena.sql import duckdb_type, quote_identifier, to_duckdb
from local_aws.glue import catalog as glue_catalog
from local_aws.glue.catalog import CatalogError, GlueBackend, TableSpec

_INTEGERS = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT"]
_INTEGER_DIGITS = {"TINYINT": 3, "SMALLINT": 5, "INTEGER": 10, "BIGINT": 19}
_TRINO_NAMES = {"TINYINT": "tinyint", "SMALLINT": "smallint", "INTEGER": "integer", "BIGINT": "bigint",
                "HUGEINT": "bigint", "FLOAT": "real", "DOUBLE": "double", "VARCHAR": "varchar",
                "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp(3)", "BLOB": "varbinary",
                '"NULL"': "unknown", "NULL": "unknown"}


def insert_into(conn: duckdb.DuckDBPyConnection, glue: GlueBackend, tree: exp.Insert,
                default_database: str, query_id: str) -> tuple[int, list[str]]:
    """Run the INSERT; returns (rows inserted, s3:// paths written)."""
    if tree.args.get("overwrite"):
        raise AthenaQueryError("NOT_SUPPORTED", "local_aws does not run INSERT OVERWRITE (Athena's "
                               "INSERT INTO only appends: insert-into.html)")
    target = tree.this
    listed = [c.name.lower() for c in target.expressions] if isinstance(target, exp.Schema) else None
    table = target.this if isinstance(target, exp.Schema) else target
    spec = _target_table(glue, (table.db or default_database).lower(), table.name.lower())
    columns = list(spec.columns + spec.partition_keys)
    names = [name.lower() for name, _ in columns]
    if listed is not None:
        for name in listed:
            if name not in names:
                raise AthenaQueryError("COLUMN_NOT_FOUND",
                                       f"Insert column name does not exist in target table: {name}")
            if listed.count(name) > 1:
                raise AthenaQueryError("DUPLICATE_COLUMN_NAME",
                                       f"Insert column name is specified more than once: {name}")
    inserted = listed if listed is not None else names

    query = tree.expression
    if isinstance(query, exp.Values):
        query = exp.select("*").from_(exp.alias_(query, "_values", table=True))
    source = to_duckdb(conn, query, glue, default_database)
    query_types = [str(t) for t in conn.sql(source).types]
    table_types = {name.lower(): gtype for name, gtype in columns}
    wanted = [table_types[name] for name in inserted]
    if len(query_types) != len(wanted) or not all(map(_coercible, query_types, wanted)):
        raise AthenaQueryError(
            "TYPE_MISMATCH", "Insert query has mismatched column types: "
            f"Table: [{', '.join(_trino_type(t) for t in wanted)}], "
            f"Query: [{', '.join(_TRINO_NAMES.get(t, t.lower()) for t in query_types)}]")

    positional = ", ".join(f"c{i}" for i in range(len(query_types)))
    select = []
    for name, gtype in columns:
        kind = duckdb_type(gtype)
        if kind is None:
            raise AthenaQueryError("NOT_SUPPORTED", f"local_aws does not write column {name} of type {gtype} "
                                   f"(INSERT INTO {spec.database}.{spec.name})")
        value = f"c{inserted.index(name.lower())}" if name.lower() in inserted else "NULL"
        select.append(f"CAST({value} AS {kind}) AS {quote_identifier(name)}")
    conn.execute(f"CREATE TEMP TABLE _insert_rows AS SELECT {', '.join(select)} "
                 f"FROM ({source}) AS _inserted({positional})")
    if conn.execute("SELECT count(*) FROM _insert_rows").fetchone()[0] == 0:
        return 0, []  # no rows, no object
    if not spec.partition_keys:
        _, rows, written = athena_ddl.write_parquet(conn, "SELECT * FROM _insert_rows", spec.location,
                                                    query_id, must_be_empty=False)
        return rows, written
    rows, written, new = athena_partitions.write_partitions(
        conn, "_insert_rows", f"{spec.database}.{spec.name}", spec.location,
        [name for name, _ in spec.partition_keys], [name for name, _ in spec.columns],
        {p.values: p.location for p in spec.partitions}, query_id)
    athena_partitions.add_partitions(glue, spec.database, spec.name, new)
    return rows, written


def _target_table(glue: GlueBackend, database: str, name: str) -> TableSpec:
    try:
        spec = glue_catalog.table_spec(glue, database, name)
    except CatalogError as exc:
        if "does not exist" in str(exc):
            raise AthenaQueryError("TABLE_NOT_FOUND",
                                   f"Table 'awsdatacatalog.{database}.{name}' does not exist") from None
        raise AthenaQueryError("HIVE_UNSUPPORTED_FORMAT", str(exc)) from None
    if spec.format != "parquet":
        raise AthenaQueryError("NOT_SUPPORTED", f"local_aws writes INSERT INTO only into Parquet tables; "
                               f"{database}.{name} is stored as {spec.format}")
    return spec


def _coercible(query_type: str, table_type: str) -> bool:
    """Whether Trino coerces a query column of this (DuckDB) type to the table column's (Glue)
    type without a CAST: integers and decimals widen, to real and double too; real widens to
    double; text stays text; NULL goes anywhere."""
    source, target = query_type.upper(), (duckdb_type(table_type) or "").upper()
    if source in ("NULL", '"NULL"') or source == target:
        return True
    if source == "HUGEINT":
        source = "BIGINT"
    source_decimal = _decimal(source)
    if source in _INTEGERS:
        if target in _INTEGERS:
            return _INTEGERS.index(source) <= _INTEGERS.index(target)
        if target in ("FLOAT", "DOUBLE"):
            return True
        source_decimal = (_INTEGER_DIGITS[source], 0)
    if source_decimal is not None:
        if target in ("FLOAT", "DOUBLE"):
            return True
        target_decimal = _decimal(target)
        return target_decimal is not None and target_decimal[1] >= source_decimal[1] and \
            target_decimal[0] - target_decimal[1] >= source_decimal[0] - source_decimal[1]
    if source == "FLOAT":
        return target == "DOUBLE"
    if source.startswith("TIMESTAMP") and target == "TIMESTAMP":
        return "TIME ZONE" not in source
    return source == "DATE" and target == "TIMESTAMP"


def _decimal(kind: str) -> tuple[int, int] | None:
    found = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", kind)
    return (int(found[1]), int(found[2])) if found else None


def _trino_type(glue_type: str) -> str:
    kind = duckdb_type(glue_type)
    if kind is None or kind.startswith("DECIMAL"):  # decimal(p,s) and complex types: Glue's text
        return glue_type.lower()
    return _TRINO_NAMES.get(kind, glue_type.lower())

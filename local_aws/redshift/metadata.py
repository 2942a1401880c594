"""The Redshift Data API's metadata calls (ListDatabases, ListSchemas, ListTables, DescribeTable)
answered from the DuckDB files that hold each cluster's or workgroup's databases.

AWS runs these synchronously and filters with SQL LIKE patterns ("%" any substring, "_" one
character): https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ListTables.html
DuckDB's own schema `main` is internal here (Redshift's default is `public`) and never listed.
"""

from __future__ import annotations

from typing import Any

from local_aws.core import runtime
from local_aws.redshift import engine as redshift_engine

DEFAULT_DATABASE = "dev"  # every Redshift cluster and Serverless namespace has it
_HIDDEN_SCHEMAS = ("main",)
# information_schema.tables' table_type -> ListTables' type (TABLE, VIEW, LOCAL TEMPORARY, ...)
_TABLE_TYPES = {"BASE TABLE": "TABLE", "VIEW": "VIEW", "LOCAL TEMPORARY": "LOCAL TEMPORARY"}


def list_databases(target: tuple[str, str]) -> list[str]:
    folder = runtime.current().state_dir / "redshift" / f"{target[0]}-{target[1]}"
    names = {p.stem for p in folder.glob("*.duckdb")} if folder.is_dir() else set()
    return sorted(names | {DEFAULT_DATABASE})


def list_schemas(target: tuple[str, str], database: str, pattern: str | None) -> list[str]:
    rows = _query(target, database,
                  "SELECT DISTINCT schema_name FROM information_schema.schemata "
                  "WHERE catalog_name = current_database() AND schema_name LIKE ? "
                  "ORDER BY schema_name", [pattern or "%"])
    return [r[0] for r in rows if r[0] not in _HIDDEN_SCHEMAS]


def list_tables(target: tuple[str, str], database: str, schema_pattern: str | None,
                table_pattern: str | None) -> list[dict[str, str]]:
    rows = _query(target, database,
                  "SELECT table_schema, table_name, table_type FROM information_schema.tables "
                  "WHERE table_catalog = current_database() AND table_schema LIKE ? "
                  "AND table_name LIKE ? ORDER BY table_schema, table_name",
                  [schema_pattern or "%", table_pattern or "%"])
    return [{"name": name, "schema": schema, "type": _TABLE_TYPES.get(kind, kind)}
            for schema, name, kind in rows if schema not in _HIDDEN_SCHEMAS]


def describe_table(target: tuple[str, str], database: str, schema: str | None,
                   table: str | None) -> list[dict[str, Any]]:
    """Columns in table order: schemaName, tableName, name, DuckDB type, nullable, default."""
    rows = _query(target, database,
                  "SELECT table_schema, table_name, column_name, data_type, is_nullable, "
                  "column_default FROM information_schema.columns "
                  "WHERE table_catalog = current_database() AND table_schema LIKE ? "
                  "AND table_name LIKE ? ORDER BY table_schema, table_name, ordinal_position",
                  [schema if schema else "%", table if table else "%"])
    return [{"schemaName": s, "tableName": t, "name": c, "dtype": d, "nullable": n == "YES",
             "columnDefault": default} for s, t, c, d, n, default in rows
            if s not in _HIDDEN_SCHEMAS]


class UnknownDatabase(LookupError):
    pass


def _query(target: tuple[str, str], database: str, sql: str, params: list) -> list[tuple]:
    # A metadata call reads; it must not create the database it names (ListDatabases would then
    # list it). Only the default database exists before anything is written to it.
    if database != DEFAULT_DATABASE and not redshift_engine.database_path(target, database).exists():
        raise UnknownDatabase(f"database {database!r} does not exist in {target[0]} {target[1]}")
    db = redshift_engine.database(target, database)
    cursor = db.session()
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()

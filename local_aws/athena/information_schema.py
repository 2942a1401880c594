"""information_schema.tables and information_schema.columns, read from the Glue catalog.

Athena answers both from the AWS Glue Data Catalog (querying-glue-catalog-listing-tables.html,
querying-glue-catalog-listing-columns.html): one row per table or view of every database
(table_type 'BASE TABLE' or 'VIEW'), one row per column, partition keys included and marked
extra_info 'partition key', data_type in Trino's type names (a Glue string is a varchar). The
columns of each relation are Trino's (https://trino.io/docs/current/connector/system.html and
the information_schema of Trino's SQL engine). Other information_schema tables are refused by
name. Each is written to a DuckDB temporary table on the query's connection.
"""

from __future__ import annotations

import re

import duckdb

from local_aws.athena.exceptions import AthenaQueryError
from local_aws.glue import catalog as glue_catalog
from local_aws.glue.catalog import GlueBackend

CATALOG = "awsdatacatalog"
_RELATIONS = {
    "tables": ["table_catalog", "table_schema", "table_name", "table_type"],
    "columns": ["table_catalog", "table_schema", "table_name", "column_name", "ordinal_position",
                "column_default", "is_nullable", "data_type", "comment", "extra_info"],
}
_TYPES = {"string": "varchar", "int": "integer", "float": "real", "binary": "varbinary"}


def trino_type(hive_type: str) -> str:
    """A Glue (Hive) column type in Trino's words: string -> varchar, array<int> -> array(integer)."""
    text = hive_type.strip().lower()
    text = re.sub(r"\b(string|int|float|binary)\b", lambda m: _TYPES[m[1]], text)
    return text.replace("<", "(").replace(">", ")").replace(":", " ")


def install(conn: duckdb.DuckDBPyConnection, glue: GlueBackend, relation: str) -> str:
    """The name of a temporary table holding information_schema.<relation>."""
    if relation not in _RELATIONS:
        raise AthenaQueryError(
            "NOT_SUPPORTED", f"local_aws does not serve information_schema.{relation}: it serves "
            "information_schema.tables and information_schema.columns; read the rest of the catalog "
            "with Athena ListDatabases / ListTableMetadata or Glue GetTables")
    rows = []
    for database_name in sorted(glue.databases):
        for table_name, table in sorted(glue.databases[database_name].tables.items()):
            data = glue_catalog.current_table_input(table)
            view = data.get("TableType") == "VIRTUAL_VIEW"
            if relation == "tables":
                rows.append((CATALOG, database_name, table_name, "VIEW" if view else "BASE TABLE"))
                continue
            columns = [(c, None) for c in (data.get("StorageDescriptor") or {}).get("Columns") or []]
            columns += [(c, "partition key") for c in data.get("PartitionKeys") or []]
            for position, (column, extra) in enumerate(columns, start=1):
                rows.append((CATALOG, database_name, table_name, column["Name"], position, None, "YES",
                             trino_type(column.get("Type", "string")), column.get("Comment"), extra))
    name = f"_information_schema_{relation}"
    names = _RELATIONS[relation]
    types = {"ordinal_position": "BIGINT"}
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {name} ("
                 + ", ".join(f"{n} {types.get(n, 'VARCHAR')}" for n in names) + ")")
    if rows:
        conn.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in names)})", rows)
    return name

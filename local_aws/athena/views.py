"""Athena views: CREATE [OR REPLACE] VIEW, DROP VIEW, and a view read as its query.

  CREATE [ OR REPLACE ] VIEW view_name AS query      create-view.html
  DROP VIEW [ IF EXISTS ] view_name                  drop-view.html

A view is stored as Athena stores it, a Glue table (so Glue's GetTable, awswrangler and the
Glue console see what AWS shows): TableType VIRTUAL_VIEW, Parameters presto_view=true and
comment "Presto View", ViewExpandedText "/* Presto View */", ViewOriginalText
"/* Presto View: <base64 of the view's JSON> */" (Glue API_TableInput.html: "If the table is a
VIRTUAL_VIEW, certain Athena configuration encoded in base64"), the JSON being Trino's view
definition: originalSql, catalog, schema, columns [{name, type}] in Trino's type names. The
StorageDescriptor lists the columns in Hive's type names.

A query that names a view reads the view's originalSql, resolved in the view's own schema;
Trino's VIEW_IS_RECURSIVE ends a view that reaches itself.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from moto.glue.exceptions import EntityNotFoundException

from local_aws.athena.exceptions import AthenaQueryError
from local_aws.glue import catalog as glue_catalog
from local_aws.glue.catalog import GlueBackend

_PREFIX, _SUFFIX = "/* Presto View: ", " */"
_CREATE_VIEW = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:\"[^\"]*\"|`[^`]*`|[^\s\"`(])+\s+AS\s+(?P<query>.*)$",
    re.I | re.S)

# DuckDB result types -> (Trino type, Hive type); DECIMAL(p,s) is handled apart.
_TYPES = {
    "VARCHAR": ("varchar", "string"), "BIGINT": ("bigint", "bigint"), "HUGEINT": ("bigint", "bigint"),
    "INTEGER": ("integer", "int"), "SMALLINT": ("smallint", "smallint"), "TINYINT": ("tinyint", "tinyint"),
    "DOUBLE": ("double", "double"), "FLOAT": ("real", "float"), "BOOLEAN": ("boolean", "boolean"),
    "DATE": ("date", "date"), "TIMESTAMP": ("timestamp", "timestamp"), "BLOB": ("varbinary", "binary"),
}


@dataclass(frozen=True)
class View:
    """A view as a query reads it; columns and partition_keys as TableSpec has them."""
    database: str
    name: str
    original_sql: str
    schema: str
    columns: tuple[tuple[str, str], ...]  # (name, Hive type)
    partition_keys: tuple = ()
    format: str = "view"


def _column_types(duck_type: str) -> tuple[str, str]:
    decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", duck_type)
    if decimal:
        return (f"decimal({decimal[1]},{decimal[2]})",) * 2
    if duck_type not in _TYPES:
        raise AthenaQueryError("NOT_SUPPORTED", f"local_aws does not store a view column of DuckDB type "
                               f"{duck_type} (arrays, maps and rows included)")
    return _TYPES[duck_type]


def lookup(glue: GlueBackend, database: str, name: str) -> View | None:
    """The view database.name, or None if it is not a view (or does not exist)."""
    try:
        table = glue_catalog.current_table_input(glue.get_table(database, name))
    except EntityNotFoundException:
        return None
    if table.get("TableType") != "VIRTUAL_VIEW":
        return None
    text = table.get("ViewOriginalText") or ""
    if not (text.startswith(_PREFIX) and text.endswith(_SUFFIX)):
        raise AthenaQueryError("NOT_SUPPORTED", f"view {database}.{name} is not a Presto view "
                               "(its ViewOriginalText is not '/* Presto View: ... */'); local_aws reads "
                               "Athena's views only")
    definition = json.loads(base64.b64decode(text[len(_PREFIX):-len(_SUFFIX)]))
    columns = tuple((c["Name"], c.get("Type", "string"))
                    for c in (table.get("StorageDescriptor") or {}).get("Columns") or [])
    return View(database, name, definition["originalSql"], definition.get("schema") or database, columns)


def original_sql(statement: str) -> str:
    """The query of a CREATE VIEW statement as it was typed: what Athena keeps as originalSql."""
    found = _CREATE_VIEW.match(statement)
    if not found:
        raise AthenaQueryError("SYNTAX_ERROR", "expected CREATE [OR REPLACE] VIEW view_name AS query")
    return found["query"].strip()


def create_view(glue: GlueBackend, database: str, name: str, query: str, replace: bool,
                columns: list[tuple[str, str]]) -> None:
    """columns: the query's result columns, (name, DuckDB type)."""
    if database not in glue.databases:
        raise AthenaQueryError("SCHEMA_NOT_FOUND", f"Schema {database} does not exist")
    existing = glue.databases[database].tables.get(name)
    if existing is not None:
        if glue_catalog.current_table_input(existing).get("TableType") != "VIRTUAL_VIEW":
            raise AthenaQueryError("TABLE_ALREADY_EXISTS", f"Table already exists: 'awsdatacatalog.{database}.{name}'")
        if not replace:
            raise AthenaQueryError("ALREADY_EXISTS", f"View already exists: 'awsdatacatalog.{database}.{name}'")
    typed = [(n.lower(), *_column_types(t)) for n, t in columns]
    definition = {"originalSql": query, "catalog": "awsdatacatalog", "schema": database,
                  "columns": [{"name": n, "type": trino} for n, trino, _ in typed]}
    encoded = base64.b64encode(json.dumps(definition).encode()).decode()
    table_input: dict[str, Any] = {
        "Name": name, "TableType": "VIRTUAL_VIEW",
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "ViewOriginalText": f"{_PREFIX}{encoded}{_SUFFIX}", "ViewExpandedText": "/* Presto View */",
        "PartitionKeys": [],
        "StorageDescriptor": {"Columns": [{"Name": n, "Type": hive} for n, _, hive in typed],
                              "Location": "", "InputFormat": "", "OutputFormat": "", "Compressed": False,
                              "NumberOfBuckets": 0, "SerdeInfo": {}, "StoredAsSubDirectories": False},
    }
    if existing is not None:
        glue.delete_table(database, name)
    glue.create_table(database, name, table_input)


def drop_view(glue: GlueBackend, database: str, name: str, if_exists: bool) -> None:
    """Trino's DROP VIEW: a table of that name is not dropped, and says so."""
    try:
        table = glue_catalog.current_table_input(glue.get_table(database, name))
    except EntityNotFoundException:
        if if_exists:
            return
        raise AthenaQueryError("TABLE_NOT_FOUND", f"View 'awsdatacatalog.{database}.{name}' does not exist") from None
    if table.get("TableType") != "VIRTUAL_VIEW":
        raise AthenaQueryError("GENERIC_USER_ERROR", f"View 'awsdatacatalog.{database}.{name}' does not exist, "
                               f"but a table with that name exists. Did you mean DROP TABLE {database}.{name}?")
    glue.delete_table(database, name)

"""DESCRIBE, SHOW COLUMNS and SHOW CREATE TABLE, answered from the Glue catalog as Athena's Hive
side answers them (StatementType UTILITY, a .txt result, no header row: show.py says how).

  DESCRIBE [db_name.]table_name                       describe-table.html, describe-view.html
  SHOW COLUMNS {FROM|IN} [db.]table [{FROM|IN} db]    show-columns.html
  SHOW CREATE TABLE [db_name.]table_name              show-create-table.html

DESCRIBE: the result's ColumnInfo names three columns (col_name, data_type, comment) while each
row holds one value, the three fields padded and joined by tabs (uber/athenadriver
resources/UndocumentedAthena.md, "ColumnInfo has more number of columns than Rows[0].Data";
describe-table.html's example rows "requestbegintime string from deserializer"). Fields are
padded to 20 characters as Hive's MetaDataFormatUtils pads them; partition columns follow the
columns under "# Partition Information", as Hive prints them. DESCRIBE EXTENDED / FORMATTED,
PARTITION (...) and a column path are refused by name.
SHOW COLUMNS: "only the column names" (show-columns.html), one a row, partition keys last.
SHOW CREATE TABLE: the DDL one line a row, in Hive's layout (createtab_stmt; UndocumentedAthena.md's
sample), which CREATE EXTERNAL TABLE reads back.
"""

from __future__ import annotations

import re
from typing import Any

from moto.glue.exceptions import EntityNotFoundException

from local_aws.athena.exceptions import AthenaQueryError
from local_aws.glue import catalog as glue_catalog
from local_aws.glue.catalog import GlueBackend

_NAME = r"(?:`[^`]+`|\"[^\"]+\"|\w+)"
_QUALIFIED = rf"(?P<first>{_NAME})(?:\.(?P<second>{_NAME}))?"
_DESCRIBE = re.compile(rf"^(?:DESCRIBE|DESC)\s+(?P<mode>EXTENDED\s+|FORMATTED\s+)?{_QUALIFIED}(?P<rest>.*)$",
                       re.I | re.S)
_SHOW_COLUMNS = re.compile(rf"^SHOW\s+COLUMNS\s+(?:FROM|IN)\s+{_QUALIFIED}(?:\s+(?:FROM|IN)\s+(?P<db>{_NAME}))?$",
                           re.I)
_SHOW_CREATE_TABLE = re.compile(rf"^SHOW\s+CREATE\s+TABLE\s+{_QUALIFIED}$", re.I)
# SHOW CREATE TABLE `db.table` (UndocumentedAthena.md) quotes both parts in one pair of backticks
_BACKTICKED_PAIR = re.compile(r"^`(?P<db>[^`.]+)\.(?P<table>[^`.]+)`$")

ALIGNMENT = 20  # Hive's MetaDataFormatUtils.ALIGNMENT


def is_describe(statement: str) -> bool:
    return bool(_DESCRIBE.match(statement) or _SHOW_COLUMNS.match(statement)
                or _SHOW_CREATE_TABLE.match(statement))


def _bare(name: str | None) -> str | None:
    return name.strip('`"').lower() if name else None


def _table_of(found: re.Match, default_database: str) -> tuple[str, str]:
    first, second = found["first"], found["second"]
    pair = _BACKTICKED_PAIR.match(first) if not second else None
    if pair:
        return pair["db"].lower(), pair["table"].lower()
    if second:
        return _bare(first), _bare(second)
    return (_bare(found.groupdict().get("db")) or default_database), _bare(first)


def _table_input(glue: GlueBackend, database: str, name: str) -> dict[str, Any]:
    try:
        return glue_catalog.current_table_input(glue.get_table(database, name))
    except EntityNotFoundException:
        # describe-table.html: "FAILED: SemanticException [Error 10001]: Table not found table"
        raise AthenaQueryError("FAILED", f"SemanticException [Error 10001]: Table not found "
                                         f"{database}.{name}") from None


def describe(glue: GlueBackend, statement: str, default_database: str) -> tuple[list[str], list[str]]:
    """(the result's column names, its rows: one value each) for one of the statements above."""
    found = _DESCRIBE.match(statement)
    if found:
        if found["first"].upper() == "TABLE" and found["rest"].strip():
            # describe-table.html: "The syntax for this statement is DESCRIBE table_name, not DESCRIBE
            # TABLE table_name. Using the latter syntax results in the error message FAILED:
            # SemanticException [Error 10001]: Table not found table."
            raise AthenaQueryError("FAILED", "SemanticException [Error 10001]: Table not found table")
        if found["mode"] or found["rest"].strip():
            raise AthenaQueryError("NOT_SUPPORTED", "local_aws runs DESCRIBE [db_name.]table_name only "
                                   "(not EXTENDED, FORMATTED, PARTITION or a column path)")
        table = _table_input(glue, *_table_of(found, default_database))
        return ["col_name", "data_type", "comment"], _describe_rows(table)
    found = _SHOW_COLUMNS.match(statement)
    if found:
        table = _table_input(glue, *_table_of(found, default_database))
        return ["field"], [c["Name"] for c in _columns(table) + list(table.get("PartitionKeys") or [])]
    found = _SHOW_CREATE_TABLE.match(statement)
    if found:
        database, name = _table_of(found, default_database)
        table = _table_input(glue, database, name)
        if table.get("TableType") == "VIRTUAL_VIEW":
            raise AthenaQueryError("NOT_SUPPORTED", f"{database}.{name} is a view: local_aws does not run "
                                   "SHOW CREATE VIEW (its text is in the view's Glue table, ViewOriginalText)")
        return ["createtab_stmt"], create_table_lines(database, name, table)
    raise AthenaQueryError("SYNTAX_ERROR", f"local_aws cannot read this statement: {statement!r}")


def _columns(table: dict[str, Any]) -> list[dict[str, Any]]:
    return list((table.get("StorageDescriptor") or {}).get("Columns") or [])


def _row(*fields: str) -> str:
    return "\t".join(f"{field:<{ALIGNMENT}}" for field in fields)


def _describe_rows(table: dict[str, Any]) -> list[str]:
    def field(c: dict[str, Any]) -> str:
        return _row(c["Name"], c.get("Type", "string"), c.get("Comment") or "")

    rows = [field(c) for c in _columns(table)]
    keys = list(table.get("PartitionKeys") or [])
    if keys:
        rows += [field(c) for c in keys]
        rows += ["\t \t ", "# Partition Information\t \t ", "# " + _row("col_name", "data_type", "comment"), "\t \t "]
        rows += [field(c) for c in keys]
    return rows


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def create_table_lines(database: str, name: str, table: dict[str, Any]) -> list[str]:
    descriptor = table.get("StorageDescriptor") or {}
    serde = descriptor.get("SerdeInfo") or {}
    def column(c: dict[str, Any]) -> str:
        comment = f" COMMENT {_quoted(c['Comment'])}" if c.get("Comment") else ""
        return f"  `{c['Name']}` {c.get('Type', 'string')}{comment}"

    columns = [column(c) for c in _columns(table)]
    lines = [f"CREATE EXTERNAL TABLE `{database}.{name}`("]
    lines += [f"{text}, " for text in columns[:-1]] + [f"{columns[-1]})"] if columns else [")"]
    keys = list(table.get("PartitionKeys") or [])
    if keys:
        lines.append("PARTITIONED BY ( ")
        keyed = [column(c) for c in keys]
        lines += [f"{text}, " for text in keyed[:-1]] + [f"{keyed[-1]})"]
    lines += ["ROW FORMAT SERDE ", f"  {_quoted(serde.get('SerializationLibrary') or glue_catalog.LAZY_SIMPLE_SERDE)} "]
    parameters = sorted((serde.get("Parameters") or {}).items())
    if parameters:
        lines.append("WITH SERDEPROPERTIES ( ")
        pairs = [f"  {_quoted(k)}={_quoted(v)}" for k, v in parameters]
        lines += [f"{text}, " for text in pairs[:-1]] + [f"{pairs[-1]}) "]
    input_format = descriptor.get("InputFormat") or glue_catalog.TEXT_INPUT_FORMAT
    lines += ["STORED AS INPUTFORMAT ", f"  {_quoted(input_format)} ",
              "OUTPUTFORMAT ", f"  {_quoted(descriptor.get('OutputFormat') or glue_catalog.TEXT_OUTPUT_FORMAT)}",
              "LOCATION", f"  {_quoted(descriptor.get('Location') or '')}"]
    properties = sorted((table.get("Parameters") or {}).items())
    if properties:
        lines.append("TBLPROPERTIES (")
        pairs = [f"  {_quoted(k)}={_quoted(v)}" for k, v in properties]
        lines += [f"{text}, " for text in pairs[:-1]] + [f"{pairs[-1]})"]
    return lines

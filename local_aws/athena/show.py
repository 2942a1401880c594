"""Athena's SHOW DATABASES, SHOW TABLES and SHOW PARTITIONS, answered from the Glue catalog.

  SHOW {DATABASES | SCHEMAS} [LIKE 'regular_expression']   show-databases.html
  SHOW TABLES [IN database_name] ['regular_expression']     show-tables.html
  SHOW PARTITIONS table_name                                show-partitions.html

These are Hive statements (StatementType UTILITY, show-tables.html). Their results differ from a
SELECT's, as clients that read them document: one column of Hive type `string` named
database_name, tab_name or partition; no header row in GetQueryResults; a .txt result file of
one value a line (uber/athenadriver resources/UndocumentedAthena.md, "When the Row resultset
contains Header"; its util_show.go sample output gives the column names and the sorted order of
databases and tables). SHOW PARTITIONS lists the catalog's partitions "in unsorted order"
(show-partitions.html): here, in the order they were added.

The pattern: `*` matches any characters, as does `.*`; `|` separates alternatives; the whole
name must match, ignoring case (show-tables.html, show-databases.html).
"""

from __future__ import annotations

import re

from moto.glue.exceptions import EntityNotFoundException

from local_aws.athena.exceptions import AthenaQueryError
from local_aws.glue import catalog as glue_catalog
from local_aws.glue.catalog import GlueBackend


def _name(group: str) -> str:
    # a bare name, or one in backticks: show-tables.html's workaround for a hyphen in the name
    return rf"(?:`(?P<{group}_quoted>[^`]+)`|(?P<{group}>\w+))"


_SHOW_DATABASES = re.compile(r"^SHOW\s+(?:DATABASES|SCHEMAS)(?:\s+LIKE\s+'(?P<pattern>[^']*)')?$", re.I)
_SHOW_TABLES = re.compile(rf"^SHOW\s+TABLES(?:\s+(?:IN|FROM)\s+{_name('db')})?(?:\s+'(?P<pattern>[^']*)')?$",
                          re.I)
_SHOW_PARTITIONS = re.compile(rf"^SHOW\s+PARTITIONS\s+(?:{_name('db')}\.)?{_name('table')}$", re.I)


def _named(found: re.Match, group: str, default: str | None = None) -> str | None:
    value = found[f"{group}_quoted"] or found[group] or default
    return value.lower() if value else None


def is_show(statement: str) -> bool:
    return bool(_SHOW_DATABASES.match(statement) or _SHOW_TABLES.match(statement)
                or _SHOW_PARTITIONS.match(statement))


def show(glue: GlueBackend, statement: str, default_database: str) -> tuple[str, list[str]]:
    """(the result's column name, its values) for one of the SHOW statements above."""
    found = _SHOW_DATABASES.match(statement)
    if found:
        return "database_name", _matching(sorted(glue.databases), found["pattern"])
    found = _SHOW_TABLES.match(statement)
    if found:
        database = _named(found, "db", default_database)
        if database not in glue.databases:
            raise AthenaQueryError("SCHEMA_NOT_FOUND", f"Database {database} does not exist")
        return "tab_name", _matching(sorted(glue.databases[database].tables), found["pattern"])
    found = _SHOW_PARTITIONS.match(statement)
    if found:
        database, name = _named(found, "db", default_database), _named(found, "table")
        try:
            table = glue.get_table(database, name)
        except EntityNotFoundException:
            raise AthenaQueryError("TABLE_NOT_FOUND",
                                   f"Table 'awsdatacatalog.{database}.{name}' does not exist") from None
        keys = [key["Name"] for key in glue_catalog.current_table_input(table).get("PartitionKeys") or []]
        if not keys:
            # Hive's own words, as util_show.go records them: "FAILED: Execution Error, ..."
            raise AthenaQueryError("FAILED", f"Execution Error, return code 1 from org.apache.hadoop."
                                   f"hive.ql.exec.DDLTask. Table {database}.{name} is not a partitioned table")
        return "partition", ["/".join(f"{k}={v}" for k, v in zip(keys, p.values, strict=False))
                             for p in table.partitions.values()]
    raise AthenaQueryError("SYNTAX_ERROR", f"local_aws cannot read this SHOW statement: {statement!r}")


def _matching(names: list[str], pattern: str | None) -> list[str]:
    if pattern is None:
        return names
    alternatives = [re.sub(r"(?<!\.)\*", ".*", part.strip()) for part in pattern.split("|")]
    try:
        regex = re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)
    except re.error as exc:
        raise AthenaQueryError("SYNTAX_ERROR", f"invalid pattern {pattern!r}: {exc}") from None
    return [name for name in names if regex.fullmatch(name)]

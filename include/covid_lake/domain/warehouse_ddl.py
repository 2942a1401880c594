"""The Redshift DDL of each warehouse table, generated from its contract (contracts.py).

The contract is the one source of a table's columns, types, nullability, keys and layout in
Redshift; include/sql/redshift/<table>.sql is this module's output, written by
`python -m covid_lake_dev.write_ddl` and checked to be current by tests/include/test_contracts_ddl.py
(the create_tables task runs those files: parsing the DAG must not import pandera).
"""

from __future__ import annotations

from covid_lake.domain.contracts import WAREHOUSE_TABLES, Col, TableContract

GENERATED_BY = "python -m covid_lake_dev.write_ddl"


def _column_line(col: Col, name_width: int, type_width: int) -> str:
    line = f"    {col.name:<{name_width}}  {col.redshift_type:<{type_width}}"
    if not col.nullable:
        line += "  NOT NULL"
    return line.rstrip()


def render(table: str | TableContract) -> str:
    """CREATE TABLE IF NOT EXISTS for the table, with its keys, distribution and sort key."""
    c = WAREHOUSE_TABLES[table] if isinstance(table, str) else table
    name_width = max(len(col.name) for col in c.columns)
    type_width = max(len(col.redshift_type) for col in c.columns)
    lines = [f"-- {line}".rstrip() for line in c.ddl_notes.splitlines()]
    lines += [f"-- Generated from the contract {c.name} (include/covid_lake/domain/contracts.py) by",
              f"-- `{GENERATED_BY}`; tests/include/test_contracts_ddl.py checks it is current.",
              f"CREATE TABLE IF NOT EXISTS {c.name} ("]
    body: list[tuple[str, str | None]] = []
    for col in c.columns:
        if col.section:
            body.append((f"    -- {col.section}", None))
        body.append((_column_line(col, name_width, type_width), col.comment))
    body.append((f"    PRIMARY KEY ({', '.join(c.key)})", None))
    body += [(f"    FOREIGN KEY ({col.name}) REFERENCES {col.references[0]} ({col.references[1]})", None)
             for col in c.columns if col.references]
    last = max(i for i, (text, _) in enumerate(body) if not text.lstrip().startswith("--"))
    for i, (text, comment) in enumerate(body):
        sep = "," if i < last and not text.lstrip().startswith("--") else ""
        lines.append(f"{text}{sep}  -- {comment}" if comment else f"{text}{sep}")
    lines.append(")")
    lines += c.distribution.splitlines()
    lines[-1] += ";"
    return "\n".join(lines) + "\n"

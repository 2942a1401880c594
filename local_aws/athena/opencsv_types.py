"""How Athena's Open CSV SerDe turns a field into a typed value, as AWS documents it.

https://docs.aws.amazon.com/athena/latest/ug/csv-serde.html ("Considerations for non-string
data" and "Using NULL for invalid data"):

* it recognises BOOLEAN, BIGINT, INT and DOUBLE; a TIMESTAMP only as UNIX milliseconds
  (1579059880000) and a DATE only as days since 1970-01-01 (18276);
* an empty value in a numeric column is not recognised: the query fails with HIVE_BAD_DATA
  ("Error parsing field value '' for field N", the knowledge-center article that page links),
  as does any other value the type cannot parse;
* with the table property use.null.for.invalid.data=true such values read as NULL instead.

Athena deserialises only the columns a query reads, so a bad field fails a query that uses its
column, whatever the WHERE clause keeps, and no other query. The fields are parsed as Java does
(Long.parseLong, Integer.parseInt, Double.parseDouble: no blanks around an integer, no decimal
point in one). A Boolean is taken as true/false in any case; anything else fails, which may be
stricter than AWS (the page does not say). A column type the page does not list (smallint,
tinyint, float, decimal, binary, complex types) fails as NOT_SUPPORTED when it is read: local_aws
will not guess how Athena reads it.
"""

from __future__ import annotations

import re

# Java's grammar of the values each type accepts (hex floats aside: refused, the safe side).
_INTEGER = r"[+-]?[0-9]+"
_DOUBLE = (r"\s*[+-]?(NaN|Infinity|(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)[fFdD]?)\s*")
_RANGES = {"BIGINT": (-(2 ** 63), 2 ** 63 - 1), "INTEGER": (-(2 ** 31), 2 ** 31 - 1)}
STRING_TYPES = ("string", "varchar", "char")
TYPED = ("bigint", "int", "integer", "double", "boolean", "timestamp", "date")


def base_type(glue_type: str) -> str:
    return re.sub(r"\(.*\)$", "", glue_type.strip().lower())


def is_string(glue_type: str) -> bool:
    return base_type(glue_type) in STRING_TYPES


def is_supported(glue_type: str) -> bool:
    return is_string(glue_type) or base_type(glue_type) in TYPED


def _lit(pattern: str) -> str:
    return "'" + pattern.replace("'", "''") + "'"


def valid(field: str, glue_type: str) -> str:
    """DuckDB predicate: the (VARCHAR, non-NULL) field parses as the column's type."""
    kind = base_type(glue_type)
    if kind in ("bigint", "int", "integer", "timestamp", "date"):
        low, high = _RANGES["INTEGER" if kind in ("int", "integer", "date") else "BIGINT"]
        return (f"(regexp_full_match({field}, {_lit(_INTEGER)}) AND "
                f"TRY_CAST({field} AS HUGEINT) BETWEEN {low} AND {high})")
    if kind == "double":
        return f"regexp_full_match({field}, {_lit(_DOUBLE)})"
    if kind == "boolean":
        return f"lower({field}) IN ('true', 'false')"
    raise ValueError(f"no OpenCSVSerDe rule for {glue_type}")


def value(field: str, glue_type: str) -> str:
    """DuckDB expression of the typed value of a field that is `valid`."""
    kind = base_type(glue_type)
    if kind == "bigint":
        return f"CAST({field} AS BIGINT)"
    if kind in ("int", "integer"):
        return f"CAST({field} AS INTEGER)"
    if kind == "double":
        return f"CAST(regexp_replace(trim({field}), '[fFdD]$', '') AS DOUBLE)"
    if kind == "boolean":
        return f"(lower({field}) = 'true')"
    if kind == "timestamp":
        return f"epoch_ms(CAST({field} AS BIGINT))"
    if kind == "date":
        return f"(DATE '1970-01-01' + CAST({field} AS INTEGER))"
    raise ValueError(f"no OpenCSVSerDe rule for {glue_type}")


def column(field: str, glue_type: str) -> str:
    """The column as a query sees it: NULL where the field is missing or (only reachable with
    use.null.for.invalid.data, or for a column the query does not read) does not parse."""
    if is_string(glue_type):
        return field
    return f"CASE WHEN {valid(field, glue_type)} THEN {value(field, glue_type)} END"


def uses_null_for_invalid_data(table_parameters: dict[str, str]) -> bool:
    return str(table_parameters.get("use.null.for.invalid.data", "")).strip().lower() == "true"

"""DuckDB's errors under the names Athena's engine, Trino, gives them (io.trino.spi.StandardErrorCode):
the StateChangeReason of a query DuckDB failed. What local_aws refuses before DuckDB runs carries
its name itself (AthenaQueryError)."""

from __future__ import annotations

import re

import duckdb

_DUCKDB_ERROR_NAMES = {
    "BinderException": "COLUMN_NOT_FOUND", "CatalogException": "TABLE_NOT_FOUND",
    "ParserException": "SYNTAX_ERROR", "ConversionException": "INVALID_CAST_ARGUMENT",
    "InvalidInputException": "HIVE_BAD_DATA", "OutOfRangeException": "NUMERIC_VALUE_OUT_OF_RANGE",
}


def reason(exc: duckdb.Error) -> str:
    """The StateChangeReason of a query DuckDB failed: 'ERROR_NAME: message'."""
    name = _DUCKDB_ERROR_NAMES.get(type(exc).__name__, "GENERIC_USER_ERROR")
    message = str(exc).split("\n")[0]
    missing = re.search(r"(?:Scalar|Aggregate|Table) Function with name (\w+) does not exist", message)
    if missing:
        # Trino: "FUNCTION_NOT_FOUND: ... Function 'x' not registered"; DuckDB calls it a catalog error.
        return (f"FUNCTION_NOT_FOUND: Function '{missing[1]}' not registered "
                "(local_aws translates Trino's functions to DuckDB's; this one has no translation)")
    if "Division by zero" in message:
        # Trino fails integer and decimal division by zero (a double's is Infinity or NaN:
        # trino_functions.py divides doubles as IEEE 754 does).
        return "DIVISION_BY_ZERO: Division by zero"
    if type(exc).__name__ == "BinderException":
        binder = _binder_reason(message)
        if binder:
            return binder
    raised = re.search(r"Error: (NOT_SUPPORTED: local_aws .*)", message)
    if raised:  # error() in a trino_functions macro: what local_aws cannot answer as Trino does
        return raised[1]
    return f"{name}: {message.split(': ', 1)[-1] if ' Error: ' in message else message}"


def _binder_reason(message: str) -> str | None:
    """DuckDB's binder errors under the names Trino gives them (io.trino.spi.StandardErrorCode):
    an operator or function applied to types it has none for is TYPE_MISMATCH or
    FUNCTION_NOT_FOUND, a column neither grouped nor aggregated EXPRESSION_NOT_AGGREGATE; the
    others stay COLUMN_NOT_FOUND (_DUCKDB_ERROR_NAMES)."""
    no_match = re.search(r"No function matches the given name and argument types '(.+)\((.*)\)'", message)
    if no_match:
        name, types = no_match[1], no_match[2].replace("_LITERAL", "").lower()
        if not re.fullmatch(r"\w+", name):  # an operator: +, -, *, ...
            return f"TYPE_MISMATCH: Cannot apply operator: {f' {name} '.join(types.split(', '))}"
        return f"FUNCTION_NOT_FOUND: Unexpected parameters ({types}) for function {name}"
    if re.search(r"Cannot (mix|compare) values of type|Could not choose a best candidate function", message):
        return f"TYPE_MISMATCH: {message.split('Binder Error: ', 1)[-1]}"
    grouped = re.search(r'column "(.+)" must appear in the GROUP BY clause', message)
    if grouped:
        return f"EXPRESSION_NOT_AGGREGATE: '{grouped[1]}' must be an aggregate expression or appear in GROUP BY clause"
    return None

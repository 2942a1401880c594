"""DuckDB macros that compute what Trino documents where DuckDB's built-in differs (exact decimal
division, Java's number formatting, ISO 8601 parsing, ...): trino_functions.py rewrites a call
into a macro call, and install() creates on a query's connection the macros its SQL uses.
"""

from __future__ import annotations

import re

# DuckDB macros the rewrites call; install() creates those a query uses on its connection.
MACROS = [
    # Exact decimal division. DuckDB divides decimals as doubles; Trino divides exactly and
    # rounds half up to the result's scale. The operands' digits are read from their text so
    # that the result does not depend on the scale sqlglot inferred for them, only on `rs`.
    # No CASE on the quotient: DuckDB's TRY() does not catch a division by zero in a constant
    # CASE condition.
    "CREATE OR REPLACE MACRO trino_pow10(k) AS CAST(rpad('1', CAST(k AS INTEGER) + 1, '0') AS HUGEINT)",
    "CREATE OR REPLACE MACRO trino_unscaled(t) AS CAST(replace(t, '.', '') AS HUGEINT)",
    "CREATE OR REPLACE MACRO trino_scale(t) AS coalesce(nullif(length(t) - strpos(t, '.'), length(t)), 0)",
    "CREATE OR REPLACE MACRO trino_div_half_up(n, d) AS "
    "(abs(n) // abs(d) + CAST(2 * (abs(n) % abs(d)) >= abs(d) AS INTEGER)) * sign(n) * sign(d)",
    "CREATE OR REPLACE MACRO trino_point(t, rs, negative) AS "
    "repeat('-', CAST(negative AS INTEGER)) || substr(t, 1, length(t) - rs) || '.' || right(t, rs)",
    # (the quotient is bound once, by a lambda: written out several times, DuckDB would compute
    # it once outside TRY(), and TRY(x / 0) is NULL in Trino)
    "CREATE OR REPLACE MACRO trino_digits_text(r, rs) AS list_transform([r], lambda q: trino_point("
    "lpad(CAST(abs(q) AS VARCHAR), CAST(greatest(length(CAST(abs(q) AS VARCHAR)), rs + 1) AS INTEGER), '0'),"
    " rs, q < 0))[1]",
    "CREATE OR REPLACE MACRO trino_decimal_divide(x, y, rs) AS trino_digits_text(trino_div_half_up("
    " trino_unscaled(CAST(x AS VARCHAR)) * trino_pow10(greatest("
    "  trino_scale(CAST(y AS VARCHAR)) + rs - trino_scale(CAST(x AS VARCHAR)), 0)),"
    " trino_unscaled(CAST(y AS VARCHAR)) * trino_pow10(greatest("
    "  trino_scale(CAST(x AS VARCHAR)) - trino_scale(CAST(y AS VARCHAR)) - rs, 0))), rs)",
    # Double division as IEEE 754 divides (Trino: x / 0e0 is Infinity, -Infinity or NaN);
    # DuckDB fails it while error_on_division_by_zero is on, which integers and decimals need.
    "CREATE OR REPLACE MACRO trino_double_divide(a, b) AS CASE WHEN b = 0 THEN CASE"
    " WHEN isnan(a) OR a = 0 THEN CAST('NaN' AS DOUBLE)"
    " WHEN (a > 0) = (CAST(b AS VARCHAR) NOT LIKE '-%') THEN CAST('Infinity' AS DOUBLE)"
    " ELSE CAST('-Infinity' AS DOUBLE) END ELSE CAST(a AS DOUBLE) / b END",
    # split_part past the last field is NULL in Trino, '' in DuckDB.
    "CREATE OR REPLACE MACRO trino_split_part(s, d, i) AS "
    "CASE WHEN i <= len(string_split(s, d)) THEN split_part(s, d, i) END",
    # strpos(s, sub, n): the n-th (from the end when negative) occurrence, overlapping ones counted.
    "CREATE OR REPLACE MACRO trino_strpos(s, sub, n) AS coalesce(list_filter("
    "range(1, length(s) + 1), lambda i: substr(s, i, length(sub)) = sub)[n], 0)",
    # ISO 8601 week dates (2020-W10, 2020-W10-3) and ordinal dates (2020-123), which DuckDB's
    # cast to date does not read.
    "CREATE OR REPLACE MACRO trino_iso_week_monday(y) AS "
    "make_date(y, 1, 4) - CAST(isodow(make_date(y, 1, 4)) - 1 AS INTEGER)",
    "CREATE OR REPLACE MACRO trino_from_iso8601_date(s) AS CASE"
    " WHEN regexp_matches(s, '^\\d{4}-W\\d{2}(-\\d)?$') THEN"
    "  trino_iso_week_monday(CAST(s[1:4] AS INTEGER))"
    "  + (CAST(s[7:8] AS INTEGER) - 1) * 7 + coalesce(CAST(nullif(s[10:10], '') AS INTEGER), 1) - 1"
    " WHEN regexp_matches(s, '^\\d{4}-\\d{3}$') THEN"
    "  make_date(CAST(s[1:4] AS INTEGER), 1, 1) + CAST(s[6:8] AS INTEGER) - 1"
    " ELSE CAST(s AS DATE) END",
    # DuckDB's timestamp with time zone is an instant without its zone: a value with an offset
    # would come back converted to UTC, where Trino keeps (and prints) the offset.
    "CREATE OR REPLACE MACRO trino_from_iso8601_timestamp(s) AS CASE"
    " WHEN regexp_matches(s, 'T[0-9:.,]+([+-]\\d{2}(:?\\d{2})?|\\s*[A-Za-z]\\w*/\\w+)$')"
    " AND NOT regexp_matches(s, '[+-]00(:?00)?$') THEN error('NOT_SUPPORTED: local_aws does not keep"
    " the time zone of from_iso8601_timestamp(''' || s || '''): DuckDB has no timestamp with its own"
    " zone (only UTC and Z are supported)')"
    " ELSE CAST(s AS TIMESTAMPTZ) END",
]

_MACRO_NAME = re.compile(r"MACRO (\w+)")
_MACRO_BODIES = {_MACRO_NAME.search(m)[1]: m for m in MACROS}


def install(conn, sql: str) -> None:
    """Create the macros the DuckDB query calls, and those they call, in dependency order
    (creating all of them costs some 13 ms a query, which most queries need none of)."""
    sql = sql.lower()  # sqlglot writes the calls in capitals
    wanted, pending = set(), [name for name in _MACRO_BODIES if name in sql]
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            body = _MACRO_BODIES[name].split(" AS ", 1)[1]
            pending += [other for other in _MACRO_BODIES if other != name and other in body]
    for name, statement in _MACRO_BODIES.items():  # MACROS lists callees first
        if name in wanted:
            conn.execute(statement)

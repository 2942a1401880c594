"""Athena's SQL is Trino's: each case is an expression whose value (and, where the page gives
it, result type) Trino's documentation states, run through the emulator's Athena API.

The expected values come from the pages named in each case (https://trino.io/docs/current/...),
not from what local_aws returns. Athena's session time zone is UTC, so a page's example in
another session zone is given here in UTC. A case local_aws cannot answer as Trino does is
marked xfail (strict) with the difference, and local_aws fails such a query with NOT_SUPPORTED
rather than answering differently.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support.athena import run_query

BUCKET = "trino-semantics"
OUTPUT = f"s3://{BUCKET}/results/"
DOCS = "https://trino.io/docs/current/"


@dataclass(frozen=True)
class Failed:
    """The query fails with this Athena error name."""
    error_name: str


def case(page: str, sql: str, value, athena_type: str | None = None,
         decimal: tuple[int, int] | None = None, xfail: str | None = None):
    """sql: an expression (run as SELECT <sql>) or a whole query; value: the first row's only
    column as Athena prints it (None: NULL) or Failed(...); athena_type: ColumnInfo Type;
    decimal: ColumnInfo (Precision, Scale); page: the docs page, e.g. functions/math."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(sql, value, athena_type, decimal, id=f"{DOCS}{page}.html {sql}", marks=marks)


MATH, DECIMAL, TYPES = "functions/math", "functions/decimal", "language/types"
DATETIME, STRING, REGEXP = "functions/datetime", "functions/string", "functions/regexp"
CONDITIONAL, COMPARISON = "functions/conditional", "functions/comparison"
ARRAY, AGGREGATE, CONVERSION = "functions/array", "functions/aggregate", "functions/conversion"

CASES = [
    # "/" on integers truncates; the result keeps the operands' type
    case(MATH, "7 / 2", "3", "integer"),
    case(MATH, "-7 / 2", "-3", "integer"),
    case(MATH, "CAST(7 AS bigint) / 2", "3", "bigint"),
    case(MATH, "7 / 2e0", "3.5", "double"),
    case(MATH, "7 % 3", "1", "integer"),
    case(MATH, "abs(-7)", "7", "integer"),  # [same as input]
    case(MATH, "sign(-3)", "-1", "integer"),  # [same as input]
    case(MATH, "floor(-1.5e0)", "-2.0", "double"),
    case(MATH, "ceil(1.2e0)", "2.0", "double"),
    case(MATH, "round(1.2345e0, 2)", "1.23", "double"),
    # round(x, d) and truncate(x, d) are [same as input]: a decimal keeps its scale
    case(MATH, "round(DECIMAL '2.46', 1)", "2.50", "decimal"),
    case(MATH, "truncate(DECIMAL '1.239', 2)", "1.230", "decimal"),
    case(MATH, "truncate(2.7e0)", "2.0", "double"),
    case(MATH, "power(2, 10)", "1024.0", "double"),
    case(MATH, "is_nan(nan())", "true", "boolean"),
    case(MATH, "is_infinite(infinity())", "true", "boolean"),
    # DOUBLE implements IEEE 754: dividing by zero gives an infinity or NaN, not an error
    case(TYPES, "7e0 / 0", "Infinity", "double"),
    case(TYPES, "-7e0 / 0", "-Infinity", "double"),
    case(TYPES, "0e0 / 0", "NaN", "double"),
    # "Division by zero" is an error TRY handles (conditional.html#try)
    case(CONDITIONAL, "7 / 0", Failed("DIVISION_BY_ZERO")),
    case(CONDITIONAL, "DECIMAL '7.0' / 0", Failed("DIVISION_BY_ZERO")),
    case(CONDITIONAL, "try(7 / 0)", None, "integer"),
    case(CONDITIONAL, "try(DECIMAL '7.0' / 0)", None, "decimal"),

    # decimal literals: precision is every digit, leading and trailing zeros included
    case(DECIMAL, "DECIMAL '0'", "0", "decimal", (1, 0)),
    case(DECIMAL, "DECIMAL '12345'", "12345", "decimal", (5, 0)),
    case(DECIMAL, "DECIMAL '0000012345.1234500000'", "12345.1234500000", "decimal", (20, 10)),
    # x + y: precision 1 + max(xs, ys) + max(xp - xs, yp - ys), scale max(xs, ys)
    case(DECIMAL, "DECIMAL '1.25' + DECIMAL '10.5'", "11.75", "decimal", (5, 2)),
    # x * y: precision xp + yp, scale xs + ys
    case(DECIMAL, "DECIMAL '1.25' * DECIMAL '2.5'", "3.125", "decimal", (5, 3)),
    # x / y: scale max(xs, ys); the page's precision xp + ys - xs + max(0, ys - xs) is only
    # asserted where xs = 0 (with xs > 0 it would be too small for the value: Trino's own
    # signature is xp + ys + max(0, ys - xs)).
    case(DECIMAL, "DECIMAL '7' / DECIMAL '0.5'", "14.0", "decimal", (3, 1)),
    # a decimal divided by an integer is a decimal (the integer becomes a decimal(10, 0))
    case(DECIMAL, "DECIMAL '7.0' / 2", "3.5", "decimal"),
    case(TYPES, "7.0 / 2", "3.5", "decimal"),  # 1.1 is a DECIMAL literal
    case(DECIMAL, "-DECIMAL '1.5'", "-1.5", "decimal", (2, 1)),  # negation keeps the type
    case(DECIMAL, "SELECT amount / n FROM amounts", "3.75", "decimal"),  # catalog decimal(10,2) / int
    # a subquery's decimal(10,2) * 2 is a decimal(20, 2) (scale xs + ys), divided with scale 2
    case(DECIMAL, "SELECT a / 3 FROM (SELECT amount * 2 AS a FROM amounts)", "5.00", "decimal"),

    # date and time operators: date ± interval is a date
    case(DATETIME, "date '2012-08-08' + interval '2' day", "2012-08-10", "date"),
    case(DATETIME, "date '2012-08-08' - interval '2' day", "2012-08-06", "date"),
    case(DATETIME, "SELECT day + interval '1' day FROM amounts", "2020-02-29", "date"),
    case(DATETIME, "timestamp '2012-08-08 01:00' + interval '29' hour", "2012-08-09 06:00:00.000", "timestamp"),
    case(DATETIME, "timestamp '2012-10-31 01:00' + interval '1' month", "2012-11-30 01:00:00.000", "timestamp"),
    case(DATETIME, "timestamp '2012-10-31 01:00' - interval '1' month", "2012-09-30 01:00:00.000", "timestamp"),
    case(DATETIME, "date_add('second', 86, TIMESTAMP '2020-03-01 00:00:00')", "2020-03-01 00:01:26.000", "timestamp"),
    case(DATETIME, "date_add('day', 1, DATE '2020-02-28')", "2020-02-29", "date"),  # [same as input]
    case(DATETIME, "date_diff('second', TIMESTAMP '2020-03-01 00:00:00', TIMESTAMP '2020-03-02 00:00:00')",
         "86400", "bigint"),
    case(DATETIME, "date_diff('day', DATE '2020-03-01', DATE '2020-03-02')", "1", "bigint"),
    case(DATETIME, "date_diff('millisecond', TIMESTAMP '2020-06-01 12:30:45.000000000', "
                   "TIMESTAMP '2020-06-02 12:30:45.123456789')", "86400123", "bigint"),
    case(DATETIME, "date_trunc('month', TIMESTAMP '2022-10-20 05:10:00')", "2022-10-01 00:00:00.000", "timestamp"),
    case(DATETIME, "date_trunc('week', TIMESTAMP '2001-08-22 03:04:05.321')", "2001-08-20 00:00:00.000", "timestamp"),
    case(DATETIME, "date_trunc('quarter', TIMESTAMP '2001-08-22 03:04:05.321')", "2001-07-01 00:00:00.000", "timestamp"),
    case(DATETIME, "date_trunc('month', DATE '2001-08-22')", "2001-08-01", "date"),  # [same as input]
    # the week of 2001-08-22 starts on 2001-08-20 (the truncation table), and ISO weeks on Monday (1)
    case(DATETIME, "day_of_week(DATE '2001-08-20')", "1", "bigint"),
    case(DATETIME, "extract(YEAR FROM TIMESTAMP '2022-10-20 05:10:00')", "2022", "bigint"),
    case(DATETIME, "date_format(TIMESTAMP '2022-10-20 05:10:00', '%m-%d-%Y %H')", "10-20-2022 05", "varchar"),
    case(DATETIME, "date_parse('2022/10/20/05', '%Y/%m/%d/%H')", "2022-10-20 05:00:00.000", "timestamp"),
    # format_datetime takes Joda-Time's DateTimeFormat patterns
    case(DATETIME, "format_datetime(TIMESTAMP '2022-10-20 05:10:00', 'yyyy-MM-dd HH:mm')",
         "2022-10-20 05:10", "varchar"),
    case(DATETIME, "from_iso8601_timestamp('2020-05-11')", "2020-05-11 00:00:00.000 UTC",
         "timestamp with time zone"),
    case(DATETIME, "from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00')", "2020-05-11 11:15:05.055 +01:00",
         "timestamp with time zone",
         xfail="DuckDB's timestamp with time zone keeps no zone: local_aws fails an offset other than "
               "UTC with NOT_SUPPORTED instead of printing 10:15:05.055 UTC"),
    case(DATETIME, "from_iso8601_date('2020-05-11')", "2020-05-11", "date"),
    case(DATETIME, "from_iso8601_date('2020-W10')", "2020-03-02", "date"),
    case(DATETIME, "from_iso8601_date('2020-123')", "2020-05-02", "date"),
    case(DATETIME, "to_unixtime(TIMESTAMP '1970-01-02 00:00:00')", "86400.0", "double"),
    case(DATETIME, "from_unixtime(86400)", "1970-01-02 00:00:00.000 UTC", "timestamp with time zone"),
    case(DATETIME, "last_day_of_month(DATE '2020-02-10')", "2020-02-29", "date"),

    case(STRING, "split_part('a,b,c', ',', 2)", "b", "varchar"),
    case(STRING, "split_part('a,b,c', ',', 4)", None, "varchar"),  # past the last field: null
    case(STRING, "lpad('abc', 5, '*')", "**abc", "varchar"),
    case(STRING, "lpad('abcdef', 3, '*')", "abc", "varchar"),  # longer than size: truncated
    case(STRING, "strpos('hello', 'l')", "3", "bigint"),
    case(STRING, "strpos('hello', 'z')", "0", "bigint"),
    case(STRING, "strpos('a,b,a', 'a', 2)", "5", "bigint"),  # the N-th instance
    case(STRING, "strpos('a,b,a', 'a', -1)", "5", "bigint"),  # negative: from the end
    case(STRING, "substr('hello', -3)", "llo", "varchar"),
    case(STRING, "substr('hello', 2, 3)", "ell", "varchar"),
    case(STRING, "concat_ws(',', 'a', NULL, 'b')", "a,b", "varchar"),  # nulls are skipped
    case(STRING, "concat_ws(NULL, 'a')", None, "varchar"),
    case(STRING, "length('hello')", "5", "bigint"),
    case(STRING, "reverse('abc')", "cba", "varchar"),
    case(STRING, "trim('!' FROM '!foo!')", "foo", "varchar"),
    case(STRING, "translate('abcd', 'a', 'zy')", "zbcd", "varchar"),

    case(REGEXP, r"regexp_extract('1a 2b 14m', '\d+')", "1", "varchar"),
    case(REGEXP, r"regexp_extract('1a 2b 14m', '(\d+)([a-z]+)', 2)", "a", "varchar"),
    case(REGEXP, r"regexp_like('1a 2b 14m', '\d+b')", "true", "boolean"),
    case(REGEXP, r"regexp_count('1a 2b 14m', '\s*[a-z]+\s*')", "3", "bigint"),
    case(REGEXP, r"regexp_replace('1a 2b 14m', '\d+[ab] ')", "14m", "varchar"),
    case(REGEXP, r"regexp_replace('1a 2b 14m', '(\d+)([ab]) ', '3c$2 ')", "3ca 3cb 14m", "varchar"),
    case(REGEXP, r"regexp_extract_all('1a 2b 14m', '\d+')", "[1, 2, 14]", "array"),

    case(CONDITIONAL, "nullif(1, 1)", None, "integer"),
    case(CONDITIONAL, "if(1 > 2, 'a', 'b')", "b", "varchar"),
    case(CONDITIONAL, "if(false, 1)", None, "integer"),
    case(CONDITIONAL, "try(CAST('P332a' AS bigint))", None, "bigint"),
    case(CONVERSION, "try_cast('P332a' AS bigint)", None, "bigint"),
    case(CONDITIONAL, "CAST('P332a' AS bigint)", Failed("INVALID_CAST_ARGUMENT")),

    case(COMPARISON, "NULL BETWEEN 2 AND 4", None, "boolean"),
    case(COMPARISON, "2 BETWEEN 3 AND NULL", "false", "boolean"),
    case(COMPARISON, "NULL IS DISTINCT FROM NULL", "false", "boolean"),
    case(COMPARISON, "greatest(1, NULL, 3)", None, "integer"),  # null if any argument is
    case(COMPARISON, "'hello' = ANY (VALUES 'hello', 'world')", "true", "boolean"),
    case(COMPARISON, "21 < ALL (VALUES 19, 20, 21)", "false", "boolean"),
    case(COMPARISON, r"'South_America' LIKE 'South\_America' ESCAPE '\'", "true", "boolean"),

    case(ARRAY, "cardinality(ARRAY[1, 2, 4])", "3", "bigint"),
    case(ARRAY, "array_join(ARRAY['a', NULL, 'b'], ',')", "a,b", "varchar"),  # nulls omitted
    case(ARRAY, "array_join(ARRAY['a', NULL, 'b'], ',', 'x')", "a,x,b", "varchar"),
    case(ARRAY, "contains(ARRAY[1, 2, 4], 2)", "true", "boolean"),
    case(ARRAY, "ARRAY[1, 1.2, 4]", "[1.0, 1.2, 4.0]", "array"),
    case(ARRAY, "ARRAY[1, 1.2, 4][2]", "1.2", "decimal"),
    case(ARRAY, "ARRAY[1] || 2", "[1, 2]", "array"),
    case(ARRAY, "element_at(ARRAY[1, 2], 3)", None, "integer"),
    case(ARRAY, "filter(ARRAY[5, -6, NULL, 7], x -> x > 0)", "[5, 7]", "array"),
    case(ARRAY, "transform(ARRAY[5, 6], x -> x + 1)", "[6, 7]", "array"),
    case(ARRAY, "reduce(ARRAY[5, 20, 50], 0, (s, x) -> s + x, s -> s)", "75"),
    case(ARRAY, "trim_array(ARRAY[1, 2, 3, 4], 2)", "[1, 2]", "array"),

    # every aggregate but count, count_if, max_by, min_by and approx_distinct is null on no rows
    case(AGGREGATE, "SELECT sum(x) FROM (VALUES 1) AS t(x) WHERE false", None),
    case(AGGREGATE, "SELECT count(x) FROM (VALUES 1) AS t(x) WHERE false", "0", "bigint"),
    case(AGGREGATE, "SELECT avg(x) FROM (VALUES 1, 2) AS t(x)", "1.5", "double"),
    case(AGGREGATE, "SELECT listagg(value, ',') WITHIN GROUP (ORDER BY value) "
                    "FROM (VALUES 'a', 'c', 'b') AS t(value)", "a,b,c", "varchar"),

    case(CONVERSION, "typeof(123)", "integer", "varchar"),
    case(CONVERSION, "typeof('cat')", "varchar(3)", "varchar"),
    case(CONVERSION, "typeof(cos(2) + 1.5)", "double", "varchar"),
    case(CONVERSION, "SELECT typeof(amount) FROM amounts", "decimal(10,2)", "varchar"),
    case(CONVERSION, "format('%03d', 8)", "008", "varchar"),
    case(CONVERSION, "format('%s%%', 123)", "123%", "varchar"),
    case(CONVERSION, "format('%2$s %3$s %1$s', 'a', 'b', 'c')", "b c a", "varchar"),
]


@pytest.fixture(scope="module")
def catalog(emulator, athena):
    """A table whose columns are typed by the catalog: decimal(10,2), int, date."""
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="amounts/a.csv", Body=b"7.50,2,2020-02-28\n")
    ok(athena, "CREATE DATABASE IF NOT EXISTS trino_semantics", database="default")
    ok(athena, f"""CREATE EXTERNAL TABLE amounts (amount decimal(10,2), n int, `day` date)
                  ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{BUCKET}/amounts/'""")
    return "trino_semantics"


def query(athena, sql: str, database: str = "trino_semantics", timeout: float = 20) -> dict:
    return run_query(athena, sql, database=database, output=OUTPUT, timeout=timeout)


def ok(athena, sql: str, **kw) -> dict:
    execution = query(athena, sql, **kw)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
    return execution


def results(athena, execution: dict) -> tuple[list[list], list[dict]]:
    page = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
    return rows, page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]


@pytest.mark.parametrize(("sql", "value", "athena_type", "decimal"), CASES)
def test_documented_value(athena, catalog, sql, value, athena_type, decimal):
    execution = query(athena, sql if sql.upper().startswith("SELECT ") else f"SELECT {sql}")
    status = execution["Status"]
    if isinstance(value, Failed):
        assert status["State"] == "FAILED", "succeeded where Trino fails"
        assert status["StateChangeReason"].startswith(f"{value.error_name}: "), status["StateChangeReason"]
        return
    assert status["State"] == "SUCCEEDED", status.get("StateChangeReason")
    rows, columns = results(athena, execution)
    assert rows[1:] == [[value]]
    if athena_type is not None:
        assert columns[0]["Type"] == athena_type
    if decimal is not None:
        assert (columns[0]["Precision"], columns[0]["Scale"]) == decimal


def test_try_and_coalesce_give_a_default(athena, catalog):
    # conditional.html#try: COALESCE(TRY(total_cost / packages), 0), on three of its rows
    execution = ok(athena, "SELECT COALESCE(TRY(total_cost / packages), 0) AS per_package "
                           "FROM (VALUES (100, 25), (72, 5), (155, 0)) AS shipping(total_cost, packages)")
    assert results(athena, execution)[0] == [["per_package"], ["4"], ["14"], ["0"]]


def test_date_plus_an_hour_interval_is_refused(athena, catalog):
    # date + interval is documented for days and longer; local_aws would give a timestamp
    failed = query(athena, "SELECT date '2012-08-08' + interval '3' hour")
    assert failed["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED: local_aws does not")


@pytest.mark.parametrize("sql", [
    # reduce() is an integer in Trino; sqlglot does not type it, and DuckDB would answer a
    # double for the division and a precision of its own for the product.
    "SELECT CAST(2.5 AS decimal(3, 1)) / reduce(ARRAY[1, 2], 0, (s, x) -> s + x, s -> s)",
    "SELECT CAST(2.5 AS decimal(3, 1)) * reduce(ARRAY[1, 2], 0, (s, x) -> s + x, s -> s)",
    "SELECT reduce(ARRAY[1, 2], 0, (s, x) -> s + x, s -> s) - CAST(2.5 AS decimal(3, 1))",
    # decimal.html: arithmetic is typed from both operands' precision and scale
    "SELECT CAST(2.5 AS decimal) / 2",
])
def test_decimal_arithmetic_with_an_operand_of_unknown_type_is_refused(athena, catalog, sql):
    failed = query(athena, sql)
    assert failed["Status"]["State"] == "FAILED"
    reason = failed["Status"]["StateChangeReason"]
    assert reason.startswith("NOT_SUPPORTED: local_aws does not type"), reason
    assert "decimal arithmetic" in reason


def test_unnamed_result_columns_are_col_and_their_position(athena, catalog):
    # Trino: an expression without an alias is named _col<n> (n = its 0-based position).
    execution = ok(athena, "SELECT count(*), state, max(cases) AS top, 1 + 1 "
                           "FROM (VALUES ('NY', 1), ('NY', 2)) AS t(state, cases) GROUP BY state")
    assert results(athena, execution)[0][0] == ["_col0", "state", "top", "_col3"]
    union = ok(athena, "SELECT 1 UNION ALL SELECT 2")
    assert [r[0] for r in results(athena, union)[0]] == ["_col0", "1", "2"]


def test_doubles_print_as_trino_prints_them(athena, catalog):
    # Trino formats a double with Java's Double.toString (language/types.html: DOUBLE is
    # IEEE 754; the text is Java's): scientific outside 1e-3 <= |x| < 1e7.
    execution = ok(athena, "SELECT 1e10 AS a, 1.5e-5 AS b, 0.1e0 AS c, 1234567.5e0 AS d, "
                           "CAST('Infinity' AS double) AS e, CAST('NaN' AS double) AS f")
    assert results(athena, execution)[0][1] == ["1.0E10", "1.5E-5", "0.1", "1234567.5", "Infinity", "NaN"]


def test_timestamp_literals_are_timestamps(athena, catalog):
    execution = ok(athena, "SELECT TIMESTAMP '2020-03-01 10:00:00' AS ts")
    rows, columns = results(athena, execution)
    assert columns[0]["Type"] == "timestamp"
    assert rows[1][0].startswith("2020-03-01 10:00:00")


def test_a_function_local_aws_lacks_fails_as_trinos_function_not_found(athena, catalog):
    # Trino names an unknown function FUNCTION_NOT_FOUND (not a missing table, as DuckDB does);
    # human_readable_seconds (functions/datetime) has no DuckDB translation.
    failed = query(athena, "SELECT human_readable_seconds(96) AS s")
    assert failed["Status"]["State"] == "FAILED"
    assert failed["Status"]["StateChangeReason"].startswith(
        "FUNCTION_NOT_FOUND: Function 'human_readable_seconds' not registered")

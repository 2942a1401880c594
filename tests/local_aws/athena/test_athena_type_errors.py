"""The error names of Athena's engine, Trino, where DuckDB would answer or name another error:
a varchar compared with a number is TYPE_MISMATCH (local_aws/athena/type_checks.py)."""

from __future__ import annotations

import pytest

from tests.support.athena import Statements

BUCKET = "type-errors-lake"
OUTPUT = f"s3://{BUCKET}/results/"
DATABASE = "type_errors_db"
sql = Statements(DATABASE, OUTPUT)


@pytest.fixture(scope="module")
def lake(athena, s3):
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="cases/part-0.csv", Body=b"2020-03-01,NY,10\n2020-03-01,CA,4\n")
    sql.ok(athena, f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
    sql.ok(athena, f"""CREATE EXTERNAL TABLE cases (`date` date, state string, cases bigint)
                       ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{BUCKET}/cases/'""")
    return athena


@pytest.mark.parametrize(("where", "operator"), [
    ("state = 1", "varchar = integer"), ("cases = '10'", "bigint = varchar(2)"),
    ("1 < state", "integer < varchar"), ("state <> true", "varchar <> boolean")])
def test_varchar_compared_with_a_number_is_type_mismatch__trino_io_docs_current_language_types(lake, where, operator):
    """Trino has no implicit cast between varchar and numbers: TYPE_MISMATCH, "Cannot apply
    operator: varchar = integer" (trinodb/trino issues 20845, 13492); DuckDB would cast."""
    assert sql.failed(lake, f"SELECT * FROM cases WHERE {where}") == f"TYPE_MISMATCH: Cannot apply operator: {operator}"


def test_a_missing_column_is_still_column_not_found(lake):
    assert sql.failed(lake, "SELECT nope FROM cases").startswith("COLUMN_NOT_FOUND: ")
    assert sql.rows(lake, "SELECT count(*) FROM cases WHERE cases = 10 AND state = 'NY'") == [["1"]]


@pytest.mark.parametrize(("select", "reason"), [
    ("state + 1", "TYPE_MISMATCH: Cannot apply operator: varchar + integer"),
    ("abs(state)", "FUNCTION_NOT_FOUND: Unexpected parameters (varchar) for function abs"),
])
def test_an_operator_or_function_without_those_types__trino_spi_StandardErrorCode(lake, select, reason):
    """Trino's names (io.trino.spi.StandardErrorCode: TYPE_MISMATCH, FUNCTION_NOT_FOUND), not
    COLUMN_NOT_FOUND, which local_aws gave every DuckDB binder error."""
    assert sql.failed(lake, f"SELECT {select} FROM cases") == reason


def test_a_column_neither_grouped_nor_aggregated_is_expression_not_aggregate__trino_spi_StandardErrorCode(lake):
    assert sql.failed(lake, "SELECT cases FROM cases GROUP BY state").startswith(
        "EXPRESSION_NOT_AGGREGATE: 'cases' must be an aggregate expression or appear in GROUP BY clause")

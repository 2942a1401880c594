"""The statements an analyst types first, on catalog tables as AWS has them: DESCRIBE, SHOW
COLUMNS, SHOW CREATE TABLE, information_schema, views, EXPLAIN, and the data manifest of CTAS and
UNLOAD (the error names of Athena's engine: test_athena_type_errors.py). Each test names the page
it follows."""

from __future__ import annotations

import base64
import json

import pytest

from local_aws.athena import explain
from tests.support.athena import Statements

BUCKET = "analyst-lake"
OUTPUT = f"s3://{BUCKET}/results/"
DATABASE = "analyst_db"
sql = Statements(DATABASE, OUTPUT)
CASES = b"2020-03-01,NY,10\n2020-03-01,CA,4\n2020-03-02,NY,25\n"


@pytest.fixture(scope="module")
def lake(emulator, athena, s3):
    """analyst_db.cases (delimited text) and analyst_db.visits (partitioned by dt)."""
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="cases/part-0.csv", Body=CASES)
    s3.put_object(Bucket=BUCKET, Key="visits/dt=2020-03-01/part-0.csv", Body=b"1,Boston\n2,Austin\n")
    sql.ok(athena, f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
    sql.ok(athena, f"""CREATE EXTERNAL TABLE cases (`date` date, state string COMMENT 'USPS code', cases bigint)
                       ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{BUCKET}/cases/'""")
    sql.ok(athena, f"""CREATE EXTERNAL TABLE visits (id int, city string) PARTITIONED BY (dt string)
                       ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{BUCKET}/visits/'""")
    sql.ok(athena, "MSCK REPAIR TABLE visits")
    return athena


def result(athena, execution: dict) -> tuple[list[list], list[str]]:
    """(every row's values, ColumnInfo's names) of the first page."""
    page = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    return ([[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]],
            [c["Name"] for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]])


# -- DESCRIBE, SHOW COLUMNS, SHOW CREATE TABLE --------------------------------------------------

def test_describe__docs_aws_amazon_com_athena_latest_ug_describe_table(lake):
    """Columns with their types and comments; ColumnInfo names col_name, data_type, comment while
    each row is one value of tab-joined fields padded to 20 (uber/athenadriver
    UndocumentedAthena.md); a UTILITY statement, no header row."""
    execution = sql.ok(lake, "DESCRIBE cases")
    assert execution["StatementType"] == "UTILITY"
    rows, columns = result(lake, execution)
    assert columns == ["col_name", "data_type", "comment"]
    assert rows == [[f"{'date':<20}\t{'date':<20}\t{'':<20}"],
                    [f"{'state':<20}\t{'string':<20}\t{'USPS code':<20}"],
                    [f"{'cases':<20}\t{'bigint':<20}\t{'':<20}"]]


def test_describe_a_partitioned_table_lists_its_partition_information__describe_table(lake):
    rows, _ = result(lake, sql.ok(lake, f"DESCRIBE {DATABASE}.visits"))
    fields = [row[0].split("\t")[0].strip() for row in rows]
    assert fields == ["id", "city", "dt", "", "# Partition Information", "# col_name", "", "dt"]


def test_describe_a_missing_table_fails_as_athena_documents__describe_table(lake):
    """describe-table.html: "FAILED: SemanticException [Error 10001]: Table not found", which is
    also what DESCRIBE TABLE table_name gives ("not DESCRIBE TABLE table_name")."""
    assert sql.failed(lake, "DESCRIBE nothing_here") == (
        f"FAILED: SemanticException [Error 10001]: Table not found {DATABASE}.nothing_here")
    assert sql.failed(lake, "DESCRIBE TABLE cases") == "FAILED: SemanticException [Error 10001]: Table not found table"


@pytest.mark.parametrize("statement", [
    "SHOW COLUMNS FROM visits", "SHOW COLUMNS IN visits", f"SHOW COLUMNS FROM {DATABASE}.visits",
    f"SHOW COLUMNS IN {DATABASE}.visits", f"SHOW COLUMNS FROM visits FROM {DATABASE}",
    f"SHOW COLUMNS IN visits IN {DATABASE}"])
def test_show_columns_every_documented_form__docs_aws_amazon_com_athena_latest_ug_show_columns(emulator, lake, statement):
    """Only the column names, partition keys included, from any current database."""
    rows, columns = result(lake, sql.ok(lake, statement))
    assert columns == ["field"] and rows == [["id"], ["city"], ["dt"]]


def test_show_create_table_reads_back_as_the_same_table__docs_aws_amazon_com_athena_latest_ug_show_create_table(lake):
    """Hive's DDL, one line a row (createtab_stmt); run as it is under another name, it makes a
    table that reads the same rows."""
    rows, columns = result(lake, sql.ok(lake, "SHOW CREATE TABLE visits"))
    assert columns == ["createtab_stmt"]
    lines = [row[0] for row in rows]
    assert lines[0] == f"CREATE EXTERNAL TABLE `{DATABASE}.visits`("
    assert f"  's3://{BUCKET}/visits/'" in lines and "PARTITIONED BY ( " in lines
    ddl = "\n".join(lines).replace(f"`{DATABASE}.visits`", "visits_copy")
    sql.ok(lake, ddl)
    sql.ok(lake, "MSCK REPAIR TABLE visits_copy")
    assert sql.rows(lake, "SELECT * FROM visits_copy ORDER BY id") == sql.rows(lake, "SELECT * FROM visits ORDER BY id")


# -- information_schema -------------------------------------------------------------------------

def test_information_schema_tables__docs_aws_amazon_com_athena_latest_ug_querying_glue_catalog_listing_tables(lake):
    rows = sql.rows(lake, "SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables "
                          f"WHERE table_schema = '{DATABASE}' AND table_name IN ('cases', 'visits') ORDER BY table_name")
    assert rows == [["awsdatacatalog", DATABASE, "cases", "BASE TABLE"], ["awsdatacatalog", DATABASE, "visits", "BASE TABLE"]]


def test_information_schema_columns__docs_aws_amazon_com_athena_latest_ug_querying_glue_catalog_listing_columns(lake):
    """Trino's type names (a Glue string is a varchar), partition keys marked 'partition key'."""
    rows = sql.rows(lake, "SELECT column_name, ordinal_position, data_type, comment, extra_info "
                          "FROM information_schema.columns "
                          f"WHERE table_schema = '{DATABASE}' AND table_name = 'visits' ORDER BY ordinal_position")
    assert rows == [["id", "1", "integer", None, None], ["city", "2", "varchar", None, None],
                    ["dt", "3", "varchar", None, "partition key"]]
    commented = sql.rows(lake, "SELECT comment FROM information_schema.columns "
                               f"WHERE table_schema = '{DATABASE}' AND table_name = 'cases' AND column_name = 'state'")
    assert commented == [["USPS code"]]


# -- views --------------------------------------------------------------------------------------

def test_create_view_and_query_it__docs_aws_amazon_com_athena_latest_ug_create_view(emulator, lake):
    """The view is a Glue table as Athena stores one: TableType VIRTUAL_VIEW, presto_view=true,
    ViewOriginalText '/* Presto View: <base64 JSON> */' holding originalSql and Trino-typed
    columns (Glue API_TableInput.html, ViewOriginalText); querying it runs its query."""
    sql.ok(lake, "CREATE VIEW ny_cases AS SELECT \"date\", cases FROM cases WHERE state = 'NY'")
    assert sql.rows(lake, "SELECT sum(cases) AS total FROM ny_cases") == [["35"]]
    table = emulator.client("glue").get_table(DatabaseName=DATABASE, Name="ny_cases")["Table"]
    assert table["TableType"] == "VIRTUAL_VIEW" and table["Parameters"]["presto_view"] == "true"
    assert table["ViewExpandedText"] == "/* Presto View */"
    text = table["ViewOriginalText"]
    assert text.startswith("/* Presto View: ") and text.endswith(" */")
    definition = json.loads(base64.b64decode(text[len("/* Presto View: "):-3]))
    assert definition["originalSql"] == "SELECT \"date\", cases FROM cases WHERE state = 'NY'"
    assert definition["catalog"] == "awsdatacatalog" and definition["schema"] == DATABASE
    assert definition["columns"] == [{"name": "date", "type": "date"}, {"name": "cases", "type": "bigint"}]
    assert table["StorageDescriptor"]["Columns"] == [{"Name": "date", "Type": "date"}, {"Name": "cases", "Type": "bigint"}]
    rows, _ = result(lake, sql.ok(lake, "DESCRIBE ny_cases"))  # describe-view.html
    assert [r[0].split("\t")[0].strip() for r in rows] == ["date", "cases"]
    assert sql.rows(lake, "SELECT table_type FROM information_schema.tables "
                          f"WHERE table_schema = '{DATABASE}' AND table_name = 'ny_cases'") == [["VIEW"]]


def test_create_or_replace_view_and_a_view_of_a_view__create_view(lake):
    sql.ok(lake, "CREATE VIEW by_state AS SELECT state, sum(cases) AS cases FROM cases GROUP BY state")
    assert "ALREADY_EXISTS" in sql.failed(lake, "CREATE VIEW by_state AS SELECT 1 AS x")
    sql.ok(lake, "CREATE OR REPLACE VIEW by_state AS SELECT state, max(cases) AS cases FROM cases GROUP BY state")
    sql.ok(lake, "CREATE VIEW top_state AS SELECT state FROM by_state ORDER BY cases DESC LIMIT 1")
    assert sql.rows(lake, "SELECT * FROM top_state") == [["NY"]]
    assert sql.rows(lake, "SELECT cases FROM by_state WHERE state = 'CA'") == [["4"]]


def test_a_view_over_a_missing_table_or_with_an_unnamed_column_is_not_created__create_view(lake):
    """Trino plans the view's query when it is created (TABLE_NOT_FOUND) and wants every column
    named (MISSING_COLUMN_NAME, io.trino.spi.StandardErrorCode)."""
    assert sql.failed(lake, "CREATE VIEW broken AS SELECT * FROM no_such_table").startswith("TABLE_NOT_FOUND: ")
    assert sql.failed(lake, "CREATE VIEW unnamed AS SELECT state, count(*) FROM cases GROUP BY state") == (
        "MISSING_COLUMN_NAME: Column name not specified at position 2")


def test_a_view_whose_query_changed_columns_is_stale__trino_spi_StandardErrorCode_VIEW_IS_STALE(emulator, lake):
    """A view of SELECT * over a table that gained a column no longer matches its columns."""
    sql.ok(lake, f"""CREATE EXTERNAL TABLE growing (a string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
                     LOCATION 's3://{BUCKET}/cases/'""")
    sql.ok(lake, "CREATE VIEW growing_all AS SELECT * FROM growing")
    sql.ok(lake, "DROP TABLE growing")
    sql.ok(lake, f"""CREATE EXTERNAL TABLE growing (a string, b string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
                     LOCATION 's3://{BUCKET}/cases/'""")
    assert sql.failed(lake, "SELECT * FROM growing_all").startswith("VIEW_IS_STALE: ")


def test_drop_view__docs_aws_amazon_com_athena_latest_ug_drop_view(emulator, lake):
    """DROP VIEW drops a view, not a table of that name (Trino: "... but a table with that name exists")."""
    sql.ok(lake, "CREATE VIEW short_lived AS SELECT 1 AS x")
    sql.ok(lake, "DROP VIEW short_lived")
    assert sql.failed(lake, "SELECT * FROM short_lived").startswith("TABLE_NOT_FOUND: ")
    sql.ok(lake, "DROP VIEW IF EXISTS short_lived")
    assert sql.failed(lake, "DROP VIEW short_lived").startswith("TABLE_NOT_FOUND: ")
    assert "a table with that name exists" in sql.failed(lake, "DROP VIEW cases")
    assert emulator.client("glue").get_table(DatabaseName=DATABASE, Name="cases")["Table"]["Name"] == "cases"


# -- EXPLAIN ------------------------------------------------------------------------------------

def test_explain_validate__trino_io_docs_current_sql_explain(lake):
    """EXPLAIN (TYPE VALIDATE): one boolean column Valid, true."""
    rows, columns = result(lake, sql.ok(lake, "EXPLAIN (TYPE VALIDATE) SELECT state FROM cases"))
    assert columns == ["Valid"] and rows == [["Valid"], ["true"]]


def test_explain_plans_the_query_and_says_whose_plan__docs_aws_amazon_com_athena_latest_ug_athena_explain_statement(lake):
    rows, columns = result(lake, sql.ok(lake, "EXPLAIN SELECT state, count(*) FROM cases GROUP BY state"))
    assert columns == ["Query Plan"] and rows[1][0].startswith(explain.NOTE)
    assert sql.failed(lake, "EXPLAIN SELECT * FROM no_such_table").startswith("TABLE_NOT_FOUND: ")
    assert sql.failed(lake, "EXPLAIN (FORMAT JSON) SELECT 1").startswith(
        "NOT_SUPPORTED: local_aws does not run EXPLAIN (FORMAT JSON)")
    assert sql.failed(lake, "EXPLAIN ANALYZE SELECT 1").startswith("NOT_SUPPORTED: ")


# -- CTAS and UNLOAD: the data manifest ---------------------------------------------------------

def manifest_files(s3, execution: dict) -> list[str]:
    location = execution["Statistics"]["DataManifestLocation"]
    assert location == f"{OUTPUT}{execution['QueryExecutionId']}-manifest.csv"
    return s3.get_object(Bucket=BUCKET, Key=location.split(f"{BUCKET}/", 1)[1])["Body"].read().decode().split()


def test_ctas_and_unload_name_their_manifest__docs_aws_amazon_com_athena_latest_APIReference_API_QueryExecutionStatistics(s3, lake):
    """DataManifestLocation: "The location and file name of a data manifest file ... saved to the
    Athena query results location"; it lists the files the query wrote."""
    ctas = sql.ok(lake, f"CREATE TABLE cases_copy WITH (external_location = 's3://{BUCKET}/cases_copy/') "
                        "AS SELECT * FROM cases")
    written = manifest_files(s3, ctas)
    assert written and all(f.startswith(f"s3://{BUCKET}/cases_copy/") for f in written)
    unload = sql.ok(lake, f"UNLOAD (SELECT state FROM cases) TO 's3://{BUCKET}/unloaded/' WITH (format = 'PARQUET')")
    written = manifest_files(s3, unload)
    assert written and all(f.startswith(f"s3://{BUCKET}/unloaded/") for f in written)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="unloaded/")["Contents"]}
    assert {f.split(f"{BUCKET}/", 1)[1] for f in written} == keys

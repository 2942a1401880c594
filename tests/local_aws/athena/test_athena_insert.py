"""Athena INSERT INTO on local_aws, against https://docs.aws.amazon.com/athena/latest/ug/insert-into.html
(and, for the manifest and UpdateCount, querying-finding-output-files.html and API_GetQueryResults)."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest

from tests.support.athena import Statements

BUCKET = "insert-lake"
OUTPUT = f"s3://{BUCKET}/results/"
STATEMENTS = Statements("ins", OUTPUT)
query, ok, failed, rows = STATEMENTS.query, STATEMENTS.ok, STATEMENTS.failed, STATEMENTS.rows


@pytest.fixture(scope="module")
def tables(emulator, athena, s3):
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="src/cases.csv", Body=b"NY,2020-03-01,10\nCA,2020-03-01,4\nNY,2020-03-02,12\n")
    ok(athena, "CREATE DATABASE IF NOT EXISTS ins")
    ok(athena, f"""CREATE EXTERNAL TABLE src (state string, `date` date, cases bigint)
                  ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{BUCKET}/src/'""")
    ok(athena, f"CREATE EXTERNAL TABLE flat (state string, cases bigint, rate double) STORED AS PARQUET "
               f"LOCATION 's3://{BUCKET}/flat/'")
    ok(athena, f"CREATE EXTERNAL TABLE parted (state string, cases bigint) PARTITIONED BY (dt string) "
               f"STORED AS PARQUET LOCATION 's3://{BUCKET}/parted/'")
    ok(athena, f"""CREATE EXTERNAL TABLE text_target (state string)
                  ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{BUCKET}/text/'""")


def test_insert_select_appends_rows_and_reports_them(athena, s3, tables):
    execution = ok(athena, "INSERT INTO flat SELECT state, cases, 0.5e0 FROM src WHERE state = 'NY'")
    assert execution["StatementType"] == "DML"
    assert execution["SubstatementType"] == "INSERT"
    results = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    assert results["UpdateCount"] == 2  # the two NY rows of src
    # the data manifest lists the objects the INSERT wrote, under the table's location
    manifest = execution["Statistics"]["DataManifestLocation"]
    assert manifest == f"{OUTPUT}{execution['QueryExecutionId']}-manifest.csv"
    written = s3.get_object(Bucket=BUCKET, Key=manifest.split(f"{BUCKET}/", 1)[1])["Body"].read().decode().split()
    assert len(written) == 1 and written[0].startswith(f"s3://{BUCKET}/flat/")
    data = pq.read_table(io.BytesIO(s3.get_object(Bucket=BUCKET, Key=written[0].split(f"{BUCKET}/", 1)[1])["Body"].read()))
    assert sorted(data.column("cases").to_pylist()) == [10, 12]

    ok(athena, "INSERT INTO flat VALUES ('TX', 3, 1.5e0), ('WA', 5, NULL)")
    assert rows(athena, "SELECT state, cases, rate FROM flat ORDER BY state") == [
        ["NY", "10", "0.5"], ["NY", "12", "0.5"], ["TX", "3", "1.5"], ["WA", "5", None]]


def test_an_insert_of_no_rows_writes_no_object(athena, s3, tables):
    before = s3.list_objects_v2(Bucket=BUCKET, Prefix="flat/")["KeyCount"]
    execution = ok(athena, "INSERT INTO flat SELECT state, cases, 1e0 FROM src WHERE state = 'none'")
    assert athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["UpdateCount"] == 0
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="flat/")["KeyCount"] == before


def test_columns_not_listed_are_null(athena, tables):
    ok(athena, "INSERT INTO flat (cases, state) VALUES (7, 'VT')")
    assert rows(athena, "SELECT state, cases, rate FROM flat WHERE state = 'VT'") == [["VT", "7", None]]


def test_a_partitioned_insert_adds_its_partitions_to_the_catalog(emulator, athena, s3, tables):
    glue = emulator.client("glue")
    execution = ok(athena, "INSERT INTO parted SELECT state, cases, CAST(\"date\" AS varchar) FROM src")
    assert athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["UpdateCount"] == 3
    partitions = glue.get_partitions(DatabaseName="ins", TableName="parted")["Partitions"]
    assert sorted((p["Values"], p["StorageDescriptor"]["Location"]) for p in partitions) == [
        (["2020-03-01"], f"s3://{BUCKET}/parted/dt=2020-03-01/"),
        (["2020-03-02"], f"s3://{BUCKET}/parted/dt=2020-03-02/")]
    # a second insert into an existing partition appends to it and adds no partition
    ok(athena, "INSERT INTO parted VALUES ('VT', 1, '2020-03-02')")
    assert len(glue.get_partitions(DatabaseName="ins", TableName="parted")["Partitions"]) == 2
    assert rows(athena, "SELECT dt, state, cases FROM parted ORDER BY dt, state") == [
        ["2020-03-01", "CA", "4"], ["2020-03-01", "NY", "10"],
        ["2020-03-02", "NY", "12"], ["2020-03-02", "VT", "1"]]


def test_more_than_100_partitions_in_one_insert_fail(athena, tables):
    # ctas-insert-into.html: at most 100 partitions per INSERT INTO, and the error's words
    # src has 3 rows, so its 5-fold cross join 243: as many partitions
    reason = failed(athena, "INSERT INTO parted SELECT 'NY', 1, CAST(n AS varchar) FROM "
                            "(SELECT row_number() OVER () AS n FROM src a, src b, src c, src d, src e)")
    assert reason == ("HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for "
                      "partitions/buckets"), reason


@pytest.mark.parametrize(("sql", "table", "query"), [
    ("INSERT INTO flat VALUES ('NY', '10', 1e0)", "varchar, bigint, double", ", double]"),
    ("INSERT INTO flat VALUES ('NY', 1.5, 1e0)", "varchar, bigint, double", ", decimal(2,1), double]"),
    ("INSERT INTO flat VALUES ('NY', 1)", "varchar, bigint, double", ", integer]"),
    ("INSERT INTO flat (cases) VALUES (1e0)", "bigint", "[double]"),
])
def test_a_query_whose_types_do_not_coerce_fails_type_mismatch(athena, tables, sql, table, query):
    # Trino coerces integers and decimals upward and to double, never text or double to bigint.
    # (Trino types a text literal varchar(n); local_aws prints varchar, so only the rest is compared.)
    reason = failed(athena, sql)
    assert reason.startswith("TYPE_MISMATCH: Insert query has mismatched column types: "
                             f"Table: [{table}], Query: ["), reason
    assert reason.endswith(query), reason


def test_integers_and_decimals_widen_into_double_and_bigint(athena, tables):
    ok(athena, "INSERT INTO flat VALUES ('ME', CAST(2 AS smallint), 2.25)")
    assert rows(athena, "SELECT cases, rate FROM flat WHERE state = 'ME'") == [["2", "2.25"]]


def test_insert_into_a_missing_table_or_column_fails(athena, tables):
    assert failed(athena, "INSERT INTO nowhere VALUES (1)").startswith(
        "TABLE_NOT_FOUND: Table 'awsdatacatalog.ins.nowhere' does not exist")
    assert failed(athena, "INSERT INTO flat (state, deaths) VALUES ('NY', 1)").startswith(
        "COLUMN_NOT_FOUND: Insert column name does not exist in target table: deaths")


def test_insert_into_a_text_table_is_refused_by_name(athena, s3, tables):
    reason = failed(athena, "INSERT INTO text_target VALUES ('NY')")
    assert reason.startswith("NOT_SUPPORTED: local_aws writes INSERT INTO only into Parquet tables"), reason
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="text/")["KeyCount"] == 0

"""Athena's SHOW statements on local_aws (show-databases.html, show-tables.html,
show-partitions.html), the result shape real clients record for them (uber/athenadriver
resources/UndocumentedAthena.md: UTILITY results have no header row; util_show.go: the column
names and sorted order), and the statements local_aws refuses by name."""

from __future__ import annotations

import pytest

from tests.support.athena import run_query

BUCKET = "show-lake"
OUTPUT = f"s3://{BUCKET}/results/"


def query(athena, sql: str, database: str = "show_db") -> dict:
    return run_query(athena, sql, database=database, output=OUTPUT)


def ok(athena, sql: str, database: str = "show_db") -> dict:
    execution = query(athena, sql, database)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
    return execution


def results(athena, execution: dict) -> tuple[list[list], list[dict]]:
    page = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    return ([[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]],
            page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"])


@pytest.fixture(scope="module")
def catalog(emulator, athena, s3):
    s3.create_bucket(Bucket=BUCKET)
    for database in ("show_db", "show_flights_db"):
        ok(athena, f"CREATE DATABASE IF NOT EXISTS {database}", database="default")
    for table in ("flights_parquet", "alb_logs", "flights_2016", "elb_logs"):
        ok(athena, f"CREATE EXTERNAL TABLE {table} (x string) STORED AS PARQUET "
                   f"LOCATION 's3://{BUCKET}/{table}/'")
    ok(athena, f"CREATE EXTERNAL TABLE impressions (x string) PARTITIONED BY (dt string, hr string) "
               f"STORED AS PARQUET LOCATION 's3://{BUCKET}/impressions/'")
    glue = emulator.client("glue")
    table = glue.get_table(DatabaseName="show_db", Name="impressions")["Table"]
    for dt, hr in (("2009-04-13", "18"), ("2009-04-12", "16")):
        location = f"s3://{BUCKET}/impressions/dt={dt}/hr={hr}/"
        glue.create_partition(DatabaseName="show_db", TableName="impressions", PartitionInput={
            "Values": [dt, hr], "StorageDescriptor": {**table["StorageDescriptor"], "Location": location}})


def test_show_tables_lists_sorted_names_without_a_header_row(athena, s3, catalog):
    execution = ok(athena, "SHOW TABLES IN show_db")
    assert execution["StatementType"] == "UTILITY"  # show-tables.html
    rows, columns = results(athena, execution)
    assert rows == [["alb_logs"], ["elb_logs"], ["flights_2016"], ["flights_parquet"], ["impressions"]]
    assert [(c["Name"], c["Type"]) for c in columns] == [("tab_name", "string")]
    # the result file is Hive's text: <id>.txt, one name a line
    location = execution["ResultConfiguration"]["OutputLocation"]
    assert location == f"{OUTPUT}{execution['QueryExecutionId']}.txt"
    body = s3.get_object(Bucket=BUCKET, Key=location.split(f"{BUCKET}/", 1)[1])["Body"].read().decode()
    assert body == "alb_logs\nelb_logs\nflights_2016\nflights_parquet\nimpressions\n"


@pytest.mark.parametrize(("sql", "names"), [
    # the page's own examples: '*flights*' and '*logs'; '|' separates alternatives
    ("SHOW TABLES IN show_db '*flights*'", ["flights_2016", "flights_parquet"]),
    ("SHOW TABLES IN show_db '*logs'", ["alb_logs", "elb_logs"]),
    ("SHOW TABLES '.*logs|impressions'", ["alb_logs", "elb_logs", "impressions"]),
    ("SHOW TABLES IN show_db 'ALB*'", ["alb_logs"]),
    ("SHOW TABLES IN `show_db` 'elb_logs'", ["elb_logs"]),  # the page's backticks workaround
])
def test_show_tables_filters_with_the_documented_pattern(athena, catalog, sql, names):
    assert results(athena, ok(athena, sql))[0] == [[n] for n in names]


def test_show_databases_and_schemas(athena, catalog):
    execution = ok(athena, "SHOW SCHEMAS")
    rows, columns = results(athena, execution)
    assert [(c["Name"], c["Type"]) for c in columns] == [("database_name", "string")]
    names = [r[0] for r in rows]
    assert names == sorted(names) and {"show_db", "show_flights_db"} <= set(names)
    # show-databases.html's example pattern form: '.*analytics'
    assert results(athena, ok(athena, "SHOW DATABASES LIKE '.*flights_db'"))[0] == [["show_flights_db"]]


def test_show_partitions_lists_the_catalog_s_partitions(athena, catalog):
    rows, columns = results(athena, ok(athena, "SHOW PARTITIONS impressions"))
    assert [c["Name"] for c in columns] == ["partition"]
    assert sorted(rows) == [["dt=2009-04-12/hr=16"], ["dt=2009-04-13/hr=18"]]  # "unsorted order"


def test_show_partitions_of_a_table_without_partitions_fails_as_hive_does(athena, catalog):
    failed = query(athena, "SHOW PARTITIONS show_db.alb_logs")
    assert failed["Status"]["State"] == "FAILED"
    assert failed["Status"]["StateChangeReason"] == (
        "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "
        "Table show_db.alb_logs is not a partitioned table")


def test_show_of_a_missing_database_or_table_fails(athena, catalog):
    assert query(athena, "SHOW TABLES IN nowhere")["Status"]["StateChangeReason"].startswith("SCHEMA_NOT_FOUND: ")
    assert query(athena, "SHOW PARTITIONS nothing")["Status"]["StateChangeReason"].startswith("TABLE_NOT_FOUND: ")


# DESCRIBE, SHOW COLUMNS, SHOW CREATE TABLE, EXPLAIN and CREATE VIEW run now
# (test_athena_analyst_statements.py); these are still refused by name.
@pytest.mark.parametrize(("sql", "named"), [
    ("SHOW TBLPROPERTIES alb_logs", "SHOW TBLPROPERTIES: use the Athena GetTableMetadata API"),
    ("DESCRIBE FORMATTED alb_logs", "DESCRIBE [db_name.]table_name only"),
    ("SHOW VIEWS", "ALTER VIEW, SHOW VIEWS or SHOW CREATE VIEW"),
    ("ALTER VIEW v AS SELECT 1 AS x", "ALTER VIEW, SHOW VIEWS or SHOW CREATE VIEW"),
    ("ALTER TABLE alb_logs SET TBLPROPERTIES ('a' = 'b')", "this ALTER TABLE statement"),
])
def test_statements_local_aws_does_not_run_are_refused_naming_them(athena, catalog, sql, named):
    failed = query(athena, sql)
    assert failed["Status"]["State"] == "FAILED"
    reason = failed["Status"]["StateChangeReason"]
    assert reason.startswith(("NOT_SUPPORTED: local_aws does not run ", "NOT_SUPPORTED: local_aws runs ")), reason
    assert named in reason

"""Athena CTAS table properties on local_aws, against
https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html: partitioned_by (a
partitioned Parquet table, its partitions in Glue), the 100-partition limit
(ctas-insert-into.html), and the properties local_aws does not serve, refused by name."""

from __future__ import annotations

import pytest

from tests.support.athena import Statements

BUCKET = "ctas-lake"
OUTPUT = f"s3://{BUCKET}/results/"
STATEMENTS = Statements("ctas_db", OUTPUT)
query, ok, failed, rows = STATEMENTS.query, STATEMENTS.ok, STATEMENTS.failed, STATEMENTS.rows


@pytest.fixture(scope="module")
def src(athena, s3):
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="src/cases.csv",
                  Body=b"NY,2020-03-01,10\nCA,2020-03-01,4\nNY,2020-03-02,12\nWA,2020-03-02,7\n")
    ok(athena, "CREATE DATABASE IF NOT EXISTS ctas_db")
    ok(athena, f"""CREATE EXTERNAL TABLE src (state string, `date` string, cases bigint)
                  ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{BUCKET}/src/'""")


def test_partitioned_by_makes_a_partitioned_table_and_its_partitions(emulator, athena, s3, src):
    execution = ok(athena, f"CREATE TABLE by_day WITH (format = 'PARQUET', external_location = "
                           f"'s3://{BUCKET}/by_day/', partitioned_by = ARRAY['date']) "
                           "AS SELECT state, cases, \"date\" FROM src")
    assert athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["UpdateCount"] == 4
    glue = emulator.client("glue")
    table = glue.get_table(DatabaseName="ctas_db", Name="by_day")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["state", "cases"]
    assert [(k["Name"], k["Type"]) for k in table["PartitionKeys"]] == [("date", "string")]
    partitions = glue.get_partitions(DatabaseName="ctas_db", TableName="by_day")["Partitions"]
    assert sorted((p["Values"], p["StorageDescriptor"]["Location"]) for p in partitions) == [
        (["2020-03-01"], f"s3://{BUCKET}/by_day/date=2020-03-01/"),
        (["2020-03-02"], f"s3://{BUCKET}/by_day/date=2020-03-02/")]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="by_day/")["Contents"]]
    assert sorted(k.rsplit("/", 1)[0] for k in keys) == ["by_day/date=2020-03-01", "by_day/date=2020-03-02"]
    # read back through the catalog: the sums per day of src's rows, 10 + 4 and 12 + 7
    assert rows(athena, "SELECT \"date\", sum(cases) FROM by_day GROUP BY 1 ORDER BY 1") == [
        ["2020-03-01", "14"], ["2020-03-02", "19"]]


def test_partition_columns_must_come_last_in_the_select(athena, src):
    reason = failed(athena, f"CREATE TABLE bad_order WITH (external_location = 's3://{BUCKET}/bad_order/', "
                            "partitioned_by = ARRAY['state']) AS SELECT state, cases FROM src")
    assert reason == ("HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the table "
                      "and in the same order as the table properties: [state]")


def test_more_than_100_partitions_fail(athena, src):
    # 4 rows, 4-fold cross join: 256 rows, each its own partition
    reason = failed(athena, f"CREATE TABLE too_many WITH (external_location = 's3://{BUCKET}/too_many/', "
                            "partitioned_by = ARRAY['n']) AS SELECT 1 AS x, row_number() OVER () AS n "
                            "FROM src a, src b, src c, src d")
    assert reason == "HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for partitions/buckets"


@pytest.mark.parametrize(("prop", "reason"), [
    ("bucketed_by = ARRAY['state'], bucket_count = 2", "NOT_SUPPORTED: local_aws does not serve the CTAS "
                                                       "property bucketed_by"),
    ("table_type = 'ICEBERG'", "NOT_SUPPORTED: local_aws writes CTAS tables as Hive external tables only"),
    ("format = 'ORC'", "NOT_SUPPORTED: local_aws writes CTAS tables as PARQUET only"),
    # compression-support-hive.html: Parquet is read, not written, with LZ4
    ("write_compression = 'LZ4'", "NOT_SUPPORTED: write_compression LZ4: Athena writes Parquet as"),
    ("no_such_property = 'x'", "INVALID_TABLE_PROPERTY: Catalog 'awsdatacatalog' table property "
                               "'no_such_property' does not exist"),
])
def test_properties_local_aws_does_not_serve_are_refused(athena, s3, src, prop, reason):
    got = failed(athena, f"CREATE TABLE refused WITH (external_location = 's3://{BUCKET}/refused/', {prop}) "
                         "AS SELECT state FROM src")
    assert got.startswith(reason), got
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="refused/")["KeyCount"] == 0


def test_a_compression_property_is_taken(athena, src):
    # write_compression changes the Parquet codec only: what queries read is the same
    ok(athena, f"CREATE TABLE snappy WITH (external_location = 's3://{BUCKET}/snappy/', "
               "write_compression = 'SNAPPY') AS SELECT state, cases FROM src")
    assert rows(athena, "SELECT count(*) FROM snappy") == [["4"]]

"""Athena against DuckDB: catalog-resolved reads of every SerDe, results, DDL, CTAS, failures."""

from __future__ import annotations

import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from tests.support.athena import run_query

BUCKET = "athena-lake"
OUTPUT = f"s3://{BUCKET}/results/"


@pytest.fixture(scope="module")
def glue(emulator):
    return emulator.client("glue")


def query(athena, sql: str, database: str = "lake", timeout: float = 20, **kw) -> dict:
    return run_query(athena, sql, database=database, output=OUTPUT, timeout=timeout, **kw)


def ok(athena, sql: str, **kw) -> dict:
    execution = query(athena, sql, **kw)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
    return execution


def rows(athena, execution: dict) -> list[list]:
    out, token = [], None
    while True:
        page = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"],
                                        **({"NextToken": token} if token else {}))
        out += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
        token = page.get("NextToken")
        if not token:
            return out


@pytest.fixture(scope="module")
def lake(emulator, athena):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    put = lambda key, body: s3.put_object(Bucket=BUCKET, Key=key, Body=body)  # noqa: E731
    put("plain/part-0.csv", b"date,state,cases\n2020-03-01,NY,10\n2020-03-02,NY,x\n")
    put("plain/part-1.csv", b"date,state,cases\n2020-03-01,CA,4\n")
    put("plain/_SUCCESS", b"")
    put("quoted/data.csv.gz", gzip.compress(b'"state","name"\n"NY","New York, the state"\n"TX",""\n'))
    put("json/records.json", b'{"State": "NY", "Beds": 120, "Extra": 1}\n{"State": "CA"}\n')
    buf = io.BytesIO()
    pq.write_table(pa.table({"State": ["WA"], "Cases": pa.array([7], pa.int64())}), buf)
    put("parquet/p.parquet", buf.getvalue())
    put("parted/dt=2020-03-01/a.csv", b"NY,1\n")
    put("parted/dt=2020-03-02/b.csv", b"CA,2\n")
    ok(athena, "CREATE DATABASE IF NOT EXISTS lake", database="default")
    ok(athena, f"""CREATE EXTERNAL TABLE plain (`date` string, state string, cases bigint)
                  ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
                  LOCATION 's3://{BUCKET}/plain/' TBLPROPERTIES ('skip.header.line.count'='1')""")
    ok(athena, f"""CREATE EXTERNAL TABLE plain_no_skip (`date` string, state string, cases bigint)
                  ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{BUCKET}/plain/'""")
    ok(athena, f"""CREATE EXTERNAL TABLE quoted (state string, name string)
                  ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
                  WITH SERDEPROPERTIES ('separatorChar'=',', 'quoteChar'='"', 'escapeChar'='\\\\')
                  LOCATION 's3://{BUCKET}/quoted/' TBLPROPERTIES ('skip.header.line.count'='1')""")
    ok(athena, f"""CREATE EXTERNAL TABLE beds (state string, beds bigint)
                  ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{BUCKET}/json/'""")
    ok(athena, f"CREATE EXTERNAL TABLE pq (state string, cases bigint) STORED AS PARQUET "
               f"LOCATION 's3://{BUCKET}/parquet/'")
    ok(athena, f"""CREATE EXTERNAL TABLE parted (state string, cases int) PARTITIONED BY (dt string)
                  ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{BUCKET}/parted/'""")
    return s3


def test_select_returns_typed_rows_and_writes_the_csv(athena, lake):
    execution = ok(athena, "SELECT state, SUM(cases) AS total, COUNT(*) AS n FROM plain "
                           "GROUP BY state ORDER BY state")
    assert rows(athena, execution) == [["state", "total", "n"], ["CA", "4", "1"], ["NY", "10", "2"]]
    info = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    types = [c["Type"] for c in info["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]]
    assert types == ["varchar", "bigint", "bigint"]

    location = execution["ResultConfiguration"]["OutputLocation"]
    assert location == f"{OUTPUT}{execution['QueryExecutionId']}.csv"
    key = location.removeprefix(f"s3://{BUCKET}/")
    body = lake.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    assert body == '"state","total","n"\n"CA","4","1"\n"NY","10","2"\n'
    metadata = json.loads(lake.get_object(Bucket=BUCKET, Key=key + ".metadata")["Body"].read())
    assert [c["Name"] for c in metadata["ColumnInfo"]] == ["state", "total", "n"]


def _result_file(s3, execution: dict) -> str:
    key = execution["ResultConfiguration"]["OutputLocation"].removeprefix(f"s3://{BUCKET}/")
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()


def test_result_file_of_text_columns_quotes_values_and_leaves_null_empty(athena, lake):
    """Text only (the pipeline's extracts): '' is "", NULL nothing, a quote doubled."""
    execution = ok(athena, """SELECT state, name, CAST(NULL AS varchar) AS missing,
                                     'say "hi"' AS said FROM quoted ORDER BY state""")
    assert _result_file(lake, execution) == (
        '"state","name","missing","said"\n'
        '"NY","New York, the state",,"say ""hi"""\n'
        '"TX","",,"say ""hi"""\n')


def test_result_file_of_mixed_columns_prints_values_as_trino_does(athena, lake):
    execution = ok(athena, """SELECT 'a"b' AS t, 1.5E10 AS d, true AS b, CAST(NULL AS bigint) AS n,
                                     DATE '2020-03-01' AS day""")
    assert _result_file(lake, execution) == (
        '"t","d","b","n","day"\n"a""b","1.5E10","true",,"2020-03-01"\n')


def test_header_is_data_unless_the_table_skips_it(athena, lake):
    execution = ok(athena, "SELECT \"date\", state, cases FROM plain_no_skip ORDER BY \"date\", state")
    assert rows(athena, execution)[1:] == [
        ["2020-03-01", "CA", "4"], ["2020-03-01", "NY", "10"], ["2020-03-02", "NY", None],
        ["date", "state", None], ["date", "state", None],
    ]


def test_opencsv_gzip_json_and_parquet_tables(athena, lake):
    assert rows(athena, ok(athena, "SELECT state, name FROM quoted ORDER BY state"))[1:] == [
        ["NY", "New York, the state"], ["TX", ""]]
    assert rows(athena, ok(athena, "SELECT state, beds FROM beds ORDER BY state"))[1:] == [
        ["CA", None], ["NY", "120"]]
    assert rows(athena, ok(athena, "SELECT state, cases FROM lake.pq"))[1:] == [["WA", "7"]]


def test_partitions_are_read_once_registered_by_msck_repair(athena, lake, glue):
    assert rows(athena, ok(athena, "SELECT * FROM parted")) == [["state", "cases", "dt"]]
    ok(athena, "MSCK REPAIR TABLE parted")
    partitions = glue.get_partitions(DatabaseName="lake", TableName="parted")["Partitions"]
    assert sorted(p["Values"][0] for p in partitions) == ["2020-03-01", "2020-03-02"]
    assert rows(athena, ok(athena, "SELECT state, cases, dt FROM parted ORDER BY dt"))[1:] == [
        ["NY", "1", "2020-03-01"], ["CA", "2", "2020-03-02"]]


def test_trino_functions_ctes_and_parameters(athena, lake):
    execution = ok(athena, """
        WITH daily AS (SELECT date_parse("date", '%Y-%m-%d') AS d, cases FROM plain WHERE state = ?)
        SELECT date_format(d, '%Y/%m/%d') AS day, try_cast(cases AS double) / 2 AS half,
               approx_distinct(cases) AS n
        FROM daily GROUP BY 1, 2 ORDER BY 1""", ExecutionParameters=["'NY'"])
    assert rows(athena, execution)[1:] == [["2020/03/01", "5.0", "1"], ["2020/03/02", None, "0"]]


def test_results_paginate(athena, lake):
    execution = ok(athena, "SELECT n FROM UNNEST(sequence(1, 2500)) AS t(n)")
    first = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"], MaxResults=1000)
    assert len(first["ResultSet"]["Rows"]) == 1000 and first["NextToken"]
    all_rows = rows(athena, execution)
    assert len(all_rows) == 2501 and all_rows[-1] == ["2500"]


def test_invalid_sql_fails_with_reason_and_athena_error(athena, lake):
    bad = query(athena, "SELEC state FROM plain")
    assert bad["Status"]["State"] == "FAILED"
    assert bad["Status"]["StateChangeReason"].startswith("SYNTAX_ERROR: line 1:")
    assert bad["Status"]["AthenaError"]["ErrorMessage"] == bad["Status"]["StateChangeReason"]
    missing = query(athena, "SELECT * FROM nowhere")
    assert missing["Status"]["StateChangeReason"] == (
        "TABLE_NOT_FOUND: Table 'awsdatacatalog.lake.nowhere' does not exist")
    column = query(athena, "SELECT no_such_column FROM plain")
    assert column["Status"]["State"] == "FAILED" and "no_such_column" in column["Status"]["StateChangeReason"]
    with pytest.raises(ClientError, match="Query has not yet finished|FAILED"):
        athena.get_query_results(QueryExecutionId=bad["QueryExecutionId"])


def test_an_output_location_is_required(athena):
    with pytest.raises(ClientError, match="No output location provided"):
        athena.start_query_execution(QueryString="SELECT 1")


def test_ddl_keeps_athena_and_glue_in_step(athena, glue, lake):
    ok(athena, "CREATE DATABASE scratch", database="default")
    athena_dbs = {d["Name"] for d in athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]}
    glue_dbs = {d["Name"] for d in glue.get_databases()["DatabaseList"]}
    assert {"lake", "scratch"} <= athena_dbs and athena_dbs == glue_dbs
    again = query(athena, "CREATE DATABASE scratch", database="default")
    assert again["Status"]["State"] == "FAILED" and "already exists" in again["Status"]["StateChangeReason"]

    ok(athena, f"CREATE EXTERNAL TABLE scratch.t (a string) LOCATION 's3://{BUCKET}/plain/'")
    table = glue.get_table(DatabaseName="scratch", Name="t")["Table"]
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("LazySimpleSerDe")
    ok(athena, "DROP TABLE scratch.t")
    assert glue.get_tables(DatabaseName="scratch")["TableList"] == []
    assert lake.list_objects_v2(Bucket=BUCKET, Prefix="plain/")["KeyCount"] == 3  # data stays
    ok(athena, "DROP DATABASE scratch", database="default")
    assert "scratch" not in {d["Name"] for d in glue.get_databases()["DatabaseList"]}


def test_ctas_and_unload_write_parquet(athena, glue, lake):
    ctas = ok(athena, f"""CREATE TABLE state_totals
                         WITH (format = 'PARQUET', external_location = 's3://{BUCKET}/ctas/state_totals/')
                         AS SELECT state, SUM(cases) AS total FROM plain GROUP BY state""")
    assert athena.get_query_results(QueryExecutionId=ctas["QueryExecutionId"])["UpdateCount"] == 2
    keys = [o["Key"] for o in lake.list_objects_v2(Bucket=BUCKET, Prefix="ctas/state_totals/")["Contents"]]
    assert len(keys) == 1 and keys[0].endswith(".parquet")
    parquet = pq.read_table(io.BytesIO(lake.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()))
    assert sorted(parquet.column("state").to_pylist()) == ["CA", "NY"]
    columns = glue.get_table(DatabaseName="lake", Name="state_totals")["Table"]["StorageDescriptor"]["Columns"]
    assert columns == [{"Name": "state", "Type": "string"}, {"Name": "total", "Type": "bigint"}]
    assert rows(athena, ok(athena, "SELECT total FROM state_totals WHERE state = 'NY'"))[1:] == [["10"]]
    repeat = query(athena, f"""CREATE TABLE state_totals2 WITH (external_location = 's3://{BUCKET}/ctas/state_totals/')
                              AS SELECT 1 AS a""")
    assert repeat["Status"]["StateChangeReason"].startswith("HIVE_PATH_ALREADY_EXISTS")

    ok(athena, f"UNLOAD (SELECT state FROM plain WHERE cases > 5) TO 's3://{BUCKET}/unload/' "
               "WITH (format = 'PARQUET')")
    (obj,) = lake.list_objects_v2(Bucket=BUCKET, Prefix="unload/")["Contents"]
    assert pq.read_table(io.BytesIO(lake.get_object(Bucket=BUCKET, Key=obj["Key"])["Body"].read())
                         ).column("state").to_pylist() == ["NY"]


# -- Trino semantics: test_trino_semantics.py --------------------------------------------------


# -- Open CSV SerDe typing: docs.aws.amazon.com/athena/latest/ug/csv-serde.html ---------------

@pytest.fixture(scope="module")
def counts(lake, athena):
    """A quoted CSV as the real COVID Tracking file is: numeric columns with empty fields."""
    lake.put_object(Bucket=BUCKET, Key="counts/c.csv", Body=(
        b'"date","state","positive","share","ok","seen_ms","day"\n'
        b'"20200401","NY","83712","0.5","TRUE","1579059880000","18276"\n'
        b'"20200401","AS","","1e3","false","","18277"\n'
        b'"20200331","WA"," 12","Infinity","true","0","0"\n'))
    columns = ("`date` bigint, state string, positive bigint, share double, ok boolean, "
               "seen_ms timestamp, `day` date")
    serde = """ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
               WITH SERDEPROPERTIES ('separatorChar'=',', 'quoteChar'='"')"""
    ok(athena, f"""CREATE EXTERNAL TABLE counts ({columns}) {serde}
                  LOCATION 's3://{BUCKET}/counts/' TBLPROPERTIES ('skip.header.line.count'='1')""")
    ok(athena, f"""CREATE EXTERNAL TABLE counts_lenient ({columns}) {serde}
                  LOCATION 's3://{BUCKET}/counts/'
                  TBLPROPERTIES ('skip.header.line.count'='1', 'use.null.for.invalid.data'='true')""")
    ok(athena, f"""CREATE EXTERNAL TABLE counts_text (`date` string, state string, positive string)
                  {serde} LOCATION 's3://{BUCKET}/counts/'
                  TBLPROPERTIES ('skip.header.line.count'='1')""")
    return "counts"


def test_csv_serde_empty_numeric_field_fails_the_query_that_reads_it(athena, counts):
    # "Does not recognize empty or null values in columns defined as a numeric data type":
    # the query fails with HIVE_BAD_DATA, whatever the WHERE clause keeps.
    for sql in ("SELECT positive FROM counts", "SELECT sum(positive) FROM counts WHERE state = 'NY'",
                "SELECT * FROM counts WHERE state = 'NY'", "SELECT c.positive FROM counts c"):
        failed = query(athena, sql)
        assert failed["Status"]["State"] == "FAILED", sql
        reason = failed["Status"]["StateChangeReason"]
        assert reason.startswith("HIVE_BAD_DATA: Error parsing field value '' for field 2"), reason
        assert "positive" in reason and "lake.counts" in reason


def test_csv_serde_columns_a_query_does_not_read_are_not_parsed(athena, counts):
    # Athena deserialises only the columns a query reads.
    assert rows(athena, ok(athena, "SELECT state, share FROM counts ORDER BY state"))[1:] == [
        ["AS", "1000.0"], ["NY", "0.5"], ["WA", "Infinity"]]
    assert rows(athena, ok(athena, "SELECT count(*) FROM counts"))[1:] == [["3"]]


def test_csv_serde_parses_integers_as_java_does(athena, counts):
    # " 12" is no Long.parseLong value: the WA row fails once AS's empty field is out of the way.
    failed = query(athena, "SELECT positive FROM counts_text c JOIN counts USING (state) "
                           "WHERE counts.state <> 'AS'")
    assert failed["Status"]["StateChangeReason"].startswith("HIVE_BAD_DATA: Error parsing field value")


def test_csv_serde_use_null_for_invalid_data_reads_nulls(athena, counts):
    got = rows(athena, ok(athena, "SELECT state, positive, ok, seen_ms, day FROM counts_lenient "
                                  "ORDER BY state"))
    assert got[1:] == [["AS", None, "false", None, "2020-01-16"],
                       ["NY", "83712", "true", "2020-01-15 03:44:40.000", "2020-01-15"],
                       ["WA", None, "true", "1970-01-01 00:00:00.000", "1970-01-01"]]


def test_csv_serde_string_columns_cast_in_the_query(athena, counts):
    # The page's workaround: declare the column string, CAST in the query.
    got = rows(athena, ok(athena, "SELECT state, try_cast(positive AS bigint) AS positive, "
                                  "positive = '' AS empty FROM counts_text WHERE state <> 'WA' ORDER BY state"))
    assert got[1:] == [["AS", None, "true"], ["NY", "83712", "false"]]


def test_csv_serde_type_athena_does_not_document_is_refused(athena, lake, counts):
    ok(athena, f"""CREATE EXTERNAL TABLE counts_small (`date` string, state string, positive smallint)
                  ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
                  LOCATION 's3://{BUCKET}/counts/' TBLPROPERTIES ('skip.header.line.count'='1')""")
    assert rows(athena, ok(athena, "SELECT state FROM counts_small WHERE state = 'NY'"))[1:] == [["NY"]]
    failed = query(athena, "SELECT positive FROM counts_small")
    assert failed["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED: ")
    assert "smallint" in failed["Status"]["StateChangeReason"]


def test_the_glue_catalog_is_listed_as_awsdatacatalog(athena):
    # The AWS CLI's list-data-catalogs example (awscli/examples/athena/list-data-catalogs.rst):
    # AwsDataCatalog of type GLUE is there in every account.
    listed = athena.list_data_catalogs()["DataCatalogsSummary"]
    assert {"CatalogName": "AwsDataCatalog", "Type": "GLUE"} in listed

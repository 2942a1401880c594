"""The AWS CLI v1 (pip package awscli, run as `python -m awscli`) against local_aws, with
--endpoint-url and dummy credentials; every expected answer is the one AWS documents."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from tests.clients.conftest import (
    BUCKET,
    CSV,
    DATABASE,
    OUTPUT,
    TABLE,
    WORKGROUP,
    client_env,
)


@pytest.fixture(scope="module")
def aws(lake):
    env = {**os.environ, **client_env(lake.endpoint_url)}
    env.pop("AWS_PROFILE", None)

    def _aws(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "awscli", *args, "--endpoint-url", lake.endpoint_url],
                              env=env, capture_output=True, text=True, timeout=60, check=False)
        if check:
            assert done.returncode == 0, done.stderr
        return done

    return _aws


def aws_json(aws, *args: str) -> dict:
    return json.loads(aws(*args, "--output", "json").stdout)


def test_s3_ls_lists_prefixes_then_objects__docs_aws_amazon_com_cli_latest_reference_s3_ls(aws):
    """https://docs.aws.amazon.com/cli/latest/reference/s3/ls.html: common prefixes as
    `PRE prefix/`, objects as `date time size key`."""
    assert aws("s3", "ls").stdout.rstrip().endswith(f" {BUCKET}")
    listing = aws("s3", "ls", f"s3://{BUCKET}/").stdout
    assert re.search(r"^\s+PRE cases/$", listing, re.MULTILINE), listing
    objects = aws("s3", "ls", f"s3://{BUCKET}/cases/").stdout
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+{len(CSV)} part-0.csv\n", objects), objects


def test_s3_cp_round_trips_bytes__docs_aws_amazon_com_cli_latest_reference_s3_cp(aws, tmp_path):
    """https://docs.aws.amazon.com/cli/latest/reference/s3/cp.html: `upload: <src> to <dst>`."""
    src = tmp_path / "up.bin"
    src.write_bytes(bytes(range(256)) * 40)
    out = aws("s3", "cp", str(src), f"s3://{BUCKET}/uploads/up.bin").stdout
    # (the CLI names the local file relative to its working directory)
    assert re.search(rf"^upload: \S*up\.bin to s3://{BUCKET}/uploads/up\.bin$", out, re.MULTILINE), out
    back = tmp_path / "back.bin"
    out = aws("s3", "cp", f"s3://{BUCKET}/uploads/up.bin", str(back)).stdout
    assert re.search(rf"^download: s3://{BUCKET}/uploads/up\.bin to \S*back\.bin$", out, re.MULTILINE), out
    assert back.read_bytes() == src.read_bytes()


def test_s3_ls_of_a_missing_bucket_fails__docs_aws_amazon_com_AmazonS3_latest_API_ErrorResponses(aws):
    """https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html: NoSuchBucket."""
    done = aws("s3", "ls", "s3://no-such-bucket-here/", check=False)
    assert done.returncode != 0 and "NoSuchBucket" in done.stderr


def test_glue_get_databases_and_tables__docs_aws_amazon_com_glue_latest_webapi_API_GetTables(aws):
    """https://docs.aws.amazon.com/glue/latest/webapi/API_GetDatabases.html and
    https://docs.aws.amazon.com/glue/latest/webapi/API_GetTables.html"""
    names = [d["Name"] for d in aws_json(aws, "glue", "get-databases")["DatabaseList"]]
    assert DATABASE in names
    tables = aws_json(aws, "glue", "get-tables", "--database-name", DATABASE)["TableList"]
    assert [t["Name"] for t in tables] == [TABLE]
    assert tables[0]["DatabaseName"] == DATABASE


def test_glue_get_table_describes_columns_and_location__docs_aws_amazon_com_glue_latest_webapi_API_GetTable(aws):
    """https://docs.aws.amazon.com/glue/latest/webapi/API_GetTable.html: Athena DDL types are
    Hive's (`date`, `string`, `bigint`), the table is EXTERNAL_TABLE."""
    table = aws_json(aws, "glue", "get-table", "--database-name", DATABASE, "--name", TABLE)["Table"]
    sd = table["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == [("date", "date"), ("state", "string"), ("cases", "bigint")]
    assert sd["Location"] in (f"s3://{BUCKET}/cases", f"s3://{BUCKET}/cases/")  # as the DDL gave it, or without the slash
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"]["skip.header.line.count"] == "1"


def test_glue_get_table_of_a_missing_table_is_entity_not_found__docs_aws_amazon_com_glue_latest_webapi_API_GetTable(aws):
    """https://docs.aws.amazon.com/glue/latest/webapi/API_GetTable.html#API_GetTable_Errors"""
    done = aws("glue", "get-table", "--database-name", DATABASE, "--name", "nope", check=False)
    assert done.returncode != 0 and "EntityNotFoundException" in done.stderr


def _athena_run(aws, sql: str, *extra: str) -> dict:
    qid = aws_json(aws, "athena", "start-query-execution", "--query-string", sql,
                   "--query-execution-context", f"Database={DATABASE}",
                   "--result-configuration", f"OutputLocation={OUTPUT}", *extra)["QueryExecutionId"]
    deadline = time.monotonic() + 30
    while True:
        execution = aws_json(aws, "athena", "get-query-execution", "--query-execution-id", qid)["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return execution
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_athena_query_results_header_types_and_csv__docs_aws_amazon_com_athena_latest_ug_querying(aws):
    """https://docs.aws.amazon.com/athena/latest/ug/querying.html (results are
    <OutputLocation><QueryExecutionId>.csv) and
    https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html (first row of
    a SELECT's first page is the header)."""
    execution = _athena_run(aws, f"SELECT state, sum(cases) AS total FROM {TABLE} GROUP BY state ORDER BY state")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    qid = execution["QueryExecutionId"]
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{OUTPUT}{qid}.csv"
    assert execution["StatementType"] == "DML"
    results = aws_json(aws, "athena", "get-query-results", "--query-execution-id", qid)
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in results["ResultSet"]["Rows"]]
    assert rows == [["state", "total"], ["CA", "4"], ["NY", "35"]]
    types = [(c["Name"], c["Type"]) for c in results["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]]
    assert types == [("state", "varchar"), ("total", "bigint")]
    csv = aws("s3", "cp", f"{OUTPUT}{qid}.csv", "-").stdout
    assert csv == '"state","total"\n"CA","4"\n"NY","35"\n'


def test_athena_cli_paginates_get_query_results__docs_aws_amazon_com_cli_latest_userguide_cli_usage_pagination(aws):
    """https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-pagination.html: the CLI
    follows NextToken itself; GetQueryResults pages hold at most 1000 rows
    (https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html)."""
    execution = _athena_run(aws, "SELECT x FROM UNNEST(sequence(1, 2500)) AS t(x)")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    qid = execution["QueryExecutionId"]
    rows = aws_json(aws, "athena", "get-query-results", "--query-execution-id", qid)["ResultSet"]["Rows"]
    assert len(rows) == 2501 and rows[-1]["Data"][0]["VarCharValue"] == "2500"
    page = aws_json(aws, "athena", "get-query-results", "--query-execution-id", qid, "--max-items", "10")
    assert len(page["ResultSet"]["Rows"]) == 10 and page["NextToken"]


def test_athena_execution_parameters__docs_aws_amazon_com_athena_latest_ug_querying_with_prepared_statements(aws):
    """https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html:
    ExecutionParameters fill the ? in order; a string is given quoted."""
    execution = _athena_run(aws, f"SELECT cases FROM {TABLE} WHERE state = ? AND cases > ?",
                            "--execution-parameters", "'NY'", "12")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert execution["ExecutionParameters"] == ["'NY'", "12"]
    rows = aws_json(aws, "athena", "get-query-results", "--query-execution-id", execution["QueryExecutionId"])
    assert [[d.get("VarCharValue") for d in r["Data"]] for r in rows["ResultSet"]["Rows"]] == [["cases"], ["25"]]


def test_athena_missing_table_fails_with_table_not_found__docs_aws_amazon_com_athena_latest_APIReference_API_QueryExecutionStatus(aws):
    """https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatus.html:
    FAILED with a StateChangeReason; Athena names it TABLE_NOT_FOUND."""
    execution = _athena_run(aws, "SELECT * FROM no_such_table")
    assert execution["Status"]["State"] == "FAILED"
    assert "TABLE_NOT_FOUND" in execution["Status"]["StateChangeReason"]


def test_athena_list_work_groups_has_primary__docs_aws_amazon_com_athena_latest_ug_workgroups_create_update_delete(aws):
    """https://docs.aws.amazon.com/athena/latest/APIReference/API_ListWorkGroups.html; every
    account has the `primary` workgroup, ENABLED
    (https://docs.aws.amazon.com/athena/latest/ug/workgroups-create-update-delete.html)."""
    groups = aws_json(aws, "athena", "list-work-groups")["WorkGroups"]
    primary = [g for g in groups if g["Name"] == "primary"]
    assert primary and primary[0]["State"] == "ENABLED"


def _redshift_run(aws, sql: str) -> dict:
    sid = aws_json(aws, "redshift-data", "execute-statement", "--workgroup-name", WORKGROUP,
                   "--database", "dev", "--sql", sql)["Id"]
    deadline = time.monotonic() + 30
    while True:
        described = aws_json(aws, "redshift-data", "describe-statement", "--id", sid)
        if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            return described
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_redshift_data_statement_result__docs_aws_amazon_com_redshift_data_latest_APIReference_API_GetStatementResult(aws):
    """https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_GetStatementResult.html
    and API_Field.html: integers as longValue, strings as stringValue; typeName is the
    Redshift type (int4, varchar)."""
    described = _redshift_run(aws, "SELECT id, city FROM public.visits ORDER BY id")
    assert described["Status"] == "FINISHED", described
    assert described["HasResultSet"] is True and described["ResultRows"] == 2
    result = aws_json(aws, "redshift-data", "get-statement-result", "--id", described["Id"])
    assert result["Records"] == [[{"longValue": 1}, {"stringValue": "Boston"}],
                                 [{"longValue": 2}, {"stringValue": "Austin"}]]
    assert [(c["name"], c["typeName"]) for c in result["ColumnMetadata"]] == [("id", "int4"), ("city", "varchar")]
    assert result["TotalNumRows"] == 2


def test_redshift_data_failed_statement__docs_aws_amazon_com_redshift_data_latest_APIReference_API_DescribeStatement(aws):
    """https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_DescribeStatement.html:
    Status FAILED with Error."""
    described = _redshift_run(aws, "SELECT * FROM public.no_such_table")
    assert described["Status"] == "FAILED" and described["Error"]


def test_redshift_data_list_databases_and_tables__docs_aws_amazon_com_redshift_data_latest_APIReference_API_ListTables(aws):
    """https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ListDatabases.html and
    API_ListTables.html (TableMember: name, schema, type)."""
    databases = aws_json(aws, "redshift-data", "list-databases", "--workgroup-name", WORKGROUP,
                         "--database", "dev")["Databases"]
    assert "dev" in databases
    tables = aws_json(aws, "redshift-data", "list-tables", "--workgroup-name", WORKGROUP, "--database", "dev",
                      "--schema-pattern", "public")["Tables"]
    assert {"name": "visits", "schema": "public", "type": "TABLE"} in tables


def test_athena_ctas_writes_a_data_manifest__docs_aws_amazon_com_athena_latest_APIReference_API_QueryExecutionStatistics(aws):
    """https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatistics.html:
    DataManifestLocation, in the query result location, lists the files the query wrote; CTAS's
    SubstatementType is CREATE_TABLE_AS_SELECT and its UpdateCount the rows written
    (https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html)."""
    execution = _athena_run(aws, f"CREATE TABLE cli_ctas WITH (external_location = 's3://{BUCKET}/ctas/cli_ctas/') "
                                 f"AS SELECT state, cases FROM {TABLE}")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert execution["SubstatementType"] == "CREATE_TABLE_AS_SELECT"
    manifest = execution["Statistics"]["DataManifestLocation"]
    assert manifest == f"{OUTPUT}{execution['QueryExecutionId']}-manifest.csv"
    files = aws("s3", "cp", manifest, "-").stdout.split()
    assert len(files) == 1 and files[0].startswith(f"s3://{BUCKET}/ctas/cli_ctas/") and files[0].endswith(".parquet")
    listed = aws("s3", "ls", f"s3://{BUCKET}/ctas/cli_ctas/").stdout
    assert files[0].rsplit("/", 1)[1] in listed
    results = aws_json(aws, "athena", "get-query-results", "--query-execution-id", execution["QueryExecutionId"])
    assert results["UpdateCount"] == 3


def test_athena_table_metadata__docs_aws_amazon_com_athena_latest_APIReference_API_TableMetadata(aws):
    """https://docs.aws.amazon.com/athena/latest/APIReference/API_ListTableMetadata.html and
    API_GetTableMetadata.html: the Glue table's columns, partition keys and type."""
    listed = aws_json(aws, "athena", "list-table-metadata", "--catalog-name", "AwsDataCatalog",
                      "--database-name", DATABASE)["TableMetadataList"]
    assert TABLE in [t["Name"] for t in listed]
    table = aws_json(aws, "athena", "get-table-metadata", "--catalog-name", "AwsDataCatalog",
                     "--database-name", DATABASE, "--table-name", TABLE)["TableMetadata"]
    assert [(c["Name"], c["Type"]) for c in table["Columns"]] == [("date", "date"), ("state", "string"), ("cases", "bigint")]
    assert table["PartitionKeys"] == [] and table["TableType"] == "EXTERNAL_TABLE"
    missing = aws("athena", "get-table-metadata", "--catalog-name", "AwsDataCatalog", "--database-name", DATABASE,
                  "--table-name", "nope", check=False)
    assert missing.returncode != 0 and "MetadataException" in missing.stderr

"""Redshift Data API against DuckDB: dialect, results, batches, COPY, failures, persistence."""

from __future__ import annotations

import gzip
import io
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

TERMINAL = {"FINISHED", "FAILED", "ABORTED"}


@pytest.fixture(scope="module")
def rsd(emulator):
    emulator.clusters("test-cluster", "cluster-a", "cluster-b", "list-cluster", "session-cluster",
                      "unload-cluster", "sessions-cluster", "token-cluster")
    return emulator.client("redshift-data")


def wait(client, statement_id: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        desc = client.describe_statement(Id=statement_id)
        if desc["Status"] in TERMINAL:
            return desc
        if time.monotonic() > deadline:
            raise AssertionError(f"statement still {desc['Status']} after {timeout}s")
        time.sleep(0.02)


def run(client, sql: str | list[str], *, cluster: str = "test-cluster", database: str = "dev", **kw) -> dict:
    target = {"WorkgroupName": kw.pop("workgroup")} if "workgroup" in kw else {"ClusterIdentifier": cluster}
    if isinstance(sql, list):
        resp = client.batch_execute_statement(Sqls=sql, Database=database, **target, **kw)
    else:
        resp = client.execute_statement(Sql=sql, Database=database, **target, **kw)
    return wait(client, resp["Id"])


def rows(client, statement_id: str) -> list[list]:
    out, token = [], None
    while True:
        page = client.get_statement_result(Id=statement_id, **({"NextToken": token} if token else {}))
        out += [[next(iter(f.values())) if "isNull" not in f else None for f in r] for r in page["Records"]]
        token = page.get("NextToken")
        if not token:
            return out


def test_redshift_ddl_runs_and_select_returns_typed_fields(rsd):
    ddl = run(rsd, """
        CREATE TABLE fact_cases (
            case_id BIGINT IDENTITY(1, 1),
            state VARCHAR(MAX) ENCODE ZSTD,
            day DATE SORTKEY,
            cases INTEGER DISTKEY,
            rate DECIMAL(10, 2),
            ratio DOUBLE PRECISION,
            flag BOOLEAN
        ) DISTSTYLE KEY""")
    assert ddl["Status"] == "FINISHED", ddl.get("Error")
    ins = run(rsd, "INSERT INTO fact_cases (state, day, cases, rate, ratio, flag) VALUES "
                   "('NY', '2020-03-01', 10, 1.25, 0.5, true), ('CA', '2020-03-02', NULL, 2.5, 1.5, false)")
    assert ins["Status"] == "FINISHED" and ins["ResultRows"] == 2 and not ins["HasResultSet"]

    sel = run(rsd, "SELECT case_id, state, day, cases, rate, ratio, flag, NVL(cases, -1) AS c "
                   "FROM public.fact_cases ORDER BY case_id")
    assert sel["HasResultSet"] and sel["ResultRows"] == 2
    result = rsd.get_statement_result(Id=sel["Id"])
    meta = {c["name"]: c["typeName"] for c in result["ColumnMetadata"]}
    assert meta == {"case_id": "int8", "state": "varchar", "day": "date", "cases": "int4",
                    "rate": "numeric", "ratio": "float8", "flag": "bool", "c": "int4"}
    assert result["TotalNumRows"] == 2
    assert result["Records"][0] == [
        {"longValue": 1}, {"stringValue": "NY"}, {"stringValue": "2020-03-01"}, {"longValue": 10},
        {"stringValue": "1.25"}, {"doubleValue": 0.5}, {"booleanValue": True}, {"longValue": 10},
    ]
    assert result["Records"][1][3] == {"isNull": True}


def test_results_are_paginated(rsd):
    sel = run(rsd, "SELECT n FROM generate_series(1, 2500) AS t(n)")
    first = rsd.get_statement_result(Id=sel["Id"])
    assert len(first["Records"]) == 1000 and first["TotalNumRows"] == 2500 and "NextToken" in first
    assert [r[0] for r in rows(rsd, sel["Id"])] == list(range(1, 2501))


def test_create_like_temp_tables_and_merge(rsd):
    assert run(rsd, "CREATE TABLE dim_state (code VARCHAR(2), name VARCHAR(64))")["Status"] == "FINISHED"
    run(rsd, "INSERT INTO dim_state VALUES ('NY', 'old name')")
    batch = run(rsd, [
        "CREATE TEMP TABLE stage_state (LIKE dim_state)",
        "INSERT INTO stage_state VALUES ('NY', 'New York'), ('CA', 'California')",
        "MERGE INTO dim_state USING stage_state s ON dim_state.code = s.code "
        "WHEN MATCHED THEN UPDATE SET name = s.name WHEN NOT MATCHED THEN INSERT VALUES (s.code, s.name)",
    ])
    assert batch["Status"] == "FINISHED", batch.get("Error")
    assert [s["Status"] for s in batch["SubStatements"]] == ["FINISHED"] * 3
    assert batch["SubStatements"][2]["ResultRows"] == 2
    sel = run(rsd, "SELECT code, name FROM dim_state ORDER BY code")
    assert rows(rsd, sel["Id"]) == [["CA", "California"], ["NY", "New York"]]
    # A temp table lives as long as its call, like a Data API session.
    gone = run(rsd, "SELECT * FROM stage_state")
    assert gone["Status"] == "FAILED" and "stage_state" in gone["Error"]


def test_batch_is_one_transaction_and_a_failure_rolls_it_back(rsd):
    run(rsd, "CREATE TABLE ledger (id INT)")
    batch = run(rsd, ["INSERT INTO ledger VALUES (1)", "INSERT INTO no_such_table VALUES (2)",
                      "INSERT INTO ledger VALUES (3)"])
    assert batch["Status"] == "FAILED"
    assert "statement 2 of 3" in batch["Error"] and "no_such_table" in batch["Error"]
    assert [s["Status"] for s in batch["SubStatements"]] == ["FINISHED", "FAILED", "ABORTED"]
    assert "no_such_table" in batch["SubStatements"][1]["Error"]
    count = run(rsd, "SELECT COUNT(*) FROM ledger")
    assert rows(rsd, count["Id"]) == [[0]]


def test_batch_sub_statement_results(rsd):
    batch = run(rsd, ["SELECT 1 AS one", "SELECT 'two' AS two"])
    assert batch["Status"] == "FINISHED" and batch["HasResultSet"]
    assert rsd.get_statement_result(Id=f"{batch['Id']}:2")["Records"] == [[{"stringValue": "two"}]]
    assert rsd.describe_statement(Id=f"{batch['Id']}:1")["Status"] == "FINISHED"
    with pytest.raises(ClientError, match="sub-statement"):
        rsd.get_statement_result(Id=batch["Id"])


def test_invalid_sql_fails_with_the_reason(rsd):
    bad = run(rsd, "SELEC 1")
    assert bad["Status"] == "FAILED" and "syntax error" in bad["Error"]
    missing = run(rsd, "SELECT * FROM nowhere")
    assert missing["Status"] == "FAILED" and "nowhere" in missing["Error"]
    with pytest.raises(ClientError, match="Status: FAILED"):
        rsd.get_statement_result(Id=missing["Id"])


def test_integer_division_is_integer_as_redshift_computes_it(rsd):
    """Return types for computations: INT4 / INT4 is INT4, an integer and a float8 give float8
    (https://docs.aws.amazon.com/redshift/latest/dg/r_numeric_computations201.html)."""
    done = run(rsd, "SELECT 7 / 2 AS i, -7 / 2 AS n, 7 / 2.0::float8 AS f")
    page = rsd.get_statement_result(Id=done["Id"])
    assert [c["typeName"] for c in page["ColumnMetadata"]] == ["int4", "int4", "float8"]
    assert rows(rsd, done["Id"]) == [[3, -3, 3.5]]
    zero = run(rsd, "SELECT 1 / 0")
    assert zero["Status"] == "FAILED" and "division by zero" in zero["Error"].lower()


def test_named_parameters(rsd):
    sel = run(rsd, "SELECT :state AS s, CAST(:n AS INT) + 1 AS n",
              Parameters=[{"name": "state", "value": "NY"}, {"name": "n", "value": "41"}])
    assert rows(rsd, sel["Id"]) == [["NY", 42]]


def test_cluster_workgroup_and_database_are_separate(rsd):
    run(rsd, "CREATE TABLE only_here (x INT)", cluster="cluster-a")
    assert run(rsd, "SELECT * FROM only_here", cluster="cluster-a")["Status"] == "FINISHED"
    assert run(rsd, "SELECT * FROM only_here", cluster="cluster-b")["Status"] == "FAILED"
    assert run(rsd, "SELECT * FROM only_here", cluster="cluster-a", database="other")["Status"] == "FAILED"
    assert run(rsd, "CREATE TABLE only_here (x INT)", workgroup="cluster-a")["Status"] == "FINISHED"
    assert "WorkgroupName" in run(rsd, "SELECT 1", workgroup="wg-main")


def test_api_validation_errors(rsd):
    with pytest.raises(ClientError, match="Exactly one of ClusterIdentifier or WorkgroupName"):
        rsd.execute_statement(Sql="SELECT 1", Database="dev")
    with pytest.raises(ClientError) as err:
        rsd.describe_statement(Id="00000000-0000-4000-8000-000000000000")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


# -- COPY ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def staged(emulator):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket="copy-src")
    part1 = "day,state,cases\n2020-03-01,NY,\"1,000\"\n2020-03-02,NY,5\n"
    part2 = "day,state,cases\n2020-03-03,\"New \"\"York\"\"\",7\n"
    s3.put_object(Bucket="copy-src", Key="csv/part-1.csv.gz", Body=gzip.compress(part1.encode()))
    s3.put_object(Bucket="copy-src", Key="csv/part-2.csv.gz", Body=gzip.compress(part2.encode()))
    s3.put_object(Bucket="copy-src", Key="pipe/data.txt", Body=b"2020-03-04|TX|9\n")
    table = pa.table({"day": pa.array(["2020-04-01"]), "state": ["WA"], "cases": pa.array([11], pa.int64())})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    s3.put_object(Bucket="copy-src", Key="parquet/part-0.parquet", Body=buf.getvalue())
    return s3


def test_copy_csv_gzip_with_header_and_quotes(rsd, staged):
    run(rsd, "CREATE TABLE copy_csv (day DATE, state VARCHAR(32), cases VARCHAR(16))")
    copy = run(rsd, "COPY copy_csv FROM 's3://copy-src/csv/' IAM_ROLE 'arn:aws:iam::123456789012:role/r' "
                    "FORMAT AS CSV DELIMITER ',' QUOTE '\"' IGNOREHEADER 1 GZIP REGION 'us-east-1'")
    assert copy["Status"] == "FINISHED", copy.get("Error")
    assert copy["ResultRows"] == 3
    sel = run(rsd, "SELECT day, state, cases FROM copy_csv ORDER BY day")
    assert rows(rsd, sel["Id"]) == [["2020-03-01", "NY", "1,000"], ["2020-03-02", "NY", "5"],
                                    ["2020-03-03", 'New "York"', "7"]]


def test_copy_pipe_delimited_text_and_parquet(rsd, staged):
    run(rsd, "CREATE TABLE copy_many (day DATE, state CHAR(2), cases BIGINT)")
    text = run(rsd, "COPY copy_many FROM 's3://copy-src/pipe/' IAM_ROLE default")
    assert text["Status"] == "FINISHED", text.get("Error")
    parquet = run(rsd, "COPY copy_many (day, state, cases) FROM 's3://copy-src/parquet/' "
                       "IAM_ROLE 'arn:aws:iam::123456789012:role/r' FORMAT AS PARQUET")
    assert parquet["Status"] == "FINISHED", parquet.get("Error")
    sel = run(rsd, "SELECT state, cases FROM copy_many ORDER BY day")
    assert rows(rsd, sel["Id"]) == [["TX", 9], ["WA", 11]]


def test_copy_failures(rsd, staged):
    run(rsd, "CREATE TABLE copy_fail (day DATE, state VARCHAR(32))")
    empty = run(rsd, "COPY copy_fail FROM 's3://copy-src/nothing-here/' IAM_ROLE default CSV")
    assert empty["Status"] == "FAILED" and "prefix 'nothing-here/' does not exist" in empty["Error"]
    too_wide = run(rsd, "COPY copy_fail FROM 's3://copy-src/csv/' IAM_ROLE default CSV IGNOREHEADER 1 GZIP")
    assert too_wide["Status"] == "FAILED" and "Extra column(s) found" in too_wide["Error"]
    unsupported = run(rsd, "COPY copy_fail FROM 's3://copy-src/csv/' IAM_ROLE default MANIFEST")
    assert unsupported["Status"] == "FAILED" and "MANIFEST" in unsupported["Error"]
    no_bucket = run(rsd, "COPY copy_fail FROM 's3://no-such-bucket/x' IAM_ROLE default CSV")
    assert no_bucket["Status"] == "FAILED" and "bucket does not exist" in no_bucket["Error"]


def test_databases_survive_a_restart(launch, tmp_path):
    first = launch(tmp_path, "--sample-scale", "none")
    first.clusters("test-cluster")
    client = first.client("redshift-data")
    assert run(client, "CREATE TABLE kept (x INT); INSERT INTO kept VALUES (7)")["Status"] == "FINISHED"
    assert first.stop() == 0
    assert (tmp_path / "redshift" / "cluster-test-cluster" / "dev.duckdb").exists()

    second = launch(tmp_path, "--sample-scale", "none")
    # the cluster is kept too (redshift/state.py), as every other resource
    assert [c["ClusterIdentifier"] for c in second.client("redshift").describe_clusters()["Clusters"]] \
        == ["test-cluster"]
    client = second.client("redshift-data")
    assert rows(client, run(client, "SELECT x FROM kept")["Id"]) == [[7]]
    second.stop()


def test_the_projects_fact_load_runs_as_one_batch(rsd, staged):
    """include/sql/redshift: the real DDL (keys, DISTKEY, SORTKEY) and the day-replace load."""
    from pathlib import Path

    from local_aws.redshift.sql import split_statements

    sql_dir = Path(__file__).resolve().parents[3] / "include" / "sql" / "redshift"
    ddl = run(rsd, split_statements((sql_dir / "factcovid.sql").read_text()))
    assert ddl["Status"] == "FINISHED", ddl.get("Error")
    columns = [r[0] for r in rows(rsd, run(rsd, "SELECT column_name FROM information_schema.columns "
                                               "WHERE table_name = 'factcovid' ORDER BY ordinal_position")["Id"])]
    # One day, two states; every measure column holds 1 for NY and 2 for CA.
    day = {name: pa.array([1, 2], pa.int64()) for name in columns}
    day["date_key"] = pa.array([20200301, 20200301], pa.int32())
    day["fips"] = pa.array(["36", "06"])
    buf = io.BytesIO()
    pq.write_table(pa.table(day), buf)
    staged.put_object(Bucket="copy-src", Key="fact/day.parquet", Body=buf.getvalue())

    load = [(sql_dir / "load" / f"{name}.sql").read_text().format(
        table="factcovid", start_key=20200301, end_key=20200301, source="s3://copy-src/fact/",
        iam_role="arn:aws:iam::123456789012:role/load")
        for name in ("stage", "copy", "delete_days", "insert")]  # the fact template
    for _ in range(2):  # a rerun replaces the day instead of duplicating it (and no key error)
        batch = run(rsd, load)
        assert batch["Status"] == "FINISHED", batch.get("Error")
    assert rows(rsd, run(rsd, "SELECT fips, positive FROM factcovid ORDER BY fips")["Id"]) == [["06", 2], ["36", 1]]


def test_large_copy_then_insert_in_one_batch_keeps_every_row(emulator, tmp_path):
    """Regression: DuckDB 2.0.0 copied 0 rows from a >122,880-row stage filled in the same
    transaction (see _Database in local_aws/redshift/engine.py); a full-refresh load does exactly this."""
    import io
    import time
    import uuid

    import pyarrow as pa
    import pyarrow.parquet as pq

    s3, rs = emulator.client("s3"), emulator.client("redshift-data")
    bucket = f"big-copy-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    for part in range(4):  # 4 x 50,000 rows: more than one DuckDB row group
        buf = io.BytesIO()
        pq.write_table(pa.table({"k": pa.array(range(part * 50_000, (part + 1) * 50_000),
                                                pa.int64())}), buf)
        s3.put_object(Bucket=bucket, Key=f"big/part={part}/f.parquet", Body=buf.getvalue())
    cluster = f"big-{uuid.uuid4().hex[:6]}"  # a fresh database
    emulator.clusters(cluster)
    target = {"ClusterIdentifier": cluster, "Database": "dev"}
    sid = rs.batch_execute_statement(Sqls=[
        "CREATE TABLE big (k BIGINT NOT NULL)",
        "CREATE TEMP TABLE stage_big (LIKE big)",
        f"COPY stage_big FROM 's3://{bucket}/big/' IAM_ROLE 'arn:aws:iam::123456789012:role/r' "
        "FORMAT AS PARQUET",
        "INSERT INTO big SELECT * FROM stage_big",
    ], **target)["Id"]
    for _ in range(600):
        desc = rs.describe_statement(Id=sid)
        if desc["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            break
        time.sleep(0.1)
    assert desc["Status"] == "FINISHED", desc.get("Error")
    count = rs.execute_statement(Sql="SELECT count(*) FROM big", **target)["Id"]
    for _ in range(100):
        if rs.describe_statement(Id=count)["Status"] == "FINISHED":
            break
        time.sleep(0.05)
    assert rs.get_statement_result(Id=count)["Records"][0][0]["longValue"] == 200_000


# -- metadata calls: https://docs.aws.amazon.com/redshift-data/latest/APIReference/
#    (API_ListDatabases, API_ListSchemas, API_ListTables, API_DescribeTable)

@pytest.fixture(scope="module")
def catalog_db(rsd):
    run(rsd, ["CREATE SCHEMA IF NOT EXISTS sales",
              "CREATE TABLE IF NOT EXISTS sales.orders (id BIGINT NOT NULL, note VARCHAR(20), "
              "amount DOUBLE PRECISION)",
              "CREATE TABLE IF NOT EXISTS sales.order_lines (order_id BIGINT)",
              "CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE amount > 100"],
        workgroup="meta-wg", database="shop")
    return {"WorkgroupName": "meta-wg", "Database": "shop"}


def test_list_databases_names_the_default_and_every_created_database(rsd, catalog_db):
    assert rsd.list_databases(**catalog_db)["Databases"] == ["dev", "shop"]
    first = rsd.list_databases(**catalog_db, MaxResults=1)
    assert first["Databases"] == ["dev"] and first["NextToken"]
    assert rsd.list_databases(**catalog_db, NextToken=first["NextToken"])["Databases"] == ["shop"]


def test_list_schemas_and_tables_filter_with_like_patterns(rsd, catalog_db):
    schemas = rsd.list_schemas(**catalog_db)["Schemas"]
    assert {"public", "sales"} <= set(schemas) and "main" not in schemas
    assert rsd.list_schemas(**catalog_db, SchemaPattern="sal%")["Schemas"] == ["sales"]
    tables = rsd.list_tables(**catalog_db, SchemaPattern="sales")["Tables"]
    assert tables == [{"name": "big_orders", "schema": "sales", "type": "VIEW"},
                      {"name": "order_lines", "schema": "sales", "type": "TABLE"},
                      {"name": "orders", "schema": "sales", "type": "TABLE"}]
    # "_" is exactly one character, "%" any run: two or more after "order" is order_lines only
    assert [t["name"] for t in rsd.list_tables(**catalog_db, SchemaPattern="sales",
                                               TablePattern="order__%")["Tables"]] == ["order_lines"]


def test_describe_table_lists_columns_with_redshift_types(rsd, catalog_db):
    out = rsd.describe_table(**catalog_db, Schema="sales", Table="orders")
    assert out["TableName"] == "orders"
    assert [(c["name"], c["typeName"], c["nullable"]) for c in out["ColumnList"]] == [
        ("id", "int8", 0), ("note", "varchar", 1), ("amount", "float8", 1)]
    assert {c["schemaName"] for c in out["ColumnList"]} == {"sales"}


def test_metadata_calls_validate_their_target(rsd):
    with pytest.raises(ClientError, match="Exactly one of ClusterIdentifier or WorkgroupName"):
        rsd.list_tables(Database="dev")
    with pytest.raises(ClientError, match="MaxResults"):
        rsd.list_databases(WorkgroupName="meta-wg", Database="dev", MaxResults=5000)
    # a read names no database into existence
    with pytest.raises(ClientError, match="database 'nowhere' does not exist"):
        rsd.list_tables(WorkgroupName="meta-wg", Database="nowhere")
    assert "nowhere" not in rsd.list_databases(WorkgroupName="meta-wg", Database="dev")["Databases"]


# -- sessions: docs.aws.amazon.com/redshift-data/latest/APIReference/API_ExecuteStatement.html
# (SessionKeepAliveSeconds, SessionId) and API_SessionData.html (AVAILABLE, BUSY, CLOSED) -------

def test_a_session_keeps_temp_tables_between_calls_as_the_provider_uses_it(rsd):
    # The Amazon provider's example_redshift: CREATE TEMPORARY TABLE with
    # session_keep_alive_seconds, then INSERTs with only the session_id.
    first = rsd.execute_statement(
        Sql="CREATE TEMPORARY TABLE tmp_people (id INTEGER, first_name VARCHAR(100), age INTEGER)",
        ClusterIdentifier="session-cluster", Database="dev", DbUser="adminuser",
        SessionKeepAliveSeconds=600)
    session_id = first["SessionId"]
    assert wait(rsd, first["Id"])["Status"] == "FINISHED"
    assert rsd.describe_statement(Id=first["Id"])["SessionId"] == session_id
    batch = rsd.batch_execute_statement(
        Sqls=["INSERT INTO tmp_people VALUES (1, 'Bob', 30)",
              "INSERT INTO tmp_people VALUES (2, 'Alice', 35)"], SessionId=session_id)
    assert batch["SessionId"] == session_id and batch["ClusterIdentifier"] == "session-cluster"
    assert wait(rsd, batch["Id"])["Status"] == "FINISHED"
    count = rsd.execute_statement(Sql="SELECT count(*) FROM tmp_people", SessionId=session_id)
    assert wait(rsd, count["Id"])["Status"] == "FINISHED"
    assert rows(rsd, count["Id"]) == [[2]]
    # Outside the session the temp table does not exist.
    outside = run(rsd, "SELECT count(*) FROM tmp_people", cluster="session-cluster")
    assert outside["Status"] == "FAILED" and "tmp_people" in outside["Error"]


def test_a_session_runs_one_statement_at_a_time_and_closes_after_its_keep_alive(rsd):
    # A statement of a second or more: the next call arrives while it runs.
    start = rsd.execute_statement(Sql="SELECT sum(i) FROM range(600000000) AS t(i)",
                                  WorkgroupName="session-wg", Database="dev",
                                  SessionKeepAliveSeconds=1)
    session_id = start["SessionId"]
    with pytest.raises(ClientError, match="busy running statement") as busy:
        rsd.execute_statement(Sql="SELECT 2", SessionId=session_id)
    assert busy.value.response["Error"]["Code"] == "ValidationException"
    assert wait(rsd, start["Id"])["Status"] == "FINISHED"
    with pytest.raises(ClientError, match="not dev2"):
        rsd.execute_statement(Sql="SELECT 3", SessionId=session_id, Database="dev2")
    time.sleep(1.3)
    with pytest.raises(ClientError, match="is closed") as closed:
        rsd.execute_statement(Sql="SELECT 4", SessionId=session_id)
    assert closed.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError, match="does not exist"):
        rsd.execute_statement(Sql="SELECT 5", SessionId="0b7c5b4e-2f1a-4f7e-9d7e-3c1f0e1a2b3c")
    with pytest.raises(ClientError, match="SessionKeepAliveSeconds"):
        rsd.execute_statement(Sql="SELECT 6", WorkgroupName="session-wg", Database="dev",
                              SessionKeepAliveSeconds=86401)


def test_a_call_without_keep_alive_has_no_session(rsd):
    plain = rsd.execute_statement(Sql="SELECT 1", WorkgroupName="session-wg", Database="dev")
    assert "SessionId" not in plain and "SessionId" not in wait(rsd, plain["Id"])


def test_list_statements_filters_by_status_name_and_target(rsd):
    # docs.aws.amazon.com/redshift-data/latest/APIReference/API_ListStatements.html: "By default,
    # only finished statements are shown"; StatementName is a case-sensitive prefix.
    ok = run(rsd, "SELECT 1", cluster="list-cluster", StatementName="daily-load-1")
    bad = run(rsd, "SELECT no_such_column", cluster="list-cluster", StatementName="daily-load-2")
    batch = run(rsd, ["SELECT 1", "SELECT 2"], workgroup="list-wg", StatementName="daily-check")
    listed = rsd.list_statements(StatementName="daily-load", ClusterIdentifier="list-cluster")
    assert [s["Id"] for s in listed["Statements"]] == [ok["Id"]]
    assert listed["Statements"][0]["QueryString"] == "SELECT 1"
    every = rsd.list_statements(StatementName="daily", Status="ALL")["Statements"]
    assert [s["Id"] for s in every] == [batch["Id"], bad["Id"], ok["Id"]]  # newest first
    assert every[0]["IsBatchStatement"] and every[0]["QueryStrings"] == ["SELECT 1", "SELECT 2"]
    assert [s["Id"] for s in rsd.list_statements(StatementName="Daily", Status="ALL")["Statements"]] == []
    failed = rsd.list_statements(Status="FAILED", StatementName="daily")["Statements"]
    assert [s["Id"] for s in failed] == [bad["Id"]]
    page = rsd.list_statements(StatementName="daily", Status="ALL", MaxResults=2)
    assert len(page["Statements"]) == 2 and page["NextToken"]
    rest = rsd.list_statements(StatementName="daily", Status="ALL", MaxResults=2, NextToken=page["NextToken"])
    assert [s["Id"] for s in rest["Statements"]] == [ok["Id"]] and "NextToken" not in rest
    with pytest.raises(ClientError, match="MaxResults"):
        rsd.list_statements(MaxResults=101)


# -- UNLOAD: docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html -------------------------------

@pytest.fixture(scope="module")
def unload_bucket(emulator, rsd):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket="unload-bucket")
    setup = run(rsd, ["CREATE TABLE unload_src (id INT, name VARCHAR(20), ok BOOLEAN, at TIMESTAMP)",
                      "INSERT INTO unload_src VALUES (1, 'Banana', true, '2020-04-01 10:30:00'), "
                      "(2, NULL, false, NULL)"], cluster="unload-cluster")
    assert setup["Status"] == "FINISHED", setup.get("Error")
    return s3


def body(s3, key: str) -> bytes:
    return s3.get_object(Bucket="unload-bucket", Key=key)["Body"].read()


def test_unload_as_the_provider_sends_it_writes_pipe_delimited_text(rsd, unload_bucket):
    # RedshiftToS3Operator's statement: $$-quoted query, CREDENTIALS, no format (text, '|').
    done = run(rsd, "UNLOAD ($$SELECT * FROM public.unload_src ORDER BY id$$)\n"
                    "TO 's3://unload-bucket/text/unload_src_'\ncredentials\n"
                    "'aws_access_key_id=testing;aws_secret_access_key=testing'\n;",
               cluster="unload-cluster")
    assert done["Status"] == "FINISHED", done.get("Error")
    keys = [o["Key"] for o in unload_bucket.list_objects_v2(Bucket="unload-bucket",
                                                            Prefix="text/")["Contents"]]
    assert keys == ["text/unload_src_0000_part_00"]
    assert body(unload_bucket, keys[0]) == b"1|Banana|t|2020-04-01 10:30:00\n2||f|\n"


def test_unload_csv_header_serial_and_parquet(rsd, unload_bucket):
    import pyarrow.parquet as pq

    csv_done = run(rsd, "UNLOAD ('SELECT id, name FROM unload_src WHERE name IS NOT NULL OR id = 2 "
                        "ORDER BY id') TO 's3://unload-bucket/csv/part_' "
                        "IAM_ROLE 'arn:aws:iam::123456789012:role/unload' FORMAT AS CSV HEADER "
                        "NULL AS 'n/a' PARALLEL OFF", cluster="unload-cluster")
    assert csv_done["Status"] == "FINISHED", csv_done.get("Error")
    assert body(unload_bucket, "csv/part_000") == b"id,name\n1,Banana\n2,n/a\n"
    pq_done = run(rsd, "UNLOAD ('SELECT id, name FROM unload_src ORDER BY id') "
                       "TO 's3://unload-bucket/pq/src_' IAM_ROLE default FORMAT PARQUET",
                  cluster="unload-cluster")
    assert pq_done["Status"] == "FINISHED", pq_done.get("Error")
    table = pq.read_table(io.BytesIO(body(unload_bucket, "pq/src_0000_part_00.parquet")))
    assert table.to_pylist() == [{"id": 1, "name": "Banana"}, {"id": 2, "name": None}]


def test_unload_refuses_to_overwrite_and_options_it_does_not_implement(rsd, unload_bucket):
    again = run(rsd, "UNLOAD ('SELECT 1') TO 's3://unload-bucket/csv/part_' IAM_ROLE default CSV",
                cluster="unload-cluster")
    assert again["Status"] == "FAILED" and "ALLOWOVERWRITE" in again["Error"]
    overwrite = run(rsd, "UNLOAD ('SELECT 7 AS n') TO 's3://unload-bucket/csv/part_' "
                         "IAM_ROLE default CSV PARALLEL OFF ALLOWOVERWRITE", cluster="unload-cluster")
    assert overwrite["Status"] == "FINISHED", overwrite.get("Error")
    assert body(unload_bucket, "csv/part_000") == b"7\n"
    manifest = run(rsd, "UNLOAD ('SELECT 1') TO 's3://unload-bucket/m/' IAM_ROLE default MANIFEST",
                   cluster="unload-cluster")
    assert manifest["Status"] == "FAILED" and "MANIFEST is not supported by local_aws" in manifest["Error"]


def test_a_target_that_does_not_exist_fails_as_on_aws(rsd, emulator):
    # AWS answers a cluster or workgroup it does not have with "Redshift endpoint doesn't exist
    # in this region." (aws/aws-cdk#30536); local_aws used to create an empty database for it.
    for target in ({"ClusterIdentifier": "no-such-cluster"}, {"WorkgroupName": "no-such-wg"}):
        with pytest.raises(ClientError, match="Redshift endpoint doesn't exist in this region") as err:
            rsd.execute_statement(Sql="SELECT 1", Database="dev", **target)
        assert err.value.response["Error"]["Code"] == "ValidationException"
        with pytest.raises(ClientError, match="doesn't exist"):
            rsd.list_databases(Database="dev", **target)
    assert not (emulator.state_dir / "redshift" / "cluster-no-such-cluster").exists()
    # default-workgroup is there, as in a new account's Redshift Serverless; a created cluster is too.
    assert run(rsd, "SELECT 1", workgroup="default-workgroup")["Status"] == "FINISHED"
    emulator.clusters("made-now")
    assert run(rsd, "SELECT 1", cluster="made-now")["Status"] == "FINISHED"


# -- ListSessions: docs.aws.amazon.com/redshift-data/latest/APIReference/API_ListSessions.html and
# API_SessionData.html

def test_list_sessions_shows_open_ones_by_default_with_their_target_and_ttl(rsd):
    first = rsd.execute_statement(Sql="SELECT 1", ClusterIdentifier="sessions-cluster", Database="dev",
                                  DbUser="analyst", SessionKeepAliveSeconds=1)
    wait(rsd, first["Id"])
    busy = rsd.execute_statement(Sql="SELECT sum(i) FROM range(600000000) AS t(i)",
                                 ClusterIdentifier="sessions-cluster", Database="dev",
                                 SessionKeepAliveSeconds=60)
    listed = rsd.list_sessions(ClusterIdentifier="sessions-cluster")["Sessions"]
    by_id = {s["SessionId"]: s for s in listed}
    assert set(by_id) == {first["SessionId"], busy["SessionId"]}
    assert [s["SessionId"] for s in listed] == [busy["SessionId"], first["SessionId"]]  # newest first
    available, running = by_id[first["SessionId"]], by_id[busy["SessionId"]]
    assert available["Status"] == "AVAILABLE" and "CurrentStatementId" not in available
    assert available["ClusterIdentifier"] == "sessions-cluster" and "WorkgroupName" not in available
    assert (available["Database"], available["DbUser"], available["SessionAliveSeconds"]) == ("dev", "analyst", 1)
    assert available["SessionTtl"] > available["CreatedAt"]
    assert running["Status"] == "BUSY" and running["CurrentStatementId"] == busy["Id"]
    assert [s["SessionId"] for s in rsd.list_sessions(Status="BUSY", ClusterIdentifier="sessions-cluster")
            ["Sessions"]] == [busy["SessionId"]]
    wait(rsd, busy["Id"])
    time.sleep(1.2)  # the first session's keep-alive has passed: CLOSED, listed only when asked
    assert [s["SessionId"] for s in rsd.list_sessions(ClusterIdentifier="sessions-cluster")["Sessions"]] == [
        busy["SessionId"]]
    closed = rsd.list_sessions(Status="CLOSED", ClusterIdentifier="sessions-cluster")["Sessions"]
    assert [s["SessionId"] for s in closed] == [first["SessionId"]]
    one = rsd.list_sessions(SessionId=first["SessionId"])["Sessions"]
    assert [(s["SessionId"], s["Status"]) for s in one] == [(first["SessionId"], "CLOSED")]
    assert rsd.list_sessions(Database="nosuchdb", ClusterIdentifier="sessions-cluster")["Sessions"] == []


def test_list_sessions_refuses_what_the_api_page_forbids(rsd):
    session = rsd.execute_statement(Sql="SELECT 1", WorkgroupName="session-wg", Database="dev",
                                    SessionKeepAliveSeconds=5)
    for bad in ({"SessionId": session["SessionId"], "Database": "dev"}, {"Status": "OPEN"},
                {"MaxResults": 101}):
        with pytest.raises(ClientError) as err:
            rsd.list_sessions(**bad)
        assert err.value.response["Error"]["Code"] == "ValidationException", bad


# -- request fields of ExecuteStatement: API_ExecuteStatement.html

def test_a_client_token_repeats_the_first_statement_not_the_work(rsd):
    first = rsd.execute_statement(Sql="CREATE TABLE once (i INT)", ClusterIdentifier="token-cluster",
                                  Database="dev", ClientToken="create-once-1")
    again = rsd.execute_statement(Sql="CREATE TABLE once (i INT)", ClusterIdentifier="token-cluster",
                                  Database="dev", ClientToken="create-once-1")
    assert again["Id"] == first["Id"]
    assert wait(rsd, first["Id"])["Status"] == "FINISHED"  # not "already exists": it ran once
    with pytest.raises(ClientError, match="different request") as err:
        rsd.execute_statement(Sql="DROP TABLE once", ClusterIdentifier="token-cluster",
                              Database="dev", ClientToken="create-once-1")
    assert err.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize("field, value, named", [
    ("ResultFormat", "CSV", "ResultFormat CSV"),
    ("WithEvent", True, "WithEvent"),
    ("WaitTimeSeconds", 5, "WaitTimeSeconds"),
])
def test_request_fields_local_aws_cannot_honour_are_refused_by_name(rsd, field, value, named):
    with pytest.raises(ClientError, match=named) as err:
        rsd.execute_statement(Sql="SELECT 1", ClusterIdentifier="token-cluster", Database="dev",
                              **{field: value})
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_default_result_format_json_is_accepted(rsd):
    done = run(rsd, "SELECT 7", cluster="token-cluster", ResultFormat="JSON", WithEvent=False)
    assert rows(rsd, done["Id"]) == [[7]]

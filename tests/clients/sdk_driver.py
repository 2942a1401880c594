"""Drives each service local_aws emulates with whatever boto3 / botocore the running Python has,
and prints what each call returned, as JSON. It asserts nothing: test_newest_sdk.py runs it under
the project's pinned SDK and under the newest one (.local/newest-sdk-venv) and checks both
answers against what AWS documents.

    python sdk_driver.py '{"bucket": ..., "workgroup": ..., "suffix": ...}'

One function per service (SERVICES); a service added to local_aws adds one here and one test.
The endpoint comes the SDK's way, AWS_ENDPOINT_URL, like the credentials.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import boto3
import botocore
from botocore.config import Config

# Fail fast: an emulator error is an answer, not something to retry for ten seconds.
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(service: str):
    return boto3.client(service, config=CONFIG)


def error(call: Callable[[], Any]) -> str:
    """The error code a call fails with ('' if it succeeds)."""
    try:
        call()
    except botocore.exceptions.ClientError as exc:
        return exc.response["Error"]["Code"]
    return ""


def s3_case(cfg: dict, check: Callable) -> None:
    s3 = client("s3")
    bucket = f"{cfg['bucket']}-{cfg['suffix']}"
    check("create_bucket", lambda: s3.create_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"])
    check("put_object", lambda: s3.put_object(Bucket=bucket, Key="cases/part-0.csv",
                                              Body=cfg["csv"].encode())["ResponseMetadata"]["HTTPStatusCode"])
    check("list_objects_v2", lambda: [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]])
    check("get_object", lambda: s3.get_object(Bucket=bucket, Key="cases/part-0.csv")["Body"].read().decode())
    check("missing_key", lambda: error(lambda: s3.get_object(Bucket=bucket, Key="nope")))


def glue_case(cfg: dict, check: Callable) -> None:
    glue = client("glue")
    database = f"sdk_glue_{cfg['suffix']}"
    check("create_database", lambda: glue.create_database(DatabaseInput={"Name": database})
          ["ResponseMetadata"]["HTTPStatusCode"])
    check("create_table", lambda: glue.create_table(DatabaseName=database, TableInput={
        "Name": "t", "StorageDescriptor": {"Columns": [{"Name": "x", "Type": "int"}],
                                           "Location": f"s3://{cfg['bucket']}-{cfg['suffix']}/t/"}})
          ["ResponseMetadata"]["HTTPStatusCode"])
    check("get_tables", lambda: [t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]])
    check("get_table_columns", lambda: glue.get_table(DatabaseName=database, Name="t")
          ["Table"]["StorageDescriptor"]["Columns"])
    check("missing_table", lambda: error(lambda: glue.get_table(DatabaseName=database, Name="nope")))


def athena_run(athena, sql: str, output: str, database: str = "default") -> dict:
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": database},
                                       ResultConfiguration={"OutputLocation": output})["QueryExecutionId"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        execution = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if execution["Status"]["State"] not in ("QUEUED", "RUNNING"):
            return execution
        time.sleep(0.02)
    raise TimeoutError(f"query {qid} still running")


def athena_case(cfg: dict, check: Callable) -> None:
    athena = client("athena")
    bucket, database = f"{cfg['bucket']}-{cfg['suffix']}", f"sdk_athena_{cfg['suffix']}"
    output = f"s3://{bucket}/athena-results/"
    def state(sql: str, db: str = "default") -> str:
        return athena_run(athena, sql, output, db)["Status"]["State"]

    check("work_groups", lambda: sorted(w["Name"] for w in athena.list_work_groups()["WorkGroups"]))
    check("get_work_group", lambda: athena.get_work_group(WorkGroup="primary")["WorkGroup"]["Name"])
    check("data_catalogs", lambda: [c["CatalogName"] for c in athena.list_data_catalogs()["DataCatalogsSummary"]])
    check("create_database", lambda: state(f"CREATE DATABASE {database}"))
    check("create_table", lambda: state(
        f"CREATE EXTERNAL TABLE cases (`date` date, state string, cases bigint) ROW FORMAT DELIMITED "
        f"FIELDS TERMINATED BY ',' LOCATION 's3://{bucket}/cases/' "
        "TBLPROPERTIES ('skip.header.line.count'='1')", database))
    check("list_databases", lambda: database in [d["Name"] for d in athena.list_databases(
        CatalogName="AwsDataCatalog")["DatabaseList"]])
    check("table_metadata", lambda: athena.get_table_metadata(
        CatalogName="AwsDataCatalog", DatabaseName=database, TableName="cases")["TableMetadata"]["Columns"])
    check("list_table_metadata", lambda: [t["Name"] for t in athena.list_table_metadata(
        CatalogName="AwsDataCatalog", DatabaseName=database, MaxResults=10)["TableMetadataList"]])

    def results() -> dict:
        execution = athena_run(athena, "SELECT state, sum(cases) AS cases FROM cases GROUP BY state "
                               "ORDER BY state", output, database)
        qid = execution["QueryExecutionId"]
        pages = athena.get_paginator("get_query_results").paginate(
            QueryExecutionId=qid, PaginationConfig={"PageSize": 2})
        rows = [[d.get("VarCharValue") for d in r["Data"]] for page in pages for r in page["ResultSet"]["Rows"]]
        return {"state": execution["Status"]["State"], "rows": rows,
                "output": execution["ResultConfiguration"]["OutputLocation"] == f"{output}{qid}.csv",
                "listed": qid in athena.list_query_executions()["QueryExecutionIds"]}

    check("query", results)
    check("failed_query", lambda: athena_run(athena, "SELECT nope FROM cases", output, database)
          ["Status"]["StateChangeReason"].split(":")[0])
    check("missing_execution", lambda: error(lambda: athena.get_query_execution(QueryExecutionId="nope")))
    check("missing_database", lambda: error(lambda: athena.get_database(
        CatalogName="AwsDataCatalog", DatabaseName="no_such_db")))
    check("unsupported_operation", lambda: error(lambda: athena.get_session(SessionId="s-1")))


def pyathena_case(cfg: dict, check: Callable) -> None:
    import os

    import pyathena
    bucket, database = f"{cfg['bucket']}-{cfg['suffix']}", f"sdk_athena_{cfg['suffix']}"

    def connect():
        return pyathena.connect(s3_staging_dir=f"s3://{bucket}/pyathena/", region_name=os.environ["AWS_REGION"],
                                schema_name=database, endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                                poll_interval=0.05)

    def select() -> dict:
        with connect() as conn:
            cursor = conn.cursor()
            cursor.execute("SELECT state, cases FROM cases WHERE state = %(state)s ORDER BY cases",
                           {"state": "NY"})
            return {"rows": [list(r) for r in cursor.fetchall()],
                    "description": [[d[0], d[1]] for d in cursor.description], "state": cursor.state}

    def failure() -> str:
        with connect() as conn:
            try:
                conn.cursor().execute("SELECT nope FROM cases")
            except pyathena.error.OperationalError as exc:
                return str(exc).split(":")[0]
        return ""

    check("select", select)
    check("failure", failure)


def redshift_data_case(cfg: dict, check: Callable) -> None:
    rsd = client("redshift-data")
    table = f"public.sdk_{cfg['suffix']}"

    def run(sql: str) -> dict:
        sid = rsd.execute_statement(Sql=sql, Database="dev", WorkgroupName=cfg["workgroup"])["Id"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            described = rsd.describe_statement(Id=sid)
            if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
                return described
            time.sleep(0.02)
        raise TimeoutError(sid)

    check("create_table", lambda: run(f"CREATE TABLE {table} (id INTEGER, city VARCHAR(32))")["Status"])
    check("insert", lambda: run(f"INSERT INTO {table} VALUES (1, 'Boston'), (2, 'Austin')")["Status"])
    check("result", lambda: [[next(iter(v.values())) for v in r] for r in rsd.get_statement_result(
        Id=run(f"SELECT id, city FROM {table} ORDER BY id")["Id"])["Records"]])
    check("missing_workgroup", lambda: error(lambda: rsd.execute_statement(
        Sql="SELECT 1", Database="dev", WorkgroupName="no-such-workgroup")))


def redshift_case(cfg: dict, check: Callable) -> None:
    redshift = client("redshift")
    name = f"sdk-cluster-{cfg['suffix']}"
    check("create_cluster", lambda: redshift.create_cluster(
        ClusterIdentifier=name, NodeType="ra3.large", MasterUsername="admin",
        MasterUserPassword="Passw0rdTest")["Cluster"]["ClusterIdentifier"])
    check("describe_clusters", lambda: [
        {"id": c["ClusterIdentifier"], "status": c["ClusterStatus"], "port": c["Endpoint"]["Port"]}
        for c in redshift.describe_clusters(ClusterIdentifier=name)["Clusters"]])
    check("missing_cluster", lambda: error(lambda: redshift.describe_clusters(ClusterIdentifier="no-such")))


def redshift_serverless_case(cfg: dict, check: Callable) -> None:
    serverless = client("redshift-serverless")
    namespace, workgroup = f"sdk-ns-{cfg['suffix']}", f"sdk-wg-{cfg['suffix']}"
    check("create_namespace", lambda: serverless.create_namespace(
        namespaceName=namespace, adminUsername="boss", adminUserPassword="Secret123!")["namespace"]["status"])
    check("create_workgroup", lambda: serverless.create_workgroup(
        workgroupName=workgroup, namespaceName=namespace)["workgroup"]["namespaceName"])
    check("listed", lambda: workgroup in [w["workgroupName"] for w in serverless.list_workgroups()["workgroups"]])
    check("credentials", lambda: serverless.get_credentials(workgroupName=workgroup)["dbUser"][:4])
    check("missing_workgroup", lambda: error(lambda: serverless.get_workgroup(workgroupName="no-such-wg")))


# In order: Athena's case reads the bucket S3's case fills; PyAthena the table Athena's makes.
SERVICES = {"s3": s3_case, "glue": glue_case, "athena": athena_case, "pyathena": pyathena_case,
            "redshift_data": redshift_data_case, "redshift": redshift_case,
            "redshift_serverless": redshift_serverless_case}


def main(cfg: dict) -> dict:
    answers: dict[str, Any] = {"boto3": boto3.__version__, "botocore": botocore.__version__}
    for service, case in SERVICES.items():
        results: dict[str, Any] = {}

        def check(name: str, call: Callable[[], Any], results: dict = results) -> None:
            try:
                results[name] = {"value": call()}
            except Exception as exc:  # the test says which answers are right
                results[name] = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=4)}

        case(cfg, check)
        answers[service] = results
    return answers


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1])), default=str))

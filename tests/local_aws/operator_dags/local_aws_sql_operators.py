"""Test-only DAG: the provider's SQLExecuteQueryOperator and SqlToS3Operator on a `redshift`
connection (RedshiftSQLHook, redshift_connector) to a local_aws workgroup's Postgres endpoint.

Driven by tests/local_aws/redshift/test_postgres_endpoint.py through `airflow dags test`; the
connection and the bucket come from the environment the test sets.
"""

from __future__ import annotations

import os

from airflow.providers.amazon.aws.transfers.sql_to_s3 import SqlToS3Operator
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import chain, dag

BUCKET = os.environ.get("SQLOPS_TEST_BUCKET", "sqlops-test")


@dag(schedule=None, catchup=False, tags=["test"])
def local_aws_sql_operators():
    fill = SQLExecuteQueryOperator(
        task_id="fill", conn_id="redshift_local",
        sql=["CREATE TABLE IF NOT EXISTS pets (name VARCHAR(10) ENCODE ZSTD, legs INT) DISTSTYLE ALL",
             "DELETE FROM pets",
             "INSERT INTO pets VALUES ('cat', 4), ('bird', 2)"])
    export = SqlToS3Operator(
        task_id="export", sql_conn_id="redshift_local", query="SELECT name, legs FROM pets ORDER BY name",
        s3_bucket=BUCKET, s3_key="pets/pets.csv", replace=True, file_format="csv",
        pd_kwargs={"index": False})
    chain(fill, export)


local_aws_sql_operators()

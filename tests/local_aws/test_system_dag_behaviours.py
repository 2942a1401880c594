"""AWS behaviours the Amazon provider's system-test DAGs rely on (covid_lake_dev/system_tests runs
those DAGs against local_aws). Each test names the AWS documentation page it follows."""

from __future__ import annotations

import time
import uuid

import pytest
from botocore.exceptions import ClientError


def _run_query(athena, sql: str, database: str, output: str, timeout: float = 20) -> dict:
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": database},
                                       ResultConfiguration={"OutputLocation": output})["QueryExecutionId"]
    deadline = time.monotonic() + timeout
    while True:
        execution = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
            return execution
        assert time.monotonic() < deadline, f"query still {execution['Status']['State']}"
        time.sleep(0.05)


def test_athena_removes_empty_folders_from_a_table_location_tables_location_format(emulator):
    """https://docs.aws.amazon.com/athena/latest/ug/tables-location-format.html: for a LOCATION
    such as s3://bucket/folder//folder/, Athena "changes it to s3://bucket/folder/folder/,
    removing the extra /". example_athena creates its table with LOCATION 's3://<bucket>//<table>'
    over data at <table>/airflow_sample.csv and reads it back."""
    s3, athena, glue = emulator.client("s3"), emulator.client("athena"), emulator.client("glue")
    bucket, database = f"loc-{uuid.uuid4().hex[:8]}", f"loc_{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="people/part.csv", Body=b"alice,20\nbob,25\n")
    output = f"s3://{bucket}/results/"
    _run_query(athena, f"CREATE DATABASE {database}", "default", output)
    _run_query(athena, f"""CREATE EXTERNAL TABLE {database}.people (name string, age int)
        ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe'
        WITH SERDEPROPERTIES ('field.delim' = ',')
        LOCATION 's3://{bucket}//people'""", database, output)

    table = glue.get_table(DatabaseName=database, Name="people")["Table"]
    assert table["StorageDescriptor"]["Location"] == f"s3://{bucket}/people"
    execution = _run_query(athena, f"SELECT name, age FROM {database}.people ORDER BY age", database, output)
    result = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in result["ResultSet"]["Rows"]]
    assert rows == [["name", "age"], ["alice", "20"], ["bob", "25"]]


@pytest.mark.parametrize("command", ["glueetl", "gluestreaming", "glueray"])
def test_glue_refuses_to_run_spark_and_ray_jobs_with_a_400_api_jobcommand(emulator, command):
    """https://docs.aws.amazon.com/glue/latest/webapi/API_JobCommand.html: Command.Name glueetl is
    an Apache Spark ETL job, gluestreaming a Spark streaming job, glueray a Ray job. local_aws has
    neither runtime, so StartJobRun answers InvalidInputException (HTTP 400) naming the job kind
    instead of running the script as a Python shell job (example_glue's GlueJobOperator)."""
    s3, glue = emulator.client("s3"), emulator.client("glue")
    bucket, name = f"spark-{uuid.uuid4().hex[:8]}", f"spark-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="etl.py", Body=b"from pyspark.context import SparkContext\n")
    glue.create_job(Name=name, Role="arn:aws:iam::123456789012:role/glue",
                    Command={"Name": command, "ScriptLocation": f"s3://{bucket}/etl.py"})

    with pytest.raises(ClientError) as err:
        glue.start_job_run(JobName=name)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err.value.response["Error"]["Code"] == "InvalidInputException"
    assert f"'{command}'" in err.value.response["Error"]["Message"]
    assert glue.get_job_runs(JobName=name)["JobRuns"] == []
    glue.delete_job(JobName=name)  # the definition itself is fine: only running it is refused

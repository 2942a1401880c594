"""The client suite: real third-party AWS clients (the AWS CLI v1, PyAthena, awswrangler)
driving a local_aws process with their usual calls; each check asserts the answer AWS documents.

Every module starts its own emulator (`--sample-scale none`) and seeds what it queries: an S3
bucket, a Glue database and table (through Athena DDL), and a Redshift Data workgroup's table.
The clients reach it only through endpoint URLs and dummy credentials, as they would a region.
awswrangler runs from a venv of its own (requirements-awswrangler.txt), in a subprocess.
"""

from __future__ import annotations

import time

import pytest

from tests.support.emulator import REGION, Emulator, start_emulator

BUCKET = "client-lake"
DATABASE = "clientdb"
TABLE = "cases"
OUTPUT = f"s3://{BUCKET}/athena-results/"
WORKGROUP = "wg-clients"  # Redshift Serverless workgroup of the Redshift Data API
CSV = b"date,state,cases\n2020-03-01,NY,10\n2020-03-01,CA,4\n2020-03-02,NY,25\n"


def client_env(endpoint_url: str) -> dict[str, str]:
    """Dummy credentials and no profile: what a client sees besides its --endpoint-url."""
    return {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": "/nonexistent/aws-config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-creds",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
    }


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory):
    emu = start_emulator(tmp_path_factory.mktemp("clients-aws-state"), "--sample-scale", "none",
                         "--redshift-workgroup", WORKGROUP)
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def aws_env(emulator: Emulator, monkeypatch_module):
    env = client_env(emulator.endpoint_url)
    for key, value in env.items():
        monkeypatch_module.setenv(key, value)
    monkeypatch_module.delenv("AWS_PROFILE", raising=False)
    return env


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def athena_ok(athena, sql: str, database: str = DATABASE, timeout: float = 20) -> dict:
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": database},
                                       ResultConfiguration={"OutputLocation": OUTPUT})["QueryExecutionId"]
    deadline = time.monotonic() + timeout
    while True:
        execution = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        state = execution["Status"]["State"]
        if state in ("SUCCEEDED", "FAILED", "CANCELLED"):
            assert state == "SUCCEEDED", execution["Status"].get("StateChangeReason")
            return execution
        assert time.monotonic() < deadline, f"query still {state}"
        time.sleep(0.02)


def redshift_ok(rsd, sql: str, timeout: float = 20) -> dict:
    sid = rsd.execute_statement(Sql=sql, Database="dev", WorkgroupName=WORKGROUP)["Id"]
    deadline = time.monotonic() + timeout
    while True:
        described = rsd.describe_statement(Id=sid)
        if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            assert described["Status"] == "FINISHED", described.get("Error")
            return described
        assert time.monotonic() < deadline, f"statement still {described['Status']}"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def lake(emulator: Emulator):
    """s3://client-lake/cases/ (a CSV with a header), Glue table clientdb.cases over it, and a
    Redshift table public.visits in workgroup wg-clients, database dev."""
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="cases/part-0.csv", Body=CSV)
    athena = emulator.client("athena")
    athena_ok(athena, f"CREATE DATABASE IF NOT EXISTS {DATABASE}", database="default")
    athena_ok(athena, f"""CREATE EXTERNAL TABLE {TABLE} (`date` date, state string, cases bigint)
                         ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
                         LOCATION 's3://{BUCKET}/cases/' TBLPROPERTIES ('skip.header.line.count'='1')""")
    rsd = emulator.client("redshift-data")
    redshift_ok(rsd, "CREATE TABLE public.visits (id INTEGER, city VARCHAR(32))")
    redshift_ok(rsd, "INSERT INTO public.visits VALUES (1, 'Boston'), (2, 'Austin')")
    return emulator

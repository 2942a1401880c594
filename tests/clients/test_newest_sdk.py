"""Each service local_aws emulates, driven by the project's pinned boto3 / botocore
(requirements.txt) and by the newest the package index serves (requirements-newest-sdk.txt, a
venv of its own): the same calls (sdk_driver.py, in a subprocess), the same answers.

botocore 1.44 speaks REST-JSON to Athena where 1.43 spoke JSON 1.1 (local_aws answers both:
tests/local_aws/athena/test_athena_rest_json.py); the other services kept their protocols (S3
REST-XML, Glue and the Redshift Data API JSON 1.1, Redshift query). One test per service, each
run for both SDKs; a service added to local_aws adds its case to sdk_driver.SERVICES and a test
here. API pages are cited per test."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clients.conftest import CSV, WORKGROUP, client_env

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("sdk_driver.py")
NEWEST = ROOT / ".local" / "newest-sdk-venv" / "bin" / "python"


def pinned_version(requirements: str) -> str:
    return re.search(r"^botocore==(\S+)$", (ROOT / requirements).read_text(), re.M)[1]


SDKS = {"pinned": (Path(sys.executable), pinned_version("requirements.txt")),
        "newest": (NEWEST, pinned_version("requirements-newest-sdk.txt"))}


@pytest.fixture(scope="module", params=sorted(SDKS))
def sdk(request, emulator) -> dict:
    """What the driver's calls returned under one SDK (each SDK on names of its own)."""
    python, version = SDKS[request.param]
    if not python.exists():
        pytest.skip("make test builds .local/newest-sdk-venv (requirements-newest-sdk.txt)")
    env = {"PATH": "/usr/bin:/bin", **client_env(emulator.endpoint_url), "AWS_ENDPOINT_URL": emulator.endpoint_url}
    cfg = {"bucket": "sdk-lake", "workgroup": WORKGROUP, "suffix": request.param, "csv": CSV.decode()}
    done = subprocess.run([str(python), str(DRIVER), json.dumps(cfg)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]
    answers = json.loads(done.stdout)
    assert answers["botocore"] == version  # the SDK this run means to test
    return answers


def value(sdk: dict, service: str, name: str):
    answer = sdk[service][name]
    assert "error" not in answer, f"{service} {name} with botocore {sdk['botocore']}: {answer['error']}\n{answer['trace']}"
    return answer["value"]


def test_s3__API_PutObject_ListObjectsV2_GetObject(sdk):
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html: NoSuchKey for a missing key."""
    assert value(sdk, "s3", "create_bucket") == 200 and value(sdk, "s3", "put_object") == 200
    assert value(sdk, "s3", "list_objects_v2") == ["cases/part-0.csv"]
    assert value(sdk, "s3", "get_object") == CSV.decode()
    assert value(sdk, "s3", "missing_key") == "NoSuchKey"


def test_glue__webapi_API_GetTable(sdk):
    """https://docs.aws.amazon.com/glue/latest/webapi/API_GetTable.html: EntityNotFoundException."""
    assert value(sdk, "glue", "create_database") == 200 and value(sdk, "glue", "create_table") == 200
    assert value(sdk, "glue", "get_tables") == ["t"]
    assert value(sdk, "glue", "get_table_columns") == [{"Name": "x", "Type": "int"}]
    assert value(sdk, "glue", "missing_table") == "EntityNotFoundException"


def test_athena__APIReference_API_StartQueryExecution_GetQueryResults(sdk):
    """The workgroup, catalog and metadata calls, a query and its paged results
    (https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html: the header
    row first), a failed query's reason, and the errors the API reference names:
    InvalidRequestException (API_GetQueryExecution.html), MetadataException (API_GetDatabase.html)."""
    assert "primary" in value(sdk, "athena", "work_groups")
    assert value(sdk, "athena", "get_work_group") == "primary"
    assert value(sdk, "athena", "data_catalogs")[0] == "AwsDataCatalog"
    assert value(sdk, "athena", "create_database") == value(sdk, "athena", "create_table") == "SUCCEEDED"
    assert value(sdk, "athena", "list_databases") is True
    assert value(sdk, "athena", "table_metadata") == [
        {"Name": "date", "Type": "date"}, {"Name": "state", "Type": "string"}, {"Name": "cases", "Type": "bigint"}]
    assert value(sdk, "athena", "list_table_metadata") == ["cases"]
    assert value(sdk, "athena", "query") == {
        "state": "SUCCEEDED", "rows": [["state", "cases"], ["CA", "4"], ["NY", "35"]], "output": True,
        "listed": True}
    assert value(sdk, "athena", "failed_query") == "COLUMN_NOT_FOUND"
    assert value(sdk, "athena", "missing_execution") == "InvalidRequestException"
    assert value(sdk, "athena", "missing_database") == "MetadataException"
    assert value(sdk, "athena", "unsupported_operation") == "UnsupportedOperation"


def test_pyathena__laughingman7743_github_io_PyAthena_usage(sdk):
    """PyAthena's default cursor over either SDK: client-side pyformat parameters, the result's
    column types, and a failed query raised as OperationalError with Athena's reason."""
    assert value(sdk, "pyathena", "select") == {
        "rows": [["NY", 10], ["NY", 25]], "description": [["state", "varchar"], ["cases", "bigint"]],
        "state": "SUCCEEDED"}
    assert value(sdk, "pyathena", "failure") == "COLUMN_NOT_FOUND"


def test_redshift_data__redshift_data_APIReference_API_ExecuteStatement(sdk):
    """https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ExecuteStatement.html; a
    workgroup that does not exist is a ValidationException
    (tests/local_aws/redshift/test_redshift_data.py)."""
    assert value(sdk, "redshift_data", "create_table") == value(sdk, "redshift_data", "insert") == "FINISHED"
    assert value(sdk, "redshift_data", "result") == [[1, "Boston"], [2, "Austin"]]
    assert value(sdk, "redshift_data", "missing_workgroup") == "ValidationException"


def test_redshift__APIReference_API_CreateCluster_DescribeClusters(sdk):
    """https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusters.html:
    ClusterNotFound for an identifier the account lacks."""
    name = f"sdk-cluster-{'newest' if sdk['botocore'] == SDKS['newest'][1] else 'pinned'}"
    assert value(sdk, "redshift", "create_cluster") == name
    described = value(sdk, "redshift", "describe_clusters")
    # the port is the cluster's endpoint, whichever local_aws chose (AWS's default is 5439)
    assert [c["id"] for c in described] == [name] and isinstance(described[0]["port"], int)
    assert value(sdk, "redshift", "missing_cluster") == "ClusterNotFound"


def test_redshift_serverless__APIReference_API_CreateWorkgroup_GetCredentials(sdk):
    """https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateWorkgroup.html,
    API_GetCredentials.html; ResourceNotFoundException for a workgroup the account lacks."""
    assert value(sdk, "redshift_serverless", "create_namespace") == "AVAILABLE"
    suffix = "newest" if sdk["botocore"] == SDKS["newest"][1] else "pinned"
    assert value(sdk, "redshift_serverless", "create_workgroup") == f"sdk-ns-{suffix}"
    assert value(sdk, "redshift_serverless", "listed") is True
    assert value(sdk, "redshift_serverless", "credentials") == "IAM:"
    assert value(sdk, "redshift_serverless", "missing_workgroup") == "ResourceNotFoundException"

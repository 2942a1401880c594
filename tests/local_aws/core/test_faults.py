"""Faults on demand: armed through the admin endpoint or the CLI, seen by boto3 as AWS errors."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from local_aws.core.faults import ADMIN_PATH, FaultRegistry


def admin(emulator, method: str, payload: dict | None = None) -> dict:
    request = urllib.request.Request(emulator.endpoint_url + ADMIN_PATH, method=method,
                                     data=json.dumps(payload).encode() if payload else None)
    with urllib.request.urlopen(request, timeout=5) as resp:
        return json.load(resp)


@pytest.fixture(autouse=True)
def disarm(emulator):
    yield
    admin(emulator, "DELETE")


def test_throttled_call_fails_without_retries_and_passes_with_them(emulator):
    admin(emulator, "POST", {"operation": "ExecuteStatement", "count": 4, "kind": "throttle"})
    assert admin(emulator, "GET")["faults"] == [{"operation": "ExecuteStatement", "remaining": 4, "kind": "throttle"}]
    emulator.clusters("faulty")
    no_retry = emulator.client("redshift-data")
    with pytest.raises(ClientError) as err:
        no_retry.execute_statement(Sql="SELECT 1", ClusterIdentifier="faulty", Database="dev")
    assert err.value.response["Error"]["Code"] == "ThrottlingException"
    assert admin(emulator, "GET")["faults"][0]["remaining"] == 2  # two attempts, both throttled

    retrying = emulator.client("redshift-data", retries={"max_attempts": 3, "mode": "standard"})
    statement_id = retrying.execute_statement(Sql="SELECT 1", ClusterIdentifier="faulty", Database="dev")["Id"]
    assert retrying.describe_statement(Id=statement_id)["Id"] == statement_id
    assert admin(emulator, "GET")["faults"] == []


def test_error_fault_on_athena_and_s3(emulator):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket="fault-bucket")
    # botocore 1.43 sends max_attempts + 1 requests (header "attempt=2; max=2"): arm both.
    admin(emulator, "POST", {"operation": "PutObject", "count": 2})
    with pytest.raises(ClientError) as err:
        s3.put_object(Bucket="fault-bucket", Key="k", Body=b"x")
    assert err.value.response["Error"]["Code"] == "InternalError"
    assert "KeyCount" in s3.list_objects_v2(Bucket="fault-bucket") and \
        s3.list_objects_v2(Bucket="fault-bucket")["KeyCount"] == 0  # the faulted call changed nothing
    s3.put_object(Bucket="fault-bucket", Key="k", Body=b"x")  # count used up

    admin(emulator, "POST", {"operation": "StartQueryExecution", "count": 2, "kind": "error"})
    with pytest.raises(ClientError) as err:
        emulator.client("athena").start_query_execution(
            QueryString="SELECT 1", ResultConfiguration={"OutputLocation": "s3://fault-bucket/r/"})
    assert err.value.response["Error"]["Code"] == "InternalFailure"


def test_bad_admin_request_is_a_400(emulator):
    with pytest.raises(urllib.error.HTTPError) as err:
        admin(emulator, "POST", {"operation": "GetObject", "count": 1, "kind": "explode"})
    assert err.value.code == 400


def test_cli_arms_faults_at_start(launch, tmp_path):
    emu = launch(tmp_path, "--sample-scale", "none", "--fault", "CreateBucket:2:throttle")
    s3 = emu.client("s3")
    with pytest.raises(ClientError) as err:
        s3.create_bucket(Bucket="after-fault")
    assert err.value.response["Error"]["Code"] == "SlowDown"
    s3.create_bucket(Bucket="after-fault")
    emu.stop()


def test_spec_parsing():
    registry = FaultRegistry()
    registry.arm_spec("GetObject:2:throttle, PutObject")
    assert registry.list() == [{"operation": "GetObject", "remaining": 2, "kind": "throttle"},
                               {"operation": "PutObject", "remaining": 1, "kind": "error"}]
    with pytest.raises(ValueError, match="bad fault spec"):
        registry.arm_spec("GetObject:many")


def test_a_fault_fires_for_athenas_rest_json_protocol_too(emulator):
    """botocore 1.44 sends Athena's calls as REST-JSON (GET /workgroups for ListWorkGroups), with no
    X-Amz-Target: the operation is found from the method and path (athena/rest_json.py)."""
    import urllib.error
    import urllib.request

    def list_work_groups() -> int:
        request = urllib.request.Request(f"{emulator.endpoint_url}/workgroups", method="GET", headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261207/us-east-1/athena/aws4_request, "
                             "SignedHeaders=host, Signature=0"})
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            assert exc.headers["x-amzn-ErrorType"] == "InternalFailure"
            return exc.code

    assert list_work_groups() == 200
    admin(emulator, "POST", {"operation": "ListWorkGroups", "count": 1})
    assert list_work_groups() == 500
    assert list_work_groups() == 200  # count used up

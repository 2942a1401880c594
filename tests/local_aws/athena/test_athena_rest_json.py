"""Athena over REST-JSON (botocore 1.44 on) and JSON 1.1 (botocore up to 1.43): one
implementation answers both (local_aws/athena/rest_json.py, responses.py).

The protocol: https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html (an operation
named by method and URI; members bound to labels, the query string and the body; the error code
in x-amzn-ErrorType). Athena's routes: the API reference, e.g.
https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html, as
botocore's model carries them. The newest SDK itself drives the emulator in
tests/clients/test_newest_sdk.py; here the requests are made by hand where an SDK would not
make them (an unknown path, an operation local_aws lacks) and the route table is checked
against the newest botocore's model."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from local_aws.athena import rest_json
from tests.support.athena import run_query

ROOT = Path(__file__).resolve().parents[3]
NEWEST_SDK = ROOT / ".local" / "newest-sdk-venv"
BUCKET = "rest-json-checks"
OUTPUT = f"s3://{BUCKET}/results/"
# moto picks the service from the credential scope of a SigV4 Authorization header
AUTH = ("AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/athena/aws4_request, "
        "SignedHeaders=host, Signature=0")


def call(emulator, method: str, path: str, body: dict | None = None,
         target: str | None = None) -> tuple[int, dict, dict]:
    headers = {"Authorization": AUTH}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/x-amz-json-1.1" if target else "application/json"
    if target:
        headers["X-Amz-Target"] = f"AmazonAthena.{target}"
    request = urllib.request.Request(emulator.endpoint_url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, json.loads(error.read() or b"{}")


@pytest.fixture(scope="module")
def athena(emulator):
    emulator.client("s3").create_bucket(Bucket=BUCKET)
    return emulator.client("athena")


def newest_model() -> dict:
    found = sorted(NEWEST_SDK.glob("lib/python*/site-packages/botocore/data/athena/*/service-2.json*"))
    if not found:
        pytest.skip("make test builds .local/newest-sdk-venv (requirements-newest-sdk.txt)")
    raw = found[-1].read_bytes()
    return json.loads(gzip.decompress(raw) if found[-1].suffix == ".gz" else raw)


def test_route_table_is_the_newest_botocore_models():
    """Every operation of the newest botocore's Athena model, with its method, requestUri and
    non-string query members, is in local_aws's table: nothing typed by hand differs."""
    model = newest_model()
    assert model["metadata"]["protocol"] == "rest-json"
    wanted = {(r.operation, r.method, r.uri, tuple(sorted(r.query_types.items())))
              for r in rest_json.model_routes(model)}
    table = {(r.operation, r.method, r.uri,
              tuple(sorted((k, v) for k, v in r.query_types.items()
                           if k in dict(next(w[3] for w in wanted if w[0] == r.operation)))))
             for r in rest_json.table_routes()}
    assert table == wanted


def test_one_execution_seen_through_both_protocols__API_StartQueryExecution(emulator, athena):
    """Started over REST-JSON (POST /query-executions), read over JSON 1.1 and REST-JSON alike."""
    status, _, started = call(emulator, "POST", "/query-executions", {
        "QueryString": "SELECT 1 AS one", "ResultConfiguration": {"OutputLocation": OUTPUT}})
    assert status == 200
    qid = started["QueryExecutionId"]
    execution = run_query(athena, "SELECT 2", database="default", output=OUTPUT)  # JSON 1.1 (botocore 1.43)
    assert execution["Status"]["State"] == "SUCCEEDED"
    for _ in range(200):
        _, _, rest = call(emulator, "GET", f"/query-executions/{qid}")
        if rest["QueryExecution"]["Status"]["State"] not in ("QUEUED", "RUNNING"):
            break
    _, _, rpc = call(emulator, "POST", "/", {"QueryExecutionId": qid}, target="GetQueryExecution")
    assert rest["QueryExecution"]["Status"]["State"] == rpc["QueryExecution"]["Status"]["State"] == "SUCCEEDED"
    assert rest["QueryExecution"]["Query"] == rpc["QueryExecution"]["Query"] == "SELECT 1 AS one"
    # query-string members: MaxResults typed as the integer it is
    status, _, page = call(emulator, "GET", f"/query-executions/{qid}/results?MaxResults=1")
    assert status == 200 and page["ResultSet"]["Rows"] == [{"Data": [{"VarCharValue": "one"}]}]
    assert page["NextToken"] == "1"


def test_uri_labels_are_percent_decoded__an_arn_is_one_label(emulator, athena):
    """botocore encodes '/' in a label as %2F: GET /tags/arn%3Aaws%3A...%2Fprimary names one ARN."""
    arn = "arn:aws:athena:us-east-1:123456789012:workgroup/rest-json-tags"
    athena.create_work_group(Name="rest-json-tags", Tags=[{"Key": "team", "Value": "lake"}])
    encoded = urllib.request.quote(arn, safe="")
    status, _, body = call(emulator, "GET", f"/tags/{encoded}")
    assert status == 200 and body["Tags"] == [{"Key": "team", "Value": "lake"}]


def test_errors_carry_x_amzn_errortype_and_type(emulator, athena):
    """A REST-JSON error names its code in the x-amzn-ErrorType header and the body's __type."""
    status, headers, body = call(emulator, "GET", "/data-catalogs/AwsDataCatalog/databases/no_such_db")
    assert status == 400
    assert headers["x-amzn-errortype"] == body["__type"] == "MetadataException"
    assert "no_such_db" in body["message"]


@pytest.mark.parametrize("method,path,operation", [
    ("GET", "/sessions/s-1", "GetSession"),
    ("POST", "/workgroups/primary/notebooks", "CreateNotebook"),
    ("DELETE", "/notebooks/n-1", "DeleteNotebook"),
])
def test_an_operation_local_aws_lacks_is_400_unsupported_naming_it(emulator, athena, method, path, operation):
    """Not a 404 nor a retried 500: a 4xx naming the operation (local_aws/core/routing.py)."""
    status, headers, body = call(emulator, method, path, {} if method != "GET" else None)
    assert status == 400
    assert headers["x-amzn-errortype"] == body["__type"] == "UnsupportedOperation"
    assert f"athena {operation}" in body["message"]


def test_the_same_operation_is_unsupported_over_json_1_1_too(emulator, athena):
    status, _, body = call(emulator, "POST", "/", {"SessionId": "s-1"}, target="GetSession")
    assert status == 400 and body["__type"] == "UnsupportedOperation" and "athena GetSession" in body["message"]


def test_a_path_no_operation_has_is_404_unknown_operation(emulator, athena):
    status, headers, body = call(emulator, "GET", "/no-such-resource/x")
    assert status == 404
    assert headers["x-amzn-errortype"] == body["__type"] == "UnknownOperationException"


def test_batch_get_query_execution__APIReference_API_BatchGetQueryExecution(emulator, athena):
    """Executions local_aws ran, by id; an unknown id in UnprocessedQueryExecutionIds."""
    qid = run_query(athena, "SELECT 3", database="default", output=OUTPUT)["QueryExecutionId"]
    answer = athena.batch_get_query_execution(QueryExecutionIds=[qid, "no-such-id"])
    assert [e["QueryExecutionId"] for e in answer["QueryExecutions"]] == [qid]
    assert answer["QueryExecutions"][0]["Status"]["State"] == "SUCCEEDED"
    assert [u["QueryExecutionId"] for u in answer["UnprocessedQueryExecutionIds"]] == ["no-such-id"]
    status, _, rest = call(emulator, "POST", "/batch-get-query-executions", {"QueryExecutionIds": [qid]})
    assert status == 200 and rest["QueryExecutions"][0]["Query"] == "SELECT 3"


def test_query_runtime_statistics_are_refused_by_name_not_answered_not_found(emulator, athena):
    """moto answered "not found" for every execution local_aws ran; now a 400 naming the operation."""
    qid = run_query(athena, "SELECT 4", database="default", output=OUTPUT)["QueryExecutionId"]
    status, headers, body = call(emulator, "GET", f"/query-executions/{qid}/runtime-statistics")
    assert status == 400 and headers["x-amzn-errortype"] == "UnsupportedOperation"
    assert "athena GetQueryRuntimeStatistics" in body["message"]

"""Faults on demand: make the next N calls of a named operation fail or be throttled.

Tests use this to prove that retries and rollbacks work. Three ways to arm a fault:

  * CLI:      python -m local_aws --fault StartQueryExecution:2:throttle --fault PutObject:1
  * env var:  LOCAL_AWS_FAULTS="StartQueryExecution:2:throttle,PutObject:1"   (read at start-up)
  * admin:    POST   /_local_aws/faults  {"operation": "ExecuteStatement", "count": 1, "kind": "error"}
              GET    /_local_aws/faults  -> {"faults": [{"operation": ..., "remaining": ..., "kind": ...}]}
              DELETE /_local_aws/faults  -> disarm everything

`operation` is the API name as in the AWS docs (StartQueryExecution, ExecuteStatement,
GetObject, PutObject, ...), or "COPY <table>" for a fault inside the Redshift data plane: the
next COPY into that table fails as a statement, in the middle of its transaction, so a test can
prove that a batch rolls back whole (e.g. "COPY stage_factcovidcounty", the last COPY of a load).
`kind` is "error" (default: HTTP 500, InternalFailure / S3 InternalError) or "throttle" (HTTP
400 ThrottlingException / S3 503 SlowDown). Both are what botocore's retry handlers treat as
retryable, so a client with retries passes and one without fails. A faulted call never reaches
moto: nothing is created or changed.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

ENV_VAR = "LOCAL_AWS_FAULTS"
ADMIN_PATH = "/_local_aws/faults"
KINDS = ("error", "throttle")

_SERVICE_IN_CREDENTIAL = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")


@dataclass
class Fault:
    operation: str
    remaining: int
    kind: str = "error"


class FaultRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}

    def arm(self, operation: str, count: int, kind: str = "error") -> Fault:
        if kind not in KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if count < 1 or not operation:
            raise ValueError("a fault needs an operation name and a count of at least 1")
        with self._lock:
            self._faults[operation] = Fault(operation, count, kind)
            return self._faults[operation]

    def arm_spec(self, spec: str) -> None:
        """'Operation:count[:kind]', several separated by commas (the CLI and env var format)."""
        for item in filter(None, (part.strip() for part in spec.split(","))):
            operation, _, rest = item.partition(":")
            count, _, kind = rest.partition(":")
            try:
                self.arm(operation, int(count or 1), kind or "error")
            except ValueError as exc:
                raise ValueError(f"bad fault spec {item!r} "
                                 f"(expected Operation:count[:error|throttle]): {exc}") from None

    def take(self, operation: str) -> Fault | None:
        """The fault to apply to this call, if one is armed; counts it down."""
        with self._lock:
            fault = self._faults.get(operation)
            if fault is None:
                return None
            fault.remaining -= 1
            if fault.remaining <= 0:
                del self._faults[operation]
            return Fault(fault.operation, fault.remaining, fault.kind)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [vars(f).copy() for f in self._faults.values()]


registry = FaultRegistry()


def arm_from_environment() -> None:
    if os.environ.get(ENV_VAR):
        registry.arm_spec(os.environ[ENV_VAR])


# -- request classification ----------------------------------------------------------------------

def _body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back, so moto still sees it."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


# REST-JSON services (Athena with botocore 1.44): the signing name -> a function of (method, raw
# path) giving the operation. The service folders know their routes; server.py registers them.
REST_JSON_OPERATIONS: dict[str, Callable[[str, str], str | None]] = {}


def operation_of(environ: dict[str, Any]) -> tuple[str | None, str]:
    """(operation name, protocol) of an AWS request: protocol is 'json', 'query' or 's3'."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:  # JSON protocols: "AmazonAthena.StartQueryExecution"
        return target.rsplit(".", 1)[-1], "json"
    service = _SERVICE_IN_CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if service and service.group(1) == "s3":
        return _s3_operation(environ), "s3"
    if service and service.group(1) in REST_JSON_OPERATIONS:
        path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
        operation = REST_JSON_OPERATIONS[service.group(1)](environ.get("REQUEST_METHOD", ""), path)
        if operation:
            return operation, "json"
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0], "query"
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        action = parse_qs(_body(environ).decode(errors="replace")).get("Action")
        if action:
            return action[0], "query"
    return None, "json"


def _s3_operation(environ: dict[str, Any]) -> str | None:
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "/").lstrip("/")
    has_key = "/" in path and path.split("/", 1)[1] != ""
    if has_key:
        return {"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject",
                "DELETE": "DeleteObject", "POST": "PostObject"}.get(method)
    if not path:
        return "ListBuckets"
    return {"GET": "ListObjectsV2", "PUT": "CreateBucket", "HEAD": "HeadBucket",
            "DELETE": "DeleteBucket", "POST": "DeleteObjects"}.get(method)


def _error_response(fault: Fault, protocol: str) -> tuple[str, list[tuple[str, str]], bytes]:
    message = f"{fault.operation} failed by local_aws fault injection ({fault.remaining} more armed)"
    if protocol == "s3":
        code, status = ("SlowDown", "503 Slow Down") if fault.kind == "throttle" else (
            "InternalError", "500 Internal Server Error")
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        return status, [("Content-Type", "application/xml")], body.encode()
    code, status = ("ThrottlingException", "400 Bad Request") if fault.kind == "throttle" else (
        "InternalFailure", "500 Internal Server Error")
    if protocol == "query":
        code = "Throttling" if fault.kind == "throttle" else code
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                f"</Error><RequestId>local-aws-fault</RequestId></ErrorResponse>")
        return status, [("Content-Type", "text/xml")], body.encode()
    body = json.dumps({"__type": code, "message": message})
    return status, [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)], body.encode()


# -- WSGI ----------------------------------------------------------------------------------------

def handle(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes] | None:
    """Answer the admin endpoint or a faulted call; None lets the request through to moto."""
    if environ.get("PATH_INFO") == ADMIN_PATH:
        return _admin(environ, start_response)
    operation, protocol = operation_of(environ)
    fault = registry.take(operation) if operation else None
    if fault is None:
        return None
    _body(environ)  # read the upload first: answering mid-upload breaks the connection
    status, headers, body = _error_response(fault, protocol)
    start_response(status, headers + [("Content-Length", str(len(body)))])
    return [body]


def _admin(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    method = environ.get("REQUEST_METHOD")
    status = "200 OK"
    try:
        if method == "POST":
            request = json.loads(_body(environ) or b"{}")
            registry.arm(str(request.get("operation", "")), int(request.get("count", 1)),
                         str(request.get("kind", "error")))
        elif method == "DELETE":
            registry.clear()
        elif method != "GET":
            raise ValueError(f"use GET, POST or DELETE on {ADMIN_PATH}")
        payload: dict[str, Any] = {"faults": registry.list()}
    except (ValueError, TypeError) as exc:
        status, payload = "400 Bad Request", {"error": str(exc)}
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]

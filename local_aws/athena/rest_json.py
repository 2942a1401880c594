"""Athena's REST-JSON protocol: which operation a (method, path) names, and its input members.

botocore 1.44 speaks REST-JSON to Athena (POST /query-executions, GET /workgroups/{WorkGroup},
...), where 1.43 and earlier spoke JSON 1.1 (one POST / with X-Amz-Target: AmazonAthena.<Op>).
Both are answered by the same handlers (responses.py): a REST request is matched here to its
operation and its input is gathered from the three places the model puts members: the URI's
labels, the query string and the JSON body (https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html).

Routes come from the installed botocore's Athena model when that model is REST-JSON, so an
operation AWS adds later is at least named; otherwise (the project pins botocore 1.43, whose
model is JSON 1.1) from ROUTE_TABLE below, botocore 1.44.18's routes written out here.
tests/local_aws/athena/test_athena_rest_json.py checks the table against the newest botocore's
model. Every query-string member keeps its member name in Athena's model (locationName ==
member name), so the table lists only the members that are not strings.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

# "METHOD /uri/{Label} Operation", one operation a line (botocore 1.44.18, athena 2017-05-18).
ROUTE_TABLE = """
POST /batch-get-named-queries BatchGetNamedQuery
POST /workgroups/{WorkGroup}/batch-get-prepared-statements BatchGetPreparedStatement
POST /batch-get-query-executions BatchGetQueryExecution
POST /capacity-reservations/{Name}/cancel CancelCapacityReservation
POST /capacity-reservations CreateCapacityReservation
POST /data-catalogs CreateDataCatalog
POST /named-queries CreateNamedQuery
POST /workgroups/{WorkGroup}/notebooks CreateNotebook
POST /workgroups/{WorkGroup}/prepared-statements CreatePreparedStatement
POST /sessions/{SessionId}/presigned-notebook-url CreatePresignedNotebookUrl
POST /system-tables/configurations CreateSystemTableConfiguration
POST /workgroups CreateWorkGroup
DELETE /capacity-reservations/{Name} DeleteCapacityReservation
DELETE /data-catalogs/{Name} DeleteDataCatalog
DELETE /named-queries/{NamedQueryId} DeleteNamedQuery
DELETE /notebooks/{NotebookId} DeleteNotebook
DELETE /workgroups/{WorkGroup}/prepared-statements/{StatementName} DeletePreparedStatement
DELETE /system-tables/configurations/{TableName} DeleteSystemTableConfiguration
DELETE /workgroups/{WorkGroup} DeleteWorkGroup
GET /notebooks/{NotebookId}/export ExportNotebook
GET /calculations/{CalculationExecutionId} GetCalculationExecution
GET /calculations/{CalculationExecutionId}/code GetCalculationExecutionCode
GET /calculations/{CalculationExecutionId}/status GetCalculationExecutionStatus
GET /capacity-reservations/{CapacityReservationName}/assignment-configuration GetCapacityAssignmentConfiguration
GET /capacity-reservations/{Name} GetCapacityReservation
GET /data-catalogs/{Name} GetDataCatalog
GET /data-catalogs/{CatalogName}/databases/{DatabaseName} GetDatabase
GET /named-queries/{NamedQueryId} GetNamedQuery
GET /notebooks/{NotebookId}/metadata GetNotebookMetadata
GET /workgroups/{WorkGroup}/prepared-statements/{StatementName} GetPreparedStatement
GET /query-executions/{QueryExecutionId} GetQueryExecution
GET /query-executions/{QueryExecutionId}/result-stream GetQueryResultStream
GET /query-executions/{QueryExecutionId}/results GetQueryResults
GET /query-executions/{QueryExecutionId}/runtime-statistics GetQueryRuntimeStatistics
GET /resource-dashboard/{ResourceARN} GetResourceDashboard
GET /sessions/{SessionId} GetSession
GET /sessions/{SessionId}/endpoint GetSessionEndpoint
GET /sessions/{SessionId}/status GetSessionStatus
GET /system-tables/configurations/{TableName} GetSystemTableConfiguration
GET /data-catalogs/{CatalogName}/databases/{DatabaseName}/tables/{TableName} GetTableMetadata
GET /workgroups/{WorkGroup} GetWorkGroup
POST /workgroups/{WorkGroup}/notebooks/import ImportNotebook
GET /application-dpu-sizes ListApplicationDPUSizes
GET /sessions/{SessionId}/calculations ListCalculationExecutions
GET /capacity-reservations ListCapacityReservations
GET /data-catalogs ListDataCatalogs
GET /data-catalogs/{CatalogName}/databases ListDatabases
GET /engine-versions ListEngineVersions
GET /sessions/{SessionId}/executors ListExecutors
GET /named-queries ListNamedQueries
POST /workgroups/{WorkGroup}/notebooks/list ListNotebookMetadata
GET /notebooks/{NotebookId}/sessions ListNotebookSessions
GET /workgroups/{WorkGroup}/prepared-statements ListPreparedStatements
GET /query-executions ListQueryExecutions
GET /workgroups/{WorkGroup}/sessions ListSessions
GET /system-tables/statuses ListSystemTableStatuses
GET /data-catalogs/{CatalogName}/databases/{DatabaseName}/tables ListTableMetadata
GET /tags/{ResourceARN} ListTagsForResource
GET /workgroups ListWorkGroups
PUT /capacity-reservations/{CapacityReservationName}/assignment-configuration PutCapacityAssignmentConfiguration
POST /sessions/{SessionId}/calculations StartCalculationExecution
POST /query-executions StartQueryExecution
POST /workgroups/{WorkGroup}/sessions StartSession
POST /calculations/{CalculationExecutionId}/stop StopCalculationExecution
POST /query-executions/{QueryExecutionId}/stop StopQueryExecution
POST /tags/{ResourceARN} TagResource
POST /sessions/{SessionId}/terminate TerminateSession
DELETE /tags/{ResourceARN} UntagResource
PATCH /capacity-reservations/{Name} UpdateCapacityReservation
PATCH /data-catalogs/{Name} UpdateDataCatalog
PATCH /named-queries/{NamedQueryId} UpdateNamedQuery
PATCH /notebooks/{NotebookId} UpdateNotebook
PATCH /notebooks/{NotebookId}/metadata UpdateNotebookMetadata
PATCH /workgroups/{WorkGroup}/prepared-statements/{StatementName} UpdatePreparedStatement
PATCH /system-tables/configurations/{TableName} UpdateSystemTableConfiguration
PATCH /workgroups/{WorkGroup} UpdateWorkGroup
"""

# Query-string members that are not strings, by member name (the same in every operation of
# botocore 1.44.18's model): a list repeats its key, an integer and a boolean are text.
QUERY_MEMBER_TYPES = {"MaxResults": "integer", "AttributesToGet": "list", "TagKeys": "list",
                      "DeleteCatalogOnly": "boolean", "RecursiveDeleteOption": "boolean"}


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    uri: str  # the model's requestUri, labels in braces
    query_types: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def segments(self) -> list[str]:
        return self.uri.strip("/").split("/")


def table_routes() -> list[Route]:
    routes = []
    for line in filter(None, map(str.strip, ROUTE_TABLE.splitlines())):
        method, uri, operation = line.split()
        routes.append(Route(operation, method, uri, QUERY_MEMBER_TYPES))
    return routes


def model_routes(model: dict[str, Any]) -> list[Route]:
    """The routes of a botocore service-2 model (a dict), with each operation's non-string
    query-string members."""
    shapes = model["shapes"]
    routes = []
    for name, operation in model["operations"].items():
        members = shapes.get((operation.get("input") or {}).get("shape", ""), {}).get("members", {})
        query_types = {member: shapes[spec["shape"]]["type"] for member, spec in members.items()
                       if spec.get("location") == "querystring"
                       and shapes[spec["shape"]]["type"] != "string"}
        routes.append(Route(name, operation["http"]["method"],
                            operation["http"]["requestUri"].split("?")[0], query_types))
    return routes


@functools.cache
def routes() -> tuple[Route, ...]:
    """The installed botocore's REST-JSON routes if its Athena model is REST-JSON, else the table."""
    try:
        import botocore.session
        model = botocore.session.get_session().get_service_data("athena")
    except Exception:  # no botocore, or no Athena model in it
        model = None
    if model and model.get("metadata", {}).get("protocol") == "rest-json":
        return tuple(model_routes(model))
    return tuple(table_routes())


_LABEL = re.compile(r"^\{(\w+)\+?\}$")


def match(method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
    """The route a request names and its URI labels (percent-decoded), or None.

    The raw (still percent-encoded) path is split first: a label such as an ARN is sent with
    its '/' encoded as %2F and is one segment."""
    segments = raw_path.split("?", 1)[0].strip("/").split("/")
    for route in routes():
        if route.method != method.upper() or len(route.segments) != len(segments):
            continue
        labels: dict[str, str] = {}
        for template, segment in zip(route.segments, segments, strict=False):
            label = _LABEL.match(template)
            if label:
                labels[label[1]] = unquote(segment)
            elif template != segment:
                break
        else:
            return route, labels
    return None


def query_members(route: Route, query_string: str) -> dict[str, Any]:
    """The query string's members, typed as the model types them."""
    members: dict[str, Any] = {}
    for name, values in parse_qs(query_string, keep_blank_values=True).items():
        kind = route.query_types.get(name, "string")
        if kind == "list":
            members[name] = values
        elif kind == "integer":
            members[name] = int(values[0]) if values[0].lstrip("-").isdigit() else values[0]
        elif kind == "boolean":
            members[name] = values[0].lower() == "true"
        else:
            members[name] = values[0]
    return members


def operation(method: str, raw_path: str) -> str | None:
    """The operation a REST-JSON request names (core/faults.py arms faults by operation)."""
    found = match(method, raw_path)
    return None if found is None else found[0].operation

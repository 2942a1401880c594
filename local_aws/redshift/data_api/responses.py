"""Redshift Data API calls for LocalRedshiftDataBackend: moto's response class, each statement
call answered from the backend's real statements, results encoded as the Data API's Fields."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import os
import re
from typing import Any

from moto.redshiftdata.exceptions import ValidationException
from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse

from local_aws.core.http import json_body
from local_aws.redshift.data_api.models import (
    LocalRedshiftDataBackend,
    redshiftdata_backends,
)
from local_aws.redshift.engine import Call, Session

# GetStatementResult pages by size on AWS (100 MB); a row count keeps paging observable in tests.
PAGE_ROWS = int(os.environ.get("LOCAL_AWS_REDSHIFT_PAGE_ROWS", "1000"))


class LocalRedshiftDataResponse(RedshiftDataAPIServiceResponse):
    @property
    def redshiftdata_backend(self) -> LocalRedshiftDataBackend:
        return redshiftdata_backends[self.current_account][self.region]

    def _request(self) -> dict[str, Any]:
        return json_body(self.body, ValidationException)

    @staticmethod
    def _call_options(body: dict[str, Any]) -> dict[str, Any]:
        return {"cluster_identifier": body.get("ClusterIdentifier"),
                "workgroup_name": body.get("WorkgroupName"), "session_id": body.get("SessionId"),
                "database": body.get("Database"), "db_user": body.get("DbUser"),
                "secret_arn": body.get("SecretArn"), "statement_name": body.get("StatementName"),
                "parameters": body.get("Parameters"),
                "session_keep_alive_seconds": body.get("SessionKeepAliveSeconds"),
                "result_format": body.get("ResultFormat"), "with_event": body.get("WithEvent"),
                "wait_time_seconds": body.get("WaitTimeSeconds"),
                "client_token": body.get("ClientToken")}

    def execute_statement(self) -> tuple[int, dict, str]:
        body = self._request()
        call = self.redshiftdata_backend.execute_statement(body.get("Sql"), **self._call_options(body))
        return _json(_started(call))

    def batch_execute_statement(self) -> tuple[int, dict, str]:
        body = self._request()
        call = self.redshiftdata_backend.batch_execute_statement(body.get("Sqls") or [],
                                                                 **self._call_options(body))
        return _json(_started(call))

    def describe_statement(self) -> tuple[int, dict, str]:
        return _json(self.redshiftdata_backend.describe_statement(self._request().get("Id")))

    def get_statement_result(self) -> tuple[int, dict, str]:
        request = self._request()
        if request.get("WaitTimeSeconds") is not None:
            raise ValidationException("local_aws does not support WaitTimeSeconds")
        result = self.redshiftdata_backend.get_statement_result(request.get("Id"))
        offset = int(request.get("NextToken") or 0)
        page = result.rows[offset:offset + PAGE_ROWS]
        body: dict[str, Any] = {
            "ColumnMetadata": [column_metadata(name, dtype) for name, dtype in result.columns],
            "Records": [[field_value(v, dtype) for v, (_, dtype) in zip(row, result.columns, strict=False)]
                        for row in page],
            "TotalNumRows": len(result.rows),
        }
        if offset + PAGE_ROWS < len(result.rows):
            body["NextToken"] = str(offset + PAGE_ROWS)
        return _json(body)

    def cancel_statement(self) -> tuple[int, dict, str]:
        self.redshiftdata_backend.cancel_statement(self._request().get("Id"))
        return _json({"Status": True})


    def list_statements(self) -> tuple[int, dict, str]:
        # https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ListStatements.html
        body = self._request()
        calls = self.redshiftdata_backend.list_statements(
            body.get("Status") or "FINISHED", body.get("StatementName"),
            body.get("ClusterIdentifier"), body.get("WorkgroupName"), body.get("Database"))
        return _json(_paged(body, "Statements", [_statement_data(c) for c in calls], most=100))

    def list_sessions(self) -> tuple[int, dict, str]:
        # https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ListSessions.html
        body = self._request()
        sessions = self.redshiftdata_backend.list_sessions(
            body.get("SessionId"), body.get("Status"), body.get("ClusterIdentifier"),
            body.get("WorkgroupName"), body.get("Database"))
        return _json(_paged(body, "Sessions", [_session_data(s) for s in sessions], most=100))

    # -- metadata -------------------------------------------------------------------------------

    def _metadata_request(self) -> tuple[dict[str, Any], dict[str, Any]]:
        body = self._request()
        target = {"cluster_identifier": body.get("ClusterIdentifier"),
                  "workgroup_name": body.get("WorkgroupName"), "db_user": body.get("DbUser"),
                  "secret_arn": body.get("SecretArn")}
        return body, target

    def list_databases(self) -> tuple[int, dict, str]:
        body, target = self._metadata_request()
        names = self.redshiftdata_backend.list_databases(body.get("Database"), **target)
        return _json(_paged(body, "Databases", names))

    def list_schemas(self) -> tuple[int, dict, str]:
        body, target = self._metadata_request()
        names = self.redshiftdata_backend.list_schemas(body.get("Database"),
                                                       body.get("SchemaPattern"), **target)
        return _json(_paged(body, "Schemas", names))

    def list_tables(self) -> tuple[int, dict, str]:
        body, target = self._metadata_request()
        tables = self.redshiftdata_backend.list_tables(
            body.get("Database"), body.get("SchemaPattern"), body.get("TablePattern"), **target)
        return _json(_paged(body, "Tables", tables))

    def describe_table(self) -> tuple[int, dict, str]:
        body, target = self._metadata_request()
        columns = self.redshiftdata_backend.describe_table(
            body.get("Database"), body.get("Schema"), body.get("Table"), **target)
        listed = [{**column_metadata(c["name"], c["dtype"]), "nullable": int(c["nullable"]),
                   "schemaName": c["schemaName"], "tableName": c["tableName"],
                   "columnDefault": c["columnDefault"]} for c in columns]
        out = _paged(body, "ColumnList", listed)
        if body.get("Table"):
            out["TableName"] = body["Table"]
        return _json(out)


def _paged(body: dict[str, Any], key: str, items: list, most: int = 1000) -> dict[str, Any]:
    """MaxResults (0..most; absent or 0: up to most) and NextToken, as the list calls page."""
    try:
        limit = int(body.get("MaxResults") or 0)
        offset = int(body.get("NextToken") or 0)
    except (TypeError, ValueError):
        raise ValidationException("MaxResults must be an integer and NextToken one this "
                                  "service returned") from None
    if not 0 <= limit <= most or offset < 0:
        raise ValidationException(f"MaxResults must be between 0 and {most}")
    limit = limit or most
    out: dict[str, Any] = {key: items[offset:offset + limit]}
    if offset + limit < len(items):
        out["NextToken"] = str(offset + limit)
    return out


def _statement_data(call: Call) -> dict[str, Any]:
    """ListStatements' StatementData of one call."""
    parent = call.statement
    out: dict[str, Any] = {"Id": parent.id, "Status": parent.status, "CreatedAt": parent.created_at,
                           "UpdatedAt": parent.updated_at, "IsBatchStatement": call.is_batch}
    if call.is_batch:
        out["QueryStrings"] = [s.query_string for s in call.subs]
    else:
        out["QueryString"] = parent.query_string
    for key, value in (("StatementName", call.statement_name), ("SecretArn", call.secret_arn),
                       ("SessionId", call.session.id if call.session else None)):
        if value is not None:
            out[key] = value
    if call.parameters:
        out["QueryParameters"] = [{"name": k, "value": v} for k, v in call.parameters.items()]
    return out


def _session_data(session: Session) -> dict[str, Any]:
    """SessionData (API_SessionData.html): ClusterIdentifier or WorkgroupName by target,
    CurrentStatementId only while BUSY, SessionTtl once a call has set the keep-alive."""
    kind, name = session.target
    status = session.status
    out: dict[str, Any] = {"SessionId": session.id, "Status": status, "CreatedAt": session.created_at,
                           "UpdatedAt": session.updated_at, "Database": session.database,
                           "SessionAliveSeconds": session.keep_alive_seconds,
                           "ClusterIdentifier" if kind == "cluster" else "WorkgroupName": name}
    if session.db_user:
        out["DbUser"] = session.db_user
    if session.expires_at is not None:
        out["SessionTtl"] = session.expires_at
    if status == "BUSY" and session.current_statement is not None:
        out["CurrentStatementId"] = session.current_statement.id
    return out


def _json(body: dict[str, Any]) -> tuple[int, dict, str]:
    return 200, {}, json.dumps(body)


def _started(call: Call) -> dict[str, Any]:
    out = {"Id": call.statement.id, "CreatedAt": call.statement.created_at, "Database": call.database}
    out[{"cluster": "ClusterIdentifier", "workgroup": "WorkgroupName"}[call.target[0]]] = call.target[1]
    for key, value in (("DbUser", call.db_user), ("SecretArn", call.secret_arn)):
        if value is not None:
            out[key] = value
    if call.session is not None:
        out["SessionId"] = call.session.id
    return out


_TYPE_NAMES = {
    "BOOLEAN": "bool", "TINYINT": "int2", "SMALLINT": "int2", "INTEGER": "int4", "BIGINT": "int8",
    # DuckDB widens SUM of integers to HUGEINT where Redshift gives BIGINT.
    "HUGEINT": "int8", "UTINYINT": "int2", "USMALLINT": "int4", "UINTEGER": "int8",
    "UBIGINT": "numeric", "FLOAT": "float4", "DOUBLE": "float8", "VARCHAR": "varchar",
    "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "TIME": "time", "BLOB": "bytea", "INTERVAL": "interval",
}
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT"}
_INT64 = range(-(2**63), 2**63)
_SIGNED = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE"}


def column_metadata(name: str, dtype: str) -> dict[str, Any]:
    precision, scale = 0, 0
    decimal_match = re.match(r"DECIMAL\((\d+),\s*(\d+)\)", dtype)
    if decimal_match:
        type_name, precision, scale = "numeric", int(decimal_match[1]), int(decimal_match[2])
    else:
        type_name = _TYPE_NAMES.get(dtype, "super")  # lists, structs and maps: Redshift's SUPER
    return {
        "name": name, "label": name, "typeName": type_name,
        "isSigned": dtype in _SIGNED or decimal_match is not None,
        "isCaseSensitive": type_name == "varchar", "isCurrency": False,
        "nullable": 1, "precision": precision, "scale": scale,
        "columnDefault": None, "length": 0, "schemaName": "", "tableName": "",
    }


def field_value(value: Any, dtype: str) -> dict[str, Any]:
    """A Data API Field: longValue, doubleValue, booleanValue, stringValue, blobValue or isNull."""
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if dtype in _INTEGER_TYPES:
        return {"longValue": int(value)} if int(value) in _INT64 else {"stringValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, bytes):
        return {"blobValue": base64.b64encode(value).decode()}
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return {"stringValue": value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"stringValue": format(value, "f")}
    if isinstance(value, (list, dict)):
        return {"stringValue": json.dumps(value, default=str)}
    return {"stringValue": str(value)}

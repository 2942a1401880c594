"""Redshift Data API that runs the SQL: one DuckDB database file per cluster/workgroup and database.

Files: <state_dir>/redshift/cluster-<id>/<database>.duckdb or .../workgroup-<name>/<database>.duckdb.

ExecuteStatement and BatchExecuteStatement answer at once with an Id and run on a worker thread
(background.py); DescribeStatement shows STARTED until the worker sets FINISHED, FAILED or
ABORTED. Each call runs in one transaction on its own DuckDB connection, so a failing statement
rolls back everything the call did (and temp tables live exactly as long as the call, like a
Data API session). Statements against one database run one at a time.

The SQL is translated by redshift_sql.py; COPY reads the emulator's S3 in-process.

moto extension points (tests/local_aws/test_moto_contract.py):
  * RedshiftDataAPIServiceResponse: execute_statement, describe_statement, get_statement_result,
    cancel_statement are replaced and batch_execute_statement added; moto's dispatcher calls
    the method named after the action. moto's versions ignore WorkgroupName and Sqls.
  * RedshiftDataAPIServiceBackend gets a `local_aws_statements` registry per account/region
    (moto's own `statements` holds its never-ending STARTED placeholders and is left unused).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from moto.core.exceptions import JsonRESTError
from moto.redshiftdata.exceptions import ResourceNotFoundException, ValidationException
from moto.redshiftdata.models import RedshiftDataAPIServiceBackend
from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse

from local_aws import faults, runtime, s3_data
from local_aws.background import workers
from local_aws.redshift_sql import (
    CopyCommand,
    RedshiftSqlError,
    SqlCommand,
    split_statements,
    translate,
)

log = logging.getLogger(__name__)

# GetStatementResult pages by size on AWS (100 MB); a row count keeps paging observable in tests.
PAGE_ROWS = int(os.environ.get("LOCAL_AWS_REDSHIFT_PAGE_ROWS", "1000"))

_CLUSTER_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
_DATABASE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,126}$")


# -- statements --------------------------------------------------------------------------------

@dataclass
class Result:
    columns: list[tuple[str, str]]  # (name, DuckDB type)
    rows: list[tuple]


@dataclass
class Statement:
    id: str
    query_string: str
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    status: str = "SUBMITTED"
    error: str | None = None
    has_result_set: bool = False
    result_rows: int = -1
    result_size: int = -1
    duration_ns: int = -1
    result: Result | None = None

    def describe(self) -> dict[str, Any]:
        out = {
            "Id": self.id, "QueryString": self.query_string, "Status": self.status,
            "CreatedAt": self.created_at, "UpdatedAt": self.updated_at,
            "HasResultSet": self.has_result_set, "ResultRows": self.result_rows,
            "ResultSize": self.result_size, "Duration": self.duration_ns,
        }
        if self.error is not None:
            out["Error"] = self.error
        return out

    def set_status(self, status: str, error: str | None = None) -> None:
        self.status, self.error, self.updated_at = status, error, time.time()


@dataclass
class Call:
    """One ExecuteStatement or BatchExecuteStatement: the parent and its sub-statements."""

    statement: Statement
    target: tuple[str, str]  # ("cluster", id) or ("workgroup", name)
    database: str
    db_user: str | None
    secret_arn: str | None
    statement_name: str | None
    parameters: dict[str, str]
    subs: list[Statement]
    is_batch: bool
    cancel_requested: threading.Event = field(default_factory=threading.Event)

    def describe(self) -> dict[str, Any]:
        out = self.statement.describe()
        out[{"cluster": "ClusterIdentifier", "workgroup": "WorkgroupName"}[self.target[0]]] = self.target[1]
        out["Database"] = self.database
        for key, value in (("DbUser", self.db_user), ("SecretArn", self.secret_arn)):
            if value is not None:
                out[key] = value
        if self.parameters:
            out["QueryParameters"] = [{"name": k, "value": v} for k, v in self.parameters.items()]
        if self.is_batch:
            out["SubStatements"] = [s.describe() for s in self.subs]
        return out


def _registry(backend: RedshiftDataAPIServiceBackend) -> dict[str, Call]:
    # Attached lazily: moto creates backends on first use per account and region.
    if not hasattr(backend, "local_aws_statements"):
        backend.local_aws_statements = {}  # type: ignore[attr-defined]
    return backend.local_aws_statements  # type: ignore[attr-defined]


def _lookup(backend: RedshiftDataAPIServiceBackend, statement_id: str) -> tuple[Call, Statement]:
    """Find a statement by Id; 'parent-id:N' names the N-th sub-statement of a batch."""
    parent_id, _, number = statement_id.partition(":")
    try:
        uuid.UUID(parent_id)
    except ValueError:
        raise ValidationException(f"id must be a UUID, optionally followed by :N; got {statement_id!r}")
    call = _registry(backend).get(parent_id)
    if call is None:
        raise ResourceNotFoundException()
    if not number:
        return call, call.statement
    index = int(number) - 1
    if not call.is_batch or not 0 <= index < len(call.subs):
        raise ResourceNotFoundException()
    return call, call.subs[index]


# -- databases ---------------------------------------------------------------------------------

class _Database:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = duckdb.connect(str(path))
        # DuckDB 2.0.0 loses rows otherwise: inside a transaction, INSERT INTO t SELECT * FROM s
        # copies nothing when s was filled from Parquet in the same transaction with more than
        # one row group (> 122,880 rows), which is what a full-refresh load does (COPY into a
        # temp stage, then insert). Redshift promises no insertion order anyway.
        self.conn.execute("SET preserve_insertion_order = false")
        # Redshift's default schema is public; DuckDB's is main.
        self.conn.execute("CREATE SCHEMA IF NOT EXISTS public")
        self.lock = threading.Lock()

    def session(self) -> duckdb.DuckDBPyConnection:
        cursor = self.conn.cursor()  # a new connection: its own transaction and temp tables
        cursor.execute("SET schema = 'public'")
        return cursor


_databases: dict[Path, _Database] = {}
_databases_lock = threading.Lock()


def _database(target: tuple[str, str], name: str) -> _Database:
    path = runtime.current().state_dir / "redshift" / f"{target[0]}-{target[1]}" / f"{name}.duckdb"
    with _databases_lock:
        if path not in _databases:
            _databases[path] = _Database(path)
        return _databases[path]


def close_databases() -> None:
    """Checkpoint and close every open database file (server shutdown)."""
    with _databases_lock:
        for db in _databases.values():
            with db.lock:
                db.conn.execute("CHECKPOINT")
                db.conn.close()
        _databases.clear()


# -- execution ---------------------------------------------------------------------------------

class _Cancelled(Exception):
    pass


def _run_call(call: Call) -> None:
    try:
        _run_call_in_transaction(call)
    except Exception as exc:  # an emulator bug must still end the statement, not leave it STARTED
        log.exception("statement %s crashed", call.statement.id)
        for sub in call.subs:
            if sub.status not in ("FINISHED", "FAILED", "ABORTED"):
                sub.set_status("ABORTED")
        call.statement.set_status("FAILED", f"ERROR: local_aws failed to run the statement: {exc!r}")


def _run_call_in_transaction(call: Call) -> None:
    parent = call.statement
    parent.set_status("STARTED")
    started = time.perf_counter_ns()
    try:
        db = _database(call.target, call.database)
    except duckdb.Error as exc:
        parent.set_status("FAILED", f"cannot open database {call.database!r}: {exc}")
        return
    with db.lock:
        cursor = db.session()
        try:
            cursor.execute("BEGIN TRANSACTION")
            for number, sub in enumerate(call.subs, start=1):
                if call.cancel_requested.is_set():
                    raise _Cancelled()
                try:
                    _run_statement(cursor, sub, call.parameters)
                except (duckdb.Error, RedshiftSqlError, s3_data.S3PathError) as exc:
                    cursor.execute("ROLLBACK")
                    where = f"statement {number} of {len(call.subs)} " if call.is_batch else ""
                    message = f"ERROR: {_error_text(exc)}"
                    sub.set_status("FAILED", message)
                    for later in call.subs[number:]:
                        later.set_status("ABORTED")
                    rolled_back = "; the whole batch was rolled back" if call.is_batch else ""
                    parent.set_status("FAILED", f"{where}failed: {message}{rolled_back}"
                                      if call.is_batch else message)
                    return
            cursor.execute("COMMIT")
        except _Cancelled:
            cursor.execute("ROLLBACK")
            for sub in call.subs:
                if sub.status in ("SUBMITTED", "PICKED", "STARTED"):
                    sub.set_status("ABORTED")
            parent.set_status("ABORTED")
            return
        finally:
            parent.duration_ns = time.perf_counter_ns() - started
            cursor.close()
    if not call.is_batch:
        only = call.subs[0]
        parent.has_result_set, parent.result = only.has_result_set, only.result
        parent.result_rows, parent.result_size = only.result_rows, only.result_size
    else:
        parent.result_rows = sum(max(s.result_rows, 0) for s in call.subs)
        parent.has_result_set = any(s.has_result_set for s in call.subs)
    parent.set_status("FINISHED")


def _run_statement(cursor: duckdb.DuckDBPyConnection, sub: Statement, parameters: dict[str, str]) -> None:
    sub.set_status("STARTED")
    started = time.perf_counter_ns()
    rows_affected = 0
    for sql in split_statements(sub.query_string) or [""]:
        if not sql:
            raise RedshiftSqlError("empty statement")
        for command in translate(sql, parameters):
            if isinstance(command, CopyCommand):
                rows_affected += _copy(cursor, command)
            elif command.kind in ("begin", "commit", "noop"):
                # The call is already one transaction; explicit BEGIN/COMMIT inside it would
                # otherwise fail in DuckDB ("already in a transaction").
                continue
            elif command.kind == "rollback":
                cursor.execute("ROLLBACK")
                cursor.execute("BEGIN TRANSACTION")
            else:
                rows_affected = _execute(cursor, command, sub, rows_affected)
    sub.duration_ns = time.perf_counter_ns() - started
    if not sub.has_result_set:
        sub.result_rows = rows_affected
    sub.set_status("FINISHED")


def _execute(cursor: duckdb.DuckDBPyConnection, command: SqlCommand, sub: Statement, affected: int) -> int:
    cursor.execute(command.sql)
    if command.returns_rows:
        columns = [(d[0], str(d[1])) for d in cursor.description]
        rows = cursor.fetchall()
        sub.result = Result(columns, rows)
        sub.has_result_set = True
        sub.result_rows = len(rows)
        sub.result_size = len(json.dumps(rows, default=str))
        return affected
    if command.kind == "dml":
        fetched = cursor.fetchall()
        return affected + (int(fetched[0][0]) if fetched else 0)
    return affected


def _error_text(exc: Exception) -> str:
    text = str(exc)
    # DuckDB prefixes errors with its class ("Catalog Error: ..."); keep the message readable.
    return re.sub(r"^[A-Za-z ]+ Error: ", "", text).strip()


# -- COPY --------------------------------------------------------------------------------------

def _copy(cursor: duckdb.DuckDBPyConnection, copy: CopyCommand) -> int:
    # A statement-level fault ("COPY <table>"): fails inside a transaction, to prove rollbacks.
    if faults.registry.take(f"COPY {copy.table}") is not None:
        raise RedshiftSqlError(f"S3ServiceException: COPY {copy.table} failed by local_aws "
                               f"fault injection")
    bucket, prefix = s3_data.split_uri(copy.source)
    try:
        keys = s3_data.list_keys(bucket, prefix)
    except Exception as exc:  # moto's MissingBucket and friends
        raise RedshiftSqlError(f"S3ServiceException: The specified bucket does not exist: "
                               f"{bucket} ({type(exc).__name__})") from None
    if not keys:
        raise RedshiftSqlError(f"S3ServiceException: The specified S3 prefix '{prefix}' does not exist "
                               f"(COPY {copy.table} FROM '{copy.source}')")
    target = [(name, dtype) for name, dtype in _table_columns(cursor, copy.table)]
    if copy.columns:
        by_name = {name.lower(): (name, dtype) for name, dtype in target}
        missing = [c for c in copy.columns if c.lower() not in by_name]
        if missing:
            raise RedshiftSqlError(f"column {missing[0]!r} of relation {copy.table!r} does not exist")
        target = [by_name[c.lower()] for c in copy.columns]

    # Objects are staged as local files so DuckDB reads them with its native readers.
    staging = Path(tempfile.mkdtemp(prefix="local-aws-copy-"))
    try:
        files = []
        for n, key in enumerate(keys):
            path = staging / f"{n:06d}-{Path(key).name}"
            path.write_bytes(s3_data.read(bucket, key))
            files.append(str(path))
        source = _reader(copy, files)
        source_columns = [d[0] for d in cursor.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        if len(source_columns) != len(target):
            raise RedshiftSqlError(
                f"COPY {copy.table}: the files under {copy.source} have {len(source_columns)} "
                f"column(s) but the load expects {len(target)} "
                f"({'Extra column(s) found' if len(source_columns) > len(target) else 'Missing data for columns'})")
        select = ", ".join(_load_expression(src, dtype, copy) for src, (_, dtype) in zip(source_columns, target))
        insert_columns = ", ".join(_quote(name) for name, _ in target)
        cursor.execute(f"INSERT INTO {copy.table} ({insert_columns}) SELECT {select} FROM {source}")
        return int(cursor.fetchall()[0][0])
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _table_columns(cursor: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    try:
        rows = cursor.execute(f"DESCRIBE {table}").fetchall()
    except duckdb.CatalogException:
        raise RedshiftSqlError(f'relation "{table}" does not exist') from None
    return [(r[0], r[1]) for r in rows]


def _reader(copy: CopyCommand, files: list[str]) -> str:
    file_list = "[" + ", ".join(_literal(f) for f in files) + "]"
    if copy.format == "parquet":
        return f"read_parquet({file_list})"
    options = {
        "header": "false",
        "skip": str(copy.ignore_header),  # applied to every file, as IGNOREHEADER is
        "delim": _literal(copy.delimiter),
        "quote": _literal(copy.quote or ""),
        "escape": _literal(copy.quote or ""),
        "compression": _literal("gzip" if copy.gzip else "none"),
        "all_varchar": "true",
        "auto_detect": "true",
        "null_padding": "false",
        "nullstr": _literal(copy.null_as if copy.null_as is not None else "\x00never-null\x00"),
    }
    return f"read_csv({file_list}, {', '.join(f'{k} = {v}' for k, v in options.items())})"


def _load_expression(source_column: str, dtype: str, copy: CopyCommand) -> str:
    column = _quote(source_column)
    if copy.format == "parquet":
        return f"CAST({column} AS {dtype})"
    if dtype == "VARCHAR":
        # Redshift keeps empty text fields as '' unless EMPTYASNULL.
        return f"NULLIF({column}, '')" if copy.empty_as_null else column
    # For every other type an empty field is NULL, and a bad value fails the load.
    return f"CAST(NULLIF(TRIM({column}), '') AS {dtype})"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# -- result encoding ---------------------------------------------------------------------------

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


# -- API (replacing moto's response methods) -------------------------------------------------

def _target(params: dict[str, Any]) -> tuple[str, str]:
    cluster, workgroup = params.get("ClusterIdentifier"), params.get("WorkgroupName")
    if params.get("SessionId"):
        raise ValidationException("SessionId is not supported by local_aws; every call is its own session")
    if bool(cluster) == bool(workgroup):
        raise ValidationException("Exactly one of ClusterIdentifier or WorkgroupName must be provided")
    kind, name = ("cluster", cluster) if cluster else ("workgroup", workgroup)
    if not _CLUSTER_ID.match(name):
        raise ValidationException(f"invalid {'ClusterIdentifier' if cluster else 'WorkgroupName'}: {name!r}")
    return kind, name


def _start(backend: RedshiftDataAPIServiceBackend, params: dict[str, Any], sqls: list[str], is_batch: bool) -> Call:
    target = _target(params)
    database = params.get("Database")
    if not database or not _DATABASE.match(database):
        raise ValidationException(f"Database is required and must be a valid name; got {database!r}")
    if not sqls or any(not (s or "").strip() for s in sqls):
        raise ValidationException("Sql must not be empty")
    parameters = {p["name"]: p["value"] for p in params.get("Parameters") or []}
    statement = Statement(id=str(uuid.uuid4()), query_string="; ".join(sqls) if is_batch else sqls[0])
    subs = ([Statement(id=f"{statement.id}:{n}", query_string=sql) for n, sql in enumerate(sqls, start=1)]
            if is_batch else [statement])
    call = Call(statement, target, database, params.get("DbUser"), params.get("SecretArn"),
                params.get("StatementName"), parameters, subs, is_batch)
    _registry(backend)[statement.id] = call
    statement.set_status("PICKED")
    workers.submit(_run_call, call)
    return call


def _started_response(call: Call) -> dict[str, Any]:
    out = {"Id": call.statement.id, "CreatedAt": call.statement.created_at, "Database": call.database}
    out[{"cluster": "ClusterIdentifier", "workgroup": "WorkgroupName"}[call.target[0]]] = call.target[1]
    for key, value in (("DbUser", call.db_user), ("SecretArn", call.secret_arn)):
        if value is not None:
            out[key] = value
    return out


def _request_params(response: RedshiftDataAPIServiceResponse) -> dict[str, Any]:
    """The JSON request body; moto's _get_params() only understands query-string protocols."""
    try:
        body = json.loads(response.body or "{}")
    except ValueError:
        raise ValidationException("request body is not JSON") from None
    return body if isinstance(body, dict) else {}


def _json(body: dict[str, Any]) -> tuple[int, dict, str]:
    return 200, {}, json.dumps(body)


def execute_statement(self: RedshiftDataAPIServiceResponse):
    call = _start(self.redshiftdata_backend, _request_params(self), [self._get_param("Sql")], is_batch=False)
    return _json(_started_response(call))


def batch_execute_statement(self: RedshiftDataAPIServiceResponse):
    sqls = _request_params(self).get("Sqls") or []
    if not 1 <= len(sqls) <= 40:
        raise ValidationException("Sqls must hold between 1 and 40 statements")
    call = _start(self.redshiftdata_backend, _request_params(self), sqls, is_batch=True)
    return _json(_started_response(call))


def describe_statement(self: RedshiftDataAPIServiceResponse):
    call, statement = _lookup(self.redshiftdata_backend, self._get_param("Id"))
    if statement is call.statement:
        return _json(call.describe())
    return _json(statement.describe())


def get_statement_result(self: RedshiftDataAPIServiceResponse):
    statement_id = self._get_param("Id")
    call, statement = _lookup(self.redshiftdata_backend, statement_id)
    if statement is call.statement and call.is_batch:
        raise ValidationException("GetStatementResult of a batch needs a sub-statement Id (<id>:<n>)")
    if statement.status != "FINISHED":
        raise ValidationException(
            f"Query does not have result. Please check query status. Status: {statement.status}")
    if statement.result is None:  # DDL, DML, COPY: AWS has no result set to return either
        raise JsonRESTError("ResourceNotFoundException",
                            "Query does not have result. Please check query status.")
    result = statement.result
    offset = int(self._get_param("NextToken") or 0)
    page = result.rows[offset:offset + PAGE_ROWS]
    body: dict[str, Any] = {
        "ColumnMetadata": [column_metadata(name, dtype) for name, dtype in result.columns],
        "Records": [[field_value(v, dtype) for v, (_, dtype) in zip(row, result.columns)] for row in page],
        "TotalNumRows": len(result.rows),
    }
    if offset + PAGE_ROWS < len(result.rows):
        body["NextToken"] = str(offset + PAGE_ROWS)
    return _json(body)


def cancel_statement(self: RedshiftDataAPIServiceResponse):
    call, statement = _lookup(self.redshiftdata_backend, self._get_param("Id"))
    if statement.status not in ("SUBMITTED", "PICKED", "STARTED"):
        raise ValidationException(
            f"Could not cancel a query that is already in {statement.status} state with ID: {statement.id}")
    # Takes effect between statements: DuckDB work already running is not interrupted.
    call.cancel_requested.set()
    return _json({"Status": True})


def install() -> None:
    for name, method in (("execute_statement", execute_statement),
                         ("batch_execute_statement", batch_execute_statement),
                         ("describe_statement", describe_statement),
                         ("get_statement_result", get_statement_result),
                         ("cancel_statement", cancel_statement)):
        setattr(RedshiftDataAPIServiceResponse, name, method)

"""Redshift's data plane: one DuckDB database file per cluster/workgroup and database.

Files: <state_dir>/redshift/cluster-<id>/<database>.duckdb or .../workgroup-<name>/<database>.duckdb.

run(call) runs one ExecuteStatement or BatchExecuteStatement call in one transaction, so a
failing statement rolls back everything the call did. Without a session the call has its own
DuckDB connection (its temp tables end with it); in a Data API session (SessionKeepAliveSeconds,
then SessionId) every call of the session uses the session's connection, so temp tables live as
long as the session. Calls against one database run one at a time. The SQL is translated by
sql.py; COPY and UNLOAD (s3_transfer.py) read and write the emulator's S3 in-process.

No HTTP and no moto here: the API is local_aws/redshift/data_api.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from local_aws.core import runtime
from local_aws.redshift import s3_transfer
from local_aws.redshift.sql import (
    CopyCommand,
    RedshiftSqlError,
    SqlCommand,
    split_statements,
    translate,
)
from local_aws.redshift.unload import UnloadCommand
from local_aws.s3 import objects as s3_data

log = logging.getLogger(__name__)


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
class Session:
    """A Data API session: one database connection kept open between calls.

    https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ExecuteStatement.html
    (SessionKeepAliveSeconds: "the number of seconds to keep the session alive after the query
    finishes", at most 24 hours) and API_SessionData.html (AVAILABLE, BUSY: running a statement,
    CLOSED)."""

    id: str
    target: tuple[str, str]
    database: str
    db_user: str | None
    keep_alive_seconds: int
    created_at: float = field(default_factory=time.time)
    expires_at: float | None = None  # set when a call finishes; None while the first one runs
    current_statement: Statement | None = None  # the parent statement of the call running
    cursor: duckdb.DuckDBPyConnection | None = None
    closed: bool = False

    @property
    def busy(self) -> bool:
        # A statement that has ended frees the session even before the worker has released it:
        # a client that saw FINISHED may send the next statement at once.
        return (self.current_statement is not None
                and self.current_statement.status not in ("FINISHED", "FAILED", "ABORTED"))

    @property
    def updated_at(self) -> float:
        """When a statement of the session last changed state (else its creation)."""
        if self.current_statement is None:
            return self.created_at
        return max(self.created_at, self.current_statement.updated_at)

    @property
    def status(self) -> str:
        if self.closed:
            return "CLOSED"
        if self.busy:
            return "BUSY"
        if self.expires_at is not None and time.time() >= self.expires_at:
            return "CLOSED"
        return "AVAILABLE"

    def close(self) -> None:
        self.closed = True
        if self.cursor is not None:
            self.cursor.close()
            self.cursor = None


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
    session: Session | None = None

    def describe(self) -> dict[str, Any]:
        out = self.statement.describe()
        out[{"cluster": "ClusterIdentifier", "workgroup": "WorkgroupName"}[self.target[0]]] = self.target[1]
        out["Database"] = self.database
        if self.session is not None:
            out["SessionId"] = self.session.id
        for key, value in (("DbUser", self.db_user), ("SecretArn", self.secret_arn)):
            if value is not None:
                out[key] = value
        if self.parameters:
            out["QueryParameters"] = [{"name": k, "value": v} for k, v in self.parameters.items()]
        if self.is_batch:
            out["SubStatements"] = [s.describe() for s in self.subs]
        return out



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
        # INT4 / INT4 is INT4 on Redshift (truncated), where DuckDB's / gives a double:
        # https://docs.aws.amazon.com/redshift/latest/dg/r_numeric_computations201.html
        self.conn.execute("SET GLOBAL integer_division = true")  # sessions are cursors
        # Redshift's default schema is public; DuckDB's is main.
        self.conn.execute("CREATE SCHEMA IF NOT EXISTS public")
        self.lock = threading.Lock()

    def session(self) -> duckdb.DuckDBPyConnection:
        cursor = self.conn.cursor()  # a new connection: its own transaction and temp tables
        cursor.execute("SET schema = 'public'")
        return cursor


_databases: dict[Path, _Database] = {}
_databases_lock = threading.Lock()


def database_path(target: tuple[str, str], name: str) -> Path:
    return runtime.current().state_dir / "redshift" / f"{target[0]}-{target[1]}" / f"{name}.duckdb"


def database(target: tuple[str, str], name: str) -> _Database:
    path = database_path(target, name)
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


def run(call: Call) -> None:
    try:
        _run_call_in_transaction(call)
    except Exception as exc:  # an emulator bug must still end the statement, not leave it STARTED
        log.exception("statement %s crashed", call.statement.id)
        for sub in call.subs:
            if sub.status not in ("FINISHED", "FAILED", "ABORTED"):
                sub.set_status("ABORTED")
        call.statement.set_status("FAILED", f"ERROR: local_aws failed to run the statement: {exc!r}")
    finally:
        if call.session is not None:
            _release(call.session, call.statement)


def _run_call_in_transaction(call: Call) -> None:
    parent = call.statement
    parent.set_status("STARTED")
    started = time.perf_counter_ns()
    try:
        db = database(call.target, call.database)
    except duckdb.Error as exc:
        parent.set_status("FAILED", f"cannot open database {call.database!r}: {exc}")
        return
    with db.lock:
        session = call.session
        if session is not None and session.cursor is None:
            session.cursor = db.session()
        cursor = session.cursor if session is not None else db.session()
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
            if session is None:
                cursor.close()
    if not call.is_batch:
        only = call.subs[0]
        parent.has_result_set, parent.result = only.has_result_set, only.result
        parent.result_rows, parent.result_size = only.result_rows, only.result_size
    else:
        parent.result_rows = sum(max(s.result_rows, 0) for s in call.subs)
        parent.has_result_set = any(s.has_result_set for s in call.subs)
    parent.set_status("FINISHED")


def _release(session: Session, statement: Statement) -> None:
    """The session's call has ended: it stays open for its keep-alive time (0: closes now).
    Nothing to do when a next call of the session already took it over."""
    if session.current_statement is not statement:
        return
    session.current_statement = None
    session.expires_at = time.time() + session.keep_alive_seconds
    if session.keep_alive_seconds <= 0:
        session.close()


def _run_statement(cursor: duckdb.DuckDBPyConnection, sub: Statement, parameters: dict[str, str]) -> None:
    sub.set_status("STARTED")
    started = time.perf_counter_ns()
    rows_affected = 0
    for sql in split_statements(sub.query_string) or [""]:
        if not sql:
            raise RedshiftSqlError("empty statement")
        for command in translate(sql, parameters):
            if isinstance(command, CopyCommand):
                rows_affected += s3_transfer.copy(cursor, command)
            elif isinstance(command, UnloadCommand):
                rows_affected += s3_transfer.unload(cursor, command, parameters)
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

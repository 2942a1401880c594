"""Redshift Data API that runs the SQL: moto's RedshiftDataAPIServiceBackend, subclassed.

ExecuteStatement and BatchExecuteStatement answer at once with an Id and run on a worker thread
(redshift/engine.py, DuckDB); DescribeStatement shows STARTED until the worker sets
FINISHED, FAILED or ABORTED. A batch's sub-statements are '<id>:<n>', as on AWS. moto's own
statements, which stay STARTED forever and ignore WorkgroupName and Sqls, are not used.
Sessions (SessionKeepAliveSeconds, then SessionId) keep one connection for several calls: see
redshift_engine.Session.
ListDatabases, ListSchemas, ListTables and DescribeTable read the DuckDB files' catalogs
(redshift/metadata.py).
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from moto.core.base_backend import BackendDict
from moto.core.exceptions import JsonRESTError
from moto.redshiftdata.exceptions import ResourceNotFoundException, ValidationException
from moto.redshiftdata.models import RedshiftDataAPIServiceBackend

from local_aws.core.background import workers
from local_aws.redshift import engine as redshift_engine
from local_aws.redshift import metadata as redshift_metadata
from local_aws.redshift.clusters.models import redshift_backends
from local_aws.redshift.engine import Call, Session, Statement
from local_aws.redshift.serverless.models import redshiftserverless_backends

MAX_BATCH = 40  # BatchExecuteStatement's Sqls limit
MAX_KEEP_ALIVE = 24 * 3600  # SessionKeepAliveSeconds: 0..86400 (API_ExecuteStatement.html)
_CLUSTER_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
_DATABASE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,126}$")


class LocalRedshiftDataBackend(RedshiftDataAPIServiceBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.calls: dict[str, Call] = {}
        self.sessions: dict[str, Session] = {}
        self.client_tokens: dict[str, tuple[tuple, Call]] = {}

    def execute_statement(self, sql: str, **request: Any) -> Call:
        return self._idempotent([sql], is_batch=False, **request)

    def batch_execute_statement(self, sqls: list[str], **request: Any) -> Call:
        if not 1 <= len(sqls) <= MAX_BATCH:
            raise ValidationException(f"Sqls must hold between 1 and {MAX_BATCH} statements")
        return self._idempotent(sqls, is_batch=True, **request)

    def _idempotent(self, sqls: list[str | None], *, is_batch: bool, client_token: str | None = None,
                    result_format: str | None = None, with_event: bool | None = None,
                    wait_time_seconds: int | None = None, **request: Any) -> Call:
        """Request fields besides the statement's own: ClientToken makes a repeated request
        return the statement the first one started ("to ensure the idempotency of the request",
        API_ExecuteStatement.html); what local_aws cannot do is refused by name."""
        if result_format not in (None, "JSON"):
            raise ValidationException(f"local_aws does not support ResultFormat {result_format}: "
                                      "results are JSON (GetStatementResult) only")
        if with_event:
            raise ValidationException("local_aws does not send EventBridge events: WithEvent "
                                      "must be false")
        if wait_time_seconds is not None:
            raise ValidationException("local_aws does not support WaitTimeSeconds")
        if not client_token:
            return self._start(sqls, is_batch=is_batch, **request)
        key = (tuple(sqls), is_batch, tuple(sorted((k, repr(v)) for k, v in request.items())))
        seen = self.client_tokens.get(client_token)
        if seen is not None:
            if seen[0] != key:
                raise ValidationException(f"ClientToken {client_token} was already used for a "
                                          "different request")
            return seen[1]
        call = self._start(sqls, is_batch=is_batch, **request)
        self.client_tokens[client_token] = (key, call)
        return call

    def _start(self, sqls: list[str | None], *, is_batch: bool, cluster_identifier: str | None = None,
               workgroup_name: str | None = None, session_id: str | None = None,
               database: str | None = None, db_user: str | None = None,
               secret_arn: str | None = None, statement_name: str | None = None,
               parameters: list[dict[str, str]] | None = None,
               session_keep_alive_seconds: int | None = None) -> Call:
        if not sqls or any(not (s or "").strip() for s in sqls):
            raise ValidationException("Sql must not be empty")
        if session_keep_alive_seconds is not None and not (
                isinstance(session_keep_alive_seconds, int)
                and 0 <= session_keep_alive_seconds <= MAX_KEEP_ALIVE):
            raise ValidationException(f"SessionKeepAliveSeconds must be between 0 and {MAX_KEEP_ALIVE}")
        if session_id:
            session = self._session(session_id, cluster_identifier, workgroup_name, database)
            target, database, db_user = session.target, session.database, session.db_user
            if session_keep_alive_seconds is not None:
                session.keep_alive_seconds = session_keep_alive_seconds
        else:
            target = _target(cluster_identifier, workgroup_name, self.account_id, self.region_name)
            if not database or not _DATABASE.match(database):
                raise ValidationException(f"Database is required and must be a valid name; got {database!r}")
            session = None
            if session_keep_alive_seconds is not None:
                session = Session(str(uuid.uuid4()), target, database, db_user, session_keep_alive_seconds)
                self.sessions[session.id] = session
        statement = Statement(id=str(uuid.uuid4()), query_string="; ".join(sqls) if is_batch else sqls[0])
        subs = ([Statement(id=f"{statement.id}:{n}", query_string=sql) for n, sql in enumerate(sqls, start=1)]
                if is_batch else [statement])
        call = Call(statement, target, database, db_user, secret_arn, statement_name,
                    {p["name"]: p["value"] for p in parameters or []}, subs, is_batch, session=session)
        if session is not None:  # the session runs this call now; its keep-alive restarts after
            session.current_statement, session.expires_at = statement, None
        self.calls[statement.id] = call
        statement.set_status("PICKED")
        workers.submit(redshift_engine.run, call)
        return call

    def _session(self, session_id: str, cluster: str | None, workgroup: str | None,
                 database: str | None) -> Session:
        """The session a call names, if it can run a statement now; a target or database given
        with it must be the session's."""
        session = self.sessions.get(session_id)
        if session is None:
            raise ValidationException(f"Session {session_id} does not exist")
        status = session.status
        if status == "CLOSED":
            session.close()
            raise ValidationException(f"Session {session_id} is closed: its keep-alive time "
                                      f"({session.keep_alive_seconds} s) has passed")
        if status == "BUSY":
            raise ValidationException(f"Session {session_id} is busy running statement "
                                      f"{session.current_statement.id}; a session runs one "
                                      "statement at a time")
        if (cluster or workgroup) and _target(cluster, workgroup, self.account_id,
                                              self.region_name) != session.target:
            raise ValidationException(f"Session {session_id} is on {session.target[0]} "
                                      f"{session.target[1]}, not the one given")
        if database and database != session.database:
            raise ValidationException(f"Session {session_id} is connected to database "
                                      f"{session.database}, not {database}")
        return session

    def lookup(self, statement_id: str) -> tuple[Call, Statement]:
        """A statement by Id; '<parent id>:<n>' names the n-th sub-statement of a batch."""
        parent_id, _, number = (statement_id or "").partition(":")
        try:
            uuid.UUID(parent_id)
        except ValueError:
            raise ValidationException(f"id must be a UUID, optionally followed by :N; got {statement_id!r}") from None
        call = self.calls.get(parent_id)
        if call is None:
            raise ResourceNotFoundException()
        if not number:
            return call, call.statement
        index = int(number) - 1
        if not call.is_batch or not 0 <= index < len(call.subs):
            raise ResourceNotFoundException()
        return call, call.subs[index]

    def describe_statement(self, statement_id: str) -> dict[str, Any]:
        call, statement = self.lookup(statement_id)
        return call.describe() if statement is call.statement else statement.describe()

    def get_statement_result(self, statement_id: str) -> redshift_engine.Result:
        call, statement = self.lookup(statement_id)
        if statement is call.statement and call.is_batch:
            raise ValidationException("GetStatementResult of a batch needs a sub-statement Id (<id>:<n>)")
        if statement.status != "FINISHED":
            raise ValidationException(
                f"Query does not have result. Please check query status. Status: {statement.status}")
        if statement.result is None:  # DDL, DML, COPY: AWS has no result set to return either
            raise JsonRESTError("ResourceNotFoundException",
                                "Query does not have result. Please check query status.")
        return statement.result

    def cancel_statement(self, statement_id: str) -> None:
        call, statement = self.lookup(statement_id)
        if statement.status not in ("SUBMITTED", "PICKED", "STARTED"):
            raise ValidationException(
                f"Could not cancel a query that is already in {statement.status} state with ID: {statement.id}")
        # Takes effect between statements: DuckDB work already running is not interrupted.
        call.cancel_requested.set()


    _STATUSES = ("SUBMITTED", "PICKED", "STARTED", "FINISHED", "ABORTED", "FAILED", "ALL")

    def list_statements(self, status: str, statement_name: str | None, cluster: str | None,
                        workgroup: str | None, database: str | None) -> list[Call]:
        """Calls with this status (ALL: any), name prefix (case-sensitive), target and database,
        newest first. RoleLevel is moot: local_aws has one caller."""
        if status not in self._STATUSES:
            raise ValidationException(f"Status must be one of {', '.join(self._STATUSES)}")
        target = (_target(cluster, workgroup, self.account_id, self.region_name)
                  if (cluster or workgroup) else None)
        found = [c for c in self.calls.values()
                 if (status == "ALL" or c.statement.status == status)
                 and (not statement_name or (c.statement_name or "").startswith(statement_name))
                 and (target is None or c.target == target)
                 and (not database or c.database == database)]
        return sorted(found, key=lambda c: c.statement.created_at, reverse=True)

    _SESSION_STATUSES = ("AVAILABLE", "BUSY", "CLOSED")

    def list_sessions(self, session_id: str | None, status: str | None, cluster: str | None,
                      workgroup: str | None, database: str | None) -> list[Session]:
        """API_ListSessions.html: sessions created in the last 24 hours, by default those
        AVAILABLE or BUSY; SessionId alone names one. RoleLevel is moot: one caller here."""
        if session_id:
            if status or cluster or workgroup or database:
                raise ValidationException("When you provide SessionId, you can't specify Status, "
                                          "ClusterIdentifier, WorkgroupName, or Database")
            session = self.sessions.get(session_id)
            if session is None:
                raise ResourceNotFoundException()
            return [session]
        if status is not None and status not in self._SESSION_STATUSES:
            raise ValidationException(f"Status must be one of {', '.join(self._SESSION_STATUSES)}")
        target = (_target(cluster, workgroup, self.account_id, self.region_name)
                  if (cluster or workgroup) else None)
        since = time.time() - MAX_KEEP_ALIVE
        found = [s for s in self.sessions.values()
                 if s.created_at >= since
                 and (s.status == status if status else s.status in ("AVAILABLE", "BUSY"))
                 and (target is None or s.target == target)
                 and (not database or s.database == database)]
        return sorted(found, key=lambda s: s.created_at, reverse=True)

    # -- metadata: synchronous on AWS, as here ---------------------------------------------------

    def list_databases(self, database: str | None, **target: Any) -> list[str]:
        return redshift_metadata.list_databases(self._metadata_target(database, **target))

    def list_schemas(self, database: str | None, schema_pattern: str | None,
                     **target: Any) -> list[str]:
        return _known_database(redshift_metadata.list_schemas,
                               self._metadata_target(database, **target), database,
                               schema_pattern)

    def list_tables(self, database: str | None, schema_pattern: str | None,
                    table_pattern: str | None, **target: Any) -> list[dict[str, str]]:
        return _known_database(redshift_metadata.list_tables,
                               self._metadata_target(database, **target), database,
                               schema_pattern, table_pattern)

    def describe_table(self, database: str | None, schema: str | None, table: str | None,
                       **target: Any) -> list[dict[str, Any]]:
        return _known_database(redshift_metadata.describe_table,
                               self._metadata_target(database, **target), database, schema, table)

    def _metadata_target(self, database: str | None, cluster_identifier: str | None = None,
                         workgroup_name: str | None = None, **_credentials: Any) -> tuple[str, str]:
        target = _target(cluster_identifier, workgroup_name, self.account_id, self.region_name)
        if not database or not _DATABASE.match(database):
            raise ValidationException(f"Database is required and must be a valid name; got {database!r}")
        return target


def _known_database(call, *args: Any):
    try:
        return call(*args)
    except redshift_metadata.UnknownDatabase as exc:
        raise ValidationException(str(exc)) from None


def _target(cluster: str | None, workgroup: str | None, account_id: str,
            region: str) -> tuple[str, str]:
    if bool(cluster) == bool(workgroup):
        raise ValidationException("Exactly one of ClusterIdentifier or WorkgroupName must be provided")
    kind, name = ("cluster", cluster) if cluster else ("workgroup", workgroup)
    if not _CLUSTER_ID.match(name):
        raise ValidationException(f"invalid {'ClusterIdentifier' if cluster else 'WorkgroupName'}: {name!r}")
    if not _exists(kind, name, account_id, region):
        # AWS's answer for a target it does not have (seen in aws/aws-cdk#30536).
        where = ("made with the Redshift API (CreateCluster)" if kind == "cluster" else
                 "made with the Redshift Serverless API (CreateWorkgroup) or given to local_aws "
                 "with --redshift-workgroup; default-workgroup is always there")
        raise ValidationException(f"Redshift endpoint doesn't exist in this region. "
                                  f"(local_aws has no {kind} {name!r}: a {kind} must be {where})")
    return kind, name


def _exists(kind: str, name: str, account_id: str, region: str) -> bool:
    if kind == "workgroup":
        return name in redshiftserverless_backends[account_id][region].workgroups
    return name in redshift_backends[account_id][region].clusters


redshiftdata_backends = BackendDict(LocalRedshiftDataBackend, "redshift")  # as moto's

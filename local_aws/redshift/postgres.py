"""The Postgres wire protocol on every provisioned cluster and Serverless workgroup, so that psql,
psycopg2, redshift_connector (the provider's RedshiftSQLHook) and BI tools reach the warehouse
the Data API writes, with the same Redshift SQL handling (sql.py, s3_transfer.py).

The protocol's messages are buenavista's (PyPI, kept; its DuckDB backend is not used); this module
gives it the warehouse and what buenavista lacks for a Redshift endpoint:
- TLS when the client asks (tls.py: the emulator's own CA);
- password authentication (MD5, which Redshift offers and libpq, psycopg2 and redshift_connector
  speak): the namespace admin's or the cluster master user's password, or live temporary
  credentials of GetCredentials / GetClusterCredentials; a wrong one is refused with SQLSTATE
  28P01 and the connection closed, as Postgres does;
- errors with a severity and a SQLSTATE (psql and the drivers show them);
- Describe of a prepared statement that runs nothing (buenavista's ran the statement);
- connections from anywhere the endpoint is bound to (buenavista allows only 127.0.0.1).

Each target listens on its own port: the one its API gave it (5439 by default, as on AWS) when that
is free on this machine, else any free port; DescribeClusters and GetWorkgroup give the port it
listens on. A statement runs with the database's lock held, as a Data API call does, in the
session's own DuckDB connection (temp tables and transactions are the session's).
"""

from __future__ import annotations

import hashlib
import logging
import socketserver
import ssl
import threading
from typing import Any

import duckdb
from buenavista import postgres as bv
from buenavista.core import BVType, Connection, QueryResult, Session

from local_aws.redshift import engine, metadata, s3_transfer
from local_aws.redshift.clusters.models import redshift_backends
from local_aws.redshift.serverless.models import redshiftserverless_backends
from local_aws.redshift.sql import (
    CopyCommand,
    RedshiftSqlError,
    split_statements,
    translate,
)
from local_aws.redshift.unload import UnloadCommand
from local_aws.s3 import objects as s3_objects

log = logging.getLogger(__name__)
# buenavista logs every error it sends with a traceback; the client gets the error, as from
# Postgres, and a refused password is not the emulator's fault.
logging.getLogger("buenavista.postgres").setLevel(logging.CRITICAL)

Target = tuple[str, str]  # ("cluster" | "workgroup", name), as engine.database takes it

# Redshift reports itself as PostgreSQL 8.0.2 (https://docs.aws.amazon.com/redshift/latest/dg/c_redshift-and-postgres-sql.html)
_PARAMETERS = {"server_version": "8.0.2", "server_encoding": "UTF8", "client_encoding": "UTF8",
               "DateStyle": "ISO, MDY", "integer_datetimes": "on", "TimeZone": "UTC",
               "standard_conforming_strings": "on", "application_name": ""}
_BVTYPES = {"BIGINT": BVType.BIGINT, "HUGEINT": BVType.DECIMAL, "INTEGER": BVType.INTEGER,
            "SMALLINT": BVType.INTEGER, "TINYINT": BVType.INTEGER, "BOOLEAN": BVType.BOOL,
            "DOUBLE": BVType.FLOAT, "FLOAT": BVType.FLOAT, "DATE": BVType.DATE,
            "TIMESTAMP": BVType.TIMESTAMP, "TIME": BVType.TIME, "VARCHAR": BVType.TEXT,
            "BLOB": BVType.BYTES, "INTERVAL": BVType.INTERVAL}
_TAGS = {"insert": "INSERT 0 {n}", "update": "UPDATE {n}", "delete": "DELETE {n}"}


def _bvtype(duck_type: str) -> BVType:
    if duck_type.startswith("DECIMAL"):
        return BVType.DECIMAL
    return _BVTYPES.get(duck_type, BVType.TEXT)


class _Result(QueryResult):
    def __init__(self, columns: list[tuple[str, str]] | None, rows: list[tuple], tag: str) -> None:
        super().__init__()
        self._columns = [(name, _bvtype(kind)) for name, kind in columns or []]
        self._rows = rows
        self._tag = tag
        self._has = columns is not None

    def has_results(self) -> bool:
        return self._has

    def column_count(self) -> int:
        return len(self._columns)

    def column(self, index: int) -> tuple[str, BVType]:
        return self._columns[index]

    def rows(self):
        return iter(self._rows)

    def status(self) -> str:
        return self._tag


class WarehouseSession(Session):
    """One client connection: its own DuckDB connection on the target's database."""

    def __init__(self, target: Target, database: str) -> None:
        super().__init__()
        self.db = engine.database(target, database)
        self.cursor = self.db.session()
        self.in_tx = False

    def in_transaction(self) -> bool:
        return self.in_tx

    def close(self) -> None:
        with self.db.lock:
            if self.in_tx:
                self.cursor.execute("ROLLBACK")
            self.cursor.close()

    def execute_sql(self, sql: str, params: list | None = None, describe_only: bool = False) -> QueryResult:
        with self.db.lock:
            try:
                return self._run(sql, params, describe_only)
            except (duckdb.Error, RedshiftSqlError, s3_objects.S3PathError) as exc:
                raise _SqlError(str(exc)) from None

    def _run(self, sql: str, params: list | None, describe_only: bool) -> QueryResult:
        result: QueryResult = _Result(None, [], "")
        for statement in split_statements(sql) or []:
            for command in translate(statement, {}):
                if describe_only:
                    result = self._describe(command, params)
                elif isinstance(command, CopyCommand):
                    result = _Result(None, [], f"COPY {s3_transfer.copy(self.cursor, command)}")
                elif isinstance(command, UnloadCommand):
                    result = _Result(None, [], f"UNLOAD {s3_transfer.unload(self.cursor, command, {})}")
                elif command.kind == "begin":
                    if not self.in_tx:
                        self.cursor.execute("BEGIN TRANSACTION")
                        self.in_tx = True
                    result = _Result(None, [], "BEGIN")
                elif command.kind in ("commit", "rollback"):
                    if self.in_tx:
                        self.cursor.execute(command.kind.upper())
                        self.in_tx = False
                    result = _Result(None, [], command.kind.upper())
                elif command.kind == "noop":
                    result = _Result(None, [], "SET")
                else:
                    result = self._execute(command, params)
        return result

    def _execute(self, command: Any, params: list | None) -> QueryResult:
        self.cursor.execute(command.sql, params or None)
        if command.returns_rows:
            columns = [(d[0], str(d[1])) for d in self.cursor.description]
            rows = self.cursor.fetchall()
            return _Result(columns, rows, f"SELECT {len(rows)}")
        if command.kind == "dml":
            fetched = self.cursor.fetchall()
            count = int(fetched[0][0]) if fetched else 0
            verb = command.sql.lstrip().split(None, 1)[0].lower()
            return _Result(None, [], _TAGS.get(verb, "INSERT 0 {n}").format(n=count))
        return _Result(None, [], command.sql.lstrip().split(None, 1)[0].upper())

    def _describe(self, command: Any, params: list | None) -> QueryResult:
        """The result's columns without running anything that changes data: a query runs as
        LIMIT 0; any other statement describes as no rows."""
        if isinstance(command, (CopyCommand, UnloadCommand)) or not getattr(command, "returns_rows", False):
            return _Result(None, [], "")
        self.cursor.execute(f"SELECT * FROM ({command.sql}) AS described LIMIT 0", params or None)
        return _Result([(d[0], str(d[1])) for d in self.cursor.description], [], "SELECT 0")


class _SqlError(Exception):
    sqlstate = "42000"  # syntax_error_or_access_rule_violation: what a failed statement is


class _NoDatabase(Exception):
    sqlstate = "3D000"  # invalid_catalog_name


class _AuthError(Exception):
    sqlstate = "28P01"  # invalid_password


class _Context(bv.BVContext):
    def describe_statement(self, name: str) -> QueryResult:
        sql, param_oids = self.stmts[name]
        return self.session.execute_sql(sql, [None] * len(param_oids), describe_only=True)


class _Connection(Connection):
    def parameters(self) -> dict[str, str]:
        return dict(_PARAMETERS)


class _Handler(bv.BuenaVistaHandler):
    server: _Endpoint

    def handle_startup(self, conn: Connection) -> bv.BVContext | None:
        length = self.r.read_uint32() - 4
        code = self.r.read_uint32()
        if code == 80877103:  # SSLRequest: TLS, as Redshift offers it (tls.py)
            self.wfile.write(b"S")
            self.request = self.server.tls.wrap_socket(self.request, server_side=True)
            self.rfile = self.request.makefile("rb", self.rbufsize)
            self.wfile = socketserver._SocketWriter(self.request)
            self.r = bv.BVBuffer(self.rfile)
            return self.handle_startup(conn)
        if code != 196608:  # protocol 3.0 (a CancelRequest included: not supported)
            raise _AuthError(f"local_aws: unsupported startup message {code}")
        fields = [x.decode() for x in self.r.read_bytes(length - 4).split(bv.NULL_BYTE)]
        params = dict(zip(fields[::2], fields[1::2], strict=False))
        ctx = _Context(None, None, params)  # the session opens once the password is right
        self.send_authentication_md5(ctx)
        return ctx

    def handle_md5_password(self, ctx: bv.BVContext, payload: bytes) -> None:
        user = ctx.params.get("user", "")
        sent = payload.decode().rstrip("\x00")
        for password in passwords(self.server.target, user):
            inner = hashlib.md5((password + user).encode()).hexdigest()
            if sent == "md5" + hashlib.md5(inner.encode() + ctx.salt).hexdigest():
                break
        else:
            raise _AuthError(f'password authentication failed for user "{user}"')
        database = ctx.params.get("database") or user
        if database not in databases(self.server.target):
            raise _NoDatabase(f'database "{database}" does not exist')
        ctx.session = WarehouseSession(self.server.target, database)
        self.server.conn._sessions[ctx.session.id] = ctx.session
        self.send_authentication_ok()
        self.handle_post_auth(ctx)

    def send_error(self, exception: Any, ctx: bv.BVContext | None = None) -> None:
        buf = bv.BVBuffer()
        for code, value in ((b"S", "ERROR"), (b"V", "ERROR"),
                            (b"C", getattr(exception, "sqlstate", "XX000")), (b"M", str(exception))):
            buf.write_byte(code)
            buf.write_string(value)
        buf.write_byte(bv.NULL_BYTE)
        out = buf.get_value()
        self.wfile.write(bv.struct.pack("!ci", bv.ServerResponse.ERROR_RESPONSE, len(out) + 4) + out)
        if ctx:
            ctx.mark_error()

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, OSError):
            pass


class _Endpoint(bv.BuenaVistaServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], target: Target, tls: ssl.SSLContext) -> None:
        super().__init__(address, _Connection())
        self.RequestHandlerClass = _Handler
        self.target = target
        self.tls = tls

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return True  # reachable wherever the emulator is bound, as its API is


class Endpoints:
    """The listeners, one per cluster and workgroup; sync() opens and closes them to match."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[Target, _Endpoint] = {}
        self.host = "127.0.0.1"
        self.tls: ssl.SSLContext | None = None  # set by the server (tls.server_context)

    def port(self, target: Target) -> int | None:
        endpoint = self._open.get(target)
        return None if endpoint is None else endpoint.server_address[1]

    def sync(self, wanted: dict[Target, int]) -> None:
        """wanted: every target and the port its API gave it."""
        with self._lock:
            for target in [t for t in self._open if t not in wanted]:
                self._close(target)
            for target, port in sorted(wanted.items()):
                if target not in self._open:
                    self._open[target] = self._listen(target, port)

    def _listen(self, target: Target, port: int) -> _Endpoint:
        assert self.tls is not None, "the server sets endpoints.tls before it opens any"
        try:
            endpoint = _Endpoint((self.host, port), target, self.tls)
        except OSError:  # taken on this machine (another target, another program): any port
            endpoint = _Endpoint((self.host, 0), target, self.tls)
            log.info("%s %s: port %d is taken; listening on %d", *target, port,
                     endpoint.server_address[1])
        threading.Thread(target=endpoint.serve_forever, name=f"postgres-{target[1]}",
                         daemon=True).start()
        return endpoint

    def _close(self, target: Target) -> None:
        endpoint = self._open.pop(target)
        endpoint.shutdown()
        endpoint.server_close()
        for session in list(endpoint.conn._sessions.values()):  # before the databases close
            try:
                session.close()
            except duckdb.Error:
                pass

    def close_all(self) -> None:
        with self._lock:
            for target in list(self._open):
                self._close(target)



def _backends(kind_backends: Any):
    for account in list(kind_backends.keys()):
        for region in list(kind_backends[account].keys()):
            yield kind_backends[account][region]


def passwords(target: Target, user: str) -> list[str]:
    kind, name = target
    if kind == "cluster":
        return [p for b in _backends(redshift_backends) for p in b.passwords(name, user)]
    return [p for b in _backends(redshiftserverless_backends) for p in b.passwords(name, user)]


def databases(target: Target) -> set[str]:
    """The databases a client may connect to: those with data, dev, and the one the cluster or
    namespace was made with (DBName / dbName)."""
    kind, name = target
    made = ({b.clusters[name].db_name for b in _backends(redshift_backends) if name in b.clusters}
            if kind == "cluster" else
            {b.namespaces[b.workgroups[name].namespaceName].dbName
             for b in _backends(redshiftserverless_backends)
             if name in b.workgroups and b.workgroups[name].namespaceName in b.namespaces})
    return set(metadata.list_databases(target)) | made


def sync_all() -> None:
    """A listener for every cluster and workgroup there is, none for those deleted."""
    wanted: dict[Target, int] = {}
    for backend in _backends(redshift_backends):
        wanted.update({("cluster", name): c.port for name, c in backend.clusters.items()})
    for backend in _backends(redshiftserverless_backends):
        wanted.update({("workgroup", name): w.port for name, w in backend.workgroups.items()})
    endpoints.sync(wanted)


def listening_ports(kind: str) -> dict[str, int]:
    """Name -> the port each cluster's (or workgroup's) endpoint listens on."""
    return {name: port for (k, name) in list(endpoints._open) if k == kind
            for port in [endpoints.port((k, name))] if port is not None}


endpoints = Endpoints()

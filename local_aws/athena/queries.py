"""Athena's data plane: one query execution, run in DuckDB, its results written as Athena writes them (results.py).

run(glue, execution) takes a QUEUED Execution to SUCCEEDED, FAILED or CANCELLED. SELECTs resolve
tables through the Glue catalog (sql.py); DDL, MSCK REPAIR, CTAS and UNLOAD change the
catalog or write Parquet (ddl.py), INSERT INTO appends to a Parquet table (insert.py), SHOW
lists the catalog (show.py), DESCRIBE / SHOW COLUMNS / SHOW CREATE TABLE describe a table
(describe.py), CREATE / DROP VIEW keep views in Glue (views.py), EXPLAIN plans (explain.py).

No HTTP and no moto here: the API is models.py and responses.py beside it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
from sqlglot import exp

from local_aws.athena import ddl as athena_ddl
from local_aws.athena import describe as athena_describe
from local_aws.athena import engine_errors, results
from local_aws.athena import explain as athena_explain
from local_aws.athena import insert as athena_insert
from local_aws.athena import partitions as athena_partitions
from local_aws.athena import show as athena_show
from local_aws.athena import views as athena_views
from local_aws.athena.exceptions import AthenaQueryError
from local_aws.athena.sql import bind_parameters, parse, to_duckdb
from local_aws.core import runtime
from local_aws.glue.catalog import CatalogError, GlueBackend
from local_aws.s3 import duckdb_fs as duckdb_s3
from local_aws.s3 import objects as s3_data

log = logging.getLogger(__name__)

DEFAULT_DATABASE = "default"


@dataclass
class Execution:
    id: str
    query: str
    database: str
    catalog: str
    output_location: str | None  # s3://bucket/prefix/ (the folder); results go to <id>.csv in it
    workgroup: str
    parameters: list[str] | None
    state: str = "QUEUED"
    reason: str | None = None
    error_name: str | None = None
    statement_type: str = "DML"
    # SubstatementType, set for the kinds whose name clients rely on: SELECT, UNLOAD and
    # CREATE_TABLE_AS_SELECT (PyAthena reads CTAS's UpdateCount only with the latter).
    substatement_type: str | None = None
    # Statistics.DataManifestLocation: <OutputLocation><id>-manifest.csv, the s3:// paths of the
    # files a CTAS or UNLOAD wrote, one a line
    # (https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatistics.html,
    # https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html)
    manifest_location: str | None = None
    submitted: float = field(default_factory=time.time)
    completed: float | None = None
    engine_ms: int = 0
    update_count: int | None = None
    result: results.QueryResult | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event)

    @property
    def result_file(self) -> str | None:
        if self.output_location is None:
            return None
        suffix = ".txt" if self.statement_type in ("DDL", "UTILITY") else ".csv"
        return f"{self.output_location}{self.id}{suffix}"

    def describe(self) -> dict[str, Any]:
        status: dict[str, Any] = {"State": self.state, "SubmissionDateTime": self.submitted}
        if self.completed is not None:
            status["CompletionDateTime"] = self.completed
        if self.reason is not None:
            status["StateChangeReason"] = self.reason
        if self.state == "FAILED":
            # ErrorCategory 2 is "user error": the query, not the service, is at fault.
            status["AthenaError"] = {"ErrorCategory": 2, "Retryable": False, "ErrorMessage": self.reason}
        out = {
            "QueryExecutionId": self.id, "Query": self.query, "StatementType": self.statement_type,
            "ResultConfiguration": {"OutputLocation": self.result_file} if self.result_file else {},
            "QueryExecutionContext": {"Database": self.database, "Catalog": self.catalog},
            "Status": status, "WorkGroup": self.workgroup,
            "Statistics": {"EngineExecutionTimeInMillis": self.engine_ms,
                           "TotalExecutionTimeInMillis": self.engine_ms, "DataScannedInBytes": 0},
            "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
        }
        if self.parameters:
            out["ExecutionParameters"] = self.parameters
        if self.substatement_type:
            out["SubstatementType"] = self.substatement_type
        if self.manifest_location:
            out["Statistics"]["DataManifestLocation"] = self.manifest_location
        return out


# -- execution -----------------------------------------------------------------------------------

def run(glue: GlueBackend, execution: Execution) -> None:
    if execution.cancel_requested.is_set():
        return
    execution.state = "RUNNING"
    started = time.perf_counter()
    try:
        _execute(glue, execution)
        if execution.output_location is not None:
            results.write(execution.result_file, execution.statement_type, execution.result)
    except AthenaQueryError as exc:
        _fail(execution, str(exc), exc.error_name)
    except CatalogError as exc:
        _fail(execution, f"METASTORE_ERROR: {exc}", "METASTORE_ERROR")
    except duckdb.Error as exc:
        _fail(execution, engine_errors.reason(exc), "GENERIC_USER_ERROR")
    except Exception as exc:  # an emulator bug must still end the query, not leave it RUNNING
        log.exception("query %s crashed", execution.id)
        _fail(execution, f"GENERIC_INTERNAL_ERROR: local_aws failed to run the query: {exc!r}",
              "GENERIC_INTERNAL_ERROR")
    else:
        if execution.cancel_requested.is_set():
            execution.state = "CANCELLED"
        else:
            execution.state = "SUCCEEDED"
    finally:
        execution.engine_ms = int((time.perf_counter() - started) * 1000)
        execution.completed = time.time()
        runtime.notify_change()  # DDL and CTAS changed the catalog after the request was answered


def _fail(execution: Execution, reason: str, error_name: str) -> None:
    execution.state, execution.reason, execution.error_name = "FAILED", reason, error_name


def _execute(glue: GlueBackend, execution: Execution) -> None:
    statement = execution.query.strip().rstrip(";").strip()
    head = statement.split(None, 2)
    first_word = head[0].upper() if head else ""
    if first_word == "MSCK":
        execution.statement_type = "DDL"
        athena_ddl.msck_repair(glue, statement, execution.database)
        return
    if athena_describe.is_describe(statement):
        execution.statement_type = "UTILITY"  # as SHOW: describe-table.html, show-columns.html
        columns, values = athena_describe.describe(glue, statement, execution.database)
        execution.result = results.QueryResult([(c, "VARCHAR") for c in columns], [(v,) for v in values],
                                               hive_text=True)
        return
    if first_word == "EXPLAIN":
        _explain(glue, execution, statement)
        return
    if athena_show.is_show(statement):
        execution.statement_type = "UTILITY"  # show-tables.html: "UTILITY rather than DDL"
        column, values = athena_show.show(glue, statement, execution.database)
        execution.result = results.QueryResult([(column, "VARCHAR")], [(v,) for v in values], hive_text=True)
        return
    if first_word == "UNLOAD":
        execution.substatement_type = "UNLOAD"
        query, target, _ = athena_ddl.parse_unload(statement)
        with _connect() as conn:
            duck_sql = _query_sql(conn, glue, execution, query)
            _, rows, written = athena_ddl.write_parquet(conn, duck_sql, target, execution.id, must_be_empty=True)
        execution.update_count = rows
        _write_manifest(execution, written)
        return

    tree = parse(statement)
    if isinstance(tree, exp.Create) and tree.kind in ("DATABASE", "SCHEMA"):
        execution.statement_type = "DDL"
        athena_ddl.create_database(glue, tree)
    elif isinstance(tree, exp.Drop) and tree.kind in ("DATABASE", "SCHEMA"):
        execution.statement_type = "DDL"
        athena_ddl.drop_database(glue, tree)
    elif isinstance(tree, exp.Create) and tree.kind == "VIEW":
        _create_view(glue, execution, tree, statement)
    elif isinstance(tree, exp.Drop) and tree.kind == "VIEW":
        execution.statement_type = "DDL"
        for view in tree.args.get("tables") or []:
            athena_views.drop_view(glue, (view.db or execution.database).lower(), view.name.lower(),
                                   bool(tree.args.get("exists")))
    elif isinstance(tree, exp.Drop) and tree.kind == "TABLE":
        execution.statement_type = "DDL"
        athena_ddl.drop_table(glue, tree, execution.database)
    elif isinstance(tree, exp.Create) and tree.kind == "TABLE" and tree.expression is not None:
        _ctas(glue, execution, tree)
    elif isinstance(tree, exp.Create) and tree.kind == "TABLE":
        execution.statement_type = "DDL"
        athena_ddl.create_external_table(glue, tree, execution.database)
    elif isinstance(tree, exp.Insert):
        execution.substatement_type = "INSERT"
        bind_parameters(tree, execution.parameters)
        with _connect() as conn:
            rows, written = athena_insert.insert_into(conn, glue, tree, execution.database, execution.id)
        execution.update_count = rows
        _write_manifest(execution, written)
    elif isinstance(tree, exp.Query):
        execution.substatement_type = "SELECT"
        bind_parameters(tree, execution.parameters)
        with _connect() as conn:
            cursor = conn.execute(to_duckdb(conn, tree, glue, execution.database))
            columns = [(d[0], str(d[1])) for d in cursor.description]
            execution.result = results.QueryResult(columns, cursor.fetchall())
    else:
        raise AthenaQueryError("NOT_SUPPORTED", _not_run(statement, tree))


# Statements local_aws refuses, and what to use instead (DESCRIBE, SHOW COLUMNS and SHOW CREATE
# TABLE that describe.py cannot read land here too).
_NOT_RUN = [
    (r"SHOW\s+(COLUMNS|CREATE\s+TABLE|TBLPROPERTIES)\b|DESCRIBE\b|DESC\b",
     "this form of DESCRIBE, SHOW COLUMNS, SHOW CREATE TABLE, or SHOW TBLPROPERTIES",
     "the Athena GetTableMetadata API or Glue GetTable"),
    (r"ALTER\s+VIEW\b|SHOW\s+(VIEWS|CREATE\s+VIEW)\b", "ALTER VIEW, SHOW VIEWS or SHOW CREATE VIEW",
     "CREATE OR REPLACE VIEW, and Glue GetTables (a view is a table of TableType VIRTUAL_VIEW)"),
]


def _not_run(statement: str, tree: exp.Expression) -> str:
    for pattern, name, instead in _NOT_RUN:
        if re.match(pattern, statement, re.IGNORECASE):
            return f"local_aws does not run {name}" + (f": use {instead}" if instead else "")
    words = " ".join(statement.split()[:2]).upper()
    return f"local_aws does not run this {words} statement ({type(tree).__name__})"


def _explain(glue: GlueBackend, execution: Execution, statement: str) -> None:
    """EXPLAIN plans the query in full, so it fails where the query would (explain.py)."""
    execution.substatement_type = "EXPLAIN"
    kind, explained = athena_explain.parse(statement)
    tree = parse(explained)
    if not isinstance(tree, exp.Query):
        raise AthenaQueryError("NOT_SUPPORTED", "local_aws runs EXPLAIN of a query (SELECT, WITH, VALUES) only")
    bind_parameters(tree, execution.parameters)
    with _connect() as conn:
        plan = conn.execute(f"EXPLAIN {to_duckdb(conn, tree, glue, execution.database)}").fetchall()
    if kind == "VALIDATE":
        execution.result = results.QueryResult([("Valid", "BOOLEAN")], [(True,)])
    else:
        execution.result = results.QueryResult([("Query Plan", "VARCHAR")], [(athena_explain.plan_text(plan),)])


def _create_view(glue: GlueBackend, execution: Execution, tree: exp.Create, statement: str) -> None:
    """The view's query is planned now, as Trino plans it: a view over a missing table fails."""
    execution.statement_type = "DDL"
    if not isinstance(tree.expression, exp.Query):
        raise AthenaQueryError("SYNTAX_ERROR", "expected CREATE [OR REPLACE] VIEW view_name AS query")
    query = athena_views.original_sql(statement)
    select = tree.expression
    while isinstance(select, exp.SetOperation):
        select = select.this
    for position, projection in enumerate(select.expressions if isinstance(select, exp.Select) else []):
        if not isinstance(projection, (exp.Alias, exp.Column, exp.Star)):
            # Trino's CREATE VIEW: every column needs a name
            raise AthenaQueryError("MISSING_COLUMN_NAME", f"Column name not specified at position {position + 1}")
    with _connect() as conn:
        relation = conn.sql(to_duckdb(conn, parse(query), glue, execution.database))
        columns = list(zip(relation.columns, (str(t) for t in relation.types), strict=False))
    view = tree.this
    athena_views.create_view(glue, (view.db or execution.database).lower(), view.name.lower(), query,
                             bool(tree.args.get("replace")), columns)


@contextlib.contextmanager
def _connect() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb_s3.connect() as conn:  # a session of its own (duckdb_fs.py)
        # Trino's / on two integers is integer division, truncated toward zero (7 / 2 = 3, -7 / 2 =
        # -3): https://trino.io/docs/current/functions/math.html. DuckDB's / would give 3.5.
        conn.execute("SET integer_division = true")
        # Athena's session time zone is UTC, whatever the machine's is.
        conn.execute("SET TimeZone = 'UTC'")
        yield conn


def _query_sql(conn: duckdb.DuckDBPyConnection, glue, execution: Execution, query: str) -> str:
    tree = parse(query)
    if not isinstance(tree, exp.Query):
        raise AthenaQueryError("SYNTAX_ERROR", "expected a SELECT query")
    bind_parameters(tree, execution.parameters)
    return to_duckdb(conn, tree, glue, execution.database)


def _ctas(glue, execution: Execution, tree: exp.Create) -> None:
    execution.substatement_type = "CREATE_TABLE_AS_SELECT"
    table = tree.this
    database = (table.db or execution.database).lower()
    name = table.name.lower()
    if database not in glue.databases:
        raise AthenaQueryError("SCHEMA_NOT_FOUND", f"Schema {database} does not exist")
    if name in glue.databases[database].tables:
        if tree.args.get("exists"):
            return
        raise AthenaQueryError("ALREADY_EXISTS", f"Table awsdatacatalog.{database}.{name} already exists")
    options = athena_ddl.ctas_options(tree)
    location = options.get("external_location")
    if not location:
        if execution.output_location is None:
            raise AthenaQueryError("INVALID_TABLE_PROPERTY", "CTAS needs external_location or an output location")
        location = f"{execution.output_location}tables/{execution.id}/"
    location = location.rstrip("/") + "/"
    keys = options.get("partitioned_by") or []
    with _connect() as conn:
        tree_query = tree.expression
        bind_parameters(tree_query, execution.parameters)
        duck_sql = to_duckdb(conn, tree_query, glue, execution.database)
        if keys:
            rows, written = _ctas_partitioned(conn, glue, database, name, location, duck_sql, keys, execution.id)
        else:
            columns, rows, written = athena_ddl.write_parquet(conn, duck_sql, location, execution.id,
                                                              must_be_empty=True)
            athena_ddl.register_ctas_table(glue, database, name, location, columns)
    execution.update_count = rows
    _write_manifest(execution, written)


def _ctas_partitioned(conn: duckdb.DuckDBPyConnection, glue, database: str, name: str, location: str,
                      duck_sql: str, keys: list[str], query_id: str) -> tuple[int, list[str]]:
    """CTAS WITH (partitioned_by = ARRAY[...]): "the partitioned columns must be the last in the
    list of columns in the SELECT statement" (create-table-as.html), in the array's order."""
    athena_ddl.check_empty(location)
    conn.execute(f"CREATE TEMP TABLE _ctas_rows AS {duck_sql}")
    columns = [(d[0], str(d[1])) for d in conn.execute("SELECT * FROM _ctas_rows LIMIT 0").description]
    if [n.lower() for n, _ in columns[-len(keys):]] != keys:
        raise AthenaQueryError("HIVE_COLUMN_ORDER_MISMATCH", "Partition keys must be the last columns in the "
                               f"table and in the same order as the table properties: [{', '.join(keys)}]")
    data, partition_keys = columns[:-len(keys)], columns[-len(keys):]
    if not data:
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", "Table contains only partition columns")
    rows, written, partitions = athena_partitions.write_partitions(
        conn, "_ctas_rows", f"{database}.{name}", location, keys, [n for n, _ in data], {}, query_id)
    athena_ddl.register_ctas_table(glue, database, name, location, data, partition_keys)
    athena_partitions.add_partitions(glue, database, name, partitions)
    return rows, written


def _write_manifest(execution: Execution, written: list[str]) -> None:
    if execution.output_location is None:
        return
    execution.manifest_location = f"{execution.output_location}{execution.id}-manifest.csv"
    bucket, key = s3_data.split_uri(execution.manifest_location)
    s3_data.write(bucket, key, "".join(f"{path}\n" for path in written).encode())


def refuse(execution: Execution, error_name: str, message: str) -> None:
    """End a query before it runs, as Athena ends one it cannot plan (e.g. CATALOG_NOT_FOUND)."""
    _fail(execution, f"{error_name}: {message}", error_name)
    execution.completed = time.time()

"""What the SQL editor runs: exactly one read-only SELECT (or WITH ... SELECT), nothing else.

The text is parsed with sqlglot's Redshift dialect, never matched with regular expressions, and
refused with a message naming the problem: empty input, text that does not parse, several
statements, any statement that is not a query (DDL, DML, COPY, UNLOAD, GRANT, SET, EXPLAIN,
transactions...), a query that writes (SELECT INTO, a data-modifying WITH) or locks rows
(FOR UPDATE), or one calling a function that acts on the server (cancelling sessions, settings).
An accepted statement is sent to the Data API as the user wrote it: the guard never rewrites or
wraps SQL. It is a guard for an editor, not a permission system: on AWS the Data API identity
should also be a read-only database user.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

DIALECT = "redshift"
# Statements that only read: a SELECT, a set operation of SELECTs, a parenthesised SELECT.
QUERY_TYPES = (exp.Select, exp.SetOperation, exp.Subquery)
# Nodes that write, define or administer, wherever they appear in the tree.
WRITING_NODES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter,
                 exp.TruncateTable, exp.Copy, exp.Command, exp.Grant, exp.Set, exp.Transaction,
                 exp.Commit, exp.Rollback, exp.Into, exp.Lock)
# Functions a SELECT may call that act on the server rather than read data.
SERVER_FUNCTIONS = frozenset({"pg_terminate_backend", "pg_cancel_backend", "set_config",
                              "pg_reload_conf", "pg_sleep"})


class RefusedSQL(ValueError):
    """The statement is not one read-only SELECT; the message says why."""


def check_read_only(sql: str) -> str:
    """The statement to run (surrounding blanks removed) if `sql` is exactly one read-only
    SELECT; else RefusedSQL naming the problem."""
    text = (sql or "").strip()
    if not text:
        raise RefusedSQL("empty input: write one SELECT statement")
    try:
        statements = [s for s in sqlglot.parse(text, read=DIALECT) if s is not None]
    except (ParseError, TokenError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RefusedSQL(f"not valid SQL: {first}") from None
    if not statements:
        raise RefusedSQL("empty input: write one SELECT statement (only comments or ';' found)")
    if len(statements) > 1:
        raise RefusedSQL(f"{len(statements)} statements: the editor runs exactly one SELECT")
    statement = statements[0]
    if not isinstance(statement, QUERY_TYPES):
        raise RefusedSQL(f"{_describe(statement)} is not allowed: the editor is read-only "
                         "and runs only SELECT (or WITH ... SELECT)")
    for node in statement.walk():
        if isinstance(node, exp.Select) and node.args.get("into") is not None:
            raise RefusedSQL("SELECT INTO creates a table: not allowed, the editor is read-only")
        if isinstance(node, WRITING_NODES):
            raise RefusedSQL(f"{_describe(node)} inside the query is not allowed: the editor is "
                             "read-only")
        if isinstance(node, exp.Select) and node.args.get("locks"):
            raise RefusedSQL("SELECT ... FOR UPDATE locks rows: not allowed, the editor is read-only")
        if isinstance(node, exp.Func) and _function_name(node) in SERVER_FUNCTIONS:
            raise RefusedSQL(f"function {_function_name(node)}() acts on the server: not allowed "
                             "in the read-only editor")
    return text


def _function_name(node: exp.Func) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()


def _describe(node: exp.Expr) -> str:
    """A statement's kind as the user wrote it: DROP TABLE, INSERT, UNLOAD..."""
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, (exp.Create, exp.Drop)):
        kind = node.args.get("kind") or ""
        return f"{type(node).__name__.upper()} {kind}".strip()
    if isinstance(node, exp.TruncateTable):
        return "TRUNCATE"
    kinds: dict[type[exp.Expr], str] = {exp.Into: "SELECT INTO", exp.Set: "SET",
                                        exp.Transaction: "BEGIN/START TRANSACTION",
                                        exp.Lock: "LOCK"}
    return kinds.get(type(node), type(node).__name__.upper())

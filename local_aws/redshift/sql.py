"""Redshift SQL -> DuckDB SQL, for the Redshift Data API emulation (engine.py).

sqlglot (read="redshift", write="duckdb") does the bulk of the dialect work: functions such as
GETDATE, NVL, DATEADD and the type names. What it leaves to us, and this module handles:

* physical-design clauses DuckDB has no use for: DISTKEY, SORTKEY (table and column level),
  DISTSTYLE, ENCODE, BACKUP are dropped;
* PRIMARY KEY, FOREIGN KEY / REFERENCES and UNIQUE are dropped: Redshift keeps them as
  planner hints and never enforces them, while DuckDB would (an upsert that deletes a referenced
  dimension row inside a transaction would fail here and succeed on Redshift). NOT NULL, which
  Redshift does enforce, stays;
* VARCHAR(MAX) becomes VARCHAR (DuckDB strings are unbounded anyway);
* IDENTITY(seed, step) becomes a sequence plus DEFAULT nextval(...);
* CREATE TABLE t (LIKE s) becomes an empty CREATE TABLE AS;
* MERGE ... WHEN NOT MATCHED THEN INSERT VALUES (...) without a column list, which sqlglot
  mis-parses as a call of a function named VALUES;
* COPY is not SQL DuckDB could run: it is parsed here into a CopyCommand that engine.py
  executes against the emulator's S3; UNLOAD likewise (redshift_unload.py);
* VACUUM, ANALYZE, GRANT and REVOKE succeed without doing anything: they tune storage or set
  permissions, neither of which exists in a single-user DuckDB file;
* named parameters (:name, from the Data API's Parameters) are bound as string literals, which
  is how Redshift receives them too (it casts them where used).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import sqlglot
from sqlglot import exp
from sqlglot.dialects import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from local_aws.redshift.options import OptionWords
from local_aws.redshift.unload import UnloadCommand, UnloadError, parse_unload

_REDSHIFT = Dialect.get_or_raise("redshift")

Kind = Literal["query", "dml", "ddl", "begin", "commit", "rollback", "noop"]


class RedshiftSqlError(ValueError):
    """SQL the emulator cannot run; the message is shown as the statement's Error."""


@dataclass(frozen=True)
class SqlCommand:
    sql: str  # DuckDB SQL
    kind: Kind

    @property
    def returns_rows(self) -> bool:
        return self.kind == "query"


@dataclass(frozen=True)
class CopyCommand:
    table: str  # as written, possibly schema-qualified; quoted for DuckDB
    columns: tuple[str, ...]  # empty: all columns of the table, in order
    source: str  # s3://bucket/prefix; every object whose key starts with the prefix is loaded
    format: Literal["csv", "text", "parquet"]
    delimiter: str = ","
    quote: str | None = '"'
    ignore_header: int = 0
    gzip: bool = False
    null_as: str | None = None
    empty_as_null: bool = False
    options: dict[str, str] = field(default_factory=dict)  # accepted but without effect here


Command = SqlCommand | CopyCommand | UnloadCommand

_NOOP_COMMANDS = {"VACUUM", "ANALYZE", "GRANT", "REVOKE"}
_DROPPED_PROPERTIES = (exp.DistKeyProperty, exp.SortKeyProperty, exp.DistStyleProperty,
                       exp.BackupProperty)
_DROPPED_CONSTRAINTS = (exp.EncodeColumnConstraint, exp.CompressColumnConstraint)
_INFORMATIONAL = (exp.PrimaryKeyColumnConstraint, exp.UniqueColumnConstraint, exp.Reference)


def split_statements(sql: str) -> list[str]:
    """Split on semicolons outside strings, quoted identifiers and comments."""
    try:
        tokens = _REDSHIFT.tokenize(sql)
    except TokenError as exc:
        raise RedshiftSqlError(f"syntax error: {exc}") from None
    statements, start = [], 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            statements.append(sql[start:token.start])
            start = token.end + 1
    statements.append(sql[start:])
    return [s.strip() for s in statements if s.strip()]


_LEADING_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)


def translate(statement: str, parameters: dict[str, str] | None = None) -> list[Command]:
    """One Redshift statement -> the DuckDB commands that do the same (usually exactly one)."""
    # Redshift is based on PostgreSQL (https://docs.aws.amazon.com/redshift/latest/dg/c_redshift-and-postgres-sql.html)
    # and takes its -- and /* */ comments before any statement, COPY's included.
    body = _LEADING_COMMENTS.sub("", statement, count=1)
    first_word = body.split(None, 1)[0].upper() if body.strip() else ""
    if first_word == "COPY":
        return [parse_copy(body)]
    if first_word == "UNLOAD":
        try:
            return [parse_unload(body)]
        except UnloadError as exc:
            raise RedshiftSqlError(str(exc)) from None
    if first_word in _NOOP_COMMANDS:
        return [SqlCommand("", "noop")]
    try:
        tree = sqlglot.parse_one(_strip_column_keys(statement), read="redshift")
    except ParseError as exc:
        raise RedshiftSqlError(_describe_parse_error(exc)) from None
    except TokenError as exc:
        raise RedshiftSqlError(f"syntax error: {_first_line(exc)}") from None
    if isinstance(tree, exp.Transaction):
        return [SqlCommand("", "begin")]
    if isinstance(tree, exp.Commit):
        return [SqlCommand("", "commit")]
    if isinstance(tree, exp.Rollback):
        return [SqlCommand("", "rollback")]
    if isinstance(tree, exp.Command):
        raise RedshiftSqlError(f"statement not supported by local_aws: {statement[:80]!r}")

    _bind_parameters(tree, parameters or {})
    _drop_max_length(tree)
    _fix_merge_insert_values(tree)
    before: list[Command] = []
    if isinstance(tree, exp.Create) and tree.kind == "TABLE":
        tree = _create_like(tree)
        _drop_physical_design(tree)
        before = _identity_to_sequence(tree)
    return [*before, SqlCommand(tree.sql(dialect="duckdb"), _kind(tree))]


def _kind(tree: exp.Expression) -> Kind:
    if isinstance(tree, (exp.Query, exp.Describe, exp.Show)):
        return "query"
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete, exp.Merge)):
        return "dml"
    return "ddl"


def _describe_parse_error(exc: ParseError) -> str:
    """Redshift-like wording: syntax error at or near "x" (line, column) and sqlglot's reason."""
    if not exc.errors:
        return f"syntax error: {_first_line(exc)}"
    err = exc.errors[0]
    reason = re.sub(r"\s*Line \d+, Col: \d+\.?$", "", err.get("description") or "").strip()
    reason = re.sub(r"<Token token_type: [^,]+, text: ([^,]*),.*?>", r'"\1"', reason)
    return (f'syntax error at or near "{err.get("highlight", "")}" '
            f'(line {err.get("line")}, column {err.get("col")}): {reason}')


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def _strip_column_keys(statement: str) -> str:
    """Drop column-level DISTKEY / SORTKEY (`id INT DISTKEY`), which sqlglot cannot parse.

    Table-level DISTKEY(col) / SORTKEY(col) are followed by '(' and left to the parser.
    """
    tokens = _REDSHIFT.tokenize(statement)
    spans = [
        (tok.start, tok.end + 1)
        for i, tok in enumerate(tokens)
        if tok.text.upper() in ("DISTKEY", "SORTKEY")
        and (i + 1 == len(tokens) or tokens[i + 1].token_type != TokenType.L_PAREN)
    ]
    for start, end in reversed(spans):
        statement = statement[:start] + statement[end:]
    return statement


def _bind_parameters(tree: exp.Expression, parameters: dict[str, str]) -> None:
    for placeholder in list(tree.find_all(exp.Placeholder)):
        name = placeholder.name
        if name not in parameters:
            raise RedshiftSqlError(f"no value given for parameter :{name}")
        placeholder.replace(exp.Literal.string(parameters[name]))


def _drop_max_length(tree: exp.Expression) -> None:
    for dtype in tree.find_all(exp.DataType):
        params = dtype.expressions
        if params and any(p.name.upper() == "MAX" for p in params):
            dtype.set("expressions", [])


def _drop_physical_design(tree: exp.Create) -> None:
    props = tree.args.get("properties")
    if props is not None:
        kept = [p for p in props.expressions if not isinstance(p, _DROPPED_PROPERTIES)]
        props.set("expressions", kept)
        if not kept:
            tree.set("properties", None)
    for constraint in list(tree.find_all(exp.ColumnConstraint)):
        if isinstance(constraint.args.get("kind"), _DROPPED_CONSTRAINTS + _INFORMATIONAL):
            constraint.pop()
    for constraint in list(tree.find_all(exp.PrimaryKey, exp.ForeignKey, exp.UniqueColumnConstraint)):
        if isinstance(constraint.parent, exp.Schema):
            constraint.pop()
        elif isinstance(constraint.parent, exp.Constraint):  # CONSTRAINT name PRIMARY KEY (...)
            constraint.parent.pop()


def _create_like(tree: exp.Create) -> exp.Create:
    """CREATE [TEMP] TABLE t (LIKE s) -> CREATE [TEMP] TABLE t AS SELECT * FROM s LIMIT 0."""
    schema = tree.this
    if not isinstance(schema, exp.Schema):
        return tree
    likes = [e for e in schema.expressions if isinstance(e, exp.LikeProperty)]
    if not likes:
        return tree
    if len(schema.expressions) != 1:
        raise RedshiftSqlError("CREATE TABLE (LIKE ...) with extra columns is not supported by local_aws")
    source = likes[0].this
    created = tree.copy()
    created.set("this", schema.this.copy())
    created.set("expression", exp.select("*").from_(source.copy()).limit(0))
    return created


def _identity_to_sequence(tree: exp.Create) -> list[Command]:
    """IDENTITY(seed, step) -> CREATE SEQUENCE + DEFAULT nextval, DuckDB's way to number rows."""
    schema = tree.this
    if not isinstance(schema, exp.Schema):
        return []
    table = schema.this
    temporary = any(isinstance(p, exp.TemporaryProperty)
                    for p in (tree.args.get("properties") or exp.Properties()).expressions)
    commands: list[Command] = []
    for column in schema.find_all(exp.ColumnDef):
        for constraint in column.constraints:
            identity = constraint.args.get("kind")
            if not isinstance(identity, exp.GeneratedAsIdentityColumnConstraint):
                continue
            start = identity.args.get("start")
            step = identity.args.get("increment")
            sequence = f"{table.name}_{column.name}_seq"
            if table.args.get("db") is not None and not temporary:
                sequence = f"{table.args['db'].name}.{sequence}"
            commands.append(SqlCommand(
                f"CREATE {'TEMP ' if temporary else ''}SEQUENCE IF NOT EXISTS {sequence} "
                f"START WITH {start.sql() if start else 1} INCREMENT BY {step.sql() if step else 1}",
                "ddl",
            ))
            constraint.set("kind", exp.DefaultColumnConstraint(
                this=exp.func("nextval", exp.Literal.string(sequence))))
    return commands


def _fix_merge_insert_values(tree: exp.Expression) -> None:
    """`WHEN NOT MATCHED THEN INSERT VALUES (a, b)` parses as INSERT of a call to VALUES(a, b)."""
    for insert in tree.find_all(exp.Insert):
        if not isinstance(insert.parent, exp.When):
            continue
        target = insert.this
        if (isinstance(target, exp.Tuple) and len(target.expressions) == 1
                and isinstance(target.expressions[0], exp.Anonymous)
                and target.expressions[0].name.upper() == "VALUES"):
            values = target.expressions[0].expressions
            insert.set("this", None)
            insert.set("expression", exp.Tuple(expressions=values))


# -- COPY ------------------------------------------------------------------------------------

_COPY_HEAD = re.compile(
    r"""^\s*COPY\s+(?P<table>[\w."$]+)\s*(?:\((?P<columns>[^)]*)\))?\s+FROM\s+'(?P<source>[^']*)'(?P<rest>.*)$""",
    re.IGNORECASE | re.DOTALL,
)
# Options that change nothing for a local load: authorisation, region and load tuning.
_IGNORED_WITH_VALUE = {"IAM_ROLE", "CREDENTIALS", "REGION", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY",
                       "SESSION_TOKEN", "MAXERROR", "COMPUPDATE", "STATUPDATE", "DATEFORMAT",
                       "TIMEFORMAT", "ENCODING"}
_IGNORED_FLAGS = {"ACCEPTINVCHARS", "TRUNCATECOLUMNS", "BLANKSASNULL", "TRIMBLANKS",
                  "ACCEPTANYDATE", "IGNOREBLANKLINES", "EXPLICIT_IDS"}


def parse_copy(statement: str) -> CopyCommand:
    match = _COPY_HEAD.match(statement)
    if not match:
        raise RedshiftSqlError("syntax error in COPY: expected COPY table [(columns)] FROM 's3://...' options")
    source = match["source"]
    if not source.startswith("s3://"):
        raise RedshiftSqlError(f"COPY from {source!r} is not supported by local_aws: only s3:// sources")
    columns = tuple(c.strip().strip('"') for c in (match["columns"] or "").split(",") if c.strip())
    words = OptionWords(match["rest"], "COPY", RedshiftSqlError)
    fmt: str = "text"
    settings: dict[str, object] = {}
    ignored: dict[str, str] = {}
    while (raw := words.next()) is not None:
        word = raw.upper()
        if word == "FORMAT":
            fmt_word = words.value("FORMAT").upper()
            if fmt_word not in ("CSV", "PARQUET"):
                raise RedshiftSqlError(f"COPY FORMAT {fmt_word} is not supported by local_aws "
                                       "(CSV, PARQUET and delimited text are)")
            fmt = fmt_word.lower()
        elif word in ("CSV", "PARQUET"):
            fmt = word.lower()
        elif word == "DELIMITER":
            settings["delimiter"] = words.value(word)
        elif word == "QUOTE":
            settings["quote"] = words.value(word)
        elif word == "IGNOREHEADER":
            settings["ignore_header"] = int(words.value(word))
        elif word == "GZIP":
            settings["gzip"] = True
        elif word == "NULL":
            settings["null_as"] = words.value(word)
        elif word == "EMPTYASNULL":
            settings["empty_as_null"] = True
        elif word in _IGNORED_WITH_VALUE:
            ignored[word] = words.value(word)
        elif word in _IGNORED_FLAGS:
            ignored[word] = ""
        elif word == ";":
            break
        else:
            raise RedshiftSqlError(f"COPY option {raw} is not supported by local_aws")

    if "quote" in settings and fmt != "csv":
        raise RedshiftSqlError("COPY QUOTE is only allowed with CSV")
    defaults: dict[str, object] = (
        {"delimiter": ",", "quote": '"'} if fmt == "csv" else {"delimiter": "|", "quote": None}
    )
    return CopyCommand(
        table=match["table"], columns=columns, source=source, format=fmt,  # type: ignore[arg-type]
        **{**defaults, **settings}, options=ignored,  # type: ignore[arg-type]
    )



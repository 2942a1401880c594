"""Athena SQL -> DuckDB: tables resolved through the Glue catalog to readers of their S3 objects.

sqlglot's "athena" dialect reads Athena as Athena does (Hive syntax for DDL, Trino for queries)
and writes DuckDB. Each catalog table in a query becomes a subquery over read_csv, read_json or
read_parquet of the table's objects (s3:// paths, read in-process: s3/duckdb_fs.py), with the
columns named and typed as the catalog says:

* delimited text (LazySimpleSerDe): split on field.delim, no quoting, fields by position, a value
  that does not parse as the column type reads as NULL (as Hive does);
* OpenCSVSerde: quoted CSV, fields by position, typed as Athena documents (opencsv_types.py): a
  field a query reads that does not parse as its column's type fails the query (HIVE_BAD_DATA),
  unless the table sets use.null.for.invalid.data;
* JSON and Parquet: fields by name, case-insensitively;
* skip.header.line.count lines are skipped per file, only when the table says so;
* partitioned tables read only the partitions registered in the catalog, each contributing its
  values as columns; objects whose name starts with '_' or '.' are ignored, as Athena does.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from local_aws.athena import (
    information_schema,
    opencsv_types,
    trino_functions,
    trino_macros,
    views,
)
from local_aws.athena.exceptions import AthenaQueryError
from local_aws.glue.catalog import (
    CatalogError,
    GlueBackend,
    TableSpec,
    table_spec,
)
from local_aws.s3 import objects as s3_data

_DIALECT = "athena"


_DECIMAL_LITERAL = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")


def _typed_decimal_literals(query: str) -> str:
    """DECIMAL '1.25' is a decimal(3,2) in Trino: precision is the literal's digits, scale the
    digits after its point (https://trino.io/docs/current/language/types.html#decimal).
    sqlglot reads it as CAST('1.25' AS DECIMAL), which DuckDB types decimal(18,3), so each such
    literal is given its precision and scale before parsing. CAST(x AS DECIMAL) is left alone."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(_DIALECT).tokenize(query)
    except TokenError:
        return query  # parse() reports it
    out, last = [], 0
    for kind, value in itertools.pairwise(tokens):
        if kind.token_type != sqlglot.TokenType.DECIMAL or value.token_type != sqlglot.TokenType.STRING:
            continue
        number = _DECIMAL_LITERAL.fullmatch(value.text.strip())
        if not number or not (number[2] or number[3]):
            continue  # not a number: Trino rejects it, DuckDB's cast fails it too
        # leading zeros count: DECIMAL '0000012345.1234500000' is a DECIMAL(20, 10)
        # (https://trino.io/docs/current/functions/decimal.html)
        whole, fraction = number[2], number[3] or ""
        precision = max(len(whole) + len(fraction), 1)
        if precision > 38:
            continue
        out += [query[last:kind.start],
                f"CAST('{value.text.strip()}' AS DECIMAL({precision}, {len(fraction)}))"]
        last = value.end + 1
    return "".join(out) + query[last:] if out else query


def parse(query: str) -> exp.Expression:
    query = _typed_decimal_literals(query)
    try:
        statements = [s for s in sqlglot.parse(query, read=_DIALECT) if s is not None]
    except ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        reason = re.sub(r"\s*Line \d+, Col: \d+\.?$", "", err.get("description") or str(exc)).strip()
        raise AthenaQueryError(
            "SYNTAX_ERROR",
            f"line {err.get('line', 1)}:{err.get('col', 1)}: mismatched input "
            f"'{err.get('highlight', '')}'. {reason}") from None
    except TokenError as exc:
        raise AthenaQueryError("SYNTAX_ERROR", str(exc).splitlines()[0]) from None
    if len(statements) != 1:
        raise AthenaQueryError("SYNTAX_ERROR", "Only one sql statement is allowed. "
                                               f"Got: {len(statements)}")
    return statements[0]


# -- types ---------------------------------------------------------------------------------------

_GLUE_TO_DUCKDB = {
    "string": "VARCHAR", "varchar": "VARCHAR", "char": "VARCHAR", "bigint": "BIGINT",
    "int": "INTEGER", "integer": "INTEGER", "smallint": "SMALLINT", "tinyint": "TINYINT",
    "double": "DOUBLE", "float": "FLOAT", "real": "FLOAT", "boolean": "BOOLEAN", "date": "DATE",
    "timestamp": "TIMESTAMP", "binary": "BLOB",
}


def duckdb_type(glue_type: str) -> str | None:
    """DuckDB type for a Glue column type; None for complex types (kept as the reader found them)."""
    base = glue_type.strip().lower()
    decimal = re.fullmatch(r"decimal\((\d+)\s*,\s*(\d+)\)", base)
    if decimal:
        return f"DECIMAL({decimal[1]}, {decimal[2]})"
    return _GLUE_TO_DUCKDB.get(re.sub(r"\(.*\)$", "", base))


def glue_type(duck_type: str) -> str:
    """Glue column type for a DuckDB result column (CTAS tables)."""
    upper = duck_type.upper()
    if upper.startswith("DECIMAL"):
        return upper.lower().replace(" ", "")
    return {
        "BIGINT": "bigint", "HUGEINT": "bigint", "INTEGER": "int", "SMALLINT": "smallint",
        "TINYINT": "tinyint", "DOUBLE": "double", "FLOAT": "float", "BOOLEAN": "boolean",
        "VARCHAR": "string", "DATE": "date", "TIMESTAMP": "timestamp", "BLOB": "binary",
    }.get(upper, "string")


# -- table readers -------------------------------------------------------------------------------

def quote_identifier(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _data_files(location: str) -> list[str]:
    bucket, prefix = s3_data.split_uri(location)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    try:
        keys = s3_data.list_keys(bucket, prefix)
    except Exception:  # the bucket is gone: Athena reads such a table as empty too
        return []
    return [f"s3://{bucket}/{k}" for k in keys
            if not k.rsplit("/", 1)[-1].startswith(("_", ".")) and not k.endswith("_$folder$")]


def _reader(spec: TableSpec, files: list[str]) -> str:
    file_list = "[" + ", ".join(quote_literal(f) for f in files) + "]"
    if spec.format == "parquet":
        return f"read_parquet({file_list}, union_by_name = true)"
    if spec.format == "json":
        return f"read_json({file_list}, format = 'newline_delimited', union_by_name = true)"
    if spec.format == "opencsv":
        quote = spec.serde_parameters.get("quoteChar", '"')
        options = {"delim": spec.serde_parameters.get("separatorChar", ","), "quote": quote,
                   # OpenCSV also accepts a doubled quote inside a quoted field; DuckDB takes one escape.
                   "escape": quote, "nullstr": "\x00no-nulls-in-opencsv\x00"}
    else:
        null_format = spec.serde_parameters.get("serialization.null.format", "\\N")
        options = {"delim": spec.serde_parameters.get("field.delim", "\x01"), "quote": "", "escape": "",
                   "nullstr": null_format}
    rendered = ", ".join(f"{k} = {quote_literal(v)}" for k, v in options.items())
    return (f"read_csv({file_list}, header = false, skip = {spec.skip_header_lines}, {rendered}, "
            "all_varchar = true, strict_mode = false, null_padding = true)")


def _select_list(conn: duckdb.DuckDBPyConnection, spec: TableSpec, reader: str,
                 raw: bool = False) -> list[str]:
    """The reader's fields as the catalog's columns; raw: every field as the text it holds."""
    found = [row[0] for row in conn.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    by_name = {name.lower(): name for name in found}
    columns = []
    for position, (name, gtype) in enumerate(spec.columns):
        target = "VARCHAR" if raw else duckdb_type(gtype)
        if spec.format in ("json", "parquet"):
            source = by_name.get(name.lower())
        else:  # text formats map by position; missing trailing fields are NULL, extra ones ignored
            source = found[position] if position < len(found) else None
        if source is None:
            columns.append(f"CAST(NULL AS {target or 'VARCHAR'}) AS {quote_identifier(name)}")
        elif spec.format == "opencsv" and not raw and opencsv_types.is_supported(gtype):
            columns.append(f"{opencsv_types.column(quote_identifier(source), gtype)} AS {quote_identifier(name)}")
        elif target is None or (target == "VARCHAR" and spec.format != "parquet"):
            columns.append(f"{quote_identifier(source)} AS {quote_identifier(name)}")
        else:
            columns.append(f"TRY_CAST({quote_identifier(source)} AS {target}) AS {quote_identifier(name)}")
    return columns


def table_sql(conn: duckdb.DuckDBPyConnection, spec: TableSpec, raw: bool = False) -> str:
    """A DuckDB query that returns the table's rows with the catalog's column names and types
    (raw: text formats' fields as the text they hold, for checking them)."""
    if spec.partition_keys:
        parts = [(p.values, _data_files(p.location)) for p in spec.partitions if p.location]
    else:
        parts = [((), _data_files(spec.location))]
    selects = []
    for values, files in parts:
        if not files:
            continue
        reader = _reader(spec, files)
        partition_columns = [
            f"CAST({quote_literal(value)} AS {duckdb_type(ptype) or 'VARCHAR'}) AS {quote_identifier(pname)}"
            for (pname, ptype), value in zip(spec.partition_keys, values, strict=False)
        ]
        selects.append(f"SELECT {', '.join(_select_list(conn, spec, reader, raw) + partition_columns)} "
                       f"FROM {reader}")
    if not selects:
        empty = [f"CAST(NULL AS {duckdb_type(t) or 'VARCHAR'}) AS {quote_identifier(n)}"
                 for n, t in spec.columns + spec.partition_keys]
        return f"SELECT {', '.join(empty)} WHERE false"
    return " UNION ALL BY NAME ".join(selects)


@dataclass(frozen=True)
class TableRef:
    database: str
    name: str


def referenced_tables(tree: exp.Expression, default_database: str) -> list[tuple[exp.Table, TableRef]]:
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    refs = []
    for table in tree.find_all(exp.Table):
        if not table.name or isinstance(table.this, exp.Func):
            continue  # UNNEST(...) and other table functions
        if not table.db and table.name.lower() in cte_names:
            continue
        if table.catalog and table.catalog.lower() != "awsdatacatalog":
            # catalog.database.table: only the account's Glue catalog is served here
            raise AthenaQueryError("CATALOG_NOT_FOUND", f"Catalog '{table.catalog.lower()}' does not exist "
                                   "(local_aws serves only awsdatacatalog)")
        refs.append((table, TableRef((table.db or default_database).lower(), table.name.lower())))
    return refs


# A view that reads a view ... this deep is taken as one that reaches itself.
_MAX_VIEW_DEPTH = 32


def to_duckdb(conn: duckdb.DuckDBPyConnection, tree: exp.Expression, glue: GlueBackend,
              default_database: str, _views: tuple[str, ...] = ()) -> str:
    """The query as DuckDB SQL, every catalog table replaced by a reader of its objects, every
    view by its query (views.py), information_schema.tables / columns by the catalog's rows."""
    tree = tree.copy()
    original = tree.copy()  # column references, before tables become subqueries
    tables = []
    for table, ref in referenced_tables(tree, default_database):
        if ref.database == "information_schema":
            # Athena answers it from the Glue catalog (querying-glue-catalog pages)
            name = information_schema.install(conn, glue, ref.name)
            table.replace(exp.alias_(exp.to_table(name), table.alias or ref.name, table=True))
            continue
        view = views.lookup(glue, ref.database, ref.name)
        if view is not None:
            tables.append((table, ref, view))
            continue
        try:
            spec = table_spec(glue, ref.database, ref.name)
        except CatalogError as exc:
            if "does not exist" in str(exc):
                raise AthenaQueryError(
                    "TABLE_NOT_FOUND", f"Table 'awsdatacatalog.{ref.database}.{ref.name}' does not exist") from None
            raise AthenaQueryError("HIVE_UNSUPPORTED_FORMAT", str(exc)) from None
        tables.append((table, ref, spec))
    # Trino's operators and functions, typed with the catalog's columns (trino_functions.py)
    trino_functions.rewrite(tree, _column_types(tables), default_database)
    for table, ref, spec in tables:
        alias = table.alias or ref.name
        if isinstance(spec, views.View):
            qualified = f"{spec.database}.{spec.name}"
            if qualified in _views or len(_views) >= _MAX_VIEW_DEPTH:
                raise AthenaQueryError("VIEW_IS_RECURSIVE", f"View is recursive: 'awsdatacatalog.{qualified}'")
            inner = to_duckdb(conn, parse(spec.original_sql), glue, spec.schema, (*_views, qualified))
            if len(conn.sql(inner).columns) != len(spec.columns):  # bound, not run
                # Trino: the view's query no longer gives the columns it was created with
                raise AthenaQueryError("VIEW_IS_STALE", f"View 'awsdatacatalog.{qualified}' is stale or in "
                                       "invalid state: its query's columns changed; CREATE OR REPLACE it")
            names = ", ".join(quote_identifier(n) for n, _ in spec.columns)
            subquery = sqlglot.parse_one(f"(SELECT * FROM ({inner}) AS _view({names}))", read="duckdb")
        else:
            if spec.format == "opencsv":
                check_opencsv_fields(conn, spec, columns_read(original, alias, spec))
            subquery = sqlglot.parse_one(f"({table_sql(conn, spec)})", read="duckdb")
        table.replace(exp.alias_(subquery, alias, table=True))
    _name_unnamed_columns(tree)
    sql = tree.sql(dialect="duckdb")
    trino_macros.install(conn, sql)
    return sql


def _column_types(tables: list[tuple[exp.Table, TableRef, TableSpec]]) -> dict:
    """{database: {table: {column: DuckDB type}}} of the query's catalog tables, for sqlglot."""
    schema: dict = {}
    for _, ref, spec in tables:
        columns = schema.setdefault(ref.database, {}).setdefault(ref.name, {})
        for name, gtype in spec.columns + spec.partition_keys:
            columns[name.lower()] = duckdb_type(gtype) or "UNKNOWN"
    return schema


def columns_read(tree: exp.Expression, alias: str, spec: TableSpec) -> list[tuple[str, str]]:
    """The table's columns a query may read: those it names (unqualified, or qualified by this
    table's alias) and all of them under a SELECT * or alias.*. A name another table of the
    query also has counts for both: on the strict side."""
    alias = alias.lower()
    for star in tree.find_all(exp.Star):
        parent = star.parent
        if isinstance(parent, exp.Select) or (
                isinstance(parent, exp.Column) and parent.table.lower() == alias):
            return list(spec.columns)
    names = {c.name.lower() for c in tree.find_all(exp.Column)
             if not c.table or c.table.lower() == alias}
    return [(n, t) for n, t in spec.columns if n.lower() in names]


def check_opencsv_fields(conn: duckdb.DuckDBPyConnection, spec: TableSpec,
                         columns: list[tuple[str, str]]) -> None:
    """Fail as Athena does when a field the query reads does not parse as its column's type
    (opencsv_types.py: the rules and where AWS documents them)."""
    for name, gtype in columns:
        if not opencsv_types.is_supported(gtype):
            raise AthenaQueryError(
                "NOT_SUPPORTED", f"local_aws does not read OpenCSVSerde column {name} of type "
                f"{gtype} (table {spec.database}.{spec.name}): Athena documents BOOLEAN, BIGINT, "
                "INT, DOUBLE, TIMESTAMP, DATE and STRING for this SerDe")
    typed = [(n, t) for n, t in columns if not opencsv_types.is_string(t)]
    if not typed or opencsv_types.uses_null_for_invalid_data(spec.parameters):
        return
    position = {n: i + 1 for i, (n, _) in enumerate(spec.columns)}
    bad = " ".join(f"WHEN {quote_identifier(n)} IS NOT NULL AND NOT {opencsv_types.valid(quote_identifier(n), t)} "
                   f"THEN {quote_literal(n)}" for n, t in typed)
    fields = ", ".join(quote_identifier(n) for n, _ in typed)
    row = conn.execute(f"SELECT * FROM (SELECT CASE {bad} END AS bad_column, {fields} "
                       f"FROM ({table_sql(conn, spec, raw=True)})) WHERE bad_column IS NOT NULL "
                       "LIMIT 1").fetchone()
    if row is None:
        return
    name = row[0]
    value = row[1 + [n for n, _ in typed].index(name)]
    gtype = dict(typed)[name]
    raise AthenaQueryError(
        "HIVE_BAD_DATA", f"Error parsing field value '{value}' for field {position[name] - 1}: "
        f"column {name} of {spec.database}.{spec.name} is {gtype}, and the Open CSV SerDe "
        "does not read this value as one (use.null.for.invalid.data is not set)")


def _name_unnamed_columns(tree: exp.Expression) -> None:
    """Trino names a result column that is neither a column reference nor aliased _col<position>
    (SELECT count(*), x -> _col0, x); DuckDB would name it after the expression (count_star())."""
    select = tree
    while isinstance(select, exp.SetOperation):  # a UNION's columns are named by its first SELECT
        select = select.this
    if not isinstance(select, exp.Select):
        return
    for position, projection in enumerate(select.expressions):
        if not isinstance(projection, (exp.Alias, exp.Column, exp.Star)):
            projection.replace(exp.alias_(projection.copy(), f"_col{position}", quoted=True))


def bind_parameters(tree: exp.Expression, parameters: list[str] | None) -> None:
    """ExecutionParameters fill the ? placeholders in order; each is an SQL literal ('NY', 42)."""
    placeholders = list(tree.find_all(exp.Placeholder))
    parameters = parameters or []
    if len(placeholders) != len(parameters):
        raise AthenaQueryError("INVALID_PARAMETER_USAGE",
                               f"the query has {len(placeholders)} parameter(s) but {len(parameters)} were given")
    for placeholder, value in zip(placeholders, parameters, strict=False):
        placeholder.replace(sqlglot.parse_one(_typed_decimal_literals(value), read=_DIALECT))

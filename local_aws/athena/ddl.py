"""Athena statements that change the Glue catalog or write data: DDL, MSCK REPAIR, CTAS, UNLOAD.

Catalog changes go to moto's Glue backend, so Glue's GetTables/GetDatabases see them at once.
CTAS and UNLOAD write Parquet, as Athena does by default.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from local_aws.athena.exceptions import AthenaQueryError
from local_aws.athena.sql import glue_type
from local_aws.glue import catalog as glue_catalog
from local_aws.glue.catalog import GlueBackend
from local_aws.s3 import objects as s3_data


def create_database(glue: GlueBackend, tree: exp.Create) -> None:
    name = tree.this.name.lower()
    if name in glue.databases:
        if tree.args.get("exists"):
            return
        raise AthenaQueryError("ALREADY_EXISTS", f"Database {name} already exists")
    props = {type(p).__name__: p for p in (tree.args.get("properties") or exp.Properties()).expressions}
    database_input: dict[str, Any] = {"Name": name}
    if "LocationProperty" in props:
        database_input["LocationUri"] = props["LocationProperty"].this.name
    glue.create_database(name, database_input)


def _dropped(tree: exp.Drop) -> list[exp.Table]:
    return list(tree.args.get("tables") or [])


def drop_database(glue: GlueBackend, tree: exp.Drop) -> None:
    target = _dropped(tree)[0]
    name = (target.name or target.db).lower()  # sqlglot puts a bare schema name in either slot
    if name not in glue.databases:
        if tree.args.get("exists"):
            return
        raise AthenaQueryError("SCHEMA_NOT_FOUND", f"Database {name} does not exist")
    if glue.databases[name].tables and not tree.args.get("cascade"):
        raise AthenaQueryError("SCHEMA_NOT_EMPTY", f"Database {name} is not empty (use CASCADE)")
    glue.delete_database(name)


def drop_table(glue: GlueBackend, tree: exp.Drop, default_database: str) -> None:
    """Drops the definition only: an external table's objects stay in S3, as on Athena."""
    for table in _dropped(tree):
        database = (table.db or default_database).lower()
        name = table.name.lower()
        if database in glue.databases and name in glue.databases[database].tables:
            glue.delete_table(database, name)
        elif not tree.args.get("exists"):
            raise AthenaQueryError("TABLE_NOT_FOUND", f"Table awsdatacatalog.{database}.{name} does not exist")


def create_external_table(glue: GlueBackend, tree: exp.Create, default_database: str) -> None:
    schema = tree.this
    table = schema.this
    database = (table.db or default_database).lower()
    name = table.name.lower()
    if not table.db and "." in name:  # `db.table` in one pair of backticks, as SHOW CREATE TABLE prints it
        database, name = name.split(".", 1)
    if database not in glue.databases:
        raise AthenaQueryError("SCHEMA_NOT_FOUND", f"Database {database} does not exist")
    if name in glue.databases[database].tables:
        if tree.args.get("exists"):
            return
        raise AthenaQueryError("ALREADY_EXISTS", f"Table {database}.{name} already exists")

    columns = [_column(c) for c in schema.expressions if isinstance(c, exp.ColumnDef)]
    partition_keys: list[dict[str, str]] = []
    location = None
    fmt: glue_catalog.Format = "delimited"
    serde_parameters: dict[str, str] = {"field.delim": "\x01"}
    parameters: dict[str, str] = {"EXTERNAL": "TRUE"}
    for prop in (tree.args.get("properties") or exp.Properties()).expressions:
        if isinstance(prop, exp.PartitionedByProperty):
            partition_keys = [_column(c) for c in prop.this.expressions]
        elif isinstance(prop, exp.LocationProperty):
            location = without_empty_folders(prop.this.name)
        elif isinstance(prop, exp.RowFormatSerdeProperty):
            properties = prop.args.get("serde_properties")
            serde_parameters = {p.name: p.args["value"].name for p in properties.expressions} if properties else {}
            try:
                fmt = glue_catalog.format_of(prop.this.name)
            except glue_catalog.CatalogError as exc:
                raise AthenaQueryError("HIVE_UNSUPPORTED_FORMAT", str(exc)) from None
        elif isinstance(prop, exp.RowFormatDelimitedProperty):
            fmt = "delimited"
            if prop.args.get("fields"):
                serde_parameters["field.delim"] = prop.args["fields"].name
        elif isinstance(prop, exp.FileFormatProperty):
            if "PARQUET" in prop.sql(dialect="hive").upper():
                fmt, serde_parameters = "parquet", {"serialization.format": "1"}
        elif type(prop) is exp.Property:  # TBLPROPERTIES ('key'='value'); subclasses are clauses
            parameters[prop.name] = prop.args["value"].name
    if not location:
        raise AthenaQueryError("SYNTAX_ERROR", "CREATE EXTERNAL TABLE needs a LOCATION 's3://...'")
    descriptor = glue_catalog.storage_descriptor(columns, location, fmt, serde_parameters)
    glue.create_table(database, name, {
        "Name": name, "TableType": "EXTERNAL_TABLE", "Parameters": parameters,
        "PartitionKeys": partition_keys, "StorageDescriptor": descriptor,
    })


def without_empty_folders(location: str) -> str:
    """A table LOCATION with its empty folders ('//') removed, as Athena stores it.

    https://docs.aws.amazon.com/athena/latest/ug/tables-location-format.html: a path such as
    s3://bucket/folder//folder/ is a valid S3 path, but "Athena does not allow it and changes it
    to s3://bucket/folder/folder/, removing the extra /".
    """
    scheme, sep, rest = location.partition("://")
    return f"{scheme}{sep}{re.sub(r'/{2,}', '/', rest)}" if sep else location


def _column(definition: exp.ColumnDef) -> dict[str, str]:
    """A Glue column: name, Hive type, and the COMMENT 'text' if the DDL gives one."""
    column = {"Name": definition.name.lower(), "Type": _hive_type(definition.args["kind"])}
    for constraint in definition.constraints:
        if isinstance(constraint.args.get("kind"), exp.CommentColumnConstraint):
            column["Comment"] = constraint.args["kind"].this.name
    return column


def _hive_type(kind: exp.DataType) -> str:
    return kind.sql(dialect="hive").lower().replace(" ", "")


def msck_repair(glue: GlueBackend, statement: str, default_database: str) -> int:
    """Register every key=value folder under the table's location that is not yet a partition."""
    match = re.match(r"^\s*MSCK\s+REPAIR\s+TABLE\s+([`\"\w]+)(?:\.([`\"\w]+))?\s*;?\s*$", statement, re.IGNORECASE)
    if not match:
        raise AthenaQueryError("SYNTAX_ERROR", "expected MSCK REPAIR TABLE [database.]table")
    first, second = (m.strip('`"').lower() if m else None for m in match.groups())
    database, name = (first, second) if second else (default_database, first)
    spec = glue_catalog.table_spec(glue, database, name)
    keys = [k for k, _ in spec.partition_keys]
    if not keys:
        raise AthenaQueryError("NOT_SUPPORTED", f"Table {database}.{name} is not partitioned")
    bucket, prefix = s3_data.split_uri(spec.location.rstrip("/") + "/")
    known = {p.values for p in spec.partitions}
    added = 0
    pattern = re.compile("^" + "".join(rf"{re.escape(k)}=([^/]+)/" for k in keys))
    for key in s3_data.list_keys(bucket, prefix):
        found = pattern.match(key[len(prefix):])
        if not found or found.groups() in known:
            continue
        values = found.groups()
        known.add(values)
        location = f"s3://{bucket}/{prefix}{found.group(0)}"
        table = glue_catalog.current_table_input(glue.get_table(database, name))
        descriptor = {**table["StorageDescriptor"], "Location": location}
        glue.create_partition(database, name, {"Values": list(values), "StorageDescriptor": descriptor})
        added += 1
    return added


# -- CTAS and UNLOAD -----------------------------------------------------------------------------

_UNLOAD = re.compile(r"^\s*UNLOAD\s*\((?P<query>.*)\)\s*TO\s*'(?P<target>s3://[^']+)'\s*(?:WITH\s*\((?P<with>.*)\))?\s*;?\s*$",
                     re.IGNORECASE | re.DOTALL)


def parse_unload(statement: str) -> tuple[str, str, dict[str, str]]:
    match = _UNLOAD.match(statement)
    if not match:
        raise AthenaQueryError("SYNTAX_ERROR", "expected UNLOAD (query) TO 's3://...' WITH (format = 'PARQUET')")
    options = {k.lower(): v for k, v in re.findall(r"(\w+)\s*=\s*'([^']*)'", match["with"] or "")}
    if options.get("format", "PARQUET").upper() != "PARQUET":
        raise AthenaQueryError("NOT_SUPPORTED", "local_aws writes UNLOAD output as PARQUET only")
    return match["query"], match["target"], options


# CTAS table properties (https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html):
# served; taken without effect on what a query reads (the Parquet codec); and documented but not
# served (bucketing, Iceberg tables and their maintenance, text and ORC options), refused by name.
_CTAS_SERVED = {"external_location", "format", "is_external", "table_type", "partitioned_by"}
_CTAS_CODEC = {"write_compression", "parquet_compression", "compression_level"}
# https://docs.aws.amazon.com/athena/latest/ug/compression-support-hive.html, engine version 3:
# the codecs Athena writes Parquet with (LZ4 and LZO: read only; BZIP2, DEFLATE, ZLIB: no)
_PARQUET_WRITE_CODECS = {"GZIP", "SNAPPY", "ZSTD", "NONE"}
_CTAS_NOT_SERVED = {
    "bucketed_by", "bucket_count", "partitioning", "location", "orc_compression", "field_delimiter",
    "vacuum_max_snapshot_age_seconds", "vacuum_min_snapshots_to_keep",
    "optimize_rewrite_min_data_file_size_bytes", "optimize_rewrite_max_data_file_size_bytes",
    "optimize_rewrite_data_file_threshold", "optimize_rewrite_delete_file_threshold",
}


def ctas_options(tree: exp.Create) -> dict[str, Any]:
    """The CTAS's WITH (...) properties; partitioned_by as a list of lower-case column names."""
    options: dict[str, Any] = {}
    for prop in (tree.args.get("properties") or exp.Properties()).expressions:
        if isinstance(prop, exp.FileFormatProperty):
            options["format"] = prop.this.name
        elif isinstance(prop, exp.PartitionedByProperty):
            options["partitioned_by"] = [e.name.lower() for e in prop.this.expressions]
        elif type(prop) is exp.Property:  # WITH (key = 'value')
            key = prop.name.lower()
            if key in _CTAS_NOT_SERVED:
                raise AthenaQueryError("NOT_SUPPORTED", f"local_aws does not serve the CTAS property {key}")
            if key not in _CTAS_SERVED | _CTAS_CODEC:
                raise AthenaQueryError("INVALID_TABLE_PROPERTY",
                                       f"Catalog 'awsdatacatalog' table property '{key}' does not exist")
            options[key] = prop.args["value"].name
    if options.get("format", "PARQUET").upper() != "PARQUET":
        raise AthenaQueryError("NOT_SUPPORTED", "local_aws writes CTAS tables as PARQUET only")
    for key in ("write_compression", "parquet_compression"):
        codec = options.get(key, "GZIP").upper()
        if codec not in _PARQUET_WRITE_CODECS:
            raise AthenaQueryError("NOT_SUPPORTED", f"{key} {codec}: Athena writes Parquet as "
                                   f"{', '.join(sorted(_PARQUET_WRITE_CODECS))} only (compression-support-hive.html)")
    if options.get("table_type", "HIVE").upper() != "HIVE" or options.get("is_external", "true").lower() != "true":
        raise AthenaQueryError("NOT_SUPPORTED", "local_aws writes CTAS tables as Hive external tables only "
                               "(no Iceberg)")
    return options


def check_empty(target_prefix: str) -> None:
    """A CTAS or UNLOAD target must hold no object (considerations-ctas.html: CTAS "never
    overwrites the data if the location already has data")."""
    bucket, prefix = s3_data.split_uri(target_prefix.rstrip("/") + "/")
    if s3_data.list_keys(bucket, prefix):
        raise AthenaQueryError("HIVE_PATH_ALREADY_EXISTS",
                               f"Target directory for table already exists: s3://{bucket}/{prefix}")


def write_parquet(conn: duckdb.DuckDBPyConnection, duck_sql: str, target_prefix: str,
                  query_id: str, must_be_empty: bool) -> tuple[list[tuple[str, str]], int, list[str]]:
    """Run the query and write its rows as one Parquet object under target_prefix.

    Returns (column names and DuckDB types, row count, written s3:// paths).
    """
    bucket, prefix = s3_data.split_uri(target_prefix.rstrip("/") + "/")
    if must_be_empty:
        check_empty(target_prefix)
    relation = conn.sql(duck_sql)
    columns = list(zip(relation.columns, (str(t) for t in relation.types), strict=False))
    # Trino's integer sums are bigint; DuckDB widens them to HUGEINT, which Parquet lacks.
    select = ", ".join(f'CAST("{n}" AS BIGINT) AS "{n}"' if t == "HUGEINT" else f'"{n}"' for n, t in columns)
    with tempfile.TemporaryDirectory(prefix="local-aws-parquet-") as tmp:
        path = Path(tmp) / "part.parquet"
        conn.execute(f"COPY (SELECT {select} FROM ({duck_sql})) TO '{path}' (FORMAT parquet)")
        rows = conn.execute(f"SELECT COUNT(*) FROM read_parquet('{path}')").fetchone()[0]
        key = f"{prefix}{query_id}_{uuid.uuid4().hex[:8]}_00000.parquet"
        s3_data.write(bucket, key, path.read_bytes())
    return [(n, "BIGINT" if t == "HUGEINT" else t) for n, t in columns], rows, [f"s3://{bucket}/{key}"]


def register_ctas_table(glue: GlueBackend, database: str, name: str, location: str,
                        columns: list[tuple[str, str]], partition_keys: list[tuple[str, str]] = ()) -> None:
    descriptor = glue_catalog.storage_descriptor(
        [{"Name": n.lower(), "Type": glue_type(t)} for n, t in columns], location, "parquet",
        {"serialization.format": "1"})
    glue.create_table(database, name, {
        "Name": name, "TableType": "EXTERNAL_TABLE",
        "Parameters": {"EXTERNAL": "TRUE", "has_encrypted_data": "false", "classification": "parquet"},
        "PartitionKeys": [{"Name": n.lower(), "Type": glue_type(t)} for n, t in partition_keys],
        "StorageDescriptor": descriptor,
    })

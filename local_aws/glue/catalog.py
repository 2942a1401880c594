"""The Glue Data Catalog as the data plane sees it: how to read a table, and how to write one.

Athena resolves every table through here, and CREATE EXTERNAL TABLE / CTAS / MSCK REPAIR write
through here, so Athena and Glue always agree (they share moto's Glue backend).

SerDe names are the ones Glue and Athena write:
  * LazySimpleSerDe - delimited text without quoting (Glue's choice for plain CSV)
  * OpenCSVSerde    - CSV with quoted fields (Glue's choice when values are quoted); it reads
                      every column as text, quotes and escapes honoured
  * JsonSerDe       - one JSON object per line (OpenX, as Glue's crawler writes it)
  * ParquetHiveSerDe
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from moto.glue.exceptions import EntityNotFoundException
from moto.glue.models import FakeTable, GlueBackend

LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
OPENX_JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
HIVE_JSON_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"

TEXT_INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

Format = Literal["delimited", "opencsv", "json", "parquet"]


class CatalogError(ValueError):
    pass


def current_table_input(table: FakeTable) -> dict[str, Any]:
    """The TableInput of a table's current version (moto keeps every version, keyed "1", "2", ...)."""
    return table.versions[max(table.versions, key=int)]


@dataclass(frozen=True)
class Partition:
    values: tuple[str, ...]
    location: str


@dataclass(frozen=True)
class TableSpec:
    database: str
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, Glue type)
    partition_keys: tuple[tuple[str, str], ...]
    location: str
    format: Format
    serde_parameters: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    partitions: tuple[Partition, ...] = ()

    @property
    def skip_header_lines(self) -> int:
        return int(self.parameters.get("skip.header.line.count", "0") or 0)


def table_spec(glue: GlueBackend, database: str, name: str) -> TableSpec:
    try:
        table = glue.get_table(database, name)
    except EntityNotFoundException:
        raise CatalogError(f"Table {database}.{name} does not exist") from None
    data: dict[str, Any] = current_table_input(table)
    descriptor = data.get("StorageDescriptor") or {}
    serde = descriptor.get("SerdeInfo") or {}
    location = descriptor.get("Location") or ""
    if not location.startswith("s3://"):
        raise CatalogError(f"Table {database}.{name} has no S3 location (Location={location!r})")
    return TableSpec(
        database=database,
        name=name,
        columns=tuple((c["Name"], c.get("Type", "string")) for c in descriptor.get("Columns") or []),
        partition_keys=tuple((c["Name"], c.get("Type", "string")) for c in data.get("PartitionKeys") or []),
        location=location,
        format=format_of(serde.get("SerializationLibrary") or "", descriptor.get("InputFormat") or "",
                         f"Table {database}.{name}: "),
        serde_parameters=dict(serde.get("Parameters") or {}),
        parameters=dict(data.get("Parameters") or {}),
        partitions=tuple(
            Partition(tuple(p.values), (p.partition_input.get("StorageDescriptor") or {}).get("Location", ""))
            for p in table.partitions.values()
        ),
    )


def format_of(serde: str, input_format: str = "", context: str = "") -> Format:
    """How to read objects written with this SerDe (and input format)."""
    if serde == OPEN_CSV_SERDE:
        return "opencsv"
    if serde in (OPENX_JSON_SERDE, HIVE_JSON_SERDE):
        return "json"
    if serde == PARQUET_SERDE or "parquet" in input_format.lower():
        return "parquet"
    if serde == LAZY_SIMPLE_SERDE or (not serde and input_format in ("", TEXT_INPUT_FORMAT)):
        return "delimited"
    raise CatalogError(f"{context}SerDe {serde!r} is not supported by local_aws")


def storage_descriptor(columns: list[dict[str, str]], location: str, fmt: Format,
                       serde_parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """The StorageDescriptor Glue writes for a table of this format."""
    library, input_format, output_format = {
        "delimited": (LAZY_SIMPLE_SERDE, TEXT_INPUT_FORMAT, TEXT_OUTPUT_FORMAT),
        "opencsv": (OPEN_CSV_SERDE, TEXT_INPUT_FORMAT, TEXT_OUTPUT_FORMAT),
        "json": (OPENX_JSON_SERDE, TEXT_INPUT_FORMAT, TEXT_OUTPUT_FORMAT),
        "parquet": (PARQUET_SERDE, PARQUET_INPUT_FORMAT, PARQUET_OUTPUT_FORMAT),
    }[fmt]
    return {
        "Columns": columns,
        "Location": location,
        "InputFormat": input_format,
        "OutputFormat": output_format,
        "Compressed": False,
        "NumberOfBuckets": -1,
        "SerdeInfo": {"SerializationLibrary": library, "Parameters": dict(serde_parameters or {})},
        "StoredAsSubDirectories": False,
    }


def ensure_database(glue: GlueBackend, name: str) -> None:
    if name not in glue.databases:
        glue.create_database(name, {"Name": name})


def put_table(glue: GlueBackend, database: str, table_input: dict[str, Any]) -> None:
    """Create the table, or replace its definition (a new table version) if it exists."""
    if database not in glue.databases:
        raise CatalogError(f"Database {database} does not exist")
    if table_input["Name"] in glue.databases[database].tables:
        glue.update_table(database, table_input["Name"], table_input)
    else:
        glue.create_table(database, table_input["Name"], table_input)

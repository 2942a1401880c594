"""Glue crawlers that really crawl: S3 objects in, Glue Data Catalog tables out.

moto stores crawlers but never looks at data: a crawl only advances when ListCrawls is called,
GetCrawlerMetrics, UpdateCrawler and the classifier calls are not implemented. Here StartCrawler
runs a crawl in a background thread that reads the objects under the crawler's S3 targets and
creates or updates one table per folder, the way Glue does:

- table name: the folder's name, lower-cased, other characters than [a-z0-9_] as '_', after
  the crawler's TablePrefix; objects directly under a target path form a table named after it;
- Hive-style key=value subfolders become partition keys; other subfolders become partition_0,
  partition_1, ... (why pointing a crawler one level too high adds a `partition_0` column);
- formats: CSV (plain or gzip), JSON records one per line, Parquet; column names lower-cased;
  types bigint, double, boolean, string (text dates stay string) from the first MiB of a file;
- Glue's CSV header rule: the first row is a header only if every value in it is text and at
  least one column below it is not; otherwise columns are col0, col1, ... and the header line
  stays in the data (state_abv in the real lake). A custom CsvClassifier listed on the crawler
  overrides this: ContainsHeader PRESENT / ABSENT, Header, Delimiter, QuoteSymbol.
- SerDe: the built-in CSV classifier gives LazySimpleSerDe (field.delim), which does not honour
  quotes, so a quoted comma shifts every later column in Athena (what the real lake's crawled
  JHU table suffers). OpenCSVSerde (separatorChar, quoteChar) is used when a custom CsvClassifier
  asks for it with Serde='OpenCSVSerDe', or sets a QuoteSymbol and leaves Serde to detection.
  Sources: the Glue CsvClassifier API (Serde: OpenCSVSerDe | LazySimpleSerDe | None = detect)
  and Athena's SerDe guide (LazySimpleSerDe for unquoted CSV, OpenCSVSerDe for quoted values).
- skip.header.line.count = 1 when the header row was detected or declared.
- the crawler's database is created by the crawl when it does not exist, and an S3 target Path
  may leave out "s3://" (both as the Amazon provider's example_glue system test, which runs on
  AWS, relies on: its crawler targets "<bucket>/input" and writes into a new database);
- key=value folders directly under a target path are partitions of one table named after the
  target's folder (example_glue: input/category=mixed/input.csv -> table input, partition
  category='mixed'), not a table each.
- Configuration (a JSON string): CrawlerOutput.Tables.AddOrUpdateBehavior = MergeNewColumns
  keeps an existing table's columns and their types and only appends new ones ("Preventing a
  crawler from changing an existing schema", docs.aws.amazon.com/glue/latest/dg/
  crawler-schema-changes-prevent.html); CrawlerOutput.Partitions.AddOrUpdateBehavior =
  InheritFromTable is what this crawler always does. Any other setting fails the crawl, naming
  it, rather than being ignored.

No HTTP and no crawler state here: glue/models.py runs a crawl on a worker thread
and reports its outcome as Glue does (LastCrawl, GetCrawlerMetrics).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from local_aws.glue.catalog import GlueBackend, current_table_input
from local_aws.s3 import objects as s3_data

SAMPLE_BYTES = 1 << 20  # Glue classifies from the start of each file

LAZY_SIMPLE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


class CrawlError(Exception):
    """A crawl that cannot finish; its message becomes LastCrawl.ErrorMessage."""


# --------------------------------------------------------------------------------------------
# Classification: bytes of one object -> columns, types and storage.

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")
_BOOL = {"true", "false"}
_INT64 = (-(2**63), 2**63 - 1)


def value_type(text: str) -> str | None:
    """Glue type of one CSV value; None for an empty value (it says nothing about the type)."""
    v = text.strip()
    if not v:
        return None
    if _INT.fullmatch(v) and _INT64[0] <= int(v) <= _INT64[1]:
        return "bigint"
    if _FLOAT.fullmatch(v):
        return "double"
    if v.lower() in _BOOL:
        return "boolean"
    return "string"


def merge_types(types: set[str]) -> str:
    types = types - {None}
    if not types:
        return "string"
    if len(types) == 1:
        return types.pop()
    if types <= {"bigint", "double"}:
        return "double"
    return "string"


@dataclass
class Classified:
    classification: str  # csv | json | parquet
    columns: list[tuple[str, str]]  # (name, glue type)
    serde: str
    serde_params: dict[str, str] = field(default_factory=dict)
    input_format: str = TEXT_INPUT
    output_format: str = TEXT_OUTPUT
    params: dict[str, str] = field(default_factory=dict)


def _sample_text(data: bytes) -> str:
    head = data[:SAMPLE_BYTES]
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if len(data) > SAMPLE_BYTES:  # drop the partial last line
        text = text[: text.rfind("\n") + 1] or text
    return text


def column_name(name: str) -> str:
    return name.strip().lower()


def classify_csv(data: bytes, classifier: dict[str, Any] | None = None) -> Classified:
    c = classifier or {}
    delim = c.get("Delimiter") or ","
    quote = c.get("QuoteSymbol") or '"'
    rows = list(csv.reader(io.StringIO(_sample_text(data)), delimiter=delim, quotechar=quote))
    rows = [r for r in rows if r]
    if len(rows) < 2 or max(len(r) for r in rows) < 2:
        raise CrawlError("not classified as CSV: fewer than two rows or two columns")
    width = max(len(r) for r in rows)
    first, body = rows[0], rows[1:]

    def types_of(data_rows: list[list[str]]) -> list[str]:
        seen: list[set] = [set() for _ in range(width)]
        for r in data_rows:
            for i, v in enumerate(r):
                seen[i].add(value_type(v))
        return [merge_types(s) for s in seen]

    body_types = types_of(body)
    wanted = c.get("ContainsHeader") or "UNKNOWN"
    if wanted == "PRESENT":
        has_header = True
    elif wanted == "ABSENT":
        has_header = False
    else:  # the built-in rule
        has_header = (all(value_type(v) in (None, "string") for v in first)
                      and any(t != "string" for t in body_types))
    if c.get("Header"):
        names = [column_name(n) for n in c["Header"]]
    elif has_header:
        names = [column_name(n) or f"col{i}" for i, n in enumerate(first)]
        names += [f"col{i}" for i in range(len(names), width)]
    else:
        names = [f"col{i}" for i in range(width)]
    types = body_types if has_header else types_of(rows)

    serde_choice = c.get("Serde") or "None"
    use_open_csv = serde_choice == "OpenCSVSerDe" or (
        serde_choice == "None" and bool(c.get("QuoteSymbol")))
    params = {"classification": "csv", "delimiter": delim,
              "areColumnsQuoted": "true" if use_open_csv else "false",
              "columnsOrdered": "true", "typeOfData": "file"}
    if has_header:
        params["skip.header.line.count"] = "1"
    if use_open_csv:
        serde, serde_params = OPEN_CSV, {"separatorChar": delim, "quoteChar": quote}
    else:
        serde, serde_params = LAZY_SIMPLE, {"field.delim": delim}
    return Classified("csv", list(zip(names, types, strict=False)), serde, serde_params, params=params)


def classify_json(data: bytes) -> Classified:
    order: dict[str, set] = {}
    for line in _sample_text(data).splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if len(line) + 1 >= SAMPLE_BYTES:
                break
            raise CrawlError("not classified as JSON: a line is not a JSON record") from None
        if not isinstance(record, dict):
            raise CrawlError("not classified as JSON: records must be objects")
        for k, v in record.items():
            t = (None if v is None else "boolean" if isinstance(v, bool) else
                 "bigint" if isinstance(v, int) else "double" if isinstance(v, float) else
                 "string")
            order.setdefault(column_name(k), set()).add(t)
    if not order:
        raise CrawlError("not classified as JSON: no records")
    return Classified("json", [(k, merge_types(t)) for k, t in order.items()], JSON_SERDE,
                      {"paths": ",".join(order)}, params={"classification": "json",
                                                         "typeOfData": "file"})


_ARROW_TO_GLUE = {"int64": "bigint", "int32": "int", "int16": "smallint", "int8": "tinyint",
                  "double": "double", "float": "float", "bool": "boolean", "string": "string",
                  "large_string": "string", "date32[day]": "date", "binary": "binary"}


def classify_parquet(data: bytes) -> Classified:
    import pyarrow.parquet as pq

    schema = pq.read_schema(io.BytesIO(data))
    cols = []
    for f in schema:
        t = str(f.type)
        glue = _ARROW_TO_GLUE.get(t) or ("timestamp" if t.startswith("timestamp") else
                                         t.replace("decimal128", "decimal") if t.startswith("decimal") else "string")
        cols.append((column_name(f.name), glue))
    return Classified("parquet", cols, PARQUET_SERDE, {"serialization.format": "1"},
                      PARQUET_INPUT, PARQUET_OUTPUT,
                      params={"classification": "parquet", "typeOfData": "file"})


def classify(data: bytes, classifier: dict[str, Any] | None = None) -> Classified:
    compressed = data[:2] == b"\x1f\x8b"
    if compressed:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            data = f.read(SAMPLE_BYTES + 1)
    if data[:4] == b"PAR1":
        out = classify_parquet(data)
    elif _sample_text(data).lstrip()[:1] in ("{", "["):
        out = classify_json(data)
    else:
        out = classify_csv(data, classifier)
    out.params["compressionType"] = "gzip" if compressed else "none"
    return out


# --------------------------------------------------------------------------------------------
# Layout: object keys under a target -> tables and partitions.


def table_name(folder: str, prefix: str | None) -> str:
    return (prefix or "") + re.sub(r"[^a-z0-9_]", "_", folder.lower())


@dataclass
class FoundTable:
    name: str
    location: str  # s3://bucket/path/ of the table's folder
    keys: list[str] = field(default_factory=list)
    partitions: dict[tuple[str, ...], str] = field(default_factory=dict)  # values -> location
    partition_names: list[str] = field(default_factory=list)


def layout(bucket: str, prefix: str, keys: list[str], table_prefix: str | None,
           exclusions: list[str] | None = None) -> list[FoundTable]:
    import fnmatch

    base = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    tables: dict[str, FoundTable] = {}
    for key in keys:
        rel = key[len(base):]
        if any(fnmatch.fnmatch(rel, pat) for pat in exclusions or []):
            continue
        parts = rel.split("/")
        dirs = parts[:-1]
        if not dirs or "=" in dirs[0]:  # the target folder is the table (partitioned or not)
            folder = base.rstrip("/").rsplit("/", 1)[-1] or bucket
            loc, sub = f"s3://{bucket}/{base}", dirs
        else:
            folder, loc, sub = dirs[0], f"s3://{bucket}/{base}{dirs[0]}/", dirs[1:]
        t = tables.setdefault(folder, FoundTable(table_name(folder, table_prefix), loc))
        t.keys.append(key)
        if sub:
            names = [d.split("=", 1)[0] if "=" in d else f"partition_{i}"
                     for i, d in enumerate(sub)]
            values = tuple(d.split("=", 1)[1] if "=" in d else d for d in sub)
            if len(names) > len(t.partition_names):
                t.partition_names = names
            t.partitions[values] = loc + "/".join(sub) + "/"
    return sorted(tables.values(), key=lambda t: t.name)


def table_input(found: FoundTable, c: Classified, crawler: str, size: int) -> dict[str, Any]:
    params = {**c.params, "UPDATED_BY_CRAWLER": crawler, "objectCount": str(len(found.keys)),
              "sizeKey": str(size), "CrawlerSchemaDeserializerVersion": "1.0",
              "CrawlerSchemaSerializerVersion": "1.0"}
    storage = {
        "Columns": [{"Name": n, "Type": t} for n, t in c.columns],
        "Location": found.location,
        "InputFormat": c.input_format,
        "OutputFormat": c.output_format,
        "Compressed": c.params.get("compressionType") == "gzip",
        "NumberOfBuckets": -1,
        "SerdeInfo": {"SerializationLibrary": c.serde, "Parameters": dict(c.serde_params)},
        "BucketColumns": [], "SortColumns": [], "Parameters": dict(params),
        "StoredAsSubDirectories": False,
    }
    return {"Name": found.name, "StorageDescriptor": storage,
            "PartitionKeys": [{"Name": n, "Type": "string"} for n in found.partition_names],
            "TableType": "EXTERNAL_TABLE", "Parameters": params}


# --------------------------------------------------------------------------------------------
# The crawl: the crawler's S3 targets -> tables and partitions in its database.


_KNOWN_OUTPUT = {("Tables", "AddOrUpdateBehavior"): "MergeNewColumns",
                 ("Partitions", "AddOrUpdateBehavior"): "InheritFromTable"}


def _merges_new_columns(configuration: str | None) -> bool:
    """Whether the crawler's Configuration asks to add new columns only; a setting this crawler
    does not implement is an error, not a silently different catalog."""
    if not configuration:
        return False
    try:
        config = json.loads(configuration)
    except ValueError:
        raise CrawlError(f"crawler Configuration is not JSON: {configuration!r}") from None
    unknown = sorted(set(config) - {"Version", "CrawlerOutput"})
    output = config.get("CrawlerOutput") or {}
    for part, settings in output.items():
        for key, value in (settings or {}).items():
            if _KNOWN_OUTPUT.get((part, key)) != value:
                unknown.append(f"CrawlerOutput.{part}.{key}={value}")
    if unknown:
        raise CrawlError("local_aws does not implement crawler Configuration "
                         + ", ".join(map(str, unknown)))
    return (output.get("Tables") or {}).get("AddOrUpdateBehavior") == "MergeNewColumns"


def _merged_columns(current: list[dict], crawled: list[dict]) -> list[dict]:
    known = {c["Name"] for c in current}
    return [dict(c) for c in current] + [c for c in crawled if c["Name"] not in known]


def crawl(glue: GlueBackend, crawler: Any, classifier: dict[str, Any] | None) -> tuple[int, int]:
    """Crawl once; returns (tables created, tables updated). Raises CrawlError for Glue's errors.

    crawler is moto's FakeCrawler (name, database_name, targets, table_prefix,
    schema_change_policy); classifier the CsvClassifier it lists, if any.
    """
    created = updated = 0
    try:
        database = glue.get_database(crawler.database_name)
    except Exception:
        database = glue.create_database(crawler.database_name, {"Name": crawler.database_name})
    targets = (crawler.targets or {}).get("S3Targets") or []
    if not targets:
        raise CrawlError(f"crawler {crawler.name} has no S3Targets")
    policy = (crawler.schema_change_policy or {}).get("UpdateBehavior", "UPDATE_IN_DATABASE")
    merge_new_columns = _merges_new_columns(getattr(crawler, "configuration", None))
    for target in targets:
        path = target["Path"] if target["Path"].startswith("s3://") else f"s3://{target['Path']}"
        bucket, prefix = s3_data.split_uri(path)
        try:
            keys = s3_data.list_keys(bucket, prefix)
        except Exception:
            raise CrawlError(f"S3 target {target['Path']}: bucket {bucket} does not exist") from None
        for found in layout(bucket, prefix, keys, crawler.table_prefix, target.get("Exclusions")):
            first = s3_data.read(bucket, found.keys[0])
            try:
                classified = classify(first, classifier)
            except CrawlError as exc:
                raise CrawlError(f"s3://{bucket}/{found.keys[0]}: {exc}") from None
            size = sum(len(s3_data.read(bucket, k)) for k in found.keys)
            tinput = table_input(found, classified, crawler.name, size)
            if found.name in database.tables:
                current = current_table_input(database.tables[found.name])
                if merge_new_columns:
                    tinput["StorageDescriptor"]["Columns"] = _merged_columns(
                        current.get("StorageDescriptor", {}).get("Columns") or [],
                        tinput["StorageDescriptor"]["Columns"])
                same = (current.get("StorageDescriptor", {}).get("Columns")
                        == tinput["StorageDescriptor"]["Columns"]
                        and current.get("StorageDescriptor", {}).get("SerdeInfo")
                        == tinput["StorageDescriptor"]["SerdeInfo"]
                        and current.get("PartitionKeys") == tinput["PartitionKeys"])
                if not same and policy == "UPDATE_IN_DATABASE":
                    glue.update_table(crawler.database_name, found.name, tinput)
                    updated += 1
            else:
                glue.create_table(crawler.database_name, found.name, tinput)
                created += 1
            table = database.tables[found.name]
            for values, location in found.partitions.items():
                if str(list(values)) in table.partitions:
                    continue
                sd = {**tinput["StorageDescriptor"], "Location": location}
                table.create_partition({"Values": list(values), "StorageDescriptor": sd,
                                        "Parameters": dict(tinput["Parameters"])})
    return created, updated

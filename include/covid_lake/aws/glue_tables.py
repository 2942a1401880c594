"""The Glue classifier and crawler configuration the pipeline declares, and how the crawled CSV
tables are read (light: the DAG file imports it at parse time, through tasks/crawler.py)."""

from __future__ import annotations

import json
from typing import Any

# The crawler's CSV classifier fixes Glue's header problem at the source: the header is
# declared (state_abv's all-text columns would otherwise become col0, col1 with the header as
# data), and quoted fields ("Korea, South") are read by OpenCSVSerDe, not split on the comma.
CSV_CLASSIFIER = {"Delimiter": ",", "QuoteSymbol": '"', "ContainsHeader": "PRESENT",
                  "Serde": "OpenCSVSerDe"}


OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"

# Athena's Open CSV SerDe fails a query that reads an empty field of a numeric column
# (HIVE_BAD_DATA; docs.aws.amazon.com/athena/latest/ug/csv-serde.html, "Considerations for
# non-string data"), and the real files have such fields (states_daily on every row, us_county
# in 395 rows' fips, Enigma-JHU in its fips). The page's own workaround is ours: the CSV
# tables' columns are declared string after the crawl (text_table_input) and the cleaners
# parse the text, as they parse the source files, with row validation naming every value that
# is not a number. The crawler adds new columns only, so
# a later crawl keeps those types instead of reverting them ("Preventing a crawler from changing
# an existing schema", docs.aws.amazon.com/glue/latest/dg/crawler-schema-changes-prevent.html).
CRAWLER_CONFIGURATION = json.dumps({
    "Version": 1.0,
    "CrawlerOutput": {"Tables": {"AddOrUpdateBehavior": "MergeNewColumns"}},
})

# GetTable returns these TableInput fields (and read-only ones UpdateTable refuses).
_TABLE_INPUT_FIELDS = ("Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime",
                       "Retention", "StorageDescriptor", "PartitionKeys", "ViewOriginalText",
                       "ViewExpandedText", "TableType", "Parameters", "TargetTable")


def reads_as_text(table: dict[str, Any]) -> bool:
    """Whether a crawled table is an Open CSV SerDe table (whose columns the pipeline reads as text)."""
    serde = table.get("StorageDescriptor", {}).get("SerdeInfo", {})
    return serde.get("SerializationLibrary") == OPEN_CSV_SERDE


def text_table_input(table: dict[str, Any]) -> dict[str, Any] | None:
    """UpdateTable's TableInput that types every column of an Open CSV SerDe table string, from
    GetTable's Table; None when there is nothing to change (another SerDe, or done already)."""
    if not reads_as_text(table):
        return None
    columns = table["StorageDescriptor"].get("Columns", [])
    if all(c.get("Type", "").lower() == "string" for c in columns):
        return None
    table_input = {k: table[k] for k in _TABLE_INPUT_FIELDS if k in table}
    table_input["StorageDescriptor"] = {**table["StorageDescriptor"],
                                        "Columns": [{**c, "Type": "string"} for c in columns]}
    return table_input

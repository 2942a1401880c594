"""The catalog tasks: the Glue database, classifier and crawler exist; the crawled CSV tables are
read as text; the raw tables and their profile are what the pipeline reads."""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError

from covid_lake.aws import athena_io
from covid_lake.aws.glue_tables import CSV_CLASSIFIER, reads_as_text, text_table_input
from covid_lake.aws.s3_objects import create
from covid_lake.domain import raw_contract
from covid_lake.domain.datasets import DATASETS
from covid_lake.tasks.crawler import crawler_config
from covid_lake.tasks.settings import Settings

log = logging.getLogger(__name__)


def prepare_catalog(glue, settings: Settings) -> dict[str, Any]:
    """Database, classifier and crawler exist (classifier as declared); what the crawl decision
    needs. Concurrent runs of a backfill all get here: whoever creates second finds the object
    there (AlreadyExists) and goes on. The crawler's own settings are kept as declared by the
    DAG's GlueCrawlerUpdateOperator, inside the crawler pool."""
    create(glue.create_database, DatabaseInput={"Name": settings.glue_database,
                                                 "Description": "covid-lake raw zone (crawled)"})
    spec = {"Name": settings.classifier_name, **CSV_CLASSIFIER}
    if not create(glue.create_classifier, CsvClassifier=spec):
        current = glue.get_classifier(Name=settings.classifier_name)["Classifier"]
        if any(current.get("CsvClassifier", {}).get(k) != v for k, v in spec.items()):
            glue.update_classifier(CsvClassifier=spec)
    crawler_created = create(glue.create_crawler, **crawler_config(settings))
    tables = {t["Name"] for page in glue.get_paginator("get_tables").paginate(
        DatabaseName=settings.glue_database) for t in page["TableList"]}
    return {"crawler_created": crawler_created,
            "missing_tables": sorted({d.name for d in DATASETS} - tables)}


def read_csv_as_text(glue, settings: Settings) -> dict[str, list[str]]:
    """Type every column of the crawled CSV tables string (catalog.py: why), after each crawl and
    before Athena reads them. Idempotent: a table already all-string is left alone. Returns
    {dataset: the columns retyped} for the log."""
    retyped = {}
    for d in DATASETS:
        try:
            table = glue.get_table(DatabaseName=settings.glue_database, Name=d.name)["Table"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "EntityNotFoundException":
                continue  # check_raw names the missing table
            raise
        table_input = text_table_input(table)
        if table_input is None:
            continue
        glue.update_table(DatabaseName=settings.glue_database, TableInput=table_input)
        retyped[d.name] = [c["Name"] for c in table["StorageDescriptor"]["Columns"]
                           if c.get("Type", "").lower() != "string"]
        log.info("%s: columns now read as text: %s", d.name, ", ".join(retyped[d.name]))
    return retyped


def check_raw(glue, athena, settings: Settings, profile_query_id: str) -> list[dict]:
    """Fail, naming dataset and column, when a raw table is not what the pipeline reads
    (a DataError: no retries); measure the raw files' quirks (duplicate keys) against their
    limits. Returns the profile, one row per dataset, for the run's report."""
    from covid_lake.domain import quality

    for d in DATASETS:
        table = glue.get_table(DatabaseName=settings.glue_database, Name=d.name)["Table"]
        raw_contract.check_columns(d.name, table["StorageDescriptor"]["Columns"],
                                   read_as_text=reads_as_text(table))
    rows = athena_io.results_frame(athena, profile_query_id).to_dict("records")
    raw_contract.check_profile(rows)
    profile = [{k: (int(v) if k != "dataset" else v) for k, v in r.items()} for r in rows]
    found = quality.with_limits(quality.raw_findings(profile, raw_contract.keys()),
                                settings.quirk_limit)
    for line in quality.log_lines(found):
        log.info("raw quirk: %s", line)
    quality.check_limits(found)
    return profile



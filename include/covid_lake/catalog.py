"""The Glue crawler and classifier the pipeline declares (light: the DAG builds these at parse time)."""

from __future__ import annotations

from typing import Any

from covid_lake.settings import Settings

# The crawler's CSV classifier fixes Glue's header problem at the source: the header is
# declared (state_abv's all-text columns would otherwise become col0, col1 with the header as
# data), and quoted fields ("Korea, South") are read by OpenCSVSerDe, not split on the comma.
CSV_CLASSIFIER = {"Delimiter": ",", "QuoteSymbol": '"', "ContainsHeader": "PRESENT",
                  "Serde": "OpenCSVSerDe"}


def crawler_config(s: Settings) -> dict[str, Any]:
    """CreateCrawler/UpdateCrawler arguments; `s` may hold values or Jinja templates."""
    return {
        "Name": s.crawler_name,
        "Role": s.crawler_role_arn,
        "DatabaseName": s.glue_database,
        "Classifiers": [s.classifier_name],
        # The raw zone's root: one folder per dataset, so one table per dataset.
        "Targets": {"S3Targets": [{"Path": f"s3://{s.bucket}/{s.raw_prefix}/"}]},
        "SchemaChangePolicy": {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
        "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVERYTHING"},
    }

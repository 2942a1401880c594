"""The Glue crawler the pipeline declares, from the settings (light: the DAG file builds it at
parse time, with the settings as Jinja templates)."""

from __future__ import annotations

from typing import Any

from covid_lake.aws.glue_tables import CRAWLER_CONFIGURATION
from covid_lake.domain import layout
from covid_lake.tasks.settings import Settings


def crawler_config(s: Settings) -> dict[str, Any]:
    """CreateCrawler/UpdateCrawler arguments; `s` may hold values or Jinja templates."""
    return {
        "Name": s.crawler_name,
        "Role": s.crawler_role_arn,
        "DatabaseName": s.glue_database,
        "Classifiers": [s.classifier_name],
        "Targets": {"S3Targets": [{"Path": layout.uri(s.bucket, layout.raw_zone(s.raw_prefix))}]},
        "SchemaChangePolicy": {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
        "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVERYTHING"},
        "Configuration": CRAWLER_CONFIGURATION,
    }

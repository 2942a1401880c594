"""Glue's saved state: per account and region, the Data Catalog's databases, tables (current
version) and partitions, and the crawler, job and classifier definitions (not their runs, nor
tags). See core/persistence.py for the layout."""

from __future__ import annotations

import datetime as dt
import inspect
import json
from pathlib import Path
from typing import Any

from moto.glue.models import GlueBackend

from local_aws.core.persistence import atomic_write
from local_aws.glue.catalog import current_table_input
from local_aws.glue.models import glue_backends

# A crawler's and a job's definition: moto's create_* parameters, which its Fake* objects keep
# under the same names (tags live elsewhere in moto and are not kept).
_CRAWLER_FIELDS = [p for p in inspect.signature(GlueBackend.create_crawler).parameters
                   if p not in ("self", "tags")]
_JOB_FIELDS = [p for p in inspect.signature(GlueBackend.create_job).parameters
               if p not in ("self", "tags")]
_CLASSIFIER_TIMES = ("CreationTime", "LastUpdated")


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot persist {type(value).__name__}")


class GlueState:
    folder = "glue"

    def restore(self, glue_root: Path) -> dict[str, int]:
        tables = 0
        for catalog_file in sorted(glue_root.glob("*/*.json")):
            tables += self._restore_catalog(
                catalog_file.parent.name, catalog_file.stem, json.loads(catalog_file.read_text())
            )
        return {"tables": tables}

    @staticmethod
    def _restore_catalog(account: str, region: str, catalog: dict[str, Any]) -> int:
        glue = glue_backends[account][region]
        tables = 0
        for name, kinds in catalog.get("classifiers", {}).items():
            glue.classifiers.setdefault(name, {
                kind: {k: (dt.datetime.fromisoformat(v) if k in _CLASSIFIER_TIMES else v)
                       for k, v in spec.items()} for kind, spec in kinds.items()})
        for crawler in catalog.get("crawlers", []):
            if crawler["name"] not in glue.crawlers:
                glue.create_crawler(**crawler, tags={})
        for job in catalog.get("jobs", []):
            if job["name"] not in glue.jobs:
                glue.create_job(**job, tags={})
        for db in catalog["databases"]:
            if db["name"] not in glue.databases:
                glue.create_database(db["name"], db["input"])
            for table in db["tables"]:
                if table["name"] in glue.databases[db["name"]].tables:
                    continue
                glue.create_table(db["name"], table["name"], table["input"])
                for partition in table["partitions"]:
                    glue.create_partition(db["name"], table["name"], partition)
                tables += 1
        return tables

    def save(self, glue_root: Path) -> None:
        for account in list(glue_backends.keys()):
            for region in list(glue_backends[account].keys()):
                glue = glue_backends[account][region]
                catalog_file = glue_root / account / f"{region}.json"
                if not (glue.databases or glue.crawlers or glue.jobs or glue.classifiers) \
                        and not catalog_file.exists():
                    continue
                catalog = {"databases": [
                    {
                        "name": db.name,
                        "input": db.input,
                        "tables": [
                            {
                                "name": table.name,
                                "input": current_table_input(table),
                                "partitions": [p.partition_input for p in table.partitions.values()],
                            }
                            for table in list(db.tables.values())
                        ],
                    }
                    for db in list(glue.databases.values())
                ]}
                catalog["crawlers"] = [{f: getattr(c, f) for f in _CRAWLER_FIELDS}
                                       for c in list(glue.crawlers.values())]
                catalog["jobs"] = [{f: getattr(j, f) for f in _JOB_FIELDS}
                                   for j in list(glue.jobs.values())]
                catalog["classifiers"] = dict(glue.classifiers)
                data = json.dumps(catalog, indent=1, sort_keys=True, default=_json_default).encode()
                if not catalog_file.exists() or catalog_file.read_bytes() != data:
                    atomic_write(catalog_file, data)


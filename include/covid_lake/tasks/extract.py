"""The extract tasks' queries: one Athena query per extract, for a run date or everything."""

from __future__ import annotations

import datetime as dt

from covid_lake.aws import athena_io
from covid_lake.tasks.settings import Settings

EXTRACT_MARK = "-- covid_lake extract "  # first line of each query: the map index's name


def extract_queries(run_date: dt.date | None) -> list[str]:
    """The extract queries of a run (run_date None: everything), in athena_io.EXTRACTS order;
    the DAG runs them as mapped, deferrable AthenaOperator tasks, in parallel."""
    return [f"{EXTRACT_MARK}{name}\n{athena_io.render(name, run_date)}"
            for name in athena_io.EXTRACTS]


def extract(athena, settings: Settings, run_date: dt.date | None) -> dict[str, str]:
    """The same queries run one after another here (benchmarks, tools): {dataset: query id}."""
    return {name: athena_io.run_query(athena, sql, settings.glue_database,
                                      settings.athena_output, settings.athena_workgroup)
            for name, sql in zip(athena_io.EXTRACTS, extract_queries(run_date), strict=True)}



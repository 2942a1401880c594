"""Which run date a covid_lake_daily run processed, from Airflow's metadata DB.

The rule is covid_lake.tasks.run_date's, the one every task follows: the `run_date` in the run's
conf when given, else the date of its data interval start, else of its logical date, else (a
manual run with no logical date, whose tasks took "today") the day the run started, or was
due to run (run_after) if it has not started.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from covid_lake.tasks import run_date

DAILY_DAG_ID = "covid_lake_daily"


@dataclass(frozen=True)
class DailyRun:
    dag_id: str
    run_id: str
    state: str
    run_type: str
    conf: dict
    data_interval_start: dt.datetime | None
    logical_date: dt.datetime | None
    started: dt.datetime | None  # start_date, else run_after


    @property
    def run_date(self) -> dt.date:
        """RunDateError (a DataError) when the conf's run_date is not a date."""
        return run_date.resolve((self.conf or {}).get("run_date"),
                                self.data_interval_start or self.logical_date,
                                today=self.started.date() if self.started else None)


def find_run(session, dag_id: str, run_id: str) -> DailyRun | None:
    """The dag run, or None when Airflow has no such run."""
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    row = session.execute(
        select(DagRun.dag_id, DagRun.run_id, DagRun.state, DagRun.run_type, DagRun.conf,
               DagRun.data_interval_start, DagRun.logical_date, DagRun.start_date,
               DagRun.run_after)
        .where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)).first()
    if row is None:
        return None
    return DailyRun(row.dag_id, row.run_id, str(row.state), str(row.run_type), row.conf or {},
                    row.data_interval_start, row.logical_date, row.start_date or row.run_after)

"""The one rule for which date a run processes (every task asks this, never the clock).

- a `run_date` param, when given, wins: a date typed into the trigger form is what the user means;
- otherwise the run's data_interval_start date (scheduled runs and backfills: the day they cover);
- otherwise (a manual run with no logical date) today, in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from covid_lake.domain.errors import DataError


class RunDateError(DataError):
    pass


def resolve(run_date_param: Any = None, data_interval_start: dt.datetime | None = None,
            today: dt.date | None = None) -> dt.date:
    if run_date_param not in (None, ""):
        if isinstance(run_date_param, dt.datetime):
            return run_date_param.date()
        if isinstance(run_date_param, dt.date):
            return run_date_param
        try:
            return dt.date.fromisoformat(str(run_date_param).strip())
        except ValueError:
            raise RunDateError(f"param run_date={run_date_param!r} is not a date (YYYY-MM-DD)") from None
    if data_interval_start is not None:
        return data_interval_start.date()
    return today or dt.datetime.now(dt.UTC).date()


def from_context(context: dict[str, Any]) -> dt.date:
    """The run date of an Airflow task context."""
    params = context.get("params") or {}
    return resolve(params.get("run_date"), context.get("data_interval_start"))

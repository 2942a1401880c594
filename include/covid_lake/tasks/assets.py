"""The warehouse tables as Airflow Assets: covid_lake_daily updates them (its check task, once
the warehouse checks pass) and covid_lake_report is scheduled on them. Defined once so the two
DAGs cannot drift apart. Each URI names the default workgroup and database: an Asset's identity
must not change with a Variable read at parse time."""

from __future__ import annotations

from airflow.sdk import Asset

from covid_lake.domain import layout

WAREHOUSE = {t: Asset(name=f"covid_lake.{t}", uri=layout.asset_uri(t)) for t in layout.WAREHOUSE}
STAR = [WAREHOUSE[t] for t in layout.STAR]  # the five star tables (runaudit aside)


def check_event_extra(run: dict, checked: dict, checked_at: str) -> dict:
    """What an update event carries: the run date it loaded and the warehouse checks it passed
    (the report's data-quality section reads them back through inlet_events)."""
    return {"run_date": run["run_date"], "start_date": run["start_date"],
            "end_date": run["end_date"], "checks_passed": checked["checks_passed"],
            "checks_total": checked["checks_total"], "checked_at": checked_at}

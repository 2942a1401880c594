"""The "COVID warehouse" Airflow plugin: wiring only.

Registers the FastAPI app of covid_lake.warehouse_web (mounted by the API server at
/covid-warehouse) and two external views the UI shows in an iframe:

- "COVID warehouse" in the navigation: the latest report, and the read-only SQL editor;
- "Loaded and left out" on every DAG run: what a covid_lake_daily run's date loaded and left out
  (other DAGs' runs say that the view is for covid_lake_daily).

Every endpoint requires an authenticated Airflow user. The app is built here (routes only; no
I/O until a request comes in).
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from covid_lake.warehouse_web.app import URL_PREFIX, create_app

# hrefs are relative (no leading slash): the UI resolves them against its base URL.
_ROOT = URL_PREFIX.lstrip("/")


class CovidWarehousePlugin(AirflowPlugin):
    name = "covid_warehouse"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "COVID warehouse"}]
    external_views = [
        {"name": "COVID warehouse", "href": f"{_ROOT}/", "destination": "nav",
         "nav_top_level": True, "url_route": "covid-warehouse"},
        {"name": "Loaded and left out", "href": f"{_ROOT}/runs/{{DAG_ID}}/{{RUN_ID}}",
         "destination": "dag_run", "url_route": "covid-warehouse-run"},
    ]

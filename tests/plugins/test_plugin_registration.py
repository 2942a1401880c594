"""The plugins load where the local stack looks for them: `airflow plugins`, run once with the
environment `make airflow` gives its components (covid_lake_dev/local_stack.py), lists the
warehouse app with both external views, and the scheduler's preload listener."""

from __future__ import annotations

import json
import subprocess

import pytest

from covid_lake_dev.local_stack import AIRFLOW, ROOT, airflow_env


@pytest.fixture(scope="module")
def listed(tmp_path_factory) -> dict[str, dict]:
    """`airflow plugins -o json`, by plugin name."""
    env = airflow_env("http://127.0.0.1:5050", tmp_path_factory.mktemp("plugins") / "airflow")
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == str(ROOT / "plugins")
    done = subprocess.run([str(AIRFLOW), "plugins", "-o", "json"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return {p["name"]: p for p in json.loads(done.stdout[done.stdout.index("["):])}


def test_airflow_plugins_lists_the_app_and_both_views(listed):
    plugin = listed["covid_warehouse"]
    assert plugin["source"] == "$PLUGINS_FOLDER/covid_warehouse.py"
    assert [(a["url_prefix"], a["name"]) for a in plugin["fastapi_apps"]] == [
        ("/covid-warehouse", "COVID warehouse")]
    views = {v["destination"]: v for v in plugin["external_views"]}
    assert views["nav"]["name"] == "COVID warehouse"
    assert views["nav"]["href"] == "covid-warehouse/"  # relative: the UI's base URL applies
    assert views["nav"]["url_route"] == "covid-warehouse"
    assert views["dag_run"]["name"] == "Loaded and left out"
    assert views["dag_run"]["href"] == "covid-warehouse/runs/{DAG_ID}/{RUN_ID}"


def test_airflow_plugins_lists_the_scheduler_preload_listener(listed):
    """plugins/covid_lake_preload.py: its listener (what it does: tests/include/test_preload.py;
    that the scheduler runs it once and its task processes do not: tests/e2e)."""
    plugin = listed["covid_lake_preload"]
    assert plugin["source"] == "$PLUGINS_FOLDER/covid_lake_preload.py"
    assert plugin["listeners"] == ["covid_lake_preload._WarmTheScheduler"]

"""covid_lake_dev.system_tests without running a DAG: the shims the upstream DAGs import, the
result read back from Airflow's DB, the first error line and the report table."""

from __future__ import annotations

import importlib
import json
import os
import re
import sqlite3

import pytest

from covid_lake_dev.system_tests import SHIMS, runner
from covid_lake_dev.system_tests.environment import airflow_env
from covid_lake_dev.system_tests.table import render


@pytest.fixture()
def shim(monkeypatch):
    """Import a shim module the way the DAGs do (SHIMS on sys.path)."""
    monkeypatch.syspath_prepend(str(SHIMS))
    return importlib.import_module


def test_context_task_gives_a_lowercase_env_id_and_each_variable(shim, monkeypatch):
    utils = shim("system.amazon.aws.utils")
    monkeypatch.delenv("SYSTEM_TESTS_ENV_ID", raising=False)
    monkeypatch.delenv("ROLE_ARN", raising=False)
    monkeypatch.setenv("SECURITY_GROUP", "sg-123")
    fetch = utils.SystemTestContextBuilder().add_variable("ROLE_ARN").add_variable("SECURITY_GROUP").build()
    context = fetch.function()
    assert re.fullmatch(r"[a-z]{8}", context[utils.ENV_ID_KEY])
    assert context["ROLE_ARN"] == "arn:aws:iam::123456789012:role/systest"
    assert context["SECURITY_GROUP"] == "sg-123"
    assert fetch.function()[utils.ENV_ID_KEY] != context[utils.ENV_ID_KEY]  # reruns never collide


def test_dag_side_helpers_exist_with_upstream_names(shim):
    assert shim("system.amazon.aws.utils").get_role_name.function("arn:aws:iam::1:role/a/b") == "b"
    assert shim("tests_common.test_utils.watcher").watcher().operator.trigger_rule == "one_failed"
    assert shim("tests_common.test_utils.version_compat").AIRFLOW_V_3_0_PLUS is True
    assert callable(shim("tests_common.test_utils.system_tests").get_test_run(object()))


def test_connection_post_becomes_an_environment_connection(shim, monkeypatch):
    helpers = shim("tests_common.test_utils.api_client_helpers")
    monkeypatch.delenv("AIRFLOW_CONN_ABC-CONN-ID", raising=False)
    helpers.make_authenticated_rest_api_request(
        path="/api/v2/connections", method="POST",
        body={"connection_id": "abc-conn-id", "conn_type": "redshift", "host": "h", "port": 5439})
    assert json.loads(os.environ["AIRFLOW_CONN_ABC-CONN-ID"]) == {"conn_type": "redshift", "host": "h",
                                                                  "port": 5439}
    monkeypatch.delenv("AIRFLOW_CONN_ABC-CONN-ID")
    with pytest.raises(NotImplementedError):
        helpers.make_authenticated_rest_api_request(path="/api/v2/variables", method="POST", body={"x": 1})


def test_environment_reaches_local_aws_both_ways(tmp_path):
    env = airflow_env("http://127.0.0.1:9", tmp_path / "home", tmp_path / "dags")
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert json.loads(env["AIRFLOW_CONN_AWS_DEFAULT"])["extra"]["endpoint_url"] == "http://127.0.0.1:9"
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(SHIMS)
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(tmp_path / "dags")


def test_result_comes_from_the_last_run_in_the_db(tmp_path):
    db = tmp_path / "airflow.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE dag_run (id INTEGER, dag_id TEXT, run_id TEXT, state TEXT)")
        conn.execute("CREATE TABLE task_instance (dag_id TEXT, run_id TEXT, task_id TEXT, state TEXT, "
                     "start_date TEXT)")
        conn.execute("INSERT INTO dag_run VALUES (1, 'd', 'old', 'success'), (2, 'd', 'new', 'failed')")
        conn.executemany("INSERT INTO task_instance VALUES ('d', ?, ?, ?, ?)", [
            ("old", "a", "success", "1"), ("new", "a", "success", "1"), ("new", "b", "failed", "2"),
            ("new", "c", "upstream_failed", None), ("new", "watcher", "failed", "3")])
    result = runner.read_result("d", db)
    assert (result.state, result.passed, len(result.tasks)) == ("failed", 1, 4)
    assert (result.failed, result.upstream_failed) == (["b"], 1)
    assert runner.read_result("other", db).state == "not run"


def test_first_error_skips_the_watcher_and_finds_the_redshift_error_detail():
    log = (
        "airflow.sdk.exceptions.AirflowException: Failing task because one or more upstream tasks failed.\n"
        "RedshiftDataQueryFailedError: Statement 1 terminated with status FAILED. Response details: {'A': 1,\n"
        " 'B': 2,\n"
        " 'Error': 'ERROR: statement not supported: UNLOAD'\n"
    )
    assert runner.first_error(log, ["t"]) == ("RedshiftDataQueryFailedError: Statement 1 terminated with "
                                              "status FAILED. 'Error': 'ERROR: statement not supported: UNLOAD'")
    assert runner.first_error("all fine", []) == ""


def test_table_has_one_row_per_dag():
    ok = runner.Result("example_a", "success", {"x": "success", "watcher": "skipped"})
    bad = runner.Result("example_b", "failed", {"x": "failed", "y": "upstream_failed"}, "ValueError: no")
    text = render([ok, bad])
    assert "example_a  success  2/2" in text
    assert re.search(r"example_b\s+failed\s+0/2\s+x \(\+1\)\s+ValueError: no", text)

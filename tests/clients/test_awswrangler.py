"""awswrangler (AWS SDK for pandas) against local_aws: catalog browsing, Athena queries with and
without CTAS, UNLOAD, to_parquet into a Glue table, and the Redshift Data API.

awswrangler lives in a venv of its own (requirements-awswrangler.txt says why), so its calls are
made by awswrangler_driver.py under that venv's Python, and each test here checks one answer
against the page that documents it. API pages:
https://aws-sdk-pandas.readthedocs.io/en/3.17.1/api.html

Every check runs twice, each time on an emulator of its own: on the project's pinned boto3 /
botocore (the venv's), and on the newest the index serves (requirements-newest-sdk.txt; its
venv's site-packages put first on the driver's PYTHONPATH, so awswrangler imports boto3 and
botocore 1.44, which speak REST-JSON to Athena)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.clients.conftest import BUCKET, DATABASE, TABLE, WORKGROUP, client_env
from tests.support.emulator import start_emulator

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".local" / "awswrangler-venv" / "bin" / "python"
DRIVER = Path(__file__).with_name("awswrangler_driver.py")
NEWEST_SITE = sorted((ROOT / ".local" / "newest-sdk-venv").glob("lib/python*/site-packages"))
BY_STATE = [["CA", 4], ["NY", 35]]  # sum(cases) of conftest.CSV per state
CITIES = [[1, "Boston", 0.5, "2020-03-01"], [2, "Austin", 0.25, "2020-03-02"], [3, None, 0.125, "2020-03-03"]]

pytestmark = pytest.mark.skipif(not PYTHON.exists(), reason="make test builds .local/awswrangler-venv")


def botocore_pin(requirements: str) -> str:
    return re.search(r"^botocore==(\S+)$", (ROOT / requirements).read_text(), re.M)[1]


@pytest.fixture(scope="module", params=["pinned", "newest"])
def sdk(request) -> str:
    if request.param == "newest" and not NEWEST_SITE:
        pytest.skip("make test builds .local/newest-sdk-venv (requirements-newest-sdk.txt)")
    return request.param


@pytest.fixture(scope="module")
def emulator(sdk, tmp_path_factory):
    """conftest's emulator, one for each SDK's run (the driver's tables and paths are fixed names)."""
    emu = start_emulator(tmp_path_factory.mktemp(f"clients-aws-state-{sdk}"), "--sample-scale", "none",
                         "--redshift-workgroup", WORKGROUP)
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def answers(lake, sdk) -> dict:
    env = {"PATH": "/usr/bin:/bin", **client_env(lake.endpoint_url), "AWS_ENDPOINT_URL": lake.endpoint_url}
    if sdk == "newest":
        env["PYTHONPATH"] = str(NEWEST_SITE[-1])
    cfg = {"bucket": BUCKET, "database": DATABASE, "table": TABLE, "workgroup": WORKGROUP}
    done = subprocess.run([str(PYTHON), str(DRIVER), json.dumps(cfg)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    answered = json.loads(done.stdout)
    wanted = botocore_pin("requirements-newest-sdk.txt" if sdk == "newest" else "requirements-awswrangler.txt")
    assert answered["botocore"]["value"] == wanted  # the SDK this run means to test
    return answered


def value(answers: dict, name: str):
    answer = answers[name]
    assert "error" not in answer, f"{answer['error']}\n{answer['trace']}"
    return answer["value"]


def test_catalog_databases_and_tables__api_awswrangler_catalog(answers):
    assert DATABASE in value(answers, "databases")
    assert value(answers, "tables") == [TABLE]


def test_catalog_table_types_are_the_glue_columns__api_awswrangler_catalog_get_table_types(answers):
    assert value(answers, "table_types") == {"date": "date", "state": "string", "cases": "bigint"}


def test_query_columns_types_as_athena_reports_them__docs_aws_amazon_com_athena_latest_APIReference_API_ColumnInfo(answers):
    """sum() of a bigint is a bigint (https://trino.io/docs/current/functions/aggregate.html)."""
    assert value(answers, "get_query_columns_types") == {"state": "varchar", "cases": "bigint"}


def test_read_sql_query_without_ctas_reads_the_result_csv(answers):
    got = value(answers, "read_sql_query_plain")
    assert got["rows"] == BY_STATE
    assert got["dtypes"] == {"state": "string", "cases": "Int64"}


def test_read_sql_query_ctas_reads_the_manifest_files_and_drops_its_table__aws_sdk_pandas_athena_ctas(answers):
    """ctas_approach=True (the default): a temporary CTAS table, read through the query's
    DataManifestLocation (https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatistics.html),
    then dropped. An empty manifest would give an empty frame, silently."""
    got = value(answers, "read_sql_query_ctas")
    assert got["rows"] == BY_STATE
    assert got["dtypes"] == {"state": "string", "cases": "Int64"}
    assert value(answers, "tables_after_ctas") == [TABLE]


def test_read_sql_query_unload__docs_aws_amazon_com_athena_latest_ug_unload(answers):
    assert value(answers, "read_sql_query_unload")["rows"] == BY_STATE


def test_create_ctas_table_partitioned__docs_aws_amazon_com_athena_latest_ug_create_table_as(answers):
    """partitioning_info becomes CTAS's partitioned_by: one Glue partition per state, and the
    table reads back the same sums (create-table-as.html, partitioned_by)."""
    partitions, by_state = value(answers, "create_ctas_table_partitioned")
    assert partitions == [["CA"], ["NY"]]
    assert by_state["rows"] == BY_STATE


def test_named_parameters_are_formatted_by_the_client(answers):
    assert value(answers, "read_sql_query_params")["rows"] == [["NY", 10], ["NY", 25]]


def test_to_parquet_registers_a_glue_table_with_athena_types__api_awswrangler_s3_to_parquet(answers):
    assert value(answers, "to_parquet") is True
    assert value(answers, "to_parquet_table_types") == {
        "id": "bigint", "city": "string", "share": "double", "day": "date"}


def test_the_glue_table_reads_back_through_s3_and_through_athena(answers):
    assert value(answers, "read_parquet_table")["rows"] == CITIES
    via_athena = value(answers, "read_sql_table")
    assert via_athena["rows"] == CITIES
    assert via_athena["dtypes"]["id"] == "Int64" and via_athena["dtypes"]["share"] == "float64"


def test_append_adds_files_athena_counts_both(answers):
    assert value(answers, "to_parquet_append_then_count")["rows"] == [[2 * len(CITIES)]]


def test_delete_table_if_exists(answers):
    assert value(answers, "delete_table") == [True, False]


def test_data_api_redshift_read_sql_query__api_awswrangler_data_api_redshift(answers):
    got = value(answers, "redshift_read")
    assert got["rows"] == [[1, "Boston"], [2, "Austin"]]
    assert got["columns"] == ["id", "city"]


def test_data_api_unknown_workgroup_is_a_validation_exception(answers):
    """What AWS answers for a workgroup it does not have (tests/local_aws/redshift/test_redshift_data.py)."""
    error = answers["redshift_missing_workgroup"].get("error", "")
    assert error.startswith("ValidationException") and "Redshift endpoint doesn't exist in this region" in error

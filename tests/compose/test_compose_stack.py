"""docker-compose.yaml for real: the stack a user starts with `cp .env.example .env && docker
compose up`, on a real Docker engine, driven through the REST API with a token, never a CLI
inside a container. Modelled on Airflow's own quick-start test (apache/airflow
docker-tests/tests/docker_tests/test_docker_compose_quick_start.py: up, health, unpause, trigger,
wait, diagnostics on failure, down -v).

1. images (stand-ins where no registry answers), up, every service healthy;
2. covid_lake_daily for 2020-04-01 triggered and successful; the report DAG follows on the Assets;
3. a 3-day backfill (2020-04-02..04-04) through the backfills API;
4. the warehouse, read through the Data API on the published emulator port, equals what
   `make run` (covid_lake_dev.offline_run) gives for the same dates;
5. task logs are readable (the connection's key is no ordinary word the masker would hide);
6. the plugin's views answer 200 with a token and refuse without one;
7. each service restarted in turn (local-aws, the scheduler, postgres, the api-server, the
   triggerer, the dag-processor): nothing lost; then a rerun of a date changes nothing.

Minutes: `pytest -m compose` runs it alone. Timings are printed at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import boto3
import pytest

from covid_lake.aws import redshift_io
from tests.support.compose import ComposeStack, DockerEngine, env_flag
from tests.support.ports import free_port

pytestmark = pytest.mark.compose
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "compose"

DAG = "covid_lake_daily"
REPORT_DAG = "covid_lake_report"
FIRST_DAY = "2020-04-01"
BACKFILL = ["2020-04-02", "2020-04-03", "2020-04-04"]
DAYS = [FIRST_DAY, *BACKFILL]
TARGET = {"WorkgroupName": "covid-lake", "Database": "dev"}
# Per table, the rows of the tested dates: unpausing the DAG also makes its scheduled run (for
# yesterday, a date the sources do not cover), which make run has no counterpart of.
KEY_FILTER = "BETWEEN 20200401 AND 20200404"
TABLES = {
    "factcovid": f"SELECT * FROM factcovid WHERE date_key {KEY_FILTER} ORDER BY date_key, fips",
    "factcovidcounty": f"SELECT * FROM factcovidcounty WHERE date_key {KEY_FILTER} "
                       "ORDER BY date_key, fips",
    "dimdate": f"SELECT * FROM dimdate WHERE date_key {KEY_FILTER} ORDER BY date_key",
    "dimregion": "SELECT * FROM dimregion ORDER BY fips",
    "dimhospital": "SELECT * FROM dimhospital ORDER BY hospital_id",
    "runaudit": f"SELECT * FROM runaudit WHERE run_date_key {KEY_FILTER} "
                "ORDER BY run_date_key, dataset, reason",
}
PLUGIN_PAGES = ("/covid-warehouse/", "/covid-warehouse/report/latest",
                f"/covid-warehouse/runs/{DAG}/api_{FIRST_DAY}",
                "/covid-warehouse/sql?q=SELECT+count(*)+FROM+dimdate")


def warehouse(endpoint: str) -> dict[str, list[dict]]:
    client = boto3.client("redshift-data", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="offline-access-key-id",
                          aws_secret_access_key="offline-secret-access-key")
    return {t: redshift_io.query(client, sql, TARGET) for t, sql in TABLES.items()}


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """`make run START=2020-04-01 DAYS=4` (its module, with a folder and port of its own), started
    before the stack so that it runs while the images build."""
    local = tmp_path_factory.mktemp("make-run")
    proc = subprocess.Popen([sys.executable, "-m", "covid_lake_dev.offline_run", "--scale", "small",
                             "--start", FIRST_DAY, "--days", str(len(DAYS)),
                             "--local-dir", str(local), "--port", str(free_port())],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    yield proc, local
    if proc.poll() is None:
        # Ctrl-C, as a terminal sends it to make run's group: its emulator (a session of its own)
        # is stopped on the way out. A SIGKILL left it serving, orphaned, after a failed stack.
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


@pytest.fixture(scope="module")
def stack(make_run, tmp_path_factory):
    work = tmp_path_factory.mktemp("compose")
    engine = DockerEngine(work)
    # One project name: its images are reused by the next run (compose v1 builds one per
    # service), and a stack a killed run left behind is taken down first, as upstream's test does.
    stack = ComposeStack(work, project="covidlake-e2e")
    stack.write_project()
    stack.down()
    started = time.monotonic()
    try:
        stack.build_images()
        stack.up()
        yield stack
    except BaseException:
        print(stack.diagnostics(), file=sys.stderr)
        raise
    finally:
        stack.timings["whole test"] = time.monotonic() - started
        said = "compose stack timings (s): " + ", ".join(
            f"{k} {v:.0f}" for k, v in stack.timings.items())
        print("\n" + said, file=sys.stderr)
        # kept where the UI test keeps its screenshots: xdist workers' stderr is not shown
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "timings.txt").write_text(said + "\n")
        if not env_flag("COVID_LAKE_KEEP_COMPOSE"):
            stack.down()
            engine.stop()


@pytest.fixture(scope="module")
def make_run_warehouse(make_run):
    from tests.support.emulator import start_emulator

    proc, local = make_run
    output, _ = proc.communicate(timeout=1200)
    assert proc.returncode == 0, output[-5000:]
    emu = start_emulator(local / "aws", "--sample-scale", "none")
    try:
        return warehouse(emu.endpoint_url)
    finally:
        emu.stop()


@pytest.fixture(autouse=True)
def _diagnostics_on_failure(request, stack):
    yield
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        print(stack.diagnostics(), file=sys.stderr)


def test_the_stack_comes_up_healthy_from_the_env_example(stack):
    health = stack.api("GET", "/monitor/health")
    assert {k: v["status"] for k, v in health.items()} == {
        "metadatabase": "healthy", "scheduler": "healthy", "triggerer": "healthy",
        "dag_processor": "healthy"}
    with urllib.request.urlopen(f"{stack.aws_endpoint}/_local_aws/health", timeout=10) as resp:
        assert resp.status == 200
    pools = {p["name"] for p in stack.api("GET", "/pools")["pools"]}
    assert {"covid_lake_crawler", "covid_lake_redshift_load"} <= pools
    deadline = time.monotonic() + 180  # the dag-processor's first parse
    while {d["dag_id"] for d in stack.api("GET", "/dags")["dags"]} < {DAG, REPORT_DAG}:
        assert time.monotonic() < deadline, stack.api("GET", "/importErrors")
        time.sleep(3)


def test_a_run_triggered_through_the_api_succeeds_and_the_report_follows(stack):
    started = time.monotonic()
    stack.api("PATCH", f"/dags/{DAG}", {"is_paused": False})
    stack.api("PATCH", f"/dags/{REPORT_DAG}", {"is_paused": False})
    stack.api("POST", f"/dags/{DAG}/dagRuns", {"dag_run_id": f"api_{FIRST_DAY}",
                                               "logical_date": None,
                                               "conf": {"run_date": FIRST_DAY}})
    [run] = stack.wait_runs(DAG, lambda r: r["dag_run_id"] == f"api_{FIRST_DAY}", 1, timeout=900)
    stack.timings["daily run"] = time.monotonic() - started
    assert run["state"] == "success", stack.failed_tasks(DAG, run["dag_run_id"])
    # check_warehouse's outlets are the report DAG's schedule
    reports = stack.wait_runs(REPORT_DAG, lambda r: r["run_type"] == "asset_triggered", 1,
                              timeout=600)
    assert [r["state"] for r in reports] == ["success"] * len(reports)


def test_a_3_day_backfill_through_the_backfills_api(stack):
    started = time.monotonic()
    backfill = stack.api("POST", "/backfills", {
        "dag_id": DAG, "from_date": f"{BACKFILL[0]}T00:00:00Z",
        "to_date": f"{BACKFILL[-1]}T00:00:00Z", "max_active_runs": 3,
        "reprocess_behavior": "none", "run_backwards": False, "dag_run_conf": {}})
    runs = stack.wait_runs(DAG, lambda r: r["run_type"] == "backfill", len(BACKFILL), timeout=1200)
    stack.timings["3-day backfill"] = time.monotonic() - started
    assert sorted(r["data_interval_start"][:10] for r in runs) == BACKFILL
    assert {r["dag_run_id"]: r["state"] for r in runs if r["state"] != "success"} == {}
    deadline = time.monotonic() + 60
    while not stack.api("GET", f"/backfills/{backfill['id']}")["completed_at"]:
        assert time.monotonic() < deadline, "backfill not marked completed"
        time.sleep(2)


def test_the_warehouse_equals_make_run_for_the_same_dates(stack, make_run_warehouse):
    got = warehouse(stack.aws_endpoint)
    assert {t: len(r) for t, r in got.items()} == {t: len(r) for t, r in make_run_warehouse.items()}
    assert all(len(got[t]) > 0 for t in TABLES), {t: len(r) for t, r in got.items()}
    assert got == make_run_warehouse


def test_a_sql_client_reads_the_warehouse_at_the_published_port(stack):
    """docs/local-aws.md "SQL clients": temporary credentials from GetCredentials, then the Postgres protocol
    at the workgroup's port, published on localhost."""
    import psycopg2

    serverless = boto3.client("redshift-serverless", endpoint_url=stack.aws_endpoint,
                              region_name="us-east-1", aws_access_key_id="offline-access-key-id",
                              aws_secret_access_key="offline-secret-access-key")
    creds = serverless.get_credentials(workgroupName=TARGET["WorkgroupName"])
    with psycopg2.connect(host="127.0.0.1", port=stack.redshift_port, dbname="dev",
                          user=creds["dbUser"], password=creds["dbPassword"]) as conn:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM factcovid")
        assert cur.fetchall() == [(len(warehouse(stack.aws_endpoint)["factcovid"]),)]


def test_task_logs_are_readable(stack):
    """Airflow masks a connection's password wherever it occurs in a task log: the old key pair
    'local' turned the emulator's address into 'http://***-aws:5050' and ~/.local into ~/.***."""
    run_id = urllib.parse.quote(f"api_{FIRST_DAY}")
    tis = stack.api("GET", f"/dags/{DAG}/dagRuns/{run_id}/taskInstances?limit=200")
    masked = {}
    for ti in tis["task_instances"]:
        if ti["state"] != "success":
            continue
        path = (f"/api/v2/dags/{DAG}/dagRuns/{run_id}/taskInstances/{ti['task_id']}/logs/"
                f"{ti['try_number']}?full_content=true"
                + (f"&map_index={ti['map_index']}" if ti["map_index"] >= 0 else ""))
        log = stack.request("GET", path, raw=True)[1]
        assert ti["task_id"] in log or "Task" in log, log[:1000]
        masked.update({f"{ti['task_id']}[{ti['map_index']}]": line[:300]
                       for line in log.splitlines() if "***" in line})
    assert len(tis["task_instances"]) >= 30
    assert masked == {}


def test_the_scheduler_log_reports_no_error_for_a_successful_run(stack):
    """Reading a mapped task's results item by item ended in a 404 the scheduler logged as an
    error on every run ("XCom not found ... offset=9 ... 'extract'"); they are read whole now."""
    log = stack.run("logs", "--no-color", "airflow-scheduler").stdout
    assert "covid_lake_daily" in log
    assert [line for line in log.splitlines() if "XCom not found" in line][:3] == []
    # plugins/covid_lake_preload.py: the scheduler warmed once (the restarts come later), its
    # task processes not again, and the listener raised nothing
    assert log.count("covid_lake preload: ") == 1
    assert "error calling listener" not in log


def test_the_plugin_views_need_a_token(stack):
    for page in PLUGIN_PAGES:
        assert stack.status_of(page, auth=True) == 200, page
        assert stack.status_of(page, auth=False) in (401, 403), page


@pytest.mark.parametrize("service", ["local-aws", "airflow-scheduler", "postgres",
                                     "airflow-apiserver", "airflow-triggerer",
                                     "airflow-dag-processor"])
def test_a_restarted_service_loses_nothing(stack, service):
    before_runs = {r["dag_run_id"]: r["state"]
                   for r in stack.api("GET", f"/dags/{DAG}/dagRuns?limit=100")["dag_runs"]}
    before = warehouse(stack.aws_endpoint)
    stack.timings[f"restart {service}"] = stack.restart(service)
    after_runs = {r["dag_run_id"]: r["state"]
                  for r in stack.api("GET", f"/dags/{DAG}/dagRuns?limit=100")["dag_runs"]}
    assert {k: v for k, v in after_runs.items() if k in before_runs} == before_runs
    assert warehouse(stack.aws_endpoint) == before


def test_after_the_restarts_a_rerun_of_a_date_changes_nothing(stack):
    before = warehouse(stack.aws_endpoint)
    day = BACKFILL[0]
    run_id = f"rerun_{day}"
    started = time.monotonic()
    stack.api("POST", f"/dags/{DAG}/dagRuns", {"dag_run_id": run_id, "logical_date": None,
                                               "conf": {"run_date": day}})
    [run] = stack.wait_runs(DAG, lambda r: r["dag_run_id"] == run_id, 1, timeout=900)
    stack.timings["rerun"] = time.monotonic() - started
    assert run["state"] == "success", stack.failed_tasks(DAG, run_id)
    assert warehouse(stack.aws_endpoint) == before

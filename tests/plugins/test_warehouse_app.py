"""The COVID warehouse app (covid_lake/warehouse_web/app.py) through FastAPI's TestClient, on a
real local_aws emulator holding a small warehouse, real dag runs in a real (sqlite) Airflow
metadata DB, and real JWTs from Airflow's SimpleAuthManager. The AWS clients come from the
Amazon provider's hooks on aws_default, pointed at the emulator, as in the API server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from covid_lake.aws import redshift_io
from covid_lake.tasks import settings
from covid_lake.warehouse_web import pages, warehouse
from covid_lake.warehouse_web.warehouse import run_key
from tests.support.airflow_home import AirflowRunner
from tests.support.warehouse import TARGET, values, warehouse_emulator

ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "covid_lake_daily"
UI_RUN = "manual__2020-04-02"  # triggered with conf run_date
PLAIN_RUN = "manual__no_conf"  # no conf, no logical date: the day it started or was due
# (run_date_key, dataset, reason, kind, row_count, of_rows, share, limit_share)
AUDIT = [
    (20200402, "factcovid", "loaded", "loaded", 11, 11, None, None),
    (20200402, "factcovidcounty", "loaded", "loaded", 59, 59, None, None),
    (20200402, "dimdate", "loaded", "loaded", 1, 1, None, None),
    (20200402, "enigma_jhu", "cruise ship (88888/99999)", "scope", 2, 320, 0.00625, None),
    (20200402, "us_county", "county without fips (Unknown)", "quirk", 3, 120, 0.025, 0.1),
    (20200402, "states_daily", "negative count", "reject", 1, 56, 0.0179, 0.05),
    (20200403, "factcovid", "loaded", "loaded", 12, 12, None, None),  # another date
]
FACT_ROWS = 1500  # more than the editor's MAX_ROWS


emulator = pytest.fixture(warehouse_emulator, scope="module", name="emulator")


@pytest.fixture(scope="module")
def rsd(emulator):
    rsd = emulator.client("redshift-data")
    redshift_io.query(rsd, f"INSERT INTO runaudit VALUES {values(AUDIT)}", TARGET)
    redshift_io.query(rsd, "INSERT INTO factcovid (date_key, fips, confirmed) "
                      f"SELECT 20200101 + i / 60, lpad(CAST(i % 60 AS VARCHAR), 2, '0'), i "
                      f"FROM generate_series(0, {FACT_ROWS - 1}) AS g(i)", TARGET)
    return rsd


@pytest.fixture(scope="module")
def metadata_db(tmp_path_factory):
    """A migrated Airflow home with covid_lake_daily serialized and two runs triggered through
    the real CLI; the path of its sqlite DB."""
    runner = AirflowRunner(tmp_path_factory.mktemp("plugin-airflow-home"))
    dags = runner.home / "dags"
    dags.mkdir()
    (dags / "covid_lake_daily.py").symlink_to(ROOT / "dags" / "covid_lake_daily.py")
    for args in (("db", "migrate"), ("dags", "reserialize"),
                 ("dags", "trigger", DAG_ID, "-r", UI_RUN, "-c", json.dumps({"run_date": "2020-04-02"})),
                 ("dags", "trigger", DAG_ID, "-r", PLAIN_RUN)):
        done = runner.run(*args, dags_folder=dags)
        assert done.returncode == 0, (args, done.stderr[-3000:])
    return runner.home / "airflow.db"


@pytest.fixture(scope="module")
def airflow_in_process(metadata_db):
    """This process's Airflow on the test's metadata DB (as the API server is on its own): the
    app reads dag runs from it, and Airflow checks a token's revocation (revoked_token) there.
    Restored afterwards."""
    from airflow import settings as airflow_settings
    from airflow.configuration import conf

    def point_at(url: str) -> None:
        conf.set("database", "sql_alchemy_conn", url)
        airflow_settings.configure_vars()
        airflow_settings.reconfigure_orm()

    had = conf.get("database", "sql_alchemy_conn")
    point_at(f"sqlite:///{metadata_db}")
    yield
    point_at(had)


@pytest.fixture(scope="module")
def auth_manager(airflow_in_process):
    """Airflow's SimpleAuthManager, signing with a test secret (what the API server holds)."""
    from airflow.api_fastapi.app import create_auth_manager
    from airflow.configuration import conf

    had = conf.get("api_auth", "jwt_secret", fallback=None)
    conf.set("api_auth", "jwt_secret", "covid-lake-plugin-test-" + "s" * 48)
    yield create_auth_manager()
    if had is not None:
        conf.set("api_auth", "jwt_secret", had)


@pytest.fixture(scope="module")
def token(auth_manager):
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return auth_manager.generate_jwt(SimpleAuthManagerUser(username="analyst", role="viewer"))


@pytest.fixture(scope="module")
def app(emulator, rsd, auth_manager):
    from covid_lake.warehouse_web.app import create_app

    conn = json.dumps({"conn_type": "aws", "login": "local", "password": "local",
                       "extra": {"region_name": "us-east-1", "endpoint_url": emulator.endpoint_url}})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIRFLOW_CONN_AWS_DEFAULT", conn)  # the hooks read aws_default from here
        yield create_app(load_settings=lambda: settings.load(lambda key, default: default))


@pytest.fixture
def client(app, token):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as c:
        c.cookies.set("_token", token)  # the cookie the UI sets at login
        yield c


@pytest.fixture
def anonymous(app):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def _count(rsd, table: str) -> int:
    return redshift_io.query(rsd, f"SELECT count(*) AS n FROM {table}", TARGET)[0]["n"]


ENDPOINTS = [("GET", "/"), ("GET", "/report/latest"), ("GET", f"/runs/{DAG_ID}/{UI_RUN}"),
             ("GET", "/sql"), ("POST", "/sql"), ("POST", "/api/sql")]


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_anonymous_requests_are_refused(anonymous, rsd, method, path):
    before = _count(rsd, "factcovid")
    kwargs = ({"json": {"sql": "DROP TABLE factcovid"}} if path == "/api/sql"
              else {"data": {"sql": "SELECT 1"}} if method == "POST" else {})
    resp = anonymous.request(method, path, **kwargs)
    assert resp.status_code == 401, resp.text
    assert resp.json() == {"detail": "Not authenticated"}
    assert _count(rsd, "factcovid") == before


def test_a_forged_token_is_refused(anonymous):
    resp = anonymous.get("/", headers={"Authorization": "Bearer not.a.jwt"})
    assert resp.status_code == 403, resp.text
    anonymous.cookies.set("_token", "forged")
    assert anonymous.get("/sql").status_code == 403


def test_a_bearer_token_is_accepted_as_well(anonymous, token):
    resp = anonymous.get("/sql", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.text


def test_without_a_report_the_view_says_who_writes_it(client):
    home = client.get("/")
    assert home.status_code == 200
    assert pages.NO_REPORT in home.text.replace("\n", " ")
    assert "<iframe" not in home.text
    latest = client.get("/report/latest")
    assert latest.status_code == 404
    assert "No report yet" in latest.text


def test_the_latest_report_is_shown_from_s3(client, emulator, rsd):
    s3 = emulator.client("s3")
    page = "<!doctype html><html><body><svg id='chart'></svg><script>1</script></body></html>"
    s3.put_object(Bucket="covid-lake", Key="reports/latest.html", Body=page.encode(),
                  ContentType="text/html")
    try:
        home = client.get("/")
        assert home.status_code == 200
        assert 'src="report/latest"' in home.text and 'sandbox="allow-scripts"' in home.text
        latest = client.get("/report/latest")
        assert latest.status_code == 200 and latest.text == page
        csp = latest.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "connect-src" not in csp  # nothing leaves
    finally:
        s3.delete_object(Bucket="covid-lake", Key="reports/latest.html")


def test_the_run_view_lists_what_the_run_date_loaded_and_left_out(client):
    resp = client.get(f"/runs/{DAG_ID}/{UI_RUN}")
    assert resp.status_code == 200, resp.text
    text = resp.text
    assert "2020-04-02" in text and "20200402" in text
    loaded = text.split('id="loaded"')[1].split("</table>")[0]
    for table, rows in (("factcovid", 11), ("factcovidcounty", 59), ("dimdate", 1)):
        assert f"<td>{table}</td><td class=\"num\">{rows}</td>" in loaded
    left_out = text.split('id="left-out"')[1].split("</table>")[0]
    for dataset, kind, reason in [(r[1], r[3], r[2]) for r in AUDIT if r[3] != "loaded"]:
        assert f"<td>{dataset}</td><td>{kind}</td><td>{reason}</td>" in left_out
    assert "12</td>" not in loaded  # 2020-04-03's rows are another run's


def test_a_run_without_conf_or_dates_uses_the_day_it_was_due(client):
    from airflow.utils.session import create_session

    from covid_lake.warehouse_web import runs

    with create_session() as s:
        found = runs.find_run(s, DAG_ID, PLAIN_RUN)
    # Airflow 3: a manual run without a logical date has no data interval either
    assert found.conf == {} and found.data_interval_start is found.logical_date is None
    day = found.started.date()  # not started (no scheduler here): its run_after
    resp = client.get(f"/runs/{DAG_ID}/{PLAIN_RUN}")
    assert resp.status_code == 200
    assert f"{day.isoformat()} (runaudit.run_date_key = {run_key(day)})" in resp.text
    assert 'id="no-audit"' in resp.text  # nothing loaded for that date


def test_other_dags_and_unknown_runs_are_named(client):
    other = client.get("/runs/covid_lake_report/manual__x")
    assert other.status_code == 200
    assert "DAG covid_lake_report is not covid_lake_daily" in other.text
    missing = client.get(f"/runs/{DAG_ID}/no_such_run")
    assert missing.status_code == 404
    assert "No run no_such_run of covid_lake_daily" in missing.text


def test_the_sql_editor_returns_rows_up_to_its_limit(client):
    resp = client.post("/api/sql", json={"sql": "SELECT date_key, fips, confirmed FROM factcovid "
                                                "ORDER BY confirmed"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["columns"] == ["date_key", "fips", "confirmed"]
    assert body["row_count"] == len(body["rows"]) == warehouse.MAX_ROWS < FACT_ROWS
    assert body["truncated"] is True and body["message"] == f"showing first {warehouse.MAX_ROWS} rows"
    assert [r[2] for r in body["rows"][:3]] == [0, 1, 2]
    small = client.post("/api/sql", json={"sql": "SELECT kind, count(*) AS n FROM runaudit "
                                                 "GROUP BY kind ORDER BY kind"}).json()
    assert small["rows"] == [["loaded", 4], ["quirk", 1], ["reject", 1], ["scope", 1]]
    assert small["truncated"] is False
    form = client.post("/sql", data={"sql": "SELECT count(*) AS n FROM runaudit"})
    assert form.status_code == 200 and "<th>n</th>" in form.text and "<td>7</td>" in form.text


@pytest.mark.parametrize("sql, words", [
    ("DROP TABLE factcovid", "DROP TABLE"),
    ("DELETE FROM factcovid", "DELETE"),
    ("SELECT 1; DELETE FROM factcovid", "2 statements"),
    ("SELECT * INTO copy_of_facts FROM factcovid", "SELECT INTO"),
    ("", "empty input"),
])
def test_the_sql_editor_refuses_writes_and_leaves_the_tables_unchanged(client, rsd, sql, words):
    before = _count(rsd, "factcovid")
    resp = client.post("/api/sql", json={"sql": sql})
    assert resp.status_code == 400
    assert resp.json()["error"] == "refused" and words in resp.json()["message"]
    form = client.post("/sql", data={"sql": sql})  # the page shows it (and loaded fine)
    assert form.status_code == 200 and 'class="error" id="sql-message">Refused:' in form.text
    assert _count(rsd, "factcovid") == before == FACT_ROWS
    tables = redshift_io.query(rsd, "SELECT count(*) AS n FROM information_schema.tables "
                                    "WHERE table_name = 'copy_of_facts'", TARGET)
    assert tables[0]["n"] == 0


def test_a_failing_statement_shows_the_data_apis_error(client):
    resp = client.post("/api/sql", json={"sql": "SELECT no_such_column FROM factcovid"})
    assert resp.status_code == 400
    assert resp.json()["error"] == "failed"
    assert "no_such_column" in resp.json()["message"]


def test_a_statement_past_the_time_limit_is_cancelled(emulator, rsd):
    with pytest.raises(warehouse.StatementTimedOut, match="cancelled"):
        warehouse.run_select(rsd, "SELECT count(*) FROM factcovid a, factcovid b, factcovid c",
                             TARGET, timeout=0)

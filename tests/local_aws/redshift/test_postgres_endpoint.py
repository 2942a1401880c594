"""The Postgres wire protocol on every workgroup and cluster (local_aws/redshift/postgres.py), at
the address and port GetWorkgroup and DescribeClusters answer, on the warehouse the Data API
writes: psycopg2, redshift_connector (as the provider's RedshiftSQLHook uses it), psql and the
provider's SQL operators. Password authentication as Redshift's: the admin or master user's
password, or temporary credentials (API_GetCredentials, API_GetClusterCredentials)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import uuid
from pathlib import Path

import psycopg2
import pytest
import redshift_connector

from tests.local_aws.redshift.test_redshift_data import rows, run

DAGS = Path(__file__).resolve().parents[1] / "operator_dags"
PASSWORD = "Secret123!"


@pytest.fixture(scope="module")
def workgroup(emulator) -> dict:
    serverless = emulator.client("redshift-serverless")
    serverless.create_namespace(namespaceName="pg-ns", adminUsername="boss", adminUserPassword=PASSWORD)
    serverless.create_workgroup(workgroupName="pg-wg", namespaceName="pg-ns")
    return serverless.get_workgroup(workgroupName="pg-wg")["workgroup"]["endpoint"]


def _psycopg2(endpoint: dict, user: str = "boss", password: str = PASSWORD, database: str = "dev"):
    return psycopg2.connect(host=endpoint["address"], port=endpoint["port"], user=user,
                            password=password, dbname=database, connect_timeout=10)


def test_psycopg2_reads_what_the_data_api_wrote_and_back(emulator, workgroup):
    data = emulator.client("redshift-data")
    assert run(data, "CREATE TABLE seen (x INT, s VARCHAR(8), d DATE, n DECIMAL(10,2)); "
                     "INSERT INTO seen VALUES (1, 'a', '2020-04-01', 1.25)", workgroup="pg-wg")["Status"] == "FINISHED"
    conn = _psycopg2(workgroup)
    cur = conn.cursor()
    cur.execute("SELECT x, s, d, n FROM seen")
    import datetime as dt
    import decimal
    assert cur.fetchall() == [(1, "a", dt.date(2020, 4, 1), decimal.Decimal("1.25"))]
    cur.execute("INSERT INTO seen (x, s) VALUES (%s, %s)", (2, "b"))
    assert cur.rowcount == 1
    conn.commit()
    conn.close()
    assert rows(data, run(data, "SELECT x, s FROM seen ORDER BY x", workgroup="pg-wg")["Id"]) == [[1, "a"], [2, "b"]]


def test_redshift_sql_is_handled_as_the_data_api_handles_it(workgroup):
    conn = _psycopg2(workgroup)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TABLE enc (id BIGINT IDENTITY(1, 1), v VARCHAR(MAX) ENCODE ZSTD) "
                "DISTSTYLE ALL SORTKEY (id)")
    cur.execute("INSERT INTO enc (v) VALUES ('one'), ('two')")
    cur.execute("SELECT count(*), 7 / 2 FROM enc")  # INT / INT truncates on Redshift
    assert cur.fetchall() == [(2, 3)]


def test_a_rolled_back_transaction_leaves_nothing(workgroup):
    conn = _psycopg2(workgroup)
    cur = conn.cursor()
    cur.execute("CREATE TABLE IF NOT EXISTS tx (x INT)")
    conn.commit()
    cur.execute("INSERT INTO tx VALUES (1)")
    conn.rollback()
    cur.execute("SELECT count(*) FROM tx")
    assert cur.fetchall() == [(0,)]


def test_a_wrong_password_or_user_is_refused_with_28P01(workgroup):
    for user, password in (("boss", "wrong"), ("nobody", PASSWORD)):
        with pytest.raises(psycopg2.OperationalError) as refused:
            _psycopg2(workgroup, user=user, password=password)
        assert f'password authentication failed for user "{user}"' in str(refused.value)


def test_a_database_that_does_not_exist_is_refused_with_3D000(workgroup):
    """As on Redshift (and Postgres): the connection fails naming the database."""
    with pytest.raises(psycopg2.OperationalError) as refused:
        _psycopg2(workgroup, database="no_such_db")
    assert 'database "no_such_db" does not exist' in str(refused.value)


def test_a_failed_statement_names_its_error_and_the_session_goes_on(workgroup):
    conn = _psycopg2(workgroup)
    conn.autocommit = True
    cur = conn.cursor()
    with pytest.raises(psycopg2.Error) as failed:
        cur.execute("SELECT * FROM no_such_table")
    assert "no_such_table" in str(failed.value)
    cur.execute("SELECT 1")
    assert cur.fetchall() == [(1,)]


def test_temporary_credentials_of_get_credentials_log_in(emulator, workgroup):
    creds = emulator.client("redshift-serverless").get_credentials(workgroupName="pg-wg")
    conn = _psycopg2(workgroup, user=creds["dbUser"], password=creds["dbPassword"])
    cur = conn.cursor()
    cur.execute("SELECT 40 + 2")
    assert cur.fetchall() == [(42,)]


def test_several_clients_at_once(workgroup):
    results, errors = [], []

    def client(n: int) -> None:
        try:
            conn = _psycopg2(workgroup)
            cur = conn.cursor()
            for _ in range(5):
                cur.execute("SELECT %s * 2", (n,))
                results.append(cur.fetchall()[0][0])
            conn.close()
        except Exception as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(results) == sorted(n * 2 for n in range(6) for _ in range(5))


def test_tls_as_redshift_offers_it_verified_against_the_emulators_ca(emulator, workgroup, monkeypatch):
    """libpq's sslmode=verify-full with the CA as sslrootcert; redshift_connector's default (TLS,
    certificate verified) with the CA given to OpenSSL as SSL_CERT_FILE (docs/local-aws.md)."""
    ca = emulator.state_dir / "tls" / "ca.pem"
    conn = psycopg2.connect(host=workgroup["address"], port=workgroup["port"], user="boss",
                            password=PASSWORD, dbname="dev", sslmode="verify-full", sslrootcert=str(ca))
    assert conn.info.ssl_in_use
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    verified = redshift_connector.connect(host=workgroup["address"], port=workgroup["port"],
                                          user="boss", password=PASSWORD, database="dev")
    cur = verified.cursor()
    cur.execute("SELECT 'encrypted'")
    assert cur.fetchall() == (["encrypted"],)
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(redshift_connector.InterfaceError):  # an unknown CA is refused, as it must be
        redshift_connector.connect(host=workgroup["address"], port=workgroup["port"], user="boss",
                                   password=PASSWORD, database="dev")


def test_a_cluster_serves_redshift_connector_with_master_and_temporary_passwords(emulator):
    redshift = emulator.client("redshift")
    redshift.create_cluster(ClusterIdentifier="pg-cluster", NodeType="ra3.large",
                            MasterUsername="admin", MasterUserPassword="Passw0rdTest")
    [cluster] = redshift.describe_clusters(ClusterIdentifier="pg-cluster")["Clusters"]
    endpoint = cluster["Endpoint"]
    assert endpoint["Address"] == "127.0.0.1"
    conn = redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], user="admin",
                                      password="Passw0rdTest", database="dev", ssl=False)
    cur = conn.cursor()
    cur.execute("CREATE TABLE from_pg (x INT)")
    cur.execute("INSERT INTO from_pg VALUES (%s)", (5,))
    conn.commit()
    creds = redshift.get_cluster_credentials(ClusterIdentifier="pg-cluster", DbUser="analyst",
                                             DurationSeconds=900)
    temp = redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"],
                                      user=creds["DbUser"], password=creds["DbPassword"],
                                      database="dev", ssl=False)
    tcur = temp.cursor()
    tcur.execute("SELECT x FROM from_pg")
    assert tcur.fetchall() == ([5],)
    data = emulator.client("redshift-data")
    assert rows(data, run(data, "SELECT x FROM from_pg", cluster="pg-cluster")["Id"]) == [[5]]


@pytest.mark.skipif(shutil.which("psql") is None, reason="psql not installed (.ci/run installs postgresql-client)")
def test_psql_connects_and_queries(workgroup):
    done = subprocess.run(["psql", "-h", workgroup["address"], "-p", str(workgroup["port"]),
                           "-U", "boss", "-d", "dev", "-At", "-c", "SELECT 'hello from ' || 'psql'"],
                          env={**os.environ, "PGPASSWORD": PASSWORD}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "hello from psql"


def test_sql_execute_query_and_sql_to_s3_operators_on_a_redshift_connection(airflow, emulator, workgroup):
    bucket = f"sqlops-{uuid.uuid4().hex[:8]}"
    emulator.client("s3").create_bucket(Bucket=bucket)
    aws = json.dumps({"conn_type": "aws", "login": "local", "password": "local",
                      "extra": {"region_name": "us-east-1", "endpoint_url": emulator.endpoint_url}})
    redshift = json.dumps({"conn_type": "redshift", "host": workgroup["address"],
                           "port": workgroup["port"], "login": "boss", "password": PASSWORD,
                           "schema": "dev"})  # redshift_connector's defaults: TLS, verified
    done = airflow.run("dags", "test", "local_aws_sql_operators", dags_folder=DAGS,
                       AIRFLOW_CONN_AWS_DEFAULT=aws, AIRFLOW_CONN_REDSHIFT_LOCAL=redshift,
                       SQLOPS_TEST_BUCKET=bucket,
                       SSL_CERT_FILE=str(emulator.state_dir / "tls" / "ca.pem"))
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-5000:]
    assert "state=failed" not in log
    body = emulator.client("s3").get_object(Bucket=bucket, Key="pets/pets.csv")["Body"].read().decode()
    assert body.splitlines() == ["name,legs", "bird,2", "cat,4"]


def test_endpoints_come_back_after_a_restart(launch, tmp_path):
    first = launch(tmp_path / "aws", "--sample-scale", "none")
    serverless = first.client("redshift-serverless")
    serverless.create_namespace(namespaceName="back-ns", adminUsername="boss", adminUserPassword=PASSWORD)
    serverless.create_workgroup(workgroupName="back-wg", namespaceName="back-ns")
    endpoint = serverless.get_workgroup(workgroupName="back-wg")["workgroup"]["endpoint"]
    conn = _psycopg2(endpoint)
    conn.cursor().execute("CREATE TABLE kept AS SELECT 9 AS x")
    conn.commit()
    conn.close()
    assert first.stop() == 0
    second = launch(tmp_path / "aws", "--sample-scale", "none")
    endpoint = second.client("redshift-serverless").get_workgroup(workgroupName="back-wg")["workgroup"]["endpoint"]
    cur = _psycopg2(endpoint).cursor()
    cur.execute("SELECT x FROM kept")
    assert cur.fetchall() == [(9,)]
    second.stop()

"""docker-compose.yaml, validated by `docker-compose config`, and `make airflow` give the DAG the
same connection, Variables and pools. (No Docker engine runs here: the compose file is checked as
Compose itself resolves it; `make airflow`'s stack runs for real in tests/e2e.)"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from covid_lake.tasks import settings
from covid_lake_dev import local_airflow, local_stack

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-init")
SECRETS = {"_AIRFLOW_WWW_USER_PASSWORD": "not-a-real-password",
           "AIRFLOW__API_AUTH__JWT_SECRET": "not-a-real-secret"}
COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(COMPOSE is None, reason="docker-compose missing: .ci/run installs it")


def compose_config(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`docker-compose config` of the repo's compose file with `env` as its .env."""
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    shutil.copy(ROOT / "docker-compose.yaml", project)
    (project / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    return subprocess.run([COMPOSE, "config"], cwd=project, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"})


@pytest.fixture
def compose(tmp_path) -> dict:
    done = compose_config(tmp_path, SECRETS)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def _connection(value: str) -> dict:
    """A connection as Airflow reads it from AIRFLOW_CONN_*, in JSON or URI form."""
    from airflow.models.connection import Connection

    c = (Connection.from_json(value, conn_id="aws_default") if value.lstrip().startswith("{")
         else Connection(conn_id="aws_default", uri=value))
    return {"conn_type": c.conn_type, "login": c.login or None, "password": c.password or None,
            "extra": c.extra_dejson}


def _env(compose: dict, service: str) -> dict[str, str]:
    return {k: str(v) for k, v in compose["services"][service]["environment"].items()}


def test_the_services_follow_the_official_file_with_local_executor_and_local_aws(compose):
    assert set(compose["services"]) == {"postgres", "local-aws", *AIRFLOW_SERVICES}
    for service in AIRFLOW_SERVICES:
        env = _env(compose, service)
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
        assert "PYTHONPATH" not in env, "the image installs the project (pyproject.toml)"
        targets = {v.split(":")[1] for v in compose["services"][service]["volumes"]}
        assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/include",
                "/opt/airflow/local_aws"} <= targets
    assert compose["services"]["airflow-scheduler"]["build"]["context"]
    # the official image per Python version: the one the lock is made for (tests/test_project.py)
    assert "FROM apache/airflow:3.3.2-python3.11 " in (ROOT / "Dockerfile").read_text()


def test_every_published_port_is_on_localhost_only(compose):
    published = {name: s["ports"] for name, s in compose["services"].items() if s.get("ports")}
    assert set(published) == {"local-aws", "airflow-apiserver"}
    for name, ports in published.items():
        for port in ports:
            # docker-compose config prints a port either as "ip:host:container" or as a mapping
            ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert ip == "127.0.0.1", (name, port)


def test_the_airflow_services_that_call_aws_wait_for_a_healthy_emulator(compose):
    services = compose["services"]
    assert services["local-aws"]["healthcheck"]["test"]
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-triggerer"):
        assert services[name]["depends_on"]["local-aws"]["condition"] == "service_healthy", name


def test_the_emulator_serves_the_pipelines_redshift_workgroup(compose):
    # local_aws answers a workgroup it was not given as AWS does ("Redshift endpoint doesn't
    # exist"): compose must give it the settings' workgroup, as make run / make airflow do.
    from covid_lake.tasks import settings

    command = compose["services"]["local-aws"]["command"]
    given = [command[i + 1] for i, arg in enumerate(command) if arg == "--redshift-workgroup"]
    assert given == [settings.DEFAULTS["redshift_workgroup"]]


def test_secrets_come_from_env_and_nothing_starts_without_them(tmp_path):
    compose_file = (ROOT / "docker-compose.yaml").read_text()
    for name, value in SECRETS.items():
        assert value not in compose_file
        done = compose_config(tmp_path, {k: v for k, v in SECRETS.items() if k != name})
        assert done.returncode != 0 and name in done.stderr, done.stderr


def test_compose_and_make_airflow_give_the_dag_the_same_connection_and_variables(compose, tmp_path):
    ours = local_airflow.stack_env("http://127.0.0.1:5050", tmp_path, 8080, "postgresql+psycopg2://postgres@/airflow?host=/tmp")
    for service in AIRFLOW_SERVICES:
        env = _env(compose, service)
        # the one difference: the emulator's address as each stack reaches it
        assert _connection(env["AIRFLOW_CONN_AWS_DEFAULT"]) == \
            local_stack.aws_connection("http://local-aws:5050")
        assert _connection(ours["AIRFLOW_CONN_AWS_DEFAULT"]) == \
            local_stack.aws_connection("http://127.0.0.1:5050")
        # the settings each stack resolves (compose: the defaults, unless .env sets the Variable),
        # but for the folder make airflow also writes the report to (a path on this machine;
        # compose's report is in the bucket only)
        local = _settings(ours)
        assert local.report_dir == str(tmp_path / "report")
        assert _settings(env) == dataclasses.replace(local, report_dir="") == \
            settings.load(lambda k, d: d)
        assert local.env == "local_aws"


def test_task_logs_stay_readable_the_local_key_is_no_ordinary_word(compose):
    """Airflow's masker replaces the connection's password everywhere in a task log: it must not
    occur in an address, a path or a word the logs print (issue 25: 'local' did)."""
    conn = _connection(_env(compose, "airflow-scheduler")["AIRFLOW_CONN_AWS_DEFAULT"])
    everyday = ("http://local-aws:5050/covid-lake /home/airflow/.local/lib/python3.11 "
                "/opt/airflow/logs s3://covid-lake/raw covid_lake_daily local_aws " + str(ROOT))
    assert len(conn["password"]) >= 16 and conn["password"] not in everyday


def _settings(env: dict[str, str]) -> settings.Settings:
    return settings.load(lambda key, default: env.get(f"AIRFLOW_VAR_{key.upper()}", default))


def test_both_stacks_import_the_same_pools_file(compose):
    init = compose["services"]["airflow-init"]
    command = " ".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    assert "airflow pools import /opt/airflow/include/airflow_pools.json" in command
    assert local_stack.POOLS_FILE == ROOT / "include" / "airflow_pools.json"
    assert set(local_stack.pools()) == {"covid_lake_crawler", "covid_lake_redshift_load"}


def test_env_file_alone_switches_to_real_aws(tmp_path):
    aws_conn = '{"conn_type":"aws","extra":{"region_name":"eu-west-1"}}'
    done = compose_config(tmp_path, {**SECRETS, "AIRFLOW_CONN_AWS_DEFAULT": aws_conn,
                                     **settings.environment(env="aws", bucket="my-covid-lake")})
    assert done.returncode == 0, done.stderr
    env = _env(yaml.safe_load(done.stdout), "airflow-scheduler")
    assert _connection(env["AIRFLOW_CONN_AWS_DEFAULT"]) == _connection(aws_conn)
    assert (_settings(env).env, _settings(env).bucket) == ("aws", "my-covid-lake")


def test_env_example_documents_every_required_value():
    example = (ROOT / ".env.example").read_text()
    for name in SECRETS:
        assert f"\n{name}=\n" in example  # present, and empty: no default secret
    assert ".env" in (ROOT / ".gitignore").read_text().split()

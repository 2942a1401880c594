"""What every local way of running the DAG shares: the emulator process, and the connection,
Variables and pools Airflow gives the DAG.

`make run` (offline_run), `make airflow` (local_airflow) and the tests use these functions;
docker-compose.yaml declares the same values for its containers, and
tests/dev/test_local_stack.py keeps the two equal. Pools live in include/airflow_pools.json, the
file `airflow pools import` reads everywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from covid_lake.tasks import settings
from covid_lake_dev import airflow_command
from covid_lake_dev import emulator as launcher

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ROOT / ".local"
AWS_PORT = 5050  # local_aws's documented default (local_aws/server.py DEFAULT_PORT)
POOLS_FILE = ROOT / "include" / "airflow_pools.json"
AIRFLOW = Path(sys.executable).with_name("airflow")  # the venv's airflow command
# the same command for calls that end, with the collector kept off what lasts (airflow_command.py)
AIRFLOW_COMMAND = airflow_command.COMMAND


# local_aws takes any key pair. Not an ordinary word: Airflow masks a connection's password
# wherever it occurs in a task log (the pair "local" turned http://local-aws:5050 into
# http://***-aws:5050 and ~/.local into ~/.***).
ACCESS_KEY_ID = "offline-access-key-id"
SECRET_ACCESS_KEY = "offline-secret-access-key"


SESSION_FACTORY = "covid_lake.aws.sessions.SharedModelsSessionFactory"


def aws_connection(endpoint: str) -> dict:
    """aws_default for local_aws; on AWS the connection comes from .env."""
    return {"conn_type": "aws", "login": ACCESS_KEY_ID, "password": SECRET_ACCESS_KEY,
            "extra": {"region_name": "us-east-1", "endpoint_url": endpoint}}


def variables(**values: str) -> dict[str, str]:
    """Airflow Variables set through the environment: the settings Variable, naming local_aws
    and `values` (settings.py: the rest keep their defaults)."""
    return settings.environment(env="local_aws", **values)


def pools() -> dict[str, dict]:
    return json.loads(POOLS_FILE.read_text())


def airflow_env(endpoint: str, home: Path, **extra: str) -> dict[str, str]:
    """Environment for any `airflow` command of the local stack."""
    return {**os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            # the COVID warehouse views (plugins/covid_warehouse.py); compose mounts the same
            # folder at the image's default, /opt/airflow/plugins
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # one botocore model loader per process, not per hook (covid_lake/aws/sessions.py)
            "AIRFLOW__AWS__SESSION_FACTORY": SESSION_FACTORY,
            "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(aws_connection(endpoint)),
            # the report (covid_lake_report) also goes to local_dir/report
            **variables(report_dir=str(Path(home).parent / "report")),
            # `airflow standalone` starts its components as `airflow ...` from PATH.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            **extra}


def airflow_cli(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*AIRFLOW_COMMAND, *args], env=env,
                          capture_output=True, text=True)
    if check and done.returncode:
        raise SystemExit(f"airflow {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done


def prepare_airflow(env: dict[str, str]) -> None:
    """Metadata DB migrated, the DAG's pools imported (both idempotent)."""
    airflow_cli("db", "migrate", env=env)
    airflow_cli("pools", "import", str(POOLS_FILE), env=env)


def lake_state_dir(lake: Path | str, local_dir: Path = LOCAL) -> Path:
    """The emulator state of runs on a lake directory: one per directory, apart from the sample's
    (local_dir/aws), so their warehouses never mix: local_dir/aws-lake/<dir name>-<hash of its
    absolute path>."""
    path = Path(lake).expanduser().resolve()
    return Path(local_dir) / "aws-lake" / f"{path.name}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"


class Emulator:
    """local_aws through the launcher (covid_lake_dev.emulator), in its own session so that a
    Ctrl-C meant for the caller reaches it only through __exit__ (state saved, then stopped).

    Its public bucket covid19-lake holds the sample lake of `scale` (state in local_dir/aws), or,
    with `lake`, exactly that directory's files (state in lake_state_dir(lake, local_dir))."""

    def __init__(self, port: int, scale: str | None, local_dir: Path = LOCAL,
                 lake: Path | str | None = None):
        self.port, self.scale, self.local_dir = port, scale, Path(local_dir)
        self.lake = None if lake is None else Path(lake).expanduser().resolve()
        self.state_dir = (self.local_dir / "aws" if self.lake is None
                          else lake_state_dir(self.lake, self.local_dir))
        self.running: launcher.Emulator | None = None
        self.endpoint = ""
        self.lake_sync: dict = {}  # what this start did to covid19-lake (launcher.source_sync)

    @property
    def proc(self):
        return None if self.running is None else self.running.process

    def __enter__(self) -> Emulator:
        log_path = self.local_dir / "logs" / "local_aws.log"
        try:
            self.running = launcher.start(
                self.state_dir, port=self.port,
                sample_scale=None if self.lake is not None else (self.scale or "small"),
                lake_dir=self.lake, log_path=log_path,
                cache_dir=self.local_dir / "sample-lake-cache",
                # the pipeline's Redshift Serverless workgroup (settings' default)
                workgroups=[settings.DEFAULTS["redshift_workgroup"]])
        except launcher.LakeDirError as exc:
            print(f"local_aws: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(2) from None
        except launcher.EmulatorStartError as exc:
            raise SystemExit(f"local_aws did not start (port {self.port} busy? see "
                             f"{log_path}): {exc}") from None
        self.endpoint = self.running.endpoint_url
        self.lake_sync = self.running.source_sync()
        return self

    def __exit__(self, *exc) -> None:
        if self.running is not None:
            self.running.stop(timeout=60)

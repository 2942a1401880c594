"""The docker-compose stack as a user starts it, for tests/compose: a Docker engine (started here
when none runs), the base images (docker/standins/build.sh: present, pulled, or built from
Debian's packages), a copy of the project with `cp .env.example .env` and the two secrets filled
in, then compose up and health waits; REST API calls with a token; diagnostics; compose down -v.

Compose v2 (`docker compose`) is used where installed, else v1 (`docker-compose`, Debian
bookworm's 1.29, which has no `up --wait`: health is then polled here, as `--wait` does).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

from tests.support.airflow_api import AirflowAPI
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
# What a user's clone holds that the images and the compose file read.
PROJECT_FILES = ("dags", "plugins", "include", "local_aws", "covid_lake_dev", "docker",
                 "Dockerfile", "docker-compose.yaml", ".dockerignore", ".env.example", "pyproject.toml",
                 "README.md", "requirements.txt", "requirements-local-aws.txt",
                 "requirements-dev.txt", "constraints.txt")
SERVICES = ("postgres", "local-aws", "airflow-apiserver", "airflow-scheduler",
            "airflow-dag-processor", "airflow-triggerer")


class DockerEngine:
    """The engine to use: the running one, or dockerd started here (and stopped by stop())."""

    def __init__(self, log_dir: Path):
        self.started: subprocess.Popen | None = None
        if self._answers():
            return
        dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
        if not Path(dockerd).exists():
            raise RuntimeError("no Docker engine: install Debian's docker.io and docker-compose "
                               "(.ci/run does), or deselect with -m 'not compose'")
        log = open(log_dir / "dockerd.log", "w")  # noqa: SIM115 - open for the daemon's life
        # nice: the engine and its builds must not starve the rest of the suite
        self.started = subprocess.Popen(["nice", "-n", "10", dockerd], stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while not self._answers():
            if self.started.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dockerd did not start:\n"
                                   + (log_dir / "dockerd.log").read_text()[-3000:])
            time.sleep(0.5)

    @staticmethod
    def _answers() -> bool:
        return shutil.which("docker") is not None and subprocess.run(
            ["docker", "info"], capture_output=True).returncode == 0

    def stop(self) -> None:
        if self.started is not None and self.started.poll() is None:
            self.started.terminate()
            self.started.wait(60)


def compose_command() -> list[str]:
    v2 = subprocess.run(["docker", "compose", "version"], capture_output=True)
    if v2.returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise RuntimeError("neither `docker compose` nor `docker-compose` is installed")


class ComposeStack(AirflowAPI):
    """A copy of the project under `workdir`, its .env made as the README says."""

    def __init__(self, workdir: Path, project: str):
        self.dir = workdir / "covid-lake"
        self.project = project
        self.compose = [*compose_command(), "-p", project]
        self.v2 = self.compose[:2] == ["docker", "compose"]
        self.api_port, self.aws_port, self.redshift_port = free_port(), free_port(), free_port()
        # the values .env.example says to make (hex: a password starting with '-' makes no admin)
        super().__init__(f"http://127.0.0.1:{self.api_port}", "airflow", secrets.token_hex(64))
        self.aws_endpoint = f"http://127.0.0.1:{self.aws_port}"
        self.timings: dict[str, float] = {}

    # -- set-up, as the README's steps ----------------------------------------------------
    def write_project(self) -> None:
        self.dir.mkdir(parents=True)
        for name in PROJECT_FILES:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, self.dir / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(src, self.dir / name)
        env = (self.dir / ".env.example").read_text()
        fill = {"_AIRFLOW_WWW_USER_PASSWORD": self.password,
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(64),
                "AIRFLOW_API_PORT": str(self.api_port), "LOCAL_AWS_PORT": str(self.aws_port),
                "REDSHIFT_PORT": str(self.redshift_port)}
        lines = []
        for line in env.splitlines():
            name = line.split("=", 1)[0]
            lines.append(f"{name}={fill[name]}" if name in fill and not line.startswith("#")
                         else line)
        (self.dir / ".env").write_text("\n".join(lines) + "\n")

    def run(self, *args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([*self.compose, *args], cwd=self.dir, capture_output=True,
                              text=True, timeout=timeout)
        if check and done.returncode:
            raise RuntimeError(f"{' '.join(self.compose)} {' '.join(args)} failed "
                               f"({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
        return done

    def build_images(self) -> None:
        started = time.monotonic()
        done = subprocess.run([str(ROOT / "docker" / "standins" / "build.sh")],
                              capture_output=True, text=True, timeout=1800)
        if done.returncode:
            raise RuntimeError(f"docker/standins/build.sh failed:\n{done.stderr[-5000:]}")
        self.timings["base images"] = time.monotonic() - started
        started = time.monotonic()
        self.run("build", timeout=1800)
        self.timings["project images"] = time.monotonic() - started

    def up(self) -> None:
        started = time.monotonic()
        self.run("up", "-d", *(("--wait",) if self.v2 else ()), timeout=900)
        self.wait_healthy()
        self.timings["up to healthy"] = time.monotonic() - started

    # -- containers ------------------------------------------------------------------------
    def health(self, services: tuple[str, ...] = SERVICES) -> dict[str, str]:
        """Each service's health (its state where it has no health check), in two docker CLI
        calls found by the labels Compose (v1 and v2) puts on its containers. Asking `compose ps`
        per service cost 0.3 s of CPU a call under Compose v1 (a Python program): polled for six
        services every 2 s while a restart settles, that kept a core busy."""
        ids = subprocess.run(["docker", "ps", "-aq", "--filter",
                              f"label=com.docker.compose.project={self.project}"],
                             capture_output=True, text=True, check=True).stdout.split()
        found: dict[str, str] = {}
        if ids:
            # check=False: a container removed between the two calls is left out, not an error
            inspected = subprocess.run(
                ["docker", "inspect", "--format",
                 '{{index .Config.Labels "com.docker.compose.service"}}\t{{json .State}}', *ids],
                capture_output=True, text=True)
            for line in inspected.stdout.splitlines():
                service, state_json = line.split("\t", 1)
                state = json.loads(state_json)
                found[service] = (state.get("Health") or {}).get("Status") or state["Status"]
        return {s: found.get(s, "no container") for s in services}

    def wait_healthy(self, services: tuple[str, ...] = SERVICES, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while True:
            states = self.health(services)
            if all(v == "healthy" for v in states.values()):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"not healthy after {timeout:.0f} s: {states}")
            time.sleep(2)

    def restart(self, service: str) -> float:
        started = time.monotonic()
        self.run("restart", service, timeout=300)
        self.wait_healthy()
        return time.monotonic() - started

    def down(self) -> None:
        self.run("down", "-v", "--remove-orphans", timeout=300, check=False)

    def diagnostics(self, lines: int = 60) -> str:
        out = [self.run("ps", check=False).stdout]
        for service in (*SERVICES, "airflow-init"):
            logs = self.run("logs", "--no-color", f"--tail={lines}", service, check=False)
            out.append(f"===== {service}: last {lines} lines =====\n{logs.stdout}{logs.stderr}")
        return "\n".join(out)

    # -- the REST API (tests.support.airflow_api: POST /auth/token, then a Bearer token) ----
    def api(self, method: str, path: str, body: dict | None = None) -> dict:
        return self.request(method, "/api/v2" + path, body)

    def wait_runs(self, dag_id: str, pick, count: int, timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            runs = [r for r in self.api("GET", f"/dags/{dag_id}/dagRuns?limit=100")["dag_runs"]
                    if pick(r)]
            if len(runs) >= count and all(r["state"] in ("success", "failed") for r in runs):
                return runs
            if time.monotonic() > deadline:
                raise AssertionError(f"{dag_id}: runs not done after {timeout:.0f} s: "
                                     + json.dumps([(r["dag_run_id"], r["state"]) for r in runs]))
            time.sleep(3)

    def failed_tasks(self, dag_id: str, run_id: str) -> list[str]:
        quoted = urllib.parse.quote(run_id)
        tis = self.api("GET", f"/dags/{dag_id}/dagRuns/{quoted}/taskInstances?limit=200")
        return [f"{t['task_id']}[{t['map_index']}]={t['state']}" for t in tis["task_instances"]
                if t["state"] not in ("success", "skipped")]


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false")


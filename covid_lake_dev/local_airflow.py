"""What `make airflow` runs: the local Airflow stack without Docker, for a laptop.

local_aws (the offline AWS) plus `airflow standalone` (api-server, scheduler, dag-processor,
triggerer) on http://localhost:8080, sized for a small machine, with the same connection,
Variables and pools as docker-compose.yaml (local_stack.py), and like it a PostgreSQL metadata DB
(metadata_db.py). State lives in .local/: the emulator's S3, catalog and warehouse in .local/aws,
the metadata DB in .local/postgres, Airflow's home in .local/airflow, logs in .local/logs.
Prints the login once the UI answers; Ctrl-C stops all of it.

With --lake DIR (make airflow LAKE=DIR) the public bucket covid19-lake holds DIR's files (a copy of
the real lake laid out like the bucket) instead of the synthetic sample, and the emulator's state
lives in .local/aws-lake/<dir name>-<hash>/ (as for make run LAKE=DIR); the Airflow home is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from covid_lake_dev.local_stack import (
    AIRFLOW,
    AWS_PORT,
    LOCAL,
    Emulator,
    airflow_env,
    prepare_airflow,
)
from covid_lake_dev.metadata_db import MetadataDB

ADMIN = "admin"
# standalone's LocalExecutor starts `parallelism` worker processes (default 32): on a 2-core
# laptop 4 is plenty, enough for 3 concurrent runs of a backfill.
PARALLELISM = 4


def stack_env(endpoint: str, local_dir: Path, port: int, db_uri: str) -> dict[str, str]:
    home = local_dir / "airflow"
    return airflow_env(
        endpoint, home,
        AIRFLOW__CORE__PARALLELISM=str(PARALLELISM),
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__API__WORKERS="1",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://localhost:{port}/execution/",
        # Every component signs and checks task tokens with this secret: one per Airflow home.
        AIRFLOW__API_AUTH__JWT_SECRET=_secret(home / "jwt_secret"),
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{ADMIN}:admin",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(home / "passwords.json"),
        AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(local_dir / "logs" / "airflow"),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=db_uri,
    )


def _secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def admin_password(env: dict[str, str]) -> str:
    """SimpleAuthManager generates the password into its file on first start."""
    passwords = json.loads(Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).read_text())
    return passwords[ADMIN]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, stopping, timeout: float = 300) -> bool:
    """True once every component reports healthy on /api/v2/monitor/health; False if asked to
    stop first."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while not stopping():
        if proc.poll() is not None:
            raise SystemExit(f"airflow standalone exited with {proc.returncode}; see {log}")
        if time.monotonic() > deadline:
            raise SystemExit(f"Airflow not healthy after {timeout:.0f} s ({last}); see {log}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=5) as resp:
                health = json.load(resp)
            sick = [name for name, part in health.items()
                    if isinstance(part, dict) and part.get("status") != "healthy"]
            if not sick:
                return True
            last = f"not healthy yet: {', '.join(sick)}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last = str(exc)
        time.sleep(1)
    return False


def stop(proc: subprocess.Popen, timeout: float = 60) -> None:
    """Ctrl-C for standalone: SIGINT to standalone, which stops each component with a SIGTERM.
    Then whatever of its process group outlived it (a scheduler still shutting down, say) gets
    SIGTERM, then SIGKILL: nothing of the stack is left running.

    Not SIGINT to the whole group, as a terminal would send it: each component then got two
    signals at once, and Airflow 3.3.2's triggerer, its handler re-entered while it logged the
    first (triggerer_job_runner._exit_gracefully), deadlocked on structlog's write lock until
    the SIGKILL (Ctrl-C took 79 s).

    Idle LocalExecutor workers get SIGKILL once the SIGINT has had a moment: Airflow 3.3.2's
    scheduler, stopped by a signal, exits without the poison pills of LocalExecutor.end(), so it
    blocked in multiprocessing's exit handler joining them, and they outlive both signals. They
    ignore SIGINT (airflow.executors.local_executor._run_worker), and a worker forked after the
    scheduler registered its signals runs the scheduler's SIGTERM handler, which returns in a
    child process (scheduler_job_runner._exit_gracefully). Ctrl-C took 79 s: the SIGKILL after
    SIGINT's 60 s and SIGTERM's 15. An idle worker holds no task, so nothing is lost; a worker
    running a task is left to finish it."""
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        if not _group_alive(proc):
            return
        try:
            if sig == signal.SIGINT:
                os.kill(proc.pid, sig)
            else:
                os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        workers_after = time.monotonic() + IDLE_WORKERS_AFTER
        while time.monotonic() < deadline and _group_alive(proc):
            if sig == signal.SIGINT and time.monotonic() >= workers_after:
                for pid in _idle_workers(proc.pid):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)


# Seconds after the SIGINT before idle executor workers are stopped: the scheduler's own shutdown
# gets the first word.
IDLE_WORKERS_AFTER = 2.0


def _idle_workers(pgid: int) -> list[int]:
    """The group's LocalExecutor workers waiting for work: their process title says "<idle>"."""
    import psutil  # an Airflow dependency; imported here, at Ctrl-C only

    idle = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        try:
            if os.getpgid(p.info["pid"]) != pgid:
                continue
        except (ProcessLookupError, PermissionError):
            continue
        title = " ".join(p.info["cmdline"] or []).strip()
        if title.startswith("airflow worker -- LocalExecutor") and title.endswith("<idle>"):
            idle.append(p.info["pid"])
    return idle


def _group_alive(proc: subprocess.Popen) -> bool:
    proc.poll()  # reap standalone itself, or its zombie would count as alive
    try:
        os.killpg(proc.pid, 0)
        return True
    except ProcessLookupError:
        return False


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m covid_lake_dev.local_airflow", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=8080, help="Airflow UI and API (default 8080)")
    p.add_argument("--aws-port", type=int, default=AWS_PORT,
                   help=f"local_aws endpoint (default {AWS_PORT})")
    p.add_argument("--local-dir", type=Path, default=LOCAL,
                   help="state and logs (default .local/)")
    p.add_argument("--scale", choices=("small", "full", "x10"), default=None,
                   help="sample lake seeded on the emulator's first start (default small)")
    p.add_argument("--lake", type=Path, metavar="DIR", default=None,
                   help="instead of the sample: covid19-lake holds DIR's files (laid out like the "
                        "bucket), synchronised on every start; state in <local-dir>/aws-lake/")
    args = p.parse_args(argv)
    if args.lake is not None and args.scale is not None:
        p.error("--lake and --scale are alternatives (make airflow LAKE=... or SCALE=...); give one")
    if args.lake is None:
        args.scale = "small"
    local_dir = args.local_dir.resolve()
    # A busy port would otherwise make another server's health page look like ours.
    for port, flag in ((args.port, "--port"), (args.aws_port, "--aws-port")):
        if _port_in_use(port):
            raise SystemExit(f"port {port} is in use: stop what listens there, or pass "
                             f'AIRFLOW_ARGS="{flag} <free port>" to make airflow')
    log_path = local_dir / "logs" / "airflow-standalone.log"

    interrupted = False

    def on_signal(signum, frame):
        nonlocal interrupted
        interrupted = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    with contextlib.ExitStack() as stack:
        emu = stack.enter_context(Emulator(args.aws_port, args.scale, local_dir, lake=args.lake))
        source = f", covid19-lake = the files of {emu.lake}" if emu.lake is not None else ""
        print(f"== local_aws at {emu.endpoint} (state: {emu.state_dir}{source})", flush=True)
        db = stack.enter_context(MetadataDB(local_dir / "postgres"))
        print(f"== PostgreSQL (Airflow's metadata DB) in {db.data_dir}", flush=True)
        env = stack_env(emu.endpoint, local_dir, args.port, db.uri)
        print(f"== Airflow home {env['AIRFLOW_HOME']}: metadata DB migrated, pools", flush=True)
        prepare_airflow(env)
        url = f"http://localhost:{args.port}"
        with open(log_path, "ab") as log:
            proc = subprocess.Popen([str(AIRFLOW), "standalone"],
                                    env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        # Its process group holds every component and executor worker: Ctrl-C ends all of it.
        print(f"== airflow standalone (process group {proc.pid}, log: {log_path})", flush=True)
        try:
            if wait_healthy(url, proc, log_path, lambda: interrupted):
                print(f"\nAirflow is ready at {url}\n"
                      f"  login: {ADMIN} / {admin_password(env)}\n"
                      f"  DAG:   covid_lake_daily (paused until you unpause it)\n"
                      f"  AWS:   local_aws at {emu.endpoint}\n"
                      "Ctrl-C stops Airflow, PostgreSQL and local_aws.", flush=True)
            while not interrupted and proc.poll() is None:
                time.sleep(0.5)
            if not interrupted:
                raise SystemExit(f"airflow standalone exited with {proc.returncode}; see {log_path}")
        finally:
            print("\n== stopping Airflow", flush=True)
            stop(proc)
            print("== stopping PostgreSQL and local_aws (state saved)", flush=True)
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Glue's Python-shell data plane: run a job's script in a subprocess, as Glue would.

The script (Command.ScriptLocation, read from the emulator's S3) runs as

    python script.py --JOB_NAME <name> --key value ...

in an environment where a plain boto3 script reaches this emulator: AWS_ENDPOINT_URL, a region
and dummy credentials. The awsglue library is not provided; scripts parse their arguments with
argparse (parse_known_args, since Glue and Airflow add their own). stdout and stderr are kept in
the run's log folder.

No HTTP and no run state here: local_aws/services/glue starts runs and reports them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from local_aws.engines import s3_data

STDERR_TAIL = 2000  # characters of stderr kept as ErrorMessage


class ScriptError(Exception):
    """The run cannot start (no script, script not found); its message becomes ErrorMessage."""


@dataclass(frozen=True)
class Outcome:
    state: str  # SUCCEEDED | FAILED | TIMEOUT
    error_message: str | None = None


def command_line(script: Path, job_name: str, arguments: dict[str, str]) -> list[str]:
    argv = [sys.executable, str(script), "--JOB_NAME", job_name]
    for key, value in arguments.items():
        argv += [key if key.startswith("--") else f"--{key}", str(value)]
    return argv


def fetch_script(location: str | None, job_name: str, log_dir: Path) -> Path:
    """Copy the job's script from S3 into its run folder; ScriptError if it is not there."""
    if not location:
        raise ScriptError(f"job {job_name} has no Command.ScriptLocation")
    bucket, key = s3_data.split_uri(location)
    try:
        source = s3_data.read(bucket, key)
    except Exception:
        raise ScriptError(f"script {location} of job {job_name} not found in S3") from None
    log_dir.mkdir(parents=True, exist_ok=True)
    script = log_dir / Path(key).name
    script.write_bytes(source)
    return script


def run_script(script: Path, job_name: str, arguments: dict[str, str], *, endpoint_url: str,
               region: str, timeout_s: int, log_dir: Path) -> Outcome:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint_url, "AWS_DEFAULT_REGION": region,
           "AWS_REGION": region, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
           "PYTHONUNBUFFERED": "1"}
    env.pop("AWS_PROFILE", None)
    with open(log_dir / "stdout.log", "wb") as out, open(log_dir / "stderr.log", "wb") as err:
        proc = subprocess.Popen(command_line(script, job_name, arguments),
                                stdout=out, stderr=err, env=env, cwd=log_dir)
        try:
            code = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return Outcome("TIMEOUT", f"Job run timed out after {timeout_s // 60} minutes")
    if code == 0:
        return Outcome("SUCCEEDED")
    tail = (log_dir / "stderr.log").read_text(errors="replace")[-STDERR_TAIL:]
    return Outcome("FAILED", tail.strip() or f"script exited with code {code}")

"""Glue's Python-shell data plane: run a job's script in a process of its own, as Glue would.

The script (Command.ScriptLocation, read from the emulator's S3) runs as

    python script.py --JOB_NAME <name> --key value ...

in an environment where a plain boto3 script reaches this emulator: AWS_ENDPOINT_URL, a region
and dummy credentials. The process is forked from a server that has boto3 imported already
(core/script_process.py: the child is what `python -u script.py` would be; a crash ends the
child only): a new interpreter and boto3's import took ~0.25 s of every run. The awsglue library
is not provided; scripts parse their arguments with argparse (parse_known_args, since Glue and
Airflow add their own). stdout and stderr are kept in the run's log folder, and their lines are
handed to `on_lines` while the script runs (about once a second) and when it ends: the Glue
service puts them in CloudWatch Logs.

No HTTP and no run state here: glue/models.py starts runs and reports them.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from local_aws.core import script_process
from local_aws.s3 import objects as s3_data

STDERR_TAIL = 2000  # characters of stderr kept as ErrorMessage
FLUSH_SECONDS = 1.0  # how often new output lines are handed on while a script runs
# Imported once for every run: what every Python shell job has at hand
# (https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html, "Supported libraries for
# Python shell jobs"), boto3. pandas and the rest a script imports itself, as on Glue.
PRELOADED = ("boto3",)
script_process.preload(PRELOADED)

# on_lines(stream, lines): stream "output" (stdout) or "error" (stderr), complete lines
LineSink = Callable[[str, list[str]], None]


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


class _Tail:
    """The complete lines a growing file gained since the last look."""

    def __init__(self, path: Path):
        self.path, self.offset, self.partial = path, 0, b""

    def new_lines(self, final: bool) -> list[str]:
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        *lines, self.partial = (self.partial + data).split(b"\n")
        if final and self.partial:
            lines, self.partial = lines + [self.partial], b""
        return [line.decode("utf-8", errors="replace").rstrip("\r") for line in lines]


def run_script(script: Path, job_name: str, arguments: dict[str, str], *, endpoint_url: str,
               region: str, timeout_s: int, log_dir: Path, on_lines: LineSink | None = None) -> Outcome:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint_url, "AWS_DEFAULT_REGION": region,
           "AWS_REGION": region, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
           "PYTHONUNBUFFERED": "1"}
    env.pop("AWS_PROFILE", None)
    tails = {"output": _Tail(log_dir / "stdout.log"), "error": _Tail(log_dir / "stderr.log")}

    def forward(final: bool) -> None:
        for stream, tail in tails.items():
            lines = tail.new_lines(final)
            if lines and on_lines is not None:
                on_lines(stream, lines)

    deadline = time.monotonic() + timeout_s
    for name in ("stdout.log", "stderr.log"):
        (log_dir / name).write_bytes(b"")
    _, *argv = command_line(script, job_name, arguments)
    proc = script_process.start(argv[0], argv[1:], env, str(log_dir), str(log_dir / "stdout.log"),
                                str(log_dir / "stderr.log"), name=f"glue-job-{job_name}")
    while True:
        proc.join(timeout=max(0.0, min(FLUSH_SECONDS, deadline - time.monotonic())))
        if proc.exitcode is not None:
            break
        forward(final=False)
        if time.monotonic() >= deadline:
            proc.kill()
            proc.join()
            proc.close()
            forward(final=True)
            return Outcome("TIMEOUT", f"Job run timed out after {timeout_s // 60} minutes")
    code = proc.exitcode
    proc.close()
    forward(final=True)
    if code == 0:
        return Outcome("SUCCEEDED")
    tail = (log_dir / "stderr.log").read_text(errors="replace")[-STDERR_TAIL:]
    return Outcome("FAILED", tail.strip() or f"script exited with code {code}")

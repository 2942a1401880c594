"""Glue jobs that run their script: Python-shell semantics in a subprocess.

moto records StartJobRun and lets the run drift to SUCCEEDED without running anything, and has
no UpdateJob. Here StartJobRun fetches the job's Command.ScriptLocation from S3 and runs it as

    python script.py --JOB_NAME <name> --key value ...

with the job's DefaultArguments, the run's Arguments and NonOverridableArguments merged in that
order (as Glue does), in an environment where a plain boto3 script reaches this emulator:
AWS_ENDPOINT_URL, a region and dummy credentials. The awsglue library is not provided; scripts
parse their arguments with argparse (parse_known_args, since Glue and Airflow add their own).

Exit 0 -> SUCCEEDED; a non-zero exit -> FAILED with the tail of stderr as ErrorMessage; running
past the job's Timeout (minutes) -> TIMEOUT. ExecutionTime (seconds), StartedOn, CompletedOn are
real. stdout and stderr are kept in <state dir>/glue/job-runs/<job>/<run id>/.

Extension points in moto (guarded by tests/local_aws/test_glue_jobs.py::test_moto_contract):
- moto.glue.models.FakeJob.start_job_run: replaced;
- moto.glue.models.FakeJobRun: subclassed, with a state this module sets;
- moto.glue.responses.GlueResponse.update_job: added.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.glue import models as glue_models
from moto.glue.exceptions import ConcurrentRunsExceededException
from moto.glue.responses import GlueResponse

from local_aws import runtime, s3_data
from local_aws.background import OwnState, workers

STDERR_TAIL = 2000  # characters of stderr kept as ErrorMessage


class RealJobRun(OwnState, glue_models.FakeJobRun):
    """A job run whose state this module sets; moto's automatic progression is not used."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._state = "STARTING"
        self.error_message: str | None = None
        self.execution_time = 0
        self.completed_on = None
        self.log_dir: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        d = super().as_dict()
        d.update(ExecutionTime=self.execution_time, LogGroupName="/aws-glue/python-jobs",
                 GlueVersion="3.0")
        if self.completed_on is None:
            d.pop("CompletedOn", None)
        if self.error_message:
            d["ErrorMessage"] = self.error_message
        return d


def command_line(script: Path, job_name: str, arguments: dict[str, str]) -> list[str]:
    argv = [sys.executable, str(script), "--JOB_NAME", job_name]
    for key, value in arguments.items():
        argv += [key if key.startswith("--") else f"--{key}", str(value)]
    return argv


def run_job(job: glue_models.FakeJob, run: RealJobRun) -> None:
    started = time.monotonic()
    try:
        rt = runtime.current()
        location = (job.command or {}).get("ScriptLocation")
        if not location:
            raise RuntimeError(f"job {job.name} has no Command.ScriptLocation")
        bucket, key = s3_data.split_uri(location)
        try:
            source = s3_data.read(bucket, key)
        except Exception:
            raise RuntimeError(f"script {location} of job {job.name} not found in S3") from None
        run.log_dir = rt.state_dir / "glue" / "job-runs" / job.name / run.job_run_id
        run.log_dir.mkdir(parents=True, exist_ok=True)
        script = run.log_dir / Path(key).name
        script.write_bytes(source)
        env = {**os.environ, "AWS_ENDPOINT_URL": rt.endpoint_url,
               "AWS_DEFAULT_REGION": job.backend.region_name,
               "AWS_REGION": job.backend.region_name,
               "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
               "PYTHONUNBUFFERED": "1"}
        env.pop("AWS_PROFILE", None)
        timeout_s = (run.timeout or job.timeout or 2880) * 60
        run.status = "RUNNING"
        with open(run.log_dir / "stdout.log", "wb") as out, \
                open(run.log_dir / "stderr.log", "wb") as err:
            proc = subprocess.Popen(command_line(script, job.name, run.arguments or {}),
                                    stdout=out, stderr=err, env=env, cwd=run.log_dir)
            try:
                code = proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                code = None
        if code is None:
            run.error_message = f"Job run timed out after {timeout_s // 60} minutes"
            state = "TIMEOUT"
        elif code == 0:
            state = "SUCCEEDED"
        else:
            tail = (run.log_dir / "stderr.log").read_text(errors="replace")[-STDERR_TAIL:]
            run.error_message = tail.strip() or f"script exited with code {code}"
            state = "FAILED"
    except Exception as exc:  # the run's outcome, reported as Glue would
        run.error_message = str(exc)
        state = "FAILED"
    run.execution_time = int(round(time.monotonic() - started))
    run.completed_on = run.modified_on = utcnow()
    run.status = state


def _start_job_run(self: glue_models.FakeJob, allocated_capacity, max_capacity, timeout,
                   worker_type, security_configuration, number_of_workers,
                   notification_property, previous_run_id, arguments) -> str:
    running = [r for r in self.job_runs if r.status in ("STARTING", "RUNNING", "STOPPING")]
    if len(running) >= (self.execution_property or {}).get("MaxConcurrentRuns", 1):
        raise ConcurrentRunsExceededException(f"Job with name {self.name} already running")
    args = dict(self.default_arguments or {})
    args.update(arguments or {})
    args.update(self.non_overridable_arguments or {})
    run = RealJobRun(job_name=self.name, arguments=args,
                     allocated_capacity=allocated_capacity or self.allocated_capacity,
                     max_capacity=max_capacity or self.max_capacity,
                     timeout=timeout or self.timeout, worker_type=worker_type or self.worker_type,
                     security_configuration=security_configuration or self.security_configuration,
                     number_of_workers=number_of_workers or self.number_of_workers,
                     notification_property=notification_property or self.notification_property,
                     job_run_id=previous_run_id)
    self.job_runs.append(run)
    workers.submit(run_job, self, run)
    return run.job_run_id


_JOB_UPDATE = {"Description": "description", "LogUri": "log_uri", "Role": "role",
               "ExecutionProperty": "execution_property", "Command": "command",
               "DefaultArguments": "default_arguments",
               "NonOverridableArguments": "non_overridable_arguments",
               "Connections": "connections", "MaxRetries": "max_retries",
               "AllocatedCapacity": "allocated_capacity", "Timeout": "timeout",
               "MaxCapacity": "max_capacity", "WorkerType": "worker_type",
               "NumberOfWorkers": "number_of_workers",
               "SecurityConfiguration": "security_configuration",
               "NotificationProperty": "notification_property", "GlueVersion": "glue_version",
               "ExecutionClass": "execution_class"}


def _update_job(self: GlueResponse) -> ActionResult:
    name = self.parameters.get("JobName")
    job = self.glue_backend.get_job(name)
    for param, value in (self.parameters.get("JobUpdate") or {}).items():
        if param in _JOB_UPDATE:
            setattr(job, _JOB_UPDATE[param], value)
    job.last_modified_on = utcnow()
    return ActionResult({"JobName": name})


def install() -> None:
    glue_models.FakeJob.start_job_run = _start_job_run
    GlueResponse.update_job = _update_job

"""Glue jobs run their script, as boto3 (and so the Amazon provider) sees it."""

from __future__ import annotations

import textwrap
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from local_aws.glue import jobs as job_runs

WRITER = textwrap.dedent('''
    import argparse, json, boto3
    p = argparse.ArgumentParser()
    p.add_argument("--JOB_NAME"); p.add_argument("--bucket"); p.add_argument("--day")
    p.add_argument("--mode")
    args, unknown = p.parse_known_args()
    boto3.client("s3").put_object(Bucket=args.bucket, Key=f"out/{args.day}.json",
                                  Body=json.dumps({**vars(args), "unknown": unknown}))
    print("wrote", args.day)
''')
FAILING = 'import sys\nprint("about to fail")\nsys.exit("load failed: table factcovid is locked")\n'
SLEEPER = "import time\ntime.sleep(3)\n"


def test_command_line_has_python_shell_shape(tmp_path):
    argv = job_runs.command_line(tmp_path / "s.py", "load", {"--day": "2020-04-01", "mode": "x"})
    assert argv[1:] == [str(tmp_path / "s.py"), "--JOB_NAME", "load", "--day", "2020-04-01",
                        "--mode", "x"]


def wait_run(glue, job: str, run_id: str, timeout: float = 60) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        run = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        if run["JobRunState"] not in ("STARTING", "RUNNING", "STOPPING"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"job run {run_id} still running after {timeout} s")


@pytest.fixture()
def bucket(emulator):
    name = f"jobs-{uuid.uuid4().hex[:8]}"
    emulator.client("s3").create_bucket(Bucket=name)
    return name


def make_job(emulator, bucket: str, source: str, **extra) -> str:
    s3, glue = emulator.client("s3"), emulator.client("glue")
    name = f"job-{uuid.uuid4().hex[:8]}"
    s3.put_object(Bucket=bucket, Key=f"scripts/{name}.py", Body=source.encode())
    glue.create_job(Name=name, Role="arn:aws:iam::123456789012:role/glue",
                    Command={"Name": "pythonshell", "PythonVersion": "3.9",
                             "ScriptLocation": f"s3://{bucket}/scripts/{name}.py"}, **extra)
    return name


def test_script_runs_with_merged_arguments_and_reaches_the_emulator(emulator, bucket):
    glue, s3 = emulator.client("glue"), emulator.client("s3")
    job = make_job(emulator, bucket, WRITER,
                   DefaultArguments={"--bucket": bucket, "--mode": "default"},
                   NonOverridableArguments={"--mode": "fixed"})
    run_id = glue.start_job_run(JobName=job, Arguments={"--day": "2020-04-01", "--mode": "run",
                                                        "--airflow_task_uuid": "t1"})["JobRunId"]
    run = wait_run(glue, job, run_id)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    body = s3.get_object(Bucket=bucket, Key="out/2020-04-01.json")["Body"].read()
    import json
    out = json.loads(body)
    assert (out["JOB_NAME"], out["bucket"], out["mode"]) == (job, bucket, "fixed")
    assert out["unknown"] == ["--airflow_task_uuid", "t1"]
    assert run["Arguments"]["--airflow_task_uuid"] == "t1"  # what a retry scans for
    assert "CompletedOn" in run and run["ExecutionTime"] >= 0
    runs = glue.get_job_runs(JobName=job)["JobRuns"]
    assert [r["Id"] for r in runs] == [run_id]
    log = emulator.state_dir / "glue" / "job-runs" / job / run_id / "stdout.log"
    assert log.read_text().strip() == "wrote 2020-04-01"


def test_failing_script_fails_the_run_with_its_stderr(emulator, bucket):
    glue = emulator.client("glue")
    job = make_job(emulator, bucket, FAILING)
    run = wait_run(glue, job, glue.start_job_run(JobName=job)["JobRunId"])
    assert run["JobRunState"] == "FAILED"
    assert "load failed: table factcovid is locked" in run["ErrorMessage"]


def test_missing_script_fails_the_run(emulator, bucket):
    glue = emulator.client("glue")
    job = make_job(emulator, bucket, WRITER)
    emulator.client("s3").delete_object(Bucket=bucket, Key=f"scripts/{job}.py")
    run = wait_run(glue, job, glue.start_job_run(JobName=job)["JobRunId"])
    assert run["JobRunState"] == "FAILED" and "not found in S3" in run["ErrorMessage"]


def test_one_run_at_a_time_and_update_job(emulator, bucket):
    glue, s3 = emulator.client("glue"), emulator.client("s3")
    job = make_job(emulator, bucket, SLEEPER, ExecutionProperty={"MaxConcurrentRuns": 1})
    first = glue.start_job_run(JobName=job)["JobRunId"]
    with pytest.raises(ClientError) as exc:
        glue.start_job_run(JobName=job)
    assert exc.value.response["Error"]["Code"] == "ConcurrentRunsExceededException"
    assert wait_run(glue, job, first)["JobRunState"] == "SUCCEEDED"

    s3.put_object(Bucket=bucket, Key="scripts/v2.py", Body=WRITER.encode())
    glue.update_job(JobName=job, JobUpdate={
        "Role": "arn:aws:iam::123456789012:role/glue",
        "Command": {"Name": "pythonshell", "ScriptLocation": f"s3://{bucket}/scripts/v2.py"},
        "DefaultArguments": {"--bucket": bucket}})
    assert glue.get_job(JobName=job)["Job"]["Command"]["ScriptLocation"].endswith("v2.py")
    run = wait_run(glue, job, glue.start_job_run(JobName=job, Arguments={"--day": "d2"})["JobRunId"])
    assert run["JobRunState"] == "SUCCEEDED"
    assert s3.get_object(Bucket=bucket, Key="out/d2.json")["ContentLength"] > 0


TALKER = textwrap.dedent('''
    import sys, time
    print("merging factcovid")
    print("warning: 3 rows left out", file=sys.stderr)
    time.sleep(2.5)
    print("")
    print("merged 56 rows")
''')


def log_messages(logs, group: str, stream: str) -> list[str]:
    events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]
    return [e["message"] for e in events]


def test_a_runs_stdout_and_stderr_reach_cloudwatch_logs_while_it_runs(emulator, bucket):
    # Where the Amazon provider reads a run's logs (hooks/glue.py get_glue_log_group_names):
    # <JobRun.LogGroupName>/output and /error, in a stream named by the run ID.
    glue, logs = emulator.client("glue"), emulator.client("logs")
    job = make_job(emulator, bucket, TALKER)
    run_id = glue.start_job_run(JobName=job)["JobRunId"]
    deadline = time.monotonic() + 30
    while True:  # the first lines are there before the run ends
        run = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        try:
            seen = log_messages(logs, f"{run['LogGroupName']}/output", run_id)
        except ClientError:
            seen = []
        if seen:
            assert run["JobRunState"] in ("STARTING", "RUNNING"), "the output came only at the end"
            assert seen == ["merging factcovid"]
            break
        assert time.monotonic() < deadline and run["JobRunState"] in ("STARTING", "RUNNING"), run
        time.sleep(0.2)
    run = wait_run(glue, job, run_id)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    # an empty line is not an event: CloudWatch refuses empty messages
    assert log_messages(logs, "/aws-glue/python-jobs/output", run_id) == ["merging factcovid", "merged 56 rows"]
    assert log_messages(logs, "/aws-glue/python-jobs/error", run_id) == ["warning: 3 rows left out"]


def test_the_providers_verbose_log_reader_prints_a_runs_logs(emulator, bucket, capfd):
    from airflow.providers.amazon.aws.hooks.glue import GlueJobHook

    glue = emulator.client("glue")
    job = make_job(emulator, bucket, FAILING)
    run_id = glue.start_job_run(JobName=job)["JobRunId"]
    assert wait_run(glue, job, run_id)["JobRunState"] == "FAILED"
    hook = GlueJobHook(aws_conn_id=None, region_name="us-east-1")
    hook.conn = glue
    hook.logs_hook.conn = emulator.client("logs")
    hook.print_job_logs(job_name=job, run_id=run_id, continuation_tokens=hook.LogContinuationTokens())
    printed = "".join(capfd.readouterr())  # the hook's logger writes to the console here
    assert "Glue Job Run /aws-glue/python-jobs/output Logs:" in printed and "about to fail" in printed
    assert "Glue Job Run /aws-glue/python-jobs/error Logs:" in printed
    assert "load failed: table factcovid is locked" in printed


# -- the run's process: what `python script.py` would give the script (core/script_process.py) ---

INTROSPECT = textwrap.dedent('''
    import json, os, sys, threading, atexit, time
    import json as again
    assert not hasattr(json, "LEFT_BY_AN_EARLIER_RUN")
    json.LEFT_BY_AN_EARLIER_RUN = True  # a later run must not see it: a process of its own
    atexit.register(lambda: print("atexit ran", flush=True))
    def late():
        time.sleep(0.3)
        print("thread done", flush=True)
    threading.Thread(target=late).start()
    print(json.dumps({"argv": sys.argv, "path0": sys.path[0], "cwd": os.getcwd(), "name": __name__,
                      "file": __file__, "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
                      "emulator_modules": sorted(m for m in ("moto", "duckdb", "flask", "sqlglot")
                                                 if m in sys.modules)}))
''')


def test_a_run_is_its_own_python_process(emulator, bucket):
    glue = emulator.client("glue")
    job = make_job(emulator, bucket, INTROSPECT)
    outputs = []
    for day in ("d1", "d2"):
        run_id = glue.start_job_run(JobName=job, Arguments={"--day": day})["JobRunId"]
        run = wait_run(glue, job, run_id)
        assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
        log_dir = (emulator.state_dir / "glue" / "job-runs" / job / run_id).resolve()
        outputs.append((log_dir, (log_dir / "stdout.log").read_text().splitlines()))
    import json

    for (log_dir, lines), day in zip(outputs, ("d1", "d2"), strict=True):
        seen = json.loads(lines[0])
        script = str(log_dir / f"{job}.py")
        assert seen["argv"] == [script, "--JOB_NAME", job, "--day", day]
        assert (seen["path0"], seen["cwd"], seen["file"]) == (str(log_dir), str(log_dir), script)
        assert seen["name"] == "__main__" and seen["endpoint"] == emulator.endpoint_url
        assert seen["emulator_modules"] == []  # none of the emulator's own imports
        assert lines[1:] == ["thread done", "atexit ran"]  # as the interpreter ends: threads, atexit


def test_an_uncaught_exception_fails_the_run_with_the_scripts_traceback(emulator, bucket):
    glue = emulator.client("glue")
    job = make_job(emulator, bucket, "def load():\n    raise ValueError('no rows for 2020-04-01')\nload()\n")
    run = wait_run(glue, job, glue.start_job_run(JobName=job)["JobRunId"])
    assert run["JobRunState"] == "FAILED"
    message = run["ErrorMessage"]
    assert message.startswith("Traceback (most recent call last):\n  File \"")
    assert f"{job}.py\", line 3, in <module>" in message and "in load" in message
    assert message.endswith("ValueError: no rows for 2020-04-01")
    assert "runpy" not in message and "multiprocessing" not in message and "script_process" not in message


@pytest.mark.parametrize(("source", "message"), [
    ("import os\nos._exit(3)\n", "script exited with code 3"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "script exited with code -9"),
    ("x = (\n", "SyntaxError"),
])
def test_a_run_that_dies_fails_alone(emulator, bucket, source, message):
    glue = emulator.client("glue")
    job = make_job(emulator, bucket, source)
    run = wait_run(glue, job, glue.start_job_run(JobName=job)["JobRunId"])
    assert run["JobRunState"] == "FAILED" and message in run["ErrorMessage"]
    assert emulator.launched.health()["status"] == "ok"
    ok = make_job(emulator, bucket, "print('still running jobs')\n")
    assert wait_run(glue, ok, glue.start_job_run(JobName=ok)["JobRunId"])["JobRunState"] == "SUCCEEDED"


def test_a_run_past_its_timeout_is_killed(tmp_path):
    script = tmp_path / "slow.py"
    script.write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    started = time.monotonic()
    outcome = job_runs.run_script(script, "slow", {}, endpoint_url="http://127.0.0.1:9", region="us-east-1",
                                  timeout_s=5, log_dir=tmp_path)
    assert outcome.state == "TIMEOUT" and time.monotonic() - started < 30
    assert (tmp_path / "stdout.log").read_text() == "started\n"

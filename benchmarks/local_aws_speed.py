"""local_aws's request speed, seen from a client: boto3 calls only, so the same case runs against
any checkout of the emulator (the bench runs it against a baseline via PYTHONPATH, and against
this tree, alternating).

    python -m benchmarks.cases local_aws_athena_small_query LAKE_DIR   (one JSON line)

Each case starts its own emulator (small sample, the pipeline's workgroup), warms the path once,
then times REPEATS calls and reports the median (and the spread): a single figure on a shared
2-core machine swings too much to compare.
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPEATS = 21
WORKGROUP = "covid-lake"  # what `make run` gives the emulator (the pipeline's workgroup)
BUCKET = "bench-speed"
# A client's poll interval: short, so the figure is the emulator's time, not the client's sleep.
POLL_S = 0.005


@contextlib.contextmanager
def _emulator() -> Iterator[Callable]:
    import boto3

    from covid_lake_dev import emulator as launcher

    with tempfile.TemporaryDirectory() as tmp:
        launcher.sample_dir("small", Path(tmp) / "sample-lake-cache")
        aws = launcher.start(Path(tmp) / "aws", sample_scale="small", workgroups=[WORKGROUP])
        try:
            yield lambda svc: boto3.client(
                svc, endpoint_url=aws.endpoint_url, region_name="us-east-1",
                aws_access_key_id="local", aws_secret_access_key="local")
        finally:
            aws.stop()


def _until(call: Callable[[], dict], done: Callable[[dict], bool], timeout: float = 120.0) -> dict:
    end = time.monotonic() + timeout
    while True:
        value = call()
        if done(value):
            return value
        if time.monotonic() > end:
            raise TimeoutError(f"still not done: {value}")
        time.sleep(POLL_S)


def _timed(step: Callable[[], object]) -> tuple[float, list[float]]:
    """The first call (imports and connections made on first use), then REPEATS timed calls."""
    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return first, times


def _figures(prefix: str, timed: tuple[float, list[float]], started: float) -> dict:
    first, times = timed
    ms = sorted(t * 1000 for t in times)
    return {"seconds": time.perf_counter() - started, f"{prefix}_median_ms": statistics.median(ms),
            f"{prefix}_min_ms": ms[0], f"{prefix}_max_ms": ms[-1], f"{prefix}_first_ms": first * 1000,
            "repeats": len(ms)}


def local_aws_athena_small_query(_lake: str = "") -> dict:
    """StartQueryExecution to SUCCEEDED, then GetQueryResults: a count over a 60-row CSV table."""
    started = time.perf_counter()
    with _emulator() as client:
        s3, glue, athena = client("s3"), client("glue"), client("athena")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="data/t/part.csv",
                      Body="".join(f"{i},name{i}\n" for i in range(60)).encode())
        glue.create_database(DatabaseInput={"Name": "bench"})
        glue.create_table(DatabaseName="bench", TableInput={
            "Name": "t", "TableType": "EXTERNAL_TABLE",
            "StorageDescriptor": {
                "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}],
                "Location": f"s3://{BUCKET}/data/t/",
                "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                "SerdeInfo": {"SerializationLibrary":
                              "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                              "Parameters": {"field.delim": ","}}}})

        def query() -> None:
            qid = athena.start_query_execution(
                QueryString="SELECT count(*) AS n FROM t WHERE id >= 10",
                QueryExecutionContext={"Database": "bench"},
                ResultConfiguration={"OutputLocation": f"s3://{BUCKET}/results/"})["QueryExecutionId"]
            state = _until(lambda: athena.get_query_execution(QueryExecutionId=qid),
                           lambda r: r["QueryExecution"]["Status"]["State"]
                           not in ("QUEUED", "RUNNING"))["QueryExecution"]["Status"]["State"]
            rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
            assert state == "SUCCEEDED" and rows[1]["Data"][0]["VarCharValue"] == "50", (state, rows)

        return _figures("athena_small_query", _timed(query), started)


def local_aws_data_api_statement(_lake: str = "") -> dict:
    """ExecuteStatement to FINISHED, then GetStatementResult: a small SELECT on the workgroup."""
    started = time.perf_counter()
    with _emulator() as client:
        rs = client("redshift-data")
        target = {"WorkgroupName": WORKGROUP, "Database": "dev"}

        def run(sql: str) -> str:
            sid = rs.execute_statement(Sql=sql, **target)["Id"]
            status = _until(lambda: rs.describe_statement(Id=sid),
                            lambda d: d["Status"] in ("FINISHED", "FAILED", "ABORTED"))
            assert status["Status"] == "FINISHED", status
            return sid

        run("CREATE TABLE IF NOT EXISTS bench_speed (id INTEGER, name VARCHAR(20))")
        run("INSERT INTO bench_speed VALUES (1, 'a'), (2, 'b'), (3, 'c')")

        def statement() -> None:
            sid = run("SELECT count(*) FROM bench_speed WHERE id > 1")
            records = rs.get_statement_result(Id=sid)["Records"]
            assert records[0][0]["longValue"] == 2, records

        return _figures("data_api_statement", _timed(statement), started)


# A script that exits at once; one that starts as the pipeline's load script does (boto3, a client,
# a call back to the emulator).
GLUE_SCRIPTS = {
    "glue_shell_job": b"import sys\nprint('done', sys.argv[1:3])\nsys.exit(0)\n",
    "glue_boto3_job": b"import boto3\nprint(len(boto3.client('s3').list_buckets()['Buckets']))\n",
}


def local_aws_glue_shell_job(_lake: str = "") -> dict:
    """StartJobRun to SUCCEEDED for a Python-shell job whose script exits at once (and, as a
    second figure, for one whose script makes one boto3 call)."""
    started = time.perf_counter()
    out: dict = {}
    with _emulator() as client:
        s3, glue = client("s3"), client("glue")
        s3.create_bucket(Bucket=BUCKET)
        for name, source in GLUE_SCRIPTS.items():
            s3.put_object(Bucket=BUCKET, Key=f"scripts/{name}.py", Body=source)
            glue.create_job(Name=name, Role="arn:aws:iam::123456789012:role/glue",
                            Command={"Name": "pythonshell", "PythonVersion": "3.9",
                                     "ScriptLocation": f"s3://{BUCKET}/scripts/{name}.py"},
                            MaxCapacity=0.0625)

            def job(name: str = name) -> None:
                run_id = glue.start_job_run(JobName=name)["JobRunId"]
                state = _until(lambda: glue.get_job_run(JobName=name, RunId=run_id),
                               lambda r: r["JobRun"]["JobRunState"]
                               not in ("STARTING", "RUNNING", "STOPPING", "WAITING"))
                assert state["JobRun"]["JobRunState"] == "SUCCEEDED", state["JobRun"]

            out.update(_figures(name, _timed(job), started))
        out["glue_shell_job_s"] = out["glue_shell_job_median_ms"] / 1000
        return out


CASES = (local_aws_athena_small_query, local_aws_data_api_statement, local_aws_glue_shell_job)

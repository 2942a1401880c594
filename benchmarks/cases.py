"""Benchmark cases. Each runs in a fresh child process (see run.py) so its peak RSS is its own.

    python -m benchmarks.cases CASE LAKE_DIR [ARG]   -> one JSON line on stdout
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

from benchmarks import code
from benchmarks.dag_speed import command_exit, dag_speed

SQL = Path(__file__).parent / "sql"


def generate(lake: str, scale: str) -> dict:
    from covid_lake_dev.sample_lake import generate as gen

    t0 = time.perf_counter()
    gen(lake, scale=scale)
    return {"seconds": time.perf_counter() - t0}


def _load(lake: str):
    from covid_lake.domain.clean import clean_lake, load_raw_from_dir

    t0 = time.perf_counter()
    raw = load_raw_from_dir(lake)
    t1 = time.perf_counter()
    cleaned = clean_lake(raw)
    return cleaned, t1 - t0, time.perf_counter() - t1


def pandas_history(lake: str) -> dict:
    """Whole history in one call: read + clean + build (validated), as a full refresh does."""
    from benchmarks.star_speed import pipeline_arrow_pool
    from covid_lake.domain.star import build_full_history

    pipeline_arrow_pool()  # as transform_and_publish does
    t0 = time.perf_counter()
    cleaned, read_s, clean_s = _load(lake)
    t1 = time.perf_counter()
    build = build_full_history(cleaned)
    t2 = time.perf_counter()
    return {"seconds": t2 - t0, "read_s": read_s, "clean_s": clean_s, "build_s": t2 - t1,
            "rows": build.counts()}


def pandas_day(lake: str, day: str) -> dict:
    """One run date D on already-cleaned inputs (the DAG hands the transform D's slice)."""
    from covid_lake.domain.star import build_day

    cleaned, _, _ = _load(lake)
    d = dt.date.fromisoformat(day)
    build_day(cleaned, d)  # warm-up: first-call import and cache costs are not D's
    t0 = time.perf_counter()
    build = build_day(cleaned, d)
    return {"seconds": time.perf_counter() - t0, "rows": build.counts()}


def bad_input_checks(lake: str) -> dict:
    """What a full refresh adds for bad input: every file checked as land reads it (source_files),
    then every extracted row validated (validate.split); beside read + clean for scale."""
    from covid_lake.domain import source_files, validate
    from covid_lake.domain.clean import clean_lake, load_raw_from_dir
    from covid_lake.domain.datasets import DATASETS

    t0 = time.perf_counter()
    for ds in DATASETS:
        with open(Path(lake) / ds.key, "rb") as f:
            source_files.check(ds, ds.key, iter(lambda f=f: f.read(1 << 20), b""))
    t1 = time.perf_counter()
    raw = load_raw_from_dir(lake)
    del raw["us_daily"], raw["us_total_latest"]
    raw["jhu_regions"] = raw["enigma_jhu"][["fips", "admin2", "province_state", "country_region",
                                            "last_update", "latitude", "longitude"]]
    t2 = time.perf_counter()
    checked = validate.split(raw, dt.date.today())
    t3 = time.perf_counter()
    clean_lake({n: f for n, f in checked.frames.items() if n != "jhu_regions"})
    t4 = time.perf_counter()
    return {"seconds": t3 - t0 - (t2 - t1), "files_s": t1 - t0, "validate_s": t3 - t2,
            "read_s": t2 - t1, "clean_s": t4 - t3, "rejected": len(checked.report)}


def duckdb_history(lake: str) -> dict:
    """The same star schema as DuckDB SQL over the same files (read + transform)."""
    import duckdb

    from covid_lake.domain.datasets import DATASETS

    t0 = time.perf_counter()
    con = duckdb.connect()
    for ds in DATASETS:
        path = str(Path(lake) / ds.key)
        if ds.fmt == "jsonl":
            rel = con.read_json(path, format="newline_delimited")
        else:
            rel = con.read_csv(path, header=True, all_varchar=True)
        rel.create_view(f"raw_{ds.name}")
    con.execute((SQL / "star_duckdb.sql").read_text())
    rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("factcovid", "factcovidcounty", "dimregion", "dimhospital", "dimdate")}
    return {"seconds": time.perf_counter() - t0, "rows": rows}


def tutorial(lake: str) -> dict:
    """The widely copied tutorial's merges, as written: default dtypes, joins on fips alone."""
    import pandas as pd

    from covid_lake.domain.datasets import BY_NAME

    t0 = time.perf_counter()
    read = lambda name: pd.read_csv(Path(lake) / BY_NAME[name].key)  # noqa: E731
    jhu, county, states = read("enigma_jhu"), read("us_county"), read("states_daily")
    fact = pd.merge(jhu, states, on="fips", how="inner")
    region = pd.merge(jhu[["fips", "province_state", "country_region", "latitude", "longitude"]],
                      county[["fips", "county", "state"]], on="fips", how="inner")
    dim_date = states[["fips", "date"]]
    return {"seconds": time.perf_counter() - t0,
            "rows": {"factcovid": len(fact), "dimregion": len(region), "dimdate": len(dim_date),
                     "dimregion_duplicate_keys": int(region["fips"].duplicated().sum())}}


def _wait(fn, done, timeout=600.0, poll=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = fn()
        if done(value):
            return value
        time.sleep(poll)
    raise TimeoutError("benchmark step did not finish")


def crawled_lake(aws) -> tuple[dict, object, float]:
    """What a first run leaves on `aws`: the lake landed, catalogued, crawled and read as text.
    Clients by service, the settings, the crawl's seconds."""
    import boto3

    from covid_lake.domain.datasets import DATASETS
    from covid_lake.tasks import catalog as catalog_tasks
    from covid_lake.tasks import land, settings

    clients = {svc: boto3.client(svc, endpoint_url=aws.endpoint_url, region_name="us-east-1",
                                 aws_access_key_id="local", aws_secret_access_key="local")
               for svc in ("s3", "glue", "athena", "redshift-data")}
    s3, glue = clients["s3"], clients["glue"]
    cfg = settings.load(lambda key, default: default)
    land.ensure_bucket(s3, cfg.bucket, "us-east-1")
    for d in DATASETS:
        land.land(s3, cfg, d.name)
    catalog_tasks.prepare_catalog(glue, cfg)  # creates the crawler too
    t0 = time.perf_counter()
    glue.start_crawler(Name=cfg.crawler_name)
    _wait(lambda: glue.get_crawler(Name=cfg.crawler_name)["Crawler"],
          lambda c: c["State"] == "READY" and "LastCrawl" in c)
    crawl_s = time.perf_counter() - t0
    catalog_tasks.read_csv_as_text(glue, cfg)  # as the DAG does before Athena reads the tables
    return clients, cfg, crawl_s


def emulator(scale: str, day: str = "2020-04-15") -> dict:
    """local_aws on one sample scale: seed, crawl, Athena, Redshift COPY, state flush."""
    import statistics
    import tempfile

    from covid_lake.tasks import extract, publish, settings
    from covid_lake_dev import emulator as launcher

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "aws"
        launcher.sample_dir(scale, Path(tmp) / "sample-lake-cache")  # generating is not starting
        t0 = time.perf_counter()
        aws = launcher.start(state, sample_scale=scale,
                             workgroups=[settings.DEFAULTS["redshift_workgroup"]])
        out["start_and_seed_s"] = time.perf_counter() - t0
        try:
            clients, cfg, out["crawl_s"] = crawled_lake(aws)
            s3, athena, rs = clients["s3"], clients["athena"], clients["redshift-data"]

            from covid_lake.aws import athena_io

            times = []
            for _ in range(21):
                t0 = time.perf_counter()
                athena_io.run_query(athena, "SELECT count(*) FROM state_abv", cfg.glue_database,
                                    cfg.athena_output, poll=0.01)
                times.append(time.perf_counter() - t0)
            out["athena_small_query_median_ms"] = statistics.median(times) * 1000
            t0 = time.perf_counter()
            ids = extract.extract(athena, cfg, dt.date.fromisoformat(day))
            out["athena_one_day_extract_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            published = publish.transform_and_publish(athena, s3, cfg, ids,
                                                    dt.date.fromisoformat(day), False)
            out["transform_and_publish_s"] = time.perf_counter() - t0

            from covid_lake.aws.redshift_io import sql_file

            target = cfg.redshift_target()
            ddl = [sql_file(f"{t}.sql") for t in ("dimdate", "dimregion", "dimhospital",
                                                   "factcovid", "factcovidcounty", "runaudit")]
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include" / "scripts"))
            import load_redshift

            templates = {n: sql_file(f"load/{n}.sql") for n in load_redshift.needed(published["plan"])}
            d = dt.date.fromisoformat(day)
            sqls = ddl + load_redshift.statements(published["plan"], d, d, d,
                                                  cfg.redshift_copy_role_arn, templates)
            t0 = time.perf_counter()
            desc = load_redshift.run_batch(rs, sqls, target, 0.01, "bench")
            out["redshift_copy_one_day_s"] = time.perf_counter() - t0
            out["redshift_status"] = desc["Status"]
            out["rows"] = published["counts"]

            # From the put's answer to the object's file in the state directory: the flusher's
            # debounce (0.3 s) plus the flush (core/persistence.py).
            saved = list(state.glob(f"s3/*/{cfg.bucket}/bench/1mb.bin.obj"))
            assert not saved
            s3.put_object(Bucket=cfg.bucket, Key="bench/1mb.bin", Body=os.urandom(1 << 20))
            t0 = time.perf_counter()
            _wait(lambda: list(state.glob(f"s3/*/{cfg.bucket}/bench/1mb.bin.obj")), bool)
            out["state_saved_after_1mb_put_s"] = time.perf_counter() - t0
        finally:
            aws.stop()
    return out


def dag_runs(scale: str) -> dict:
    """covid_lake_daily under `airflow dags test` on local_aws: first run (crawls), a steady daily
    run, and a full_refresh, each timed end to end."""
    import json
    import re
    import subprocess
    import tempfile

    from covid_lake.tasks import settings
    from covid_lake_dev import emulator as launcher
    from covid_lake_dev import offline_run

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        aws = launcher.start(Path(tmp) / "aws", sample_scale=scale,
                             workgroups=[settings.DEFAULTS["redshift_workgroup"]])
        endpoint = aws.endpoint_url
        try:
            env = offline_run.env_for(endpoint, Path(tmp))  # Airflow home, report: in tmp
            offline_run.prepare_airflow(env)
            airflow = str(Path(sys.executable).with_name("airflow"))

            def run(day: str, **conf) -> float:
                t0 = time.perf_counter()
                done = subprocess.run([airflow, "dags", "test", "covid_lake_daily", day, "--conf",
                                       json.dumps({"run_date": day, **conf})], env=env,
                                      capture_output=True, text=True)
                seconds = time.perf_counter() - t0
                state = re.findall(r"DagRun Finished: .*?state=(\w+)", done.stdout + done.stderr)
                if state != ["success"]:
                    raise SystemExit(f"dag run {day} {conf} ended {state}:\n{done.stdout[-3000:]}")
                return seconds

            out["first_daily_run_s"] = run("2020-04-14")
            out["daily_run_s"] = run("2020-04-15")
            out["full_refresh_s"] = run("2020-04-16", full_refresh=True)
            # the report on the whole history the full refresh loaded
            t0 = time.perf_counter()
            done = subprocess.run([airflow, "dags", "test", "covid_lake_report"], env=env,
                                  capture_output=True, text=True)
            out["report_run_s"] = time.perf_counter() - t0
            returned = re.search(r"Returned value was: (\{.*\}) \[", done.stdout + done.stderr)
            if not returned:
                raise SystemExit(f"covid_lake_report failed:\n{done.stdout[-3000:]}")
            import ast

            report = ast.literal_eval(returned.group(1))
            out.update(report_bytes=report["bytes"], report_query_s=report["query_seconds"],
                       report_render_s=report["render_seconds"])
        finally:
            aws.stop()
    return out


def dag_import() -> dict:
    """The DAG file's own import time, as the DAG processor pays it on every parse (Airflow
    imported first), median of 5 fresh processes."""
    import statistics
    import subprocess

    root = Path(__file__).resolve().parents[1]
    code = ("import time; import airflow.sdk; t = time.perf_counter(); import covid_lake_daily; "
            "print(time.perf_counter() - t)")
    env = {**os.environ, "PYTHONPATH": str(root / "dags"), "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags")}
    times = [float(subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                                  text=True).stdout.strip().splitlines()[-1]) for _ in range(5)]
    return {"seconds": statistics.median(times), "max_s": max(times)}


CASES = {f.__name__: f for f in (generate, pandas_history, pandas_day, duckdb_history, tutorial,
                                 bad_input_checks, emulator, dag_runs, dag_import, dag_speed,
                                 command_exit)}

from benchmarks import star_speed  # noqa: E402  (issue 30's star cases; they import this module's)
from benchmarks.local_aws_speed import CASES as _LOCAL_AWS_SPEED  # noqa: E402  (its own module)

CASES.update({f.__name__: f for f in _LOCAL_AWS_SPEED})
CASES.update({f.__name__: f for f in (star_speed.star_steps, star_speed.star_snapshot,
                                      star_speed.star_side_by_side,
                                      star_speed.full_refresh_steps, star_speed.full_refresh_dag)})

if __name__ == "__main__":
    code.use_from_environment()
    name, *args = sys.argv[1:]
    print(json.dumps(CASES[name](*args)))

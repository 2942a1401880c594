"""The star build at scale (issue 30): per-step figures, and the check that a change to the build
leaves its output identical.

Cases (registered in cases.py's CASES, each run in its own child process by run.py):
    star_steps LAKE          read, clean, build: seconds and peak RSS after each step
    star_snapshot LAKE OUT   the build's output written to OUT (Parquet) with a digest per table
    star_side_by_side LAKE BASELINE [ROUNDS]   pandas_history of this checkout and of BASELINE
                             (a checkout of another commit), alternating, and duckdb_history
    full_refresh_steps SCALE a full refresh's task bodies on local_aws, timed one by one

Old and new code are compared by running the same case with PYTHONPATH pointing at a baseline
checkout (BASELINE and BASELINE/include come first on sys.path, before the editable install), so
these functions call only what both have: clean.load_raw_from_dir, clean.clean_lake,
star.build_full_history.

    python -m benchmarks.star_speed compare OLD_DIR NEW_DIR   -> exit 1 when any table differs
"""

from __future__ import annotations

import hashlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pipeline_arrow_pool() -> str:
    """The process's memory as the pipeline's transform task sets it (covid_lake.aws.arrow_memory:
    Arrow's pool, numpy's huge pages), so a case measures what the task would use; a baseline
    checkout sets what its task set (only the pool, or nothing: pyarrow's default)."""
    try:
        from covid_lake.aws import arrow_memory
    except ImportError:
        import pyarrow as pa

        return pa.default_memory_pool().backend_name
    set_up = getattr(arrow_memory, "use_pipeline_memory", arrow_memory.use_jemalloc)
    return set_up()


def star_steps(lake: str) -> dict:
    """read -> clean -> build (validated, with its report and row balance), as pandas_history,
    with each step's seconds and the process's peak RSS once it is done (the peak is monotone:
    a step that does not raise it did not need more than the steps before)."""
    from covid_lake.domain.clean import clean_lake, load_raw_from_dir
    from covid_lake.domain.star import build_full_history

    out: dict = {"arrow_pool": pipeline_arrow_pool(), "start_mb": _peak_mb()}
    t0 = time.perf_counter()
    raw = load_raw_from_dir(lake)
    t1 = time.perf_counter()
    out.update(read_s=t1 - t0, read_peak_mb=_peak_mb())
    cleaned = clean_lake(raw)
    del raw
    t2 = time.perf_counter()
    out.update(clean_s=t2 - t1, clean_peak_mb=_peak_mb())
    build = build_full_history(cleaned)
    t3 = time.perf_counter()
    out.update(build_s=t3 - t2, build_peak_mb=_peak_mb(), seconds=t3 - t0, rows=build.counts())
    return out


# ---------------------------------------------------------------------------------------------
# Output identity
# ---------------------------------------------------------------------------------------------

def _frames(build) -> dict:
    """Everything a build hands on: the star tables, the run report, non-US counts, the balance."""
    return {**build.tables, "_report": build.report, "_non_us": build.non_us,
            "_balance": build.balance}


def _digest(df) -> str:
    """Content and dtypes: pandas' row hashes (index included) plus each column's dtype."""
    import pandas as pd

    h = hashlib.sha256()
    h.update(json.dumps([[str(c), str(t)] for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return h.hexdigest()


def star_snapshot(lake: str, out: str, path: str = "build") -> dict:
    """The full-history build of LAKE written to OUT, one pickle per frame, and digests.

    path "build": read, clean, build (pandas_history's path); "validated": as a full refresh
    does, every row validated first (validate.split, jhu_regions included), the rows that pass
    cleaned and built, and validation's rejects and report kept too."""
    import datetime as dt

    from covid_lake.domain import validate
    from covid_lake.domain.clean import clean_lake, load_raw_from_dir
    from covid_lake.domain.star import build_full_history

    raw = load_raw_from_dir(lake)
    extra = {}
    if path == "validated":
        raw["jhu_regions"] = raw["enigma_jhu"][["fips", "admin2", "province_state", "country_region",
                                                "last_update", "latitude", "longitude"]]
        checked = validate.split(raw, dt.date(2026, 1, 1))
        raw = checked.frames
        extra = {"_validate_report": checked.report,
                 **{f"_rejected_{n}": f for n, f in checked.rejected.items()}}
    build = build_full_history(clean_lake(raw))
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, df in {**_frames(build), **extra}.items():
        df.to_pickle(target / f"{name}.pkl")  # pickle keeps dtypes exactly (Parquet maps some)
        digests[name] = _digest(df)
    (target / "digests.json").write_text(json.dumps(digests, indent=1, sort_keys=True))
    return {"seconds": 0.0, "digests": digests, "rows": build.counts()}


def compare(old: str, new: str) -> list[str]:
    """The frames that differ between two snapshots, with pandas' explanation; [] when identical
    (same columns, dtypes, index and values, NaN / NA in the same places)."""
    import pandas as pd

    problems = []
    names = sorted({p.stem for p in Path(old).glob("*.pkl")} | {p.stem for p in Path(new).glob("*.pkl")})
    for name in names:
        a, b = Path(old) / f"{name}.pkl", Path(new) / f"{name}.pkl"
        if not a.exists() or not b.exists():
            problems.append(f"{name}: only in {'new' if b.exists() else 'old'}")
            continue
        try:
            pd.testing.assert_frame_equal(pd.read_pickle(a), pd.read_pickle(b), check_exact=True)
        except AssertionError as err:
            problems.append(f"{name}: {err}")
    return problems


# ---------------------------------------------------------------------------------------------
# Old and new side by side
# ---------------------------------------------------------------------------------------------

def star_side_by_side(lake: str, baseline: str, rounds: str = "3") -> dict:
    """Per round, in alternating order: the old build (BASELINE on PYTHONPATH), the new build and
    DuckDB SQL, each in its own process. Medians of seconds and peak RSS, and the ratios."""
    from benchmarks.run import measure

    runs: dict[str, list[dict]] = {"old": [], "new": [], "duckdb": []}
    order = ["old", "new", "duckdb"]
    for k in range(int(rounds)):
        for who in (order if k % 2 == 0 else order[::-1]):
            if who == "duckdb":
                runs[who].append(measure("duckdb_history", lake))
            else:
                runs[who].append(measure("star_steps", lake,
                                         code_dir=Path(baseline) if who == "old" else None))
    med = {who: {key: statistics.median(r[key] for r in rs)
                 for key in rs[0] if isinstance(rs[0][key], float)}
           for who, rs in runs.items()}
    return {"seconds": med["new"]["seconds"], "median": med,
            "new_vs_duckdb": med["new"]["seconds"] / med["duckdb"]["seconds"],
            "old_vs_duckdb": med["old"]["seconds"] / med["duckdb"]["seconds"],
            "new_vs_old": med["new"]["seconds"] / med["old"]["seconds"],
            "runs": {who: [round(r["seconds"], 2) for r in rs] for who, rs in runs.items()}}


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        found = compare(sys.argv[2], sys.argv[3])
        print("\n".join(found) if found else "identical: every star table, the report, non-US "
              "counts and the row balance")
        sys.exit(1 if found else 0)
    print(json.dumps(globals()[sys.argv[1]](*sys.argv[2:])))


# ---------------------------------------------------------------------------------------------
# A full refresh on local_aws, step by step
# ---------------------------------------------------------------------------------------------

def full_refresh_steps(scale: str = "full") -> dict:
    """The task bodies a full_refresh run executes after its crawl, timed one by one on local_aws
    (the sample of SCALE): the 9 extract queries (one after another here; the DAG maps them),
    reading their result files, validate + clean + build, then transform_and_publish whole (which
    repeats those and adds the Parquet publish), and the load's statements on the warehouse."""
    import datetime as dt

    from benchmarks.cases import crawled_lake
    from covid_lake.aws import athena_io
    from covid_lake.domain import star, validate
    from covid_lake.domain.clean import clean_lake
    from covid_lake.tasks import extract, publish, settings
    from covid_lake_dev import emulator as launcher

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        launcher.sample_dir(scale, Path(tmp) / "sample-lake-cache")
        aws = launcher.start(Path(tmp) / "aws", sample_scale=scale,
                             workgroups=[settings.DEFAULTS["redshift_workgroup"]])
        try:
            clients, cfg, _ = crawled_lake(aws)
            s3, athena, rs = clients["s3"], clients["athena"], clients["redshift-data"]

            t0 = time.perf_counter()
            ids = {}
            for name, sql in zip(athena_io.EXTRACTS, extract.extract_queries(None), strict=True):
                t = time.perf_counter()
                ids[name] = athena_io.run_query(athena, sql, cfg.glue_database, cfg.athena_output,
                                                cfg.athena_workgroup, poll=0.05)
                out[f"extract_{name}_s"] = time.perf_counter() - t
            out["extracts_s"] = time.perf_counter() - t0
            from covid_lake.domain import layout

            t0 = time.perf_counter()
            for q in ids.values():  # the result files' bytes alone: local_aws's part of the read
                uri = athena.get_query_execution(QueryExecutionId=q)["QueryExecution"][
                    "ResultConfiguration"]["OutputLocation"]
                bucket, key = layout.split_uri(uri)
                s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            out["fetch_result_files_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            for q in ids.values():  # what results_frame asks for the column types
                athena.get_query_results(QueryExecutionId=q, MaxResults=1)
            out["column_info_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            frames = {n: athena_io.results_frame(athena, q, s3) for n, q in ids.items()}
            out["read_results_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            checked = validate.split(frames, dt.datetime.now(dt.UTC).date())
            out["validate_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            lake = clean_lake(checked.frames)
            out["clean_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            star.build_range(lake, *star.lake_span(lake))
            out["build_s"] = time.perf_counter() - t0
            del frames, checked, lake
            t0 = time.perf_counter()
            run_date = dt.date(2020, 4, 16)
            published = publish.transform_and_publish(athena, s3, cfg, ids, run_date, True)
            out["transform_and_publish_s"] = time.perf_counter() - t0
            out["publish_only_s"] = out["transform_and_publish_s"] - sum(
                out[k] for k in ("read_results_s", "validate_s", "clean_s", "build_s"))

            from covid_lake.aws.redshift_io import sql_file

            sys.path.insert(0, str(ROOT / "include" / "scripts"))
            import load_redshift

            ddl = [sql_file(f"{t}.sql") for t in ("dimdate", "dimregion", "dimhospital",
                                                   "factcovid", "factcovidcounty", "runaudit")]
            templates = {n: sql_file(f"load/{n}.sql") for n in load_redshift.needed(published["plan"])}
            start = dt.date.fromisoformat(published["start_date"])
            end = dt.date.fromisoformat(published["end_date"])
            sqls = ddl + load_redshift.statements(published["plan"], run_date, start, end,
                                                  cfg.redshift_copy_role_arn, templates)
            t0 = time.perf_counter()
            desc = load_redshift.run_batch(rs, sqls, cfg.redshift_target(), 0.05, "bench")
            out["load_s"] = time.perf_counter() - t0
            out["load_status"] = desc["Status"]
            out["rows"] = published["counts"]
        finally:
            aws.stop()
    out["seconds"] = sum(out[k] for k in ("extracts_s", "transform_and_publish_s", "load_s"))
    return out


def full_refresh_dag(scale: str = "full") -> dict:
    """covid_lake_daily with full_refresh=true under `airflow dags test` on local_aws (after a
    first daily run, which crawls): the run's time, its task span and its time by task (the
    metadata DB's task instances, as dag_speed reads them)."""
    from benchmarks.dag_speed import _span, airflow_on_local_aws

    out: dict = {}
    with airflow_on_local_aws(scale) as (env, db, airflow):
        for day, conf, key in (("2020-04-14", {}, "first_daily_run_s"),
                               ("2020-04-16", {"full_refresh": True}, "full_refresh_s")):
            t0 = time.perf_counter()
            done = subprocess.run([airflow, "dags", "test", "covid_lake_daily", day, "--conf",
                                   json.dumps({"run_date": day, **conf})], env=env,
                                  capture_output=True, text=True)
            out[key] = time.perf_counter() - t0
            if "state=success" not in done.stdout + done.stderr:
                raise SystemExit(f"{day} {conf} failed:\n{(done.stdout + done.stderr)[-3000:]}")
        out["full_refresh_tasks_s"], tasks = _span(db, "covid_lake_daily")
        by_task: dict[str, float] = {}
        for t in tasks:
            name = t["task"].split("[")[0]
            by_task[name] = by_task.get(name, 0.0) + (t["seconds"] or 0.0)
        out["by_task_s"] = dict(sorted(by_task.items(), key=lambda kv: -kv[1]))
    out["seconds"] = out["full_refresh_s"]
    return out

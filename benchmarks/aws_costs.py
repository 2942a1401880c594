"""What covid_lake_daily costs on AWS: one daily run, and a backfill of the lake's whole history.

    python -m benchmarks.aws_costs [--scale full|small] [--day 2020-04-15] [--no-measure]

Inputs the project measures, on the synthetic sample lake (`full` has the real files' row
counts, so its objects have about the real sizes):
- Athena bytes: the size of every source object (raw/ holds byte-identical copies) and, parsed
  from include/sql/athena/, which tables each query of a run reads. The raw zone is CSV and
  JSON, not partitioned, so Athena reads every object a query names, whole (JHU's compressed
  size); a WHERE on the day saves nothing.
- Glue and Redshift time: the load job and the Redshift steps of one daily run and one
  full_refresh, timed on local_aws (Glue job = the real script in a subprocess, Redshift =
  DuckDB). --no-measure skips this and uses LOCAL_FALLBACK (figures from `make bench`).
Prices and billing rules are the constants below, with their sources. Every figure is an
estimate for us-east-1 list prices; the minimum charges, not the measured times, dominate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.cases import _wait, crawled_lake  # the other local_aws cases' poll loop and set-up

ROOT = Path(__file__).resolve().parents[1]
SQL = ROOT / "include" / "sql" / "athena"
DAG_FILE = ROOT / "dags" / "covid_lake_daily.py"
TEMPLATE = ROOT / "infra" / "covid-lake.yaml"

# --- prices and billing rules (us-east-1, on demand) -----------------------------------------
# Athena SQL: $5 per TB scanned, rounded up to the megabyte, 10 MB minimum per query
# (https://aws.amazon.com/athena/pricing/). Decimal units, as the workgroup cutoff's 10 MB
# minimum is 10,000,000 bytes. Failed and DDL queries are free; this pipeline runs neither.
ATHENA_USD_PER_TB = 5.00
ATHENA_MB = 1_000_000
ATHENA_MIN_BYTES = 10 * ATHENA_MB
# Glue: $0.44 per DPU-hour, per second; Python shell jobs bill a 1-minute minimum, crawlers a
# 10-minute minimum (https://aws.amazon.com/glue/pricing/). The job's capacity is the DAG's
# MaxCapacity; a crawler's DPUs are chosen by AWS: 2 is the pricing page's own example.
GLUE_USD_PER_DPU_HOUR = 0.44
GLUE_JOB_DPU = 0.0625
GLUE_JOB_MIN_S = 60
GLUE_CRAWLER_DPU = 2
GLUE_CRAWLER_MIN_S = 600
# Redshift Serverless: $0.375 per RPU-hour, per second with a 60-second minimum charge
# (https://aws.amazon.com/redshift/pricing/); base capacity as infra/covid-lake.yaml sets it.
REDSHIFT_USD_PER_RPU_HOUR = 0.375
REDSHIFT_RPU = 8
REDSHIFT_MIN_S = 60
# A run touches Redshift three times (create_tables, the load's batch, check_warehouse), seconds
# to a minute apart. Costed as three separate active periods, each billed at least the minimum:
# an upper bound; steps that fall within one minute of each other share a period.
REDSHIFT_STEPS = ("ddl", "load", "check")

# When --no-measure: seconds from `make bench` on this machine (README "Figures"): the one-day
# Redshift DDL + COPY/merge; the job and checks are of the same order.
LOCAL_FALLBACK = {"daily": {"ddl": 0.2, "load": 1.0, "check": 0.2},
                  "full_refresh": {"ddl": 0.2, "load": 3.0, "check": 0.3}}


# --- what Athena reads --------------------------------------------------------------------------

def tables_read(sql: str) -> set[str]:
    """Tables a query reads (FROM/JOIN targets), comments and Jinja blocks removed."""
    sql = re.sub(r"--[^\n]*", " ", sql)
    sql = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", sql, flags=re.S)
    return {m.lower() for m in re.findall(r"\b(?:FROM|JOIN)\s+\"?([A-Za-z_][\w]*)", sql, re.I)}


def run_queries() -> dict[str, set[str]]:
    """The Athena queries of one run (the profile, then one extract per dataset) -> tables."""
    from covid_lake.aws.athena_io import EXTRACTS

    queries = {"profile": tables_read((SQL / "profile.sql").read_text())}
    for name in EXTRACTS:
        queries[f"extract/{name}"] = tables_read((SQL / "extract" / f"{name}.sql").read_text())
    return queries


def billed_bytes(scanned: int) -> int:
    return max(ATHENA_MIN_BYTES, math.ceil(scanned / ATHENA_MB) * ATHENA_MB)


def object_sizes(lake_dir: Path) -> dict[str, int]:
    from covid_lake.domain.datasets import DATASETS

    return {d.name: (Path(lake_dir) / d.key).stat().st_size for d in DATASETS}


# --- how many runs a backfill is ----------------------------------------------------------------

def dag_start() -> dt.date:
    """The DAG's start_date, read from the DAG file (parsing it would import Airflow)."""
    m = re.search(r"start_date=dt\.datetime\((\d+),\s*(\d+),\s*(\d+)", DAG_FILE.read_text())
    return dt.date(*map(int, m.groups()))


def lake_dates(lake_dir: Path) -> tuple[dt.date, dt.date]:
    """First and last day of the dated daily sources (COVID Tracking runs longest)."""
    import pandas as pd

    from covid_lake.domain.datasets import BY_NAME

    days = []
    for name, fmt in (("states_daily", "%Y%m%d"), ("us_states", "%Y-%m-%d"),
                      ("us_county", "%Y-%m-%d")):
        col = pd.read_csv(Path(lake_dir) / BY_NAME[name].key, usecols=["date"], dtype=str)["date"]
        parsed = pd.to_datetime(col, format=fmt)
        days += [parsed.min().date(), parsed.max().date()]
    return min(days), max(days)


def athena_cutoff() -> int:
    """The Athena workgroup's default per-query scan limit, from infra/covid-lake.yaml."""
    m = re.search(r"AthenaBytesScannedCutoff:.*?Default: (\d+)", TEMPLATE.read_text(), re.S)
    return int(m.group(1))


# --- the model ------------------------------------------------------------------------------

def _usd_athena(bytes_: int) -> float:
    return bytes_ / 1e12 * ATHENA_USD_PER_TB


def run_cost(sizes: dict[str, int], seconds: dict[str, float]) -> dict:
    """One DAG run: its Athena queries, one load job, its Redshift steps."""
    per_query = {q: sum(sizes[t] for t in tables) for q, tables in run_queries().items()}
    scanned = sum(per_query.values())
    billed = sum(billed_bytes(b) for b in per_query.values())
    job_s = max(GLUE_JOB_MIN_S, seconds["load"])
    dpu_s = GLUE_JOB_DPU * job_s
    rpu_s = REDSHIFT_RPU * sum(max(REDSHIFT_MIN_S, seconds[s]) for s in REDSHIFT_STEPS)
    # Lower bound: the steps share one active period.
    rpu_s_low = REDSHIFT_RPU * max(REDSHIFT_MIN_S, sum(seconds[s] for s in REDSHIFT_STEPS))
    usd = {"athena": _usd_athena(billed),
           "glue": dpu_s / 3600 * GLUE_USD_PER_DPU_HOUR,
           "redshift": rpu_s / 3600 * REDSHIFT_USD_PER_RPU_HOUR}
    usd["total"] = sum(usd.values())
    usd["redshift_low"] = rpu_s_low / 3600 * REDSHIFT_USD_PER_RPU_HOUR
    usd["total_low"] = usd["total"] - usd["redshift"] + usd["redshift_low"]
    return {"queries": len(per_query), "bytes_per_query": per_query, "bytes_scanned": scanned,
            "bytes_billed": billed, "glue_dpu_seconds": dpu_s, "redshift_rpu_seconds": rpu_s,
            "redshift_rpu_seconds_low": rpu_s_low, "measured_seconds": dict(seconds), "usd": usd}


def costs(lake_dir: Path, timings: dict[str, dict[str, float]],
          sizes: dict[str, int] | None = None) -> dict:
    """Daily run, backfill of the whole history (one daily run per day), and full_refresh."""
    sizes = sizes or object_sizes(lake_dir)
    first, last = lake_dates(lake_dir)
    start = max(first, dag_start())
    days = (last - start).days + 1
    daily = run_cost(sizes, timings["daily"])
    backfill = {k: daily[k] * days for k in ("queries", "bytes_scanned", "bytes_billed",
                                             "glue_dpu_seconds", "redshift_rpu_seconds",
                                             "redshift_rpu_seconds_low")}
    backfill["usd"] = {k: v * days for k, v in daily["usd"].items()}
    crawl_dpu_s = GLUE_CRAWLER_DPU * GLUE_CRAWLER_MIN_S
    return {
        "lake_bytes": sum(sizes.values()), "object_bytes": sizes,
        "history": {"start": start.isoformat(), "end": last.isoformat(), "days": days},
        "daily": daily, "backfill": backfill,
        # Same scans (whole objects either way), one job and one set of Redshift steps.
        "full_refresh": run_cost(sizes, timings["full_refresh"]),
        # The crawl runs only when a source object changed: once, for a lake that stopped.
        "first_crawl": {"glue_dpu_seconds": crawl_dpu_s,
                        "usd": crawl_dpu_s / 3600 * GLUE_USD_PER_DPU_HOUR},
        "max_query_bytes": max(daily["bytes_per_query"].values()),
        "athena_cutoff_bytes": athena_cutoff(),
    }


# --- measuring on local_aws -------------------------------------------------------------------

def measure(scale: str, day: str) -> tuple[dict[str, int], dict[str, dict[str, float]]]:
    """Source object sizes, and Redshift/Glue seconds of a daily run and a full_refresh, timed
    on local_aws seeded with the sample lake (steps as the DAG runs them)."""
    from covid_lake.aws import redshift_io
    from covid_lake.domain.datasets import DATASETS
    from covid_lake.tasks import extract, publish, settings, warehouse
    from covid_lake_dev import emulator as launcher

    sys.path.insert(0, str(ROOT / "include" / "scripts"))
    import load_redshift

    tables = ("dimdate", "dimregion", "dimhospital", "factcovid", "factcovidcounty", "runaudit")
    with tempfile.TemporaryDirectory() as tmp:
        aws = launcher.start(Path(tmp) / "aws", sample_scale=scale,
                             workgroups=[settings.DEFAULTS["redshift_workgroup"]])
        try:
            # landed, crawled and the CSV tables read as text, as the DAG leaves them
            clients, cfg, _ = crawled_lake(aws)
            s3, glue, athena, rs = (clients[s] for s in ("s3", "glue", "athena", "redshift-data"))
            sizes = {d.name: s3.head_object(Bucket=cfg.source_bucket, Key=d.key)["ContentLength"]
                     for d in DATASETS}
            script = ROOT / "include" / "scripts" / "load_redshift.py"
            warehouse.stage_load_job(s3, cfg, script, ROOT / "include" / "sql" / "redshift" / "load")
            key = f"{cfg.scripts_prefix}/load_redshift.py"
            glue.create_job(Name=cfg.glue_job_name, Role=cfg.glue_job_role_arn, MaxCapacity=0.0625,
                            Command={"Name": "pythonshell", "PythonVersion": "3.9",
                                     "ScriptLocation": f"s3://{cfg.bucket}/{key}"})
            ddl = [redshift_io.sql_file(f"{t}.sql") for t in tables]

            def one_run(run_date: dt.date, full_refresh: bool) -> dict[str, float]:
                ids = extract.extract(athena, cfg, None if full_refresh else run_date)
                published = publish.transform_and_publish(athena, s3, cfg, ids, run_date, full_refresh)
                t0 = time.perf_counter()
                desc = load_redshift.run_batch(rs, ddl, cfg.redshift_target(), 0.01, "ddl")
                ddl_s = time.perf_counter() - t0
                assert desc["Status"] == "FINISHED", desc
                import json

                t0 = time.perf_counter()
                run_id = glue.start_job_run(JobName=cfg.glue_job_name, Arguments={
                    "--run_date": published["run_date"], "--start_date": published["start_date"],
                    "--end_date": published["end_date"], "--plan": json.dumps(published["plan"]),
                    "--sql_uri": f"s3://{cfg.bucket}/{cfg.scripts_prefix}/sql/load",
                    "--iam_role": cfg.redshift_copy_role_arn, "--database": cfg.redshift_database,
                    "--workgroup": cfg.redshift_workgroup, "--poll_seconds": "0.05"})["JobRunId"]
                job = _wait(lambda: glue.get_job_run(JobName=cfg.glue_job_name, RunId=run_id)["JobRun"],
                            lambda r: r["JobRunState"] not in ("STARTING", "RUNNING", "STOPPING"),
                            poll=0.02)
                load_s = time.perf_counter() - t0
                assert job["JobRunState"] == "SUCCEEDED", job.get("ErrorMessage")
                t0 = time.perf_counter()
                warehouse.check_warehouse(rs, cfg, published)
                return {"ddl": ddl_s, "load": load_s, "check": time.perf_counter() - t0}

            d = dt.date.fromisoformat(day)
            timings = {"daily": one_run(d, False), "full_refresh": one_run(d, True)}
        finally:
            aws.stop()
    return sizes, timings


# --- report -----------------------------------------------------------------------------------

def _mb(b: float) -> str:
    return f"{b / 1e6:,.1f} MB"


def report(c: dict, scale: str, measured: bool) -> None:
    h, d, b, f = c["history"], c["daily"], c["backfill"], c["full_refresh"]
    print(f"AWS costs of covid_lake_daily, us-east-1 list prices; sample lake '{scale}': "
          f"{len(c['object_bytes'])} objects, {_mb(c['lake_bytes'])}")
    print(f"timings: {'measured on local_aws' if measured else 'LOCAL_FALLBACK (make bench)'}: "
          + "; ".join(f"{k} " + ", ".join(f"{s} {v:.2f} s" for s, v in t.items())
                      for k, t in (("daily", d["measured_seconds"]),
                                   ("full_refresh", f["measured_seconds"]))))
    cols = (("one daily run", d), (f"backfill, {h['days']} daily runs", b),
            ("one full_refresh run", f))
    print(f"history {h['start']}..{h['end']}: {h['days']} days (the dated sources, not before "
          "the DAG's start_date)\n")
    print(f"{'':38s}" + "".join(f"{name:>26s}" for name, _ in cols))
    rows = (("Athena queries", lambda r: f"{r['queries']:,d}"),
            ("Athena bytes scanned", lambda r: _mb(r["bytes_scanned"])),
            ("Athena bytes billed (10 MB/query min)", lambda r: _mb(r["bytes_billed"])),
            ("Glue job DPU-seconds billed", lambda r: f"{r['glue_dpu_seconds']:,.2f}"),
            ("Redshift RPU-seconds billed", lambda r: f"{r['redshift_rpu_seconds_low']:,.0f}"
                                                      f"-{r['redshift_rpu_seconds']:,.0f}"),
            ("Athena $", lambda r: f"{r['usd']['athena']:,.4f}"),
            ("Glue job $", lambda r: f"{r['usd']['glue']:,.4f}"),
            ("Redshift $", lambda r: f"{r['usd']['redshift_low']:,.2f}-{r['usd']['redshift']:,.2f}"),
            ("total $", lambda r: f"{r['usd']['total_low']:,.2f}-{r['usd']['total']:,.2f}"))
    for label, fmt in rows:
        print(f"{label:38s}" + "".join(f"{fmt(r):>26s}" for _, r in cols))
    print("(Redshift: low = a run's three steps share one 60 s minimum, high = each pays its own)")
    crawl = c["first_crawl"]
    print(f"\nplus once, the first run's crawl: {crawl['glue_dpu_seconds']:,.0f} DPU-seconds "
          f"(10-minute minimum x {GLUE_CRAWLER_DPU} DPU) = ${crawl['usd']:.3f}")
    print(f"largest single query: {_mb(c['max_query_bytes'])} (the profile); the stack's Athena "
          f"workgroup cancels a query past {_mb(c['athena_cutoff_bytes'])}")


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m benchmarks.aws_costs", description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", default="full", choices=("small", "full"))
    p.add_argument("--day", default="2020-04-15")
    p.add_argument("--no-measure", action="store_true", help="use LOCAL_FALLBACK timings")
    args = p.parse_args(argv)
    from covid_lake_dev.sample_lake import generate

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as lake:
        generate(lake, scale=args.scale)
        if args.no_measure:
            sizes, timings = None, LOCAL_FALLBACK
        else:
            sizes, timings = measure(args.scale, args.day)
        result = costs(Path(lake), timings, sizes)
    report(result, args.scale, not args.no_measure)
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    return result


if __name__ == "__main__":
    main()

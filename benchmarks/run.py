"""`make bench`: every case in its own child process; wall time and that child's peak RSS.

Ratios (x10 vs full, pandas vs DuckDB SQL, the daily run vs the no-op DAG) come from cases
measured side by side in one run, because machines here are noisy. Figures are printed, never
asserted: targets are for people.

BASELINE=<git revision> (`make bench BASELINE=df50ce9`): the cases that compare old and new run
against that revision's code too (benchmarks/code.py), old and new alternating (old, new, then
new, old), and both figures are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import code

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".local" / "bench"
DAY = "2020-04-15"


def measure(case: str, *args: str, code_dir: Path | None = None) -> dict:
    env = {**os.environ}
    env.pop(code.ENV, None)
    if code_dir is not None:
        env[code.ENV] = str(code_dir)
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.cases", case, *args],
                                stdout=out, cwd=ROOT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        text = out.read()
    if status != 0:
        raise SystemExit(f"benchmark case {case} {args} failed (status {status}):\n{text}")
    result = json.loads(text.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return result


def line(label: str, r: dict, target: str = "") -> None:
    print(f"{label:44s} {r['seconds']:8.2f} s {r['peak_rss_mb']:8.0f} MB   {target}", flush=True)


def old_and_new(case: str, *args: str, baseline: Path | None) -> tuple[list[dict], list[dict]]:
    """The case on the baseline's code and on this checkout's, alternating (old, new, new, old);
    without a baseline, once on this checkout's."""
    if baseline is None:
        return [], [measure(case, *args)]
    old, new = [], []
    for first_old in (True, False):
        for is_old in (first_old, not first_old):
            (old if is_old else new).append(measure(case, *args, code_dir=baseline if is_old else None))
    return old, new


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def goal(value: float, limit: float, unit: str = "x") -> str:
    return f"{value:7.2f}{unit}  goal <= {limit}{unit}  {'met' if value <= limit else 'NOT MET'}"


def dag_section(baseline: Path | None) -> None:
    """covid_lake_daily beside the no-op DAG of its shape, under `airflow dags test` (small)."""
    old, new = old_and_new("dag_speed", "small", "3", baseline=baseline)
    print(f"\n{'covid_lake_daily vs no-op DAG (dags test, small sample)':56s}"
          f"{'new' if old else '':>10s}{'old' if old else '':>10s}")
    rows = [("no-op DAG run (median of 3)", "noop_run_s_median"),
            ("no-op DAG run, daily's gc policy (median of 3)", "noop_gc_run_s_median"),
            ("daily run (median of 3)", "daily_run_s_median"),
            ("no-op tasks: first start to last end", "noop_tasks_s_median"),
            ("no-op tasks, daily's gc policy", "noop_gc_tasks_s_median"),
            ("daily tasks: first start to last end", "daily_tasks_s_median"),
            ("first daily run (crawls)", "first_daily_run_s"),
            ("no-op DAG's first run", "noop_first_run_s")]

    def figure(runs: list[dict], key: str) -> str:
        return f"{median(runs, key):8.1f} s" if runs and key in runs[0] else f"{'-':>10s}"

    for label, key in rows:
        print(f"   {label:53s}{figure(new, key)}" + (figure(old, key) if old else ""))
    # The goals are against the plain no-op DAG (the floor); the like-for-like lines
    # divide by the no-op DAG whose tasks start as the daily DAG's do (tasks/gc_freeze.py).
    ratios = (("daily / no-op run  ", "daily_run_s_median", "noop_run_s_median", 1.3),
              ("daily / no-op tasks", "daily_tasks_s_median", "noop_tasks_s_median", 2.0),
              ("first / no-op run  ", "first_daily_run_s", "noop_run_s_median", 1.5))
    like = (("daily / no-op run, like for like  ", "daily_run_s_median", "noop_gc_run_s_median"),
            ("daily / no-op tasks, like for like", "daily_tasks_s_median", "noop_gc_tasks_s_median"),
            ("first / no-op run, like for like  ", "first_daily_run_s", "noop_gc_run_s_median"))
    for label, runs in (("new", new), ("old", old)):
        for name, over, under, limit in ratios if runs else ():
            print(f"   [{label}] {name} {goal(median(runs, over) / median(runs, under), limit)}")
        for name, over, floor in like if runs and "noop_gc_run_s" in runs[0] else ():
            print(f"   [{label}] {name} {median(runs, over) / median(runs, floor):7.2f}x")
    last = new[-1]
    noop = {t["task"].split("[")[0]: t["seconds"] for t in last["noop_tasks"]}
    print("   the daily run's tasks (last run; no-op's same task beside it):")
    print(f"      {'task':34s}{'starts at':>10s}{'takes':>8s}{'no-op':>8s}")
    for t in last["daily_tasks"]:
        took = "skipped" if t["seconds"] is None or t["state"] == "skipped" else f"{t['seconds']:7.2f}"
        print(f"      {t['task']:34s}{t['start_s']:9.2f}s{took:>8s}{noop.get(t['task'].split('[')[0], 0):8.2f}")


def command_section() -> None:
    """`airflow dags test` under the venv's `airflow` and under covid_lake_dev.airflow_command,
    side by side on this checkout (make run and the tests call the latter)."""
    r = measure("command_exit", "small", "3")
    print(f"\n{'dags test: `airflow` beside covid_lake_dev.airflow_command':56s}"
          f"{'launcher':>10s}{'airflow':>10s}")
    for dag in ("noop", "daily"):
        print(f"   {dag + ' run (median of 3)':53s}{r[f'{dag}_launcher_s_median']:8.1f} s"
              f"{r[f'{dag}_airflow_s_median']:8.1f} s")


def local_aws_section(baseline: Path | None) -> None:
    """local_aws's own speed from a boto3 client (benchmarks/local_aws_speed.py)."""
    print(f"\n{'local_aws from boto3 (medians of 21 calls)':56s}"
          f"{'new' if baseline else '':>10s}{'old' if baseline else '':>10s}")
    for case, key, label, limit in (
            ("local_aws_athena_small_query", "athena_small_query_median_ms",
             "Athena small query: start to results read", 50),
            ("local_aws_data_api_statement", "data_api_statement_median_ms",
             "Data API statement: execute to result read", 30),
            ("local_aws_glue_shell_job", "glue_shell_job_median_ms",
             "Glue Python-shell job that exits at once", 1000)):
        old, new = old_and_new(case, baseline=baseline)
        value = median(new, key)
        print(f"   {label:53s}{value:8.0f} ms" + (f"{median(old, key):7.0f} ms" if old else "")
              + f"   goal <= {limit} ms  {'met' if value <= limit else 'NOT MET'}")


def star_section(lake_x10: str, baseline: Path | None) -> None:
    """The star build over x10 beside DuckDB SQL (and the old build), each in its own process."""
    print(f"\n{'star build, x10 sample, beside DuckDB SQL of the same schema':56s}")
    if baseline is not None:
        r = measure("star_side_by_side", lake_x10, str(baseline), "3")
        med = r["median"]
        for who in ("new", "old", "duckdb"):
            print(f"   {who:10s} {med[who]['seconds']:7.2f} s  peak {med[who]['peak_rss_mb']:6.0f} MB"
                  f"   runs {r['runs'][who]}")
        print(f"   [new] pandas / DuckDB {goal(r['new_vs_duckdb'], 1.0)}")
        print(f"   [old] pandas / DuckDB {goal(r['old_vs_duckdb'], 1.0)}")
        peak = med["new"]["peak_rss_mb"]
    else:
        new, duck = measure("star_steps", lake_x10), measure("duckdb_history", lake_x10)
        print(f"   pandas {new['seconds']:7.2f} s, DuckDB SQL {duck['seconds']:7.2f} s")
        print(f"   pandas / DuckDB {goal(new['seconds'] / duck['seconds'], 1.0)}")
        peak = new["peak_rss_mb"]
    print(f"   peak memory of the pandas build {goal(peak, 1500, ' MB')}")


def full_refresh_section(baseline: Path | None) -> None:
    old, new = old_and_new("full_refresh_dag", "full", baseline=baseline)
    value = median(new, "full_refresh_s")
    print(f"\n{'full_refresh run (dags test, full sample, after a first run)':56s}{value:8.1f} s"
          + (f"{median(old, 'full_refresh_s'):8.1f} s (old)" if old else "")
          + f"   goal <= 30 s  {'met' if value <= 30 else 'NOT MET'}")
    print("   by task (s): " + ", ".join(f"{t} {v:.1f}" for t, v in list(new[-1]["by_task_s"].items())[:8]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=os.environ.get("BASELINE") or None,
                        help="git revision to measure beside this checkout (old vs new)")
    parser.add_argument("--only", choices=("dag", "local_aws", "star", "all"), default="all")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    baseline = code.checkout(args.baseline, WORK) if args.baseline else None
    if baseline:
        print(f"old: {args.baseline} (checked out at {baseline}); new: this checkout")
    if args.only in ("dag", "all"):
        dag_section(baseline)
        command_section()
        full_refresh_section(baseline)
    if args.only in ("local_aws", "all"):
        local_aws_section(baseline)
    if args.only in ("dag", "local_aws"):
        return 0
    if args.only == "star":
        lake = WORK / "lake-x10"
        if not lake.is_dir():
            measure("generate", str(lake), "x10")
        star_section(str(lake), baseline)
        return 0
    print(f"{'case':44s} {'wall':>10s} {'peak RSS':>11s}   target")
    lakes, res = {}, {}
    for scale in ("full", "x10"):
        lakes[scale] = str(WORK / f"lake-{scale}")
        res[f"gen-{scale}"] = measure("generate", lakes[scale], scale)
        line(f"sample lake: generate {scale}", res[f"gen-{scale}"],
             "seconds, not minutes" if scale == "full" else "")

    res["day"] = measure("pandas_day", lakes["full"], DAY)
    line(f"star (pandas): one day {DAY}, full", res["day"], "< 1 s")
    for scale in ("full", "x10"):
        res[f"hist-{scale}"] = measure("pandas_history", lakes[scale])
        r = res[f"hist-{scale}"]
        line(f"star (pandas): whole history, {scale}", r,
             "< 20 s, < 2048 MB" if scale == "full" else "< 12x full")
        print(f"{'':6s}read {r['read_s']:.2f} s, clean {r['clean_s']:.2f} s, "
              f"build+validate {r['build_s']:.2f} s; rows {r['rows']}")
    res["bad"] = measure("bad_input_checks", lakes["full"])
    r = res["bad"]
    line("bad input: file checks + row validation, full", r, "small beside read + clean")
    print(f"{'':6s}files {r['files_s']:.2f} s, validate {r['validate_s']:.2f} s (read "
          f"{r['read_s']:.2f} s, clean {r['clean_s']:.2f} s); findings {r['rejected']}")
    res["duck"] = measure("duckdb_history", lakes["full"])
    line("star (DuckDB SQL): whole history, full", res["duck"])
    print(f"{'':6s}rows {res['duck']['rows']}")
    res["tut"] = measure("tutorial", lakes["full"])
    line("tutorial's merges, full", res["tut"])
    print(f"{'':6s}rows {res['tut']['rows']}")

    res["dag_import"] = measure("dag_import")
    line("DAG file import (median of 5, Airflow loaded)", res["dag_import"], "< 2 s")

    print(f"\n{'local_aws (full sample)':44s}")
    emu = measure("emulator", "full")
    for key, label, target in (
            ("start_and_seed_s", "start + seed covid19-lake", ""),
            ("crawl_s", "Glue crawl of the raw zone", "< 10 s"),
            ("athena_small_query_median_ms", "Athena small query, median of 21 (ms)", "< 300 ms"),
            ("athena_one_day_extract_s", "Athena one-day extract (8 queries)", ""),
            ("transform_and_publish_s", "read results, build, publish Parquet", ""),
            ("redshift_copy_one_day_s", "Redshift DDL + COPY/merge one day", ""),
            ("state_saved_after_1mb_put_s", "1 MB put on disk (debounce + flush)", "")):
        print(f"   {label:41s} {emu[key]:8.3f}     {target}")
    print(f"   peak RSS {emu['peak_rss_mb']:.0f} MB; rows {emu['rows']}")

    for scale in ("small", "full"):
        runs = measure("dag_runs", scale)
        print(f"\n{'covid_lake_daily on local_aws, ' + scale:44s}")
        print(f"   {'first daily run (crawls)':41s} {runs['first_daily_run_s']:8.1f} s")
        print(f"   {'daily run':41s} {runs['daily_run_s']:8.1f} s   < 60 s")
        print(f"   {'full_refresh run':41s} {runs['full_refresh_s']:8.1f} s")
        print(f"   {'covid_lake_report run (whole history)':41s} {runs['report_run_s']:8.1f} s")
        print(f"      queries {runs['report_query_s']:.2f} s, render {runs['report_render_s']:.2f} s, "
              f"page {runs['report_bytes'] / 1e6:.2f} MB")

    print("\nAWS costs for one daily run and a backfill, from the full sample (benchmarks/aws_costs.py)")
    from benchmarks import aws_costs

    aws_costs.main([])

    star_section(lakes["x10"], baseline)

    x10 = res["hist-x10"]["seconds"] / res["hist-full"]["seconds"]
    vs_duck = res["hist-full"]["seconds"] / res["duck"]["seconds"]
    print(f"\nx10 / full (pandas history): {x10:.1f}x   (target <= 12x)")
    print(f"pandas / DuckDB SQL (full history): {vs_duck:.2f}x   (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: every case in its own child process; wall time and that child's peak RSS.

Ratios (x10 vs full, pandas vs DuckDB SQL) come from cases measured side by side in one run,
because machines here are noisy. Figures are printed, never asserted: targets are for people.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".local" / "bench"
DAY = "2020-04-15"


def measure(case: str, *args: str) -> dict:
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.cases", case, *args],
                                stdout=out, cwd=ROOT)
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


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
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

    x10 = res["hist-x10"]["seconds"] / res["hist-full"]["seconds"]
    vs_duck = res["hist-full"]["seconds"] / res["duck"]["seconds"]
    print(f"\nx10 / full (pandas history): {x10:.1f}x   (target <= 12x)")
    print(f"pandas / DuckDB SQL (full history): {vs_duck:.2f}x   (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

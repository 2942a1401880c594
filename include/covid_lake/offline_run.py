"""What `make run` runs: the pipeline end to end on the offline sample lake.

It runs every stage that exists today and names the ones that do not exist yet, instead of
pretending. Stages, in the order the DAG runs them:

1. sample lake: the synthetic copy of the covid19-lake bucket (local_aws.sample_lake);
2. star schema: the pandas transforms on that lake (covid_lake.star), written as Parquet;
3. emulator: local_aws serving S3, Glue, Athena and the Redshift Data API (python -m local_aws);
4. DAG: dags/covid_lake_daily.py under `airflow dags test` against the emulator.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".local"


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _step(title: str) -> float:
    print(f"\n== {title}", flush=True)
    return time.perf_counter()


def run_sample_lake(scale: str) -> Path:
    from local_aws.sample_lake import generate

    out = LOCAL / f"sample-lake-{scale}"
    t0 = _step(f"sample lake ({scale}) -> {out.relative_to(ROOT)}")
    paths = generate(out, scale=scale)
    for name, path in paths.items():
        print(f"   {name:17s} {path.stat().st_size:>12,d} B")
    print(f"   done in {time.perf_counter() - t0:.1f} s (synthetic data shaped like the real lake)")
    return out


def run_star_schema(lake: Path) -> bool:
    if not _exists("covid_lake.star"):
        print("\n== star schema: NOT BUILT YET (covid_lake.star, issue 'The star schema')")
        return False
    from covid_lake import star

    out = LOCAL / "star"
    t0 = _step(f"star schema from {lake.relative_to(ROOT)} -> {out.relative_to(ROOT)}")
    summary = star.build_lake_to_parquet(lake, out)
    for table, rows in summary.items():
        print(f"   {table:17s} {rows:>10,d} rows")
    print(f"   done in {time.perf_counter() - t0:.1f} s")
    return True


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m covid_lake.offline_run", description=__doc__)
    p.add_argument("--scale", choices=("small", "full", "x10"), default="small")
    args = p.parse_args(argv)

    lake = run_sample_lake(args.scale)
    built_star = run_star_schema(lake)

    missing = []
    if not _exists("local_aws.server"):
        missing.append("the local_aws emulator (python -m local_aws; issue 'local_aws')")
    if not (ROOT / "dags" / "covid_lake_daily.py").exists():
        missing.append("the covid_lake_daily DAG (issue 'The covid_lake_daily DAG')")
    print()
    if missing:
        print("Not run, because it does not exist yet:")
        for m in missing:
            print(f"   - {m}")
        print("Ran: the sample lake" + (" and the star schema." if built_star else "."))
    return 0


if __name__ == "__main__":
    sys.exit(main())

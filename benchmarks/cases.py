"""Benchmark cases. Each runs in a fresh child process (see run.py) so its peak RSS is its own.

    python -m benchmarks.cases CASE LAKE_DIR [ARG]   -> one JSON line on stdout
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

SQL = Path(__file__).parent / "sql"


def generate(lake: str, scale: str) -> dict:
    from local_aws.sample_lake import generate as gen

    t0 = time.perf_counter()
    gen(lake, scale=scale)
    return {"seconds": time.perf_counter() - t0}


def _load(lake: str):
    from covid_lake.clean import clean_lake, load_raw_from_dir

    t0 = time.perf_counter()
    raw = load_raw_from_dir(lake)
    t1 = time.perf_counter()
    cleaned = clean_lake(raw)
    return cleaned, t1 - t0, time.perf_counter() - t1


def pandas_history(lake: str) -> dict:
    """Whole history in one call: read + clean + build (validated), as a full refresh does."""
    from covid_lake.star import build_full_history

    t0 = time.perf_counter()
    cleaned, read_s, clean_s = _load(lake)
    t1 = time.perf_counter()
    build = build_full_history(cleaned)
    t2 = time.perf_counter()
    return {"seconds": t2 - t0, "read_s": read_s, "clean_s": clean_s, "build_s": t2 - t1,
            "rows": build.counts()}


def pandas_day(lake: str, day: str) -> dict:
    """One run date D on already-cleaned inputs (the DAG hands the transform D's slice)."""
    from covid_lake.star import build_day

    cleaned, _, _ = _load(lake)
    d = dt.date.fromisoformat(day)
    build_day(cleaned, d)  # warm-up: first-call import and cache costs are not D's
    t0 = time.perf_counter()
    build = build_day(cleaned, d)
    return {"seconds": time.perf_counter() - t0, "rows": build.counts()}


def duckdb_history(lake: str) -> dict:
    """The same star schema as DuckDB SQL over the same files (read + transform)."""
    import duckdb

    from covid_lake.datasets import DATASETS

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

    from covid_lake.datasets import BY_NAME

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


CASES = {f.__name__: f for f in (generate, pandas_history, pandas_day, duckdb_history, tutorial)}

if __name__ == "__main__":
    name, *args = sys.argv[1:]
    print(json.dumps(CASES[name](*args)))

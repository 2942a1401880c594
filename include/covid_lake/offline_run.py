"""What `make run` runs: the covid_lake_daily DAG end to end on local_aws, no AWS account needed.

1. starts the emulator (python -m local_aws) in the background, state in .local/aws; on first
   start it seeds the public bucket covid19-lake with the synthetic sample lake;
2. prepares an Airflow home in .local/airflow (metadata DB, the DAG's pools);
3. runs `airflow dags test covid_lake_daily <date>` for a few consecutive dates, showing each
   task as it finishes (full logs in .local/logs/);
4. prints a warehouse summary and where the warehouse lives, then stops the emulator cleanly.

Running it twice gives the same numbers: every step is idempotent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import time

from covid_lake.local_stack import (AIRFLOW, AWS_PORT as PORT, LOCAL, ROOT, Emulator, airflow_env,
                                    prepare_airflow)

DAG_ID = "covid_lake_daily"
_END_TASK = re.compile(r"\[DAG TEST\] end task task_id=(\S+) map_index=(-?\d+)")
_RUN_STATE = re.compile(r"DagRun Finished: .*?run_duration=[\d.]+, state=(\w+)")


def env_for(endpoint: str) -> dict[str, str]:
    return airflow_env(endpoint, LOCAL / "airflow")


def run_date(day: dt.date, env: dict[str, str], index: int, total: int) -> float:
    log_path = LOCAL / "logs" / f"{DAG_ID}-{day.isoformat()}.log"
    print(f"[{index}/{total}] {DAG_ID} {day}  (log: {log_path.relative_to(ROOT)})", flush=True)
    t0 = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [str(AIRFLOW), "dags", "test", DAG_ID,
             day.isoformat(), "--conf", json.dumps({"run_date": day.isoformat()})],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        done: list[str] = []
        for line in proc.stdout:
            log.write(line)
            m = _END_TASK.search(line)
            if m:
                task = m.group(1) if m.group(2) == "-1" else f"{m.group(1)}[{m.group(2)}]"
                done.append(task)
                print(f"      done {task}", flush=True)
        code = proc.wait()
    seconds = time.perf_counter() - t0
    state = _RUN_STATE.findall(log_path.read_text())
    if code or state != ["success"]:
        raise SystemExit(f"run for {day} ended {state or 'without a state'} (exit {code}) "
                         f"after {seconds:.1f} s; see {log_path}")
    print(f"      succeeded in {seconds:.1f} s", flush=True)
    return seconds


def summary(endpoint: str) -> None:
    import boto3

    from covid_lake import redshift_io, settings

    client = boto3.client("redshift-data", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    s = settings.load(lambda key, default: default)
    target = s.redshift_target()
    print("\n== warehouse (Redshift Data API on local_aws)")
    for row in redshift_io.query(client, redshift_io.sql_file("summary/row_counts.sql"), target):
        print(f"   {row['table_name']:17s} {int(row['row_count']):>10,d} rows")
    print("\n   top states by JHU confirmed cases on the last loaded date:")
    for row in redshift_io.query(client, redshift_io.sql_file("summary/top_states.sql"), target):
        print(f"   {row['date_key']}  {row['state_name']:22s} confirmed {row['confirmed']:>9}  "
              f"NYT cases {row['nyt_cases']}  tests positive {row['positive']}")
    db = LOCAL / "aws" / "redshift" / f"workgroup-{s.redshift_workgroup}" / f"{s.redshift_database}.duckdb"
    print(f"\n   The warehouse is the DuckDB file {db.relative_to(ROOT)} (the emulator's Redshift).")
    print("   Query it like Redshift, through the Data API, while `python -m local_aws` runs:")
    print("     .venv/bin/python -m local_aws &   # then:")
    print("     .venv/bin/python -m covid_lake.redshift_io 'select * from factcovid limit 5'")
    print("   or read it directly when the emulator is stopped:")
    print(f"     .venv/bin/python -c \"import duckdb; duckdb.connect('{db.relative_to(ROOT)}', "
          "read_only=True).sql('select * from factcovid limit 5').show()\"")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m covid_lake.offline_run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", choices=("small", "full", "x10"), default="small",
                   help="sample lake seeded on the emulator's first start")
    p.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2020, 4, 1))
    p.add_argument("--days", type=int, default=3)
    p.add_argument("--port", type=int, default=PORT)
    args = p.parse_args(argv)

    (LOCAL / "logs").mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with Emulator(args.port, args.scale) as emu:
        print(f"== local_aws at {emu.endpoint} (state: .local/aws, sample scale {args.scale})")
        env = env_for(emu.endpoint)
        print("== Airflow home .local/airflow: metadata DB and pools")
        prepare_airflow(env)
        days = [args.start + dt.timedelta(days=k) for k in range(args.days)]
        print(f"== {args.days} daily runs, {days[0]}..{days[-1]}")
        for i, day in enumerate(days, start=1):
            run_date(day, env, i, len(days))
        summary(emu.endpoint)
    print(f"\nDone in {time.perf_counter() - t0:.0f} s; emulator stopped, state kept in .local/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

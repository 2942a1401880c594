"""What `make run` runs: the covid_lake_daily DAG end to end on local_aws, no AWS account needed.

1. starts the emulator (python -m local_aws) in the background, state in .local/aws; on first
   start it seeds the public bucket covid19-lake with the synthetic sample lake. With
   --lake DIR (make run LAKE=DIR) the bucket holds exactly DIR's files instead (a copy of the
   real lake laid out like the bucket, see fetch_lake.py), synchronised on every start, and the
   state lives apart in .local/aws-lake/<dir name>-<hash>/, so the sample's warehouse and each
   lake's never mix;
2. prepares an Airflow home in .local/airflow (metadata DB, the DAG's pools);
3. runs `airflow dags test covid_lake_daily <date>` for a few consecutive dates (--start,
   --days: 2020-04-01 and 3 days on the sample; 2020-03-30 and 3 days with --lake, the last
   days the real copy in ../shared/real-lake covers: JHU 2020-03-25..2020-04-01), showing each
   task as it finishes (full logs in .local/logs/, for a lake in .local/logs/lake-<dir name>-<hash>/);
4. runs covid_lake_report once (the analysts' HTML report, .local/report/latest.html);
5. prints a warehouse summary, where the warehouse and the report live, then stops the emulator
   cleanly.

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
from pathlib import Path

from covid_lake_dev.local_stack import (
    AIRFLOW_COMMAND,
    LOCAL,
    ROOT,
    Emulator,
    airflow_env,
    prepare_airflow,
)
from covid_lake_dev.local_stack import AWS_PORT as PORT

DAG_ID = "covid_lake_daily"
REPORT_DAG_ID = "covid_lake_report"
SAMPLE_START = dt.date(2020, 4, 1)
# The real copy (../shared/real-lake) has JHU reports for 2020-03-25..2020-04-01; a day's run
# also reads D-1 for day-over-day differences, so its last three days are 03-30..04-01. The
# whole lake, fetched from the bucket, covers these days too.
LAKE_START = dt.date(2020, 3, 30)
DEFAULT_DAYS = 3
_END_TASK = re.compile(r"\[DAG TEST\] end task task_id=(\S+) map_index=(-?\d+)")
_RUN_STATE = re.compile(r"DagRun Finished: .*?run_duration=[\d.]+, state=(\w+)")


def env_for(endpoint: str, local_dir: Path = LOCAL) -> dict[str, str]:
    return airflow_env(endpoint, Path(local_dir) / "airflow")


def run_date(day: dt.date, env: dict[str, str], index: int, total: int,
             log_dir: Path = LOCAL / "logs") -> float:
    print(f"[{index}/{total}] {DAG_ID} {day}", end="", flush=True)
    return dags_test(DAG_ID, env, log_dir / f"{DAG_ID}-{day.isoformat()}.log", day.isoformat(),
                     "--conf", json.dumps({"run_date": day.isoformat()}))


def run_report(env: dict[str, str], log_dir: Path = LOCAL / "logs") -> float:
    """covid_lake_report once: `dags test` runs one DAG, so the Asset-scheduled report does not
    follow the daily runs by itself here (under `make airflow` the scheduler starts it)."""
    print(f"[report] {REPORT_DAG_ID}", end="", flush=True)
    return dags_test(REPORT_DAG_ID, env, log_dir / f"{REPORT_DAG_ID}.log")


def dags_test(dag_id: str, env: dict[str, str], log_path: Path, *args: str) -> float:
    """`airflow dags test dag_id *args`, showing each task as it finishes; the run's seconds."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"  (log: {_rel(log_path)})", flush=True)
    t0 = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen([*AIRFLOW_COMMAND, "dags", "test", dag_id, *args],
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
        raise SystemExit(f"{dag_id} {' '.join(args[:1])} ended {state or 'without a state'} "
                         f"(exit {code}) after {seconds:.1f} s; see {log_path}")
    print(f"      succeeded in {seconds:.1f} s", flush=True)
    return seconds


def summary(endpoint: str, state_dir: Path = LOCAL / "aws", lake: Path | None = None) -> None:
    import boto3

    from covid_lake.aws import redshift_io
    from covid_lake.tasks import settings

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
    audit = redshift_io.query(client, redshift_io.sql_file("summary/audit.sql"), target)
    if audit:
        print(f"\n   left out or resolved on {audit[0]['run_date_key']} (table runaudit; "
              "quirk = a source defect, measured against its limit):")
        for row in audit:
            print(f"   {row['dataset']:16s} {row['kind']:5s} {int(row['row_count']):>6,d} of "
                  f"{int(row['of_rows']):>7,d}  {row['reason']}")
    db = state_dir / "redshift" / f"workgroup-{s.redshift_workgroup}" / f"{s.redshift_database}.duckdb"
    print(f"\n   The warehouse is the DuckDB file {_rel(db)} (the emulator's Redshift).")
    print("   Query it like Redshift, through the Data API, while the emulator runs:")
    start = f".venv/bin/python -m covid_lake_dev.emulator --redshift-workgroup {s.redshift_workgroup}"
    if state_dir != LOCAL / "aws":
        start += f" --state-dir {_rel(state_dir)}"
    if lake is not None:
        start += f" --lake {lake}"
    print(f"     {start} &   # then:")
    print("     .venv/bin/python -m covid_lake_dev.query_warehouse 'select * from factcovid limit 5'")
    print("   or read it directly when the emulator is stopped:")
    print(f"     .venv/bin/python -c \"import duckdb; duckdb.connect('{_rel(db)}', "
          "read_only=True).sql('select * from factcovid limit 5').show()\"")


def _rel(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _lake_report(lake: dict) -> str:
    text = (f"{lake.get('objects', '?')} objects, {len(lake.get('put', []))} put, "
            f"{len(lake.get('deleted', []))} deleted since the last start")
    if lake.get("missing"):
        text += "\n   MISSING (the DAG fails to land them): " + ", ".join(lake["missing"])
    return text


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m covid_lake_dev.offline_run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", choices=("small", "full", "x10"), default=None,
                   help="sample lake seeded on the emulator's first start (default small)")
    p.add_argument("--lake", type=Path, metavar="DIR", default=None,
                   help="instead of the sample: seed covid19-lake with DIR's files (laid out like "
                        "the bucket) on every start; state in .local/aws-lake/")
    p.add_argument("--start", type=dt.date.fromisoformat, default=None,
                   help=f"first run date (default {SAMPLE_START}; with --lake {LAKE_START})")
    p.add_argument("--days", type=int, default=DEFAULT_DAYS,
                   help=f"number of daily runs (default {DEFAULT_DAYS})")
    p.add_argument("--port", type=int, default=PORT)
    p.add_argument("--local-dir", type=Path, default=LOCAL,
                   help="state, Airflow home and logs (default .local/)")
    args = p.parse_args(argv)
    args.local_dir = args.local_dir.resolve()
    if args.lake is not None and args.scale is not None:
        p.error(f"--lake and --scale are alternatives (make run LAKE=... or SCALE=...): --lake "
                f"{args.lake} runs on that directory's files, --scale {args.scale} on the "
                "synthetic sample; give one of them")
    if args.days < 1:
        p.error("--days must be at least 1")
    if args.lake is None:
        args.scale = args.scale or "small"
    if args.start is None:
        args.start = SAMPLE_START if args.lake is None else LAKE_START
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    local = args.local_dir
    with Emulator(args.port, args.scale, local, lake=args.lake) as emu:
        log_dir = local / "logs" if args.lake is None else local / "logs" / f"lake-{emu.state_dir.name}"
        if args.lake is None:
            print(f"== local_aws at {emu.endpoint} (state: {_rel(emu.state_dir)}, sample scale {args.scale})")
        else:
            print(f"== local_aws at {emu.endpoint} (state: {_rel(emu.state_dir)}, "
                  f"covid19-lake = the files of {emu.lake}: {_lake_report(emu.lake_sync)})")
        env = env_for(emu.endpoint, local)
        print(f"== Airflow home {_rel(local / 'airflow')}: metadata DB and pools")
        prepare_airflow(env)
        days = [args.start + dt.timedelta(days=k) for k in range(args.days)]
        print(f"== {args.days} daily runs, {days[0]}..{days[-1]}")
        for i, day in enumerate(days, start=1):
            run_date(day, env, i, len(days), log_dir)
        run_report(env, log_dir)
        summary(emu.endpoint, emu.state_dir, emu.lake)
    from covid_lake.tasks import settings

    s = settings.load(lambda key, default: default)
    print(f"\n== The report: {_rel(local / 'report' / 'latest.html')} (open it in a browser; "
          f"also s3://{s.bucket}/{s.reports_prefix}/latest.html on the emulator, and the Airflow "
          "UI's COVID warehouse view under `make airflow`)")
    print(f"\nDone in {time.perf_counter() - t0:.0f} s; emulator stopped, state kept in "
          f"{_rel(emu.state_dir)}/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

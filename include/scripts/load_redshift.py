"""Glue Python-shell job: load one run date's star tables into Redshift, all or nothing.

    load_redshift.py --run_date 2020-04-15 [--start_date D1 --end_date D2]
                     --star_uri s3://bucket/star --sql_uri s3://bucket/scripts/sql/load
                     --iam_role arn:aws:iam::...:role/... --database dev
                     (--workgroup NAME | --cluster_identifier ID) --counts '{"factcovid": 56, ...}'

Facts cover start_date..end_date (default: the run date; a full refresh gives the whole span);
dimensions are the run's objects under star/<table>/run_date=<run date>/.

For each table: COPY its Parquet for the run into a temp staging table, then replace the day's
fact rows / the matching dimension keys, through the Redshift Data API in ONE
BatchExecuteStatement, which Redshift runs as one transaction: a failure anywhere leaves the
warehouse as it was. The SQL comes from include/sql/redshift/load/*.sql (uploaded by the DAG
beside this script). Only boto3 is needed, so the script runs unchanged on AWS Glue and on
local_aws; arguments are parsed with argparse (Glue and Airflow add their own, ignored here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time

import boto3
from botocore.config import Config

# Explicit, so the number of attempts before the job fails (and Airflow retries it) is known.
RETRIES = Config(retries={"mode": "standard", "max_attempts": 3})

FACTS = ("factcovid", "factcovidcounty")
DIMENSIONS = {"dimdate": "date_key", "dimregion": "fips", "dimhospital": "hospital_id"}
AUDIT = "runaudit"  # the run's data-quality report, replaced per run date
ORDER = ("dimdate", "dimregion", "dimhospital", "factcovid", "factcovidcounty", AUDIT)

_S3_URI = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[A-Za-z0-9._=\-/]*)?")
_ROLE = re.compile(r"arn:aws[a-z\-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_\-/]+")


class LoadError(RuntimeError):
    pass


def _checked(value: str, pattern: re.Pattern, what: str) -> str:
    if not pattern.fullmatch(value):
        raise LoadError(f"--{what} {value!r} is not a valid {what}")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run_date", required=True)
    p.add_argument("--start_date", default="")
    p.add_argument("--end_date", default="")
    p.add_argument("--star_uri", required=True)
    p.add_argument("--sql_uri", required=True)
    p.add_argument("--iam_role", required=True)
    p.add_argument("--database", required=True)
    p.add_argument("--workgroup", default="")
    p.add_argument("--cluster_identifier", default="")
    p.add_argument("--counts", required=True, help="JSON: rows published per table")
    p.add_argument("--poll_seconds", type=float, default=1.0)
    args, _ = p.parse_known_args(argv)
    return args


def split_sql(text: str) -> list[str]:
    """Statements of a template file (no ';' inside literals in these files)."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


def statements(run_date: dt.date, start: dt.date, end: dt.date, star_uri: str, iam_role: str,
               counts: dict[str, int], templates: dict[str, str]) -> list[str]:
    keys = {"start_key": start.strftime("%Y%m%d"), "end_key": end.strftime("%Y%m%d")}
    out: list[str] = []
    for table in ORDER:
        rows = counts.get(table, 0)
        if table == AUDIT:
            if rows:
                source = f"{star_uri}/{table}/run_date={run_date.isoformat()}/"
                out += [s.format(table=table, source=source, iam_role=iam_role,
                                 run_key=run_date.strftime("%Y%m%d"))
                        for s in split_sql(templates[AUDIT])]
        elif table in FACTS:
            if not rows:
                template, source = templates["fact_empty"], ""
            elif start == end:
                template, source = templates["fact"], f"{star_uri}/{table}/date={start.isoformat()}/"
            else:
                template, source = templates["fact_range"], f"{star_uri}/{table}/"
            out += [s.format(table=table, source=source, iam_role=iam_role, **keys)
                    for s in split_sql(template)]
        elif rows:
            source = f"{star_uri}/{table}/run_date={run_date.isoformat()}/"
            template = templates.get(table, templates["dimension"])  # a table's own merge wins
            out += [s.format(table=table, key=DIMENSIONS[table], source=source, iam_role=iam_role)
                    for s in split_sql(template)]
    return out


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LoadError(f"--{what} {value!r} is not a date (YYYY-MM-DD)") from None


def _read_s3(s3, uri: str) -> str:
    bucket, _, key = uri[len("s3://"):].partition("/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def run_batch(client, sqls: list[str], target: dict[str, str], poll: float, name: str) -> dict:
    started = client.batch_execute_statement(Sqls=sqls, StatementName=name, **target)
    while True:
        desc = client.describe_statement(Id=started["Id"])
        if desc["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            return desc
        time.sleep(poll)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run_date = _date(args.run_date, "run_date")
    start = _date(args.start_date, "start_date") if args.start_date else run_date
    end = _date(args.end_date, "end_date") if args.end_date else start
    if end < start:
        raise LoadError(f"--end_date {end} is before --start_date {start}")
    star_uri = _checked(args.star_uri.rstrip("/"), _S3_URI, "star_uri")
    sql_uri = _checked(args.sql_uri.rstrip("/"), _S3_URI, "sql_uri")
    iam_role = _checked(args.iam_role, _ROLE, "iam_role")
    counts = {k: int(v) for k, v in json.loads(args.counts).items()}
    unknown = set(counts) - set(ORDER)
    if unknown:
        raise LoadError(f"--counts names unknown tables: {sorted(unknown)}")
    if not (args.workgroup or args.cluster_identifier):
        raise LoadError("give --cluster_identifier or --workgroup")
    # A named cluster wins: the workgroup always has a default, the cluster only when chosen.
    target = ({"ClusterIdentifier": args.cluster_identifier} if args.cluster_identifier
              else {"WorkgroupName": args.workgroup})
    target["Database"] = args.database

    s3 = boto3.client("s3", config=RETRIES)
    templates = {n: _read_s3(s3, f"{sql_uri}/{n}.sql")
                 for n in ("fact", "fact_range", "fact_empty", "dimension", "dimregion", AUDIT)}
    sqls = statements(run_date, start, end, star_uri, iam_role, counts, templates)
    print(f"loading {start}..{end} (run {run_date}): {len(sqls)} statements in one transaction; "
          f"rows {counts}")
    desc = run_batch(boto3.client("redshift-data", config=RETRIES), sqls, target, args.poll_seconds,
                     f"covid-lake-load-{run_date.isoformat()}")
    if desc["Status"] != "FINISHED":
        failed = [s for s in desc.get("SubStatements", []) if s.get("Status") == "FAILED"]
        where = f" in: {failed[0].get('QueryString', '')[:300]}" if failed else ""
        print(f"load of {run_date} {desc['Status']}: {desc.get('Error')}{where}; "
              "nothing was changed (the batch is one transaction)", file=sys.stderr)
        return 1
    print(f"loaded {run_date}: {desc.get('ResultRows', 'n/a')} result rows, "
          f"{desc.get('Duration', 0) / 1e9:.2f} s in Redshift")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except LoadError as exc:
        print(f"load_redshift: {exc}", file=sys.stderr)
        sys.exit(2)

"""Glue Python-shell job: load one run date's star tables into Redshift, all or nothing.

    load_redshift.py --run_date 2020-04-15 [--start_date D1 --end_date D2]
                     --plan '[{"table": "dimdate", "template": "dimension", "source": "s3://...",
                               "key": "date_key"}, ...]'
                     --sql_uri s3://bucket/scripts/sql/load
                     --iam_role arn:aws:iam::...:role/... --database dev
                     (--workgroup NAME | --cluster_identifier ID) [--timeout_seconds 1500]

The plan (covid_lake.domain.layout.load_plan, made by the run that published the star) lists the
tables in load order, each with its SQL template, the S3 prefix its COPY reads and its merge key:
this script knows nothing of the star's layout. Facts cover start_date..end_date (default: the
run date; a full refresh gives the whole span).

For each table: COPY its Parquet for the run into a temp staging table, then replace the day's
fact rows / the matching dimension keys, through the Redshift Data API in ONE
BatchExecuteStatement, which Redshift runs as one transaction: a failure anywhere leaves the
warehouse as it was; a batch still running after --timeout_seconds is cancelled (rolled back).
The SQL comes from include/sql/redshift/load/*.sql, one statement a file (uploaded by the DAG
beside this script); TEMPLATES lists each table's statements.
Only boto3 is needed, so the script runs unchanged on AWS Glue and on local_aws; arguments are
parsed with argparse (Glue and Airflow add their own, ignored here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import WaiterError
from botocore.waiter import WaiterModel, create_waiter_with_client

# Explicit, so the number of attempts before the job fails (and Airflow retries it) is known.
RETRIES = Config(retries={"mode": "standard", "max_attempts": 3})

# Each table's load: statements of include/sql/redshift/load/<name>.sql (one statement a file),
# in this order. A list, not a file to split: BatchExecuteStatement takes a list.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "fact": ("stage", "copy", "delete_days", "insert"),
    "fact_range": ("stage", "copy", "trim_to_range", "delete_days", "insert"),
    "fact_empty": ("delete_days",),
    "dimension": ("stage", "copy", "delete_keys", "insert"),
    "dimregion": ("stage", "copy", "keep_loaded_values", "delete_keys", "insert"),
    "runaudit": ("stage", "copy", "delete_run", "insert"),
}
_TABLE = re.compile(r"[a-z_][a-z0-9_]{0,126}")
_KEY = re.compile(r"[a-z_][a-z0-9_]*(, [a-z_][a-z0-9_]*)*")

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
    p.add_argument("--plan", required=True, help="JSON: covid_lake.domain.layout.load_plan")
    p.add_argument("--sql_uri", required=True)
    p.add_argument("--iam_role", required=True)
    p.add_argument("--database", required=True)
    p.add_argument("--workgroup", default="")
    p.add_argument("--cluster_identifier", default="")
    p.add_argument("--poll_seconds", type=float, default=1.0)
    # Below the Glue job's own Timeout (30 min): the job fails with a message, not a kill.
    p.add_argument("--timeout_seconds", type=float, default=1500.0)
    args, _ = p.parse_known_args(argv)
    return args


def statement(text: str) -> str:
    """A statement file's SQL: its full-line comments are documentation, not sent."""
    return "\n".join(line for line in text.splitlines()
                     if not line.lstrip().startswith("--")).strip()


def check_plan(plan: object) -> list[dict[str, str]]:
    """The --plan argument, refused unless every entry is what the templates can take."""
    if not isinstance(plan, list) or not plan:
        raise LoadError("--plan must be a non-empty JSON list")
    for step in plan:
        if not isinstance(step, dict):
            raise LoadError(f"--plan entry {step!r} is not an object")
        if step.get("template") not in TEMPLATES:
            raise LoadError(f"--plan entry {step!r}: template must be one of {list(TEMPLATES)}")
        if not _TABLE.fullmatch(str(step.get("table", ""))):
            raise LoadError(f"--plan entry {step!r}: table is not a table name")
        if step.get("source") and not _S3_URI.fullmatch(step["source"]):
            raise LoadError(f"--plan entry {step!r}: source is not an s3:// prefix")
        if step.get("key") and not _KEY.fullmatch(step["key"]):
            raise LoadError(f"--plan entry {step!r}: key is not a column list")
        if step.get("keep") and not _KEY.fullmatch(step["keep"]):
            raise LoadError(f"--plan entry {step!r}: keep is not a column list")
        if "keep_loaded_values" in TEMPLATES[step["template"]] and not step.get("keep"):
            raise LoadError(f"--plan entry {step!r}: keep (the columns to keep) is missing")
    return plan


def needed(plan: list[dict[str, str]]) -> list[str]:
    """The statement files the plan's templates use."""
    return sorted({name for step in plan for name in TEMPLATES[step["template"]]})


def statements(plan: list[dict[str, str]], run_date: dt.date, start: dt.date, end: dt.date,
               iam_role: str, sql: dict[str, str]) -> list[str]:
    """The batch: for each table of the plan, its template's statements, filled in. `sql` maps a
    statement name to its file's text."""
    values = {"start_key": start.strftime("%Y%m%d"), "end_key": end.strftime("%Y%m%d"),
              "run_key": run_date.strftime("%Y%m%d"), "iam_role": iam_role}
    return [statement(sql[name]).format(table=step["table"], source=step.get("source", ""),
                                        key=step.get("key", ""),
                                        keep_values=_keep_values(step), **values)
            for step in plan for name in TEMPLATES[step["template"]]]


def _keep_values(step: dict[str, str]) -> str:
    """SET list of keep_loaded_values.sql: each column the contract keeps when the run's value
    is NULL (the plan's `keep`, from covid_lake's contracts) takes the loaded value then."""
    table = step["table"]
    return ",\n    ".join(f"{c} = COALESCE(stage_{table}.{c}, kept.{c})"
                          for c in step.get("keep", "").split(", ") if c)


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LoadError(f"--{what} {value!r} is not a date (YYYY-MM-DD)") from None


def _read_s3(s3, uri: str) -> str:
    # Glue runs this file alone, without covid_lake: the addresses come built (layout.py), and
    # only this split of one is done here.
    bucket, _, key = uri[len("s3://"):].partition("/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


# The Data API has no waiter in boto3; this one is botocore's waiter model (as covid_lake's
# aws/waiters.py, which Glue cannot import: this file runs alone).
_BATCH_ENDED = WaiterModel({"version": 2, "waiters": {"batch_ended": {
    "operation": "DescribeStatement", "delay": 1, "maxAttempts": 1500,
    "acceptors": [{"matcher": "path", "argument": "Status", "expected": s, "state": "success"}
                  for s in ("FINISHED", "FAILED", "ABORTED")]}}})


def run_batch(client, sqls: list[str], target: dict[str, str], poll: float, name: str,
              timeout: float = 1500.0) -> dict:
    """The batch's DescribeStatement once it has ended; cancelled after `timeout` seconds of
    polls (ceil(timeout / poll) of them)."""
    started = client.batch_execute_statement(Sqls=sqls, StatementName=name, **target)
    try:
        create_waiter_with_client("batch_ended", _BATCH_ENDED, client).wait(
            Id=started["Id"], WaiterConfig={"Delay": poll,
                                            "MaxAttempts": max(1, math.ceil(timeout / poll))})
    except WaiterError as exc:
        desc = dict(exc.last_response or {})
        if isinstance(desc.get("Error"), dict):  # an AWS error, not the statement's: Glue retries
            raise
        client.cancel_statement(Id=started["Id"])
        return {**desc, "Status": "ABORTED",
                "Error": f"still {desc.get('Status')} after {timeout:.0f} s: cancelled"}
    return client.describe_statement(Id=started["Id"])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run_date = _date(args.run_date, "run_date")
    start = _date(args.start_date, "start_date") if args.start_date else run_date
    end = _date(args.end_date, "end_date") if args.end_date else start
    if end < start:
        raise LoadError(f"--end_date {end} is before --start_date {start}")
    sql_uri = _checked(args.sql_uri.rstrip("/"), _S3_URI, "sql_uri")
    iam_role = _checked(args.iam_role, _ROLE, "iam_role")
    try:
        plan = check_plan(json.loads(args.plan))
    except json.JSONDecodeError as exc:
        raise LoadError(f"--plan is not JSON: {exc}") from None
    if not (args.workgroup or args.cluster_identifier):
        raise LoadError("give --cluster_identifier or --workgroup")
    # A named cluster wins: the workgroup always has a default, the cluster only when chosen.
    target = ({"ClusterIdentifier": args.cluster_identifier} if args.cluster_identifier
              else {"WorkgroupName": args.workgroup})
    target["Database"] = args.database

    s3 = boto3.client("s3", config=RETRIES)
    sql = {name: _read_s3(s3, f"{sql_uri}/{name}.sql") for name in needed(plan)}
    sqls = statements(plan, run_date, start, end, iam_role, sql)
    print(f"loading {start}..{end} (run {run_date}): {len(sqls)} statements in one transaction; "
          f"tables {[s['table'] for s in plan]}")
    desc = run_batch(boto3.client("redshift-data", config=RETRIES), sqls, target, args.poll_seconds,
                     f"covid-lake-load-{run_date.isoformat()}", args.timeout_seconds)
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

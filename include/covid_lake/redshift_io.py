"""The Redshift Data API for the pipeline's own queries (checks, summaries): run, wait, read rows.

Plain boto3 (a `redshift-data` client is passed in; the Data API has no boto3 waiter, so the
wait is this module's loop, and the rows come through boto3's get_statement_result paginator);
the SQL comes from include/sql/redshift/ files and values travel as Data API parameters (:name),
never pasted into the text.
"""

from __future__ import annotations

import time
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[1] / "sql" / "redshift"


class RedshiftQueryError(RuntimeError):
    pass


def sql_file(name: str) -> str:
    return (SQL_DIR / name).read_text()


def query(client, sql: str, target: dict[str, str], parameters: dict[str, object] | None = None,
          poll: float = 0.2, timeout: float = 600) -> list[dict]:
    """Rows of one statement as dicts (column name -> Python value)."""
    kwargs = dict(Sql=sql, **target)
    if parameters:
        kwargs["Parameters"] = [{"name": k, "value": str(v)} for k, v in parameters.items()]
    sid = client.execute_statement(**kwargs)["Id"]
    end = time.monotonic() + timeout
    while True:
        desc = client.describe_statement(Id=sid)
        if desc["Status"] == "FINISHED":
            break
        if desc["Status"] in ("FAILED", "ABORTED"):
            raise RedshiftQueryError(f"Redshift statement {sid} {desc['Status']}: "
                                     f"{desc.get('Error')}\n{sql}")
        if time.monotonic() > end:
            raise RedshiftQueryError(f"Redshift statement {sid} still {desc['Status']} after {timeout} s")
        time.sleep(poll)
    if not desc.get("HasResultSet"):
        return []
    rows, names = [], None
    for page in client.get_paginator("get_statement_result").paginate(Id=sid):
        names = names or [c["name"] for c in page["ColumnMetadata"]]
        rows += [{n: (None if cell.get("isNull") else next(iter(cell.values())))
                  for n, cell in zip(names, record)} for record in page["Records"]]
    return rows


def main(argv: list[str] | None = None) -> int:
    """python -m covid_lake.redshift_io [--endpoint URL] "SQL": rows of one query, as a table."""
    import argparse

    import boto3

    from covid_lake import settings

    p = argparse.ArgumentParser(prog="python -m covid_lake.redshift_io", description=main.__doc__)
    p.add_argument("sql")
    p.add_argument("--endpoint", default="http://127.0.0.1:5050",
                   help="local_aws endpoint; '' for real AWS (credentials from the environment)")
    args = p.parse_args(argv)
    extra = ({"endpoint_url": args.endpoint, "region_name": "us-east-1",
              "aws_access_key_id": "local", "aws_secret_access_key": "local"}
             if args.endpoint else {})
    client = boto3.client("redshift-data", **extra)
    rows = query(client, args.sql, settings.load(lambda k, d: d).redshift_target())
    if rows:
        import pandas as pd

        print(pd.DataFrame(rows).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

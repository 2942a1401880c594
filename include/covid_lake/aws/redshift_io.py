"""The Redshift Data API for the pipeline's own queries (checks, summaries): run, wait, read rows.

Plain boto3 (a `redshift-data` client is passed in; the Data API has no boto3 waiter, so the
wait is this module's loop, and the rows come through boto3's get_statement_result paginator);
the SQL comes from include/sql/redshift/ files and values travel as Data API parameters (:name),
never pasted into the text.
"""

from __future__ import annotations

import time
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[2] / "sql" / "redshift"


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

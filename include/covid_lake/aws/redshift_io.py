"""The Redshift Data API for the pipeline's own queries (checks, summaries): run, wait, read rows.

Plain boto3 (a `redshift-data` client is passed in; the wait is a botocore waiter, waiters.py,
and the rows come through boto3's get_statement_result paginator);
the SQL comes from include/sql/redshift/ files and values travel as Data API parameters (:name),
never pasted into the text.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from covid_lake.aws import waiters

SQL_DIR = Path(__file__).resolve().parents[2] / "sql" / "redshift"


class RedshiftQueryError(RuntimeError):
    pass


def sql_file(name: str) -> str:
    return (SQL_DIR / name).read_text()


# First looks before the waiter's fixed interval: a statement that ends within tens of
# milliseconds (local_aws, a small one on Redshift) is seen then, not a whole `poll` later; the
# pipeline's checks are three such statements a run. Three extra calls at most per statement.
QUICK_LOOKS = (0.02, 0.04, 0.08)
_ENDED = ("FINISHED", "FAILED", "ABORTED")


def wait(client, sid: str, poll: float, timeout: float) -> dict:
    """DescribeStatement's answer once the statement has ended, or the last one seen when
    `timeout` passed first (its Status then still SUBMITTED, PICKED or STARTED)."""
    for pause in QUICK_LOOKS:
        if pause >= poll:
            break
        time.sleep(pause)
        desc = client.describe_statement(Id=sid)
        if desc["Status"] in _ENDED:
            return desc
    try:
        waiters.statement_finished(client).wait(Id=sid, WaiterConfig=waiters.config(poll, timeout))
    except WaiterError as exc:
        last = dict(exc.last_response or {})
        if isinstance(last.get("Error"), dict):  # throttling, 5xx: the task's retries are for these
            raise ClientError(last, "DescribeStatement") from None
        return last
    return client.describe_statement(Id=sid)  # FINISHED: whether it has a result set, its rows


def query(client, sql: str, target: dict[str, str], parameters: Mapping[str, object] | None = None,
          poll: float = 0.2, timeout: float = 600) -> list[dict]:
    """Rows of one statement as dicts (column name -> Python value)."""
    kwargs: dict[str, Any] = dict(Sql=sql, **target)
    if parameters:
        kwargs["Parameters"] = [{"name": k, "value": str(v)} for k, v in parameters.items()]
    sid = client.execute_statement(**kwargs)["Id"]
    desc = wait(client, sid, poll, timeout)
    if desc["Status"] in ("FAILED", "ABORTED"):
        raise RedshiftQueryError(f"Redshift statement {sid} {desc['Status']}: "
                                 f"{desc.get('Error')}\n{sql}")
    if desc["Status"] != "FINISHED":
        raise RedshiftQueryError(f"Redshift statement {sid} still {desc['Status']} after {timeout} s")
    if not desc.get("HasResultSet"):
        return []
    rows, names = [], None
    for page in client.get_paginator("get_statement_result").paginate(Id=sid):
        names = names or [c["name"] for c in page["ColumnMetadata"]]
        rows += [{n: (None if cell.get("isNull") else next(iter(cell.values())))
                  for n, cell in zip(names, record, strict=True)} for record in page["Records"]]
    return rows

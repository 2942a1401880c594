"""The web views' reads from the warehouse, through the Redshift Data API (a boto3
`redshift-data` client is passed in).

- `run_audit`: a run date's `runaudit` rows (include/sql/redshift/web/run_audit.sql, the date a
  Data API parameter);
- `run_select`: the SQL editor's one statement, already accepted by sql_guard, sent as written.
  The row limit is enforced by reading only the first MAX_ROWS rows of the result (the
  get_statement_result pages), the time limit by cancel_statement after TIMEOUT_S: the user's
  SQL is never wrapped or edited.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from covid_lake.aws import redshift_io

MAX_ROWS = 1000  # rows the SQL editor shows at most
TIMEOUT_S = 30.0  # seconds a SQL editor statement may run before it is cancelled
AUDIT_SQL = "web/run_audit.sql"


class StatementFailed(RuntimeError):
    """The Data API ran the statement and it failed (message: the Data API's error text)."""


class StatementTimedOut(RuntimeError):
    """The statement ran longer than the limit and was cancelled."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list[object]]
    truncated: bool  # more rows exist than were read
    total_rows: int | None  # the Data API's ResultRows, when it says
    elapsed_s: float
    statement_id: str
    limit: int = MAX_ROWS
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"columns": self.columns, "rows": self.rows, "row_count": len(self.rows),
                "truncated": self.truncated, "total_rows": self.total_rows,
                "limit": self.limit, "elapsed_s": round(self.elapsed_s, 3),
                "statement_id": self.statement_id,
                "message": (f"showing first {len(self.rows)} rows" if self.truncated
                            else f"{len(self.rows)} rows")}


def run_key(run_date: dt.date) -> int:
    """runaudit's run_date_key: the run date as YYYYMMDD."""
    return int(run_date.strftime("%Y%m%d"))


def run_audit(client, target: dict[str, str], run_date: dt.date,
              timeout: float = TIMEOUT_S) -> list[dict]:
    """The run date's runaudit rows: loaded rows per star table first, then what was left out."""
    try:
        return redshift_io.query(client, redshift_io.sql_file(AUDIT_SQL), target,
                                 {"run_key": run_key(run_date)}, timeout=timeout)
    except redshift_io.RedshiftQueryError as exc:
        raise StatementFailed(str(exc).splitlines()[0]) from None


def run_select(client, sql: str, target: dict[str, str], max_rows: int = MAX_ROWS,
               timeout: float = TIMEOUT_S, poll: float = 0.1) -> QueryResult:
    """Run one statement (already accepted by sql_guard.check_read_only) and read at most
    `max_rows` rows of its result; cancel it after `timeout` seconds."""
    start = time.monotonic()
    sid = client.execute_statement(Sql=sql, **target)["Id"]
    desc = redshift_io.wait(client, sid, poll, timeout)
    status = desc["Status"]
    if status in ("FAILED", "ABORTED"):
        raise StatementFailed(desc.get("Error") or f"statement {status.lower()}")
    if status != "FINISHED":
        _cancel(client, sid)
        raise StatementTimedOut(f"the statement ran longer than {timeout:g} s and was "
                                "cancelled (cancel_statement)")
    elapsed = time.monotonic() - start
    if not desc.get("HasResultSet"):
        return QueryResult([], [], False, 0, elapsed, sid, max_rows,
                           ["the statement returned no result set"])
    columns: list[str] = []
    rows: list[list[object]] = []
    truncated = False
    token = None
    while True:
        page = client.get_statement_result(Id=sid, **({"NextToken": token} if token else {}))
        columns = columns or [c.get("label") or c["name"] for c in page["ColumnMetadata"]]
        for record in page["Records"]:
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append([None if cell.get("isNull") else next(iter(cell.values()))
                         for cell in record])
        token = page.get("NextToken")
        if truncated or not token:
            break
        if len(rows) == max_rows:  # a full first N rows and another page: more exist
            truncated = True
            break
    total = desc.get("ResultRows")
    total = total if isinstance(total, int) and total >= 0 else None
    if total is not None and total > len(rows):
        truncated = True
    return QueryResult(columns, rows, truncated, total, elapsed, sid, max_rows)


def _cancel(client, sid: str) -> None:
    try:
        client.cancel_statement(Id=sid)
    except client.exceptions.ValidationException:
        pass  # it ended meanwhile

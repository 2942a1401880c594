"""Athena for the pipeline: render the SQL files, run them, read results into typed DataFrames.

Plain boto3 (an `athena` client is passed in), so the same code runs in a task, in a test
against local_aws, and on AWS; a query is waited for with the provider's Athena waiter
(waiters.py). Results are read through GetQueryResults, whose ColumnInfo
carries the types: bigint stays a nullable integer, double a float, text stays text, and a NULL
stays missing (the result CSV cannot tell NULL from an empty string).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import jinja2
import pandas as pd
from botocore.exceptions import ClientError, WaiterError

from covid_lake.aws import waiters
from covid_lake.domain import layout

SQL_DIR = Path(__file__).resolve().parents[2] / "sql" / "athena"
EXTRACTS = ("enigma_jhu", "us_county", "us_states", "states_daily", "hospital_beds",
            "countypopulation", "state_abv", "countrycode", "jhu_regions")
# Daily sources: a run reads the days it builds (JHU also the day before, for differences).
DAILY = {"enigma_jhu": 1, "us_county": 0, "us_states": 0, "states_daily": 0}

_INTEGER = {"bigint", "integer", "int", "smallint", "tinyint"}
_FLOAT = {"double", "float", "real", "decimal"}


class AthenaQueryError(RuntimeError):
    pass


def day_spellings(day: dt.date) -> dict[str, str]:
    return {"iso": day.isoformat(), "us": f"{day.month}/{day.day}/{day:%y}",
            "compact": day.strftime("%Y%m%d")}


def render(name: str, run_date: dt.date | None) -> str:
    """SQL of extract/<name>.sql for run_date (None: every day, for a full refresh)."""
    template = jinja2.Template((SQL_DIR / "extract" / f"{name}.sql").read_text(),
                               undefined=jinja2.StrictUndefined)
    days = None
    if run_date is not None and name in DAILY:
        days = [day_spellings(run_date - dt.timedelta(days=k)) for k in range(DAILY[name], -1, -1)]
    return template.render(days=days).strip()


def run_query(client, sql: str, database: str, output: str, workgroup: str = "primary",
              poll: float = 0.5, timeout: float = 900) -> str:
    """Start a query and wait for it; raise with Athena's reason if it does not succeed."""
    qid = client.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": database},
        ResultConfiguration={"OutputLocation": output}, WorkGroup=workgroup)["QueryExecutionId"]
    try:
        waiters.athena_query_complete(client).wait(QueryExecutionId=qid,
                                                   WaiterConfig=waiters.config(poll, timeout))
    except WaiterError as exc:
        last = exc.last_response or {}
        if isinstance(last.get("Error"), dict):  # throttling, 5xx: the task's retries are for these
            raise ClientError(last, "GetQueryExecution") from None
        status = last.get("QueryExecution", {}).get("Status", {})
        if status.get("State") in ("FAILED", "CANCELLED"):
            raise AthenaQueryError(f"Athena query {qid} {status['State']}: "
                                   f"{status.get('StateChangeReason', 'no reason given')}\n{sql}") from None
        raise AthenaQueryError(f"Athena query {qid} still {status.get('State')} after {timeout} s") from None
    return qid


def results_frame(client, query_id: str, s3=None) -> pd.DataFrame:
    """All result rows of a finished SELECT, typed from the result's ColumnInfo.

    With an `s3` client the rows come from the result CSV Athena wrote to the output location
    (one GetObject instead of a GetQueryResults call per 1,000 rows: what makes a full-history
    extract take seconds); there an empty string and a NULL both arrive as missing, which is
    how the cleaners treat them. Without one, GetQueryResults pages, which keep the difference.
    """
    if s3 is not None:
        return _from_result_csv(client, s3, query_id)
    columns, types, rows = None, None, []
    for page in client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        result = page["ResultSet"]
        if columns is None:
            info = result["ResultSetMetadata"]["ColumnInfo"]
            columns = [c["Name"] for c in info]
            types = [c["Type"] for c in info]
            data = result["Rows"][1:]  # the first row of a SELECT's result repeats the header
        else:
            data = result["Rows"]
        rows += [[cell.get("VarCharValue") for cell in r["Data"]] for r in data]
    return _typed(pd.DataFrame(rows, columns=columns, dtype=object), types or [])


def results_frames(client, query_ids: Mapping[str, str], s3,
                   workers: int = 4) -> dict[str, pd.DataFrame]:
    """results_frame of each query, several at a time: each is three round trips (the execution,
    the column types, the result file) and a parse, and a run reads nine. boto3's clients are
    thread-safe once made (boto3's guide, "Multithreading or multiprocessing with clients").
    Where several fail, the error raised is the first query's in `query_ids`' order."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="results") as pool:
        frames = pool.map(lambda qid: results_frame(client, qid, s3), query_ids.values())
        return dict(zip(query_ids, frames, strict=True))  # map raises the first failure in order


def _from_result_csv(client, s3, query_id: str) -> pd.DataFrame:
    import io

    execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    uri = execution["ResultConfiguration"]["OutputLocation"]
    info = client.get_query_results(QueryExecutionId=query_id, MaxResults=1)[
        "ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    bucket, key = layout.split_uri(uri)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    options = {"dtype": str, "keep_default_na": False, "na_values": [""]}
    try:
        # Arrow's reader on both cores, straight into text columns (a full refresh reads
        # hundreds of thousands of rows per extract).
        df = pd.read_csv(io.BytesIO(body), engine="pyarrow", **options)
    except ValueError:  # what Arrow's reader refuses, the C parser decides, as it did before
        df = pd.read_csv(io.BytesIO(body), **options)
    df.columns = [c["Name"] for c in info]
    return _typed(df, [c["Type"] for c in info])


def _typed(df: pd.DataFrame, types: list[str]) -> pd.DataFrame:
    for name, kind in zip(list(df.columns), types, strict=True):
        kind = kind.lower().split("(")[0]
        if kind in _INTEGER and df[name].dtype == "str":
            try:
                df[name] = df[name].astype("Int64")  # Arrow's cast; to_numeric below decides the rest
                continue
            except ValueError:
                pass
        if kind in _INTEGER:
            df[name] = pd.array(pd.to_numeric(df[name]), dtype="Int64")
        elif kind in _FLOAT:
            df[name] = pd.array(pd.to_numeric(df[name]), dtype="Float64")
        elif kind == "boolean":
            df[name] = df[name].map({"true": True, "false": False, None: pd.NA}).astype("boolean")
        else:
            df[name] = df[name].astype("str").where(df[name].notna())
    return df

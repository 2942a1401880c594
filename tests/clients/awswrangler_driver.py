"""Makes awswrangler's usual calls against an endpoint and prints what each returned, as JSON.

Run by test_awswrangler.py with the Python of awswrangler's own venv (.local/awswrangler-venv,
see requirements-awswrangler.txt: awswrangler cannot be installed next to the project). It
asserts nothing: the test module compares the answers with what AWS documents.

    python awswrangler_driver.py '{"bucket": ..., "database": ..., "table": ..., "workgroup": ...}'

The endpoint comes the SDK's way, AWS_ENDPOINT_URL, like the credentials.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from typing import Any

import awswrangler as wr
import botocore
import pandas as pd


def cell(value: Any) -> Any:
    if value is None or pd.isna(value):
        return None
    value = value.item() if hasattr(value, "item") else value  # numpy scalars
    return value if isinstance(value, (bool, int, float, str)) else str(value)  # a date: ISO


def frame(df: pd.DataFrame) -> dict[str, Any]:
    return {"columns": list(df.columns), "dtypes": {c: str(t) for c, t in df.dtypes.items()},
            "rows": [[cell(v) for v in row] for row in df.astype(object).itertuples(index=False)]}


def main(cfg: dict[str, Any]) -> dict[str, Any]:
    bucket, database, table = cfg["bucket"], cfg["database"], cfg["table"]
    output = f"s3://{bucket}/wrangler-results/"
    query = f"SELECT state, sum(cases) AS cases FROM {table} GROUP BY state ORDER BY state"
    typed = pd.DataFrame({"id": pd.array([1, 2, 3], dtype="Int64"), "city": ["Boston", "Austin", None],
                          "share": [0.5, 0.25, 0.125],
                          "day": pd.to_datetime(["2020-03-01", "2020-03-02", "2020-03-03"]).date})
    results: dict[str, Any] = {"botocore": {"value": botocore.__version__}}  # the SDK it ran on

    def check(name: str, call: Callable[[], Any]) -> None:
        try:
            results[name] = {"value": call()}
        except Exception as exc:  # a client error is an answer too: the test says which are right
            results[name] = {"error": f"{type(exc).__name__}: {exc}",
                             "trace": traceback.format_exc(limit=4)}

    check("databases", lambda: sorted(wr.catalog.databases()["Database"]))
    check("tables", lambda: sorted(wr.catalog.tables(database=database)["Table"]))
    check("table_types", lambda: dict(wr.catalog.get_table_types(database=database, table=table)))
    check("get_query_columns_types", lambda: wr.athena.get_query_columns_types(
        wr.athena.start_query_execution(query, database=database, s3_output=output, wait=True)
        ["QueryExecutionId"]))
    check("read_sql_query_plain", lambda: frame(wr.athena.read_sql_query(
        query, database=database, s3_output=output, ctas_approach=False)))
    check("read_sql_query_ctas", lambda: frame(wr.athena.read_sql_query(
        query, database=database, s3_output=output, ctas_approach=True)))
    check("tables_after_ctas", lambda: sorted(wr.catalog.tables(database=database)["Table"]))
    check("read_sql_query_unload", lambda: frame(wr.athena.read_sql_query(
        query, database=database, s3_output=f"s3://{bucket}/wrangler-unload/", ctas_approach=False,
        unload_approach=True)))
    check("create_ctas_table_partitioned", lambda: (
        wr.athena.create_ctas_table(f"SELECT cases, state FROM {table}", database=database,
                                    ctas_table="wrangler_by_state", s3_output=f"s3://{bucket}/wrangler-ctas/",
                                    partitioning_info=["state"], wait=True),
        sorted(wr.catalog.get_partitions(database=database, table="wrangler_by_state").values()),
        frame(wr.athena.read_sql_query(
            "SELECT state, sum(cases) AS cases FROM wrangler_by_state GROUP BY state ORDER BY state",
            database=database, s3_output=output, ctas_approach=False)))[1:])
    check("read_sql_query_params", lambda: frame(wr.athena.read_sql_query(
        f"SELECT state, cases FROM {table} WHERE state = :state ORDER BY cases", database=database,
        s3_output=output, ctas_approach=False, params={"state": "NY"}, paramstyle="named")))
    check("to_parquet", lambda: sorted(wr.s3.to_parquet(
        typed, path=f"s3://{bucket}/wrangler-table/", dataset=True, database=database,
        table="wrangler_cities", mode="overwrite")["paths"]) != [])
    check("to_parquet_table_types", lambda: dict(wr.catalog.get_table_types(
        database=database, table="wrangler_cities")))
    check("read_parquet_table", lambda: frame(wr.s3.read_parquet_table(
        database=database, table="wrangler_cities").sort_values("id")))
    check("read_sql_table", lambda: frame(wr.athena.read_sql_table(
        "wrangler_cities", database=database, s3_output=output, ctas_approach=False).sort_values("id")))
    check("to_parquet_append_then_count", lambda: (
        wr.s3.to_parquet(typed, path=f"s3://{bucket}/wrangler-table/", dataset=True, database=database,
                         table="wrangler_cities", mode="append"),
        frame(wr.athena.read_sql_query("SELECT count(*) AS n FROM wrangler_cities", database=database,
                                       s3_output=output, ctas_approach=False)))[1])
    check("delete_table", lambda: (wr.catalog.delete_table_if_exists(database=database,
                                                                     table="wrangler_cities"),
                                   wr.catalog.does_table_exist(database=database,
                                                              table="wrangler_cities")))

    def redshift(sql: str) -> dict[str, Any]:
        con = wr.data_api.redshift.connect(workgroup_name=cfg["workgroup"], database="dev")
        return frame(wr.data_api.redshift.read_sql_query(sql, con=con))

    check("redshift_read", lambda: redshift("SELECT id, city FROM public.visits ORDER BY id"))
    check("redshift_missing_workgroup", lambda: frame(wr.data_api.redshift.read_sql_query(
        "SELECT 1", con=wr.data_api.redshift.connect(workgroup_name="no-such-workgroup",
                                                     database="dev"))))
    return results


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))

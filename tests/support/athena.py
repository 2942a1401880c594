"""Running an Athena query through the API and waiting for its end, as the tests of local_aws's
Athena do (boto3 client, polling GetQueryExecution)."""

from __future__ import annotations

import time


def run_query(athena, sql: str, *, database: str, output: str, catalog: str | None = None,
              timeout: float = 20, **kw) -> dict:
    """The query's QueryExecution once it has ended (SUCCEEDED, FAILED or CANCELLED)."""
    context = {"Database": database, **({"Catalog": catalog} if catalog else {})}
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext=context,
                                       ResultConfiguration={"OutputLocation": output}, **kw)["QueryExecutionId"]
    deadline = time.monotonic() + timeout
    while True:
        execution = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return execution
        assert time.monotonic() < deadline, f"query still {execution['Status']['State']}"
        time.sleep(0.02)

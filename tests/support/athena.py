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


class Statements:
    """query / ok / failed / rows for one database and result location, each taking the Athena
    client first: ok(athena, sql) asserts SUCCEEDED, failed(athena, sql) asserts FAILED and gives
    the reason, rows(athena, sql) gives a SELECT's rows without its header."""

    def __init__(self, database: str, output: str) -> None:
        self.database, self.output = database, output

    def query(self, athena, sql: str) -> dict:
        return run_query(athena, sql, database=self.database, output=self.output)

    def ok(self, athena, sql: str) -> dict:
        execution = self.query(athena, sql)
        assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
        return execution

    def failed(self, athena, sql: str) -> str:
        execution = self.query(athena, sql)
        assert execution["Status"]["State"] == "FAILED", "succeeded where Athena fails"
        return execution["Status"]["StateChangeReason"]

    def rows(self, athena, sql: str) -> list[list]:
        execution = self.ok(athena, sql)
        page = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
        return [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]][1:]

"""Athena's API for LocalAthenaBackend: moto's AthenaResponse, with the query calls answered
from real executions. GetQueryResults pages the stored result: a SELECT's header row first, then
rows of VarCharValue, with ResultSetMetadata.ColumnInfo and NextToken (MaxResults up to 1000).

Both protocols the SDKs speak reach the same handlers: JSON 1.1 (botocore up to 1.43: POST /,
X-Amz-Target: AmazonAthena.<Operation>, the input as the JSON body) and REST-JSON (botocore
1.44: the operation named by method and path, its input in the URI, the query string and the
body; rest_json.py). setup_class gathers the input into one dict whichever way it came, and
_get_param reads only that. A REST error carries its code in x-amzn-ErrorType as well as in
__type, as the REST-JSON protocol has it.
"""

from __future__ import annotations

import json
from typing import Any

from moto.athena.responses import AthenaResponse
from moto.core.utils import camelcase_to_underscores, method_names_from_class

from local_aws.athena import rest_json
from local_aws.athena.exceptions import InvalidRequestException
from local_aws.athena.models import LocalAthenaBackend, athena_backends
from local_aws.athena.results import QueryResult
from local_aws.core.routing import UnsupportedOperation

MAX_RESULTS = 1000
MAX_TABLE_METADATA = 50  # ListTableMetadata's MaxResults: 1..50, 50 by default


class LocalAthenaResponse(AthenaResponse):
    @property
    def athena_backend(self) -> LocalAthenaBackend:
        return athena_backends[self.current_account][self.region]

    # -- the two protocols -----------------------------------------------------------------------

    def setup_class(self, request: Any, full_url: Any = None, headers: Any = None,
                    use_raw_body: Any = None) -> None:
        super().setup_class(request, full_url, headers, use_raw_body)
        try:
            body = json.loads(self.body) if self.body else {}
        except (TypeError, ValueError):
            body = {}
        self.api_input: dict[str, Any] = body if isinstance(body, dict) else {}
        self.rest_route: rest_json.Route | None = None
        if self.headers.get("X-Amz-Target"):
            return  # JSON 1.1: the body is the whole input
        found = rest_json.match(self.method, self.raw_path)
        if found is not None:
            self.rest_route, labels = found
            self.api_input = {**self.api_input, **rest_json.query_members(self.rest_route, self.parsed_url.query),
                              **labels}

    def _get_action(self) -> str:
        return self.rest_route.operation if self.rest_route else super()._get_action()

    def _get_param(self, param_name: str, if_none: Any = None) -> Any:
        value = self.api_input.get(param_name)
        return if_none if value is None else value

    def call_action(self) -> Any:
        rest = self.rest_route is not None
        if not rest and not self.headers.get("X-Amz-Target"):
            # neither protocol names an Athena operation: what a REST-JSON service answers
            message = f"No Athena operation is {self.method} {self.raw_path}"
            return 404, {"x-amzn-ErrorType": "UnknownOperationException", "Content-Type": "application/json"}, \
                json.dumps({"__type": "UnknownOperationException", "message": message})
        operation = self._get_action()
        if camelcase_to_underscores(operation) not in method_names_from_class(self.__class__):
            raise UnsupportedOperation(operation, "rest-json" if rest else "json")
        status, headers, body = super().call_action()
        if rest:
            named = {k.lower() for k in headers}
            if "content-type" not in named:
                headers["Content-Type"] = "application/json"
            if int(status) >= 400 and "x-amzn-errortype" not in named:
                headers["x-amzn-ErrorType"] = _error_code(body)
        return status, headers, body

    def start_query_execution(self) -> str:
        exec_id = self.athena_backend.start_query_execution(
            query=self._get_param("QueryString") or "",
            context=self._get_param("QueryExecutionContext") or {},
            config=self._get_param("ResultConfiguration") or {},
            workgroup=self._get_param("WorkGroup") or "primary",
            execution_parameters=self._get_param("ExecutionParameters"),
        )
        return json.dumps({"QueryExecutionId": exec_id})

    def get_query_execution(self) -> str:
        execution = self.athena_backend.get_query_execution(self._get_param("QueryExecutionId"))
        return json.dumps({"QueryExecution": execution.describe()})

    def get_query_results(self) -> str:
        execution = self.athena_backend.get_query_results(self._get_param("QueryExecutionId"))
        max_results = int(self._get_param("MaxResults") or MAX_RESULTS)
        if not 1 <= max_results <= MAX_RESULTS:
            raise InvalidRequestException(f"MaxResults must be between 1 and {MAX_RESULTS}")
        result = execution.result or QueryResult([], [])
        start = int(self._get_param("NextToken") or 0)
        rows = [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]}
                for row in result.api_page(start, max_results)]
        body: dict[str, Any] = {
            "ResultSet": {"Rows": rows,
                          "ResultSetMetadata": {"ColumnInfo": result.column_infos()}},
        }
        if execution.update_count is not None:
            body["UpdateCount"] = execution.update_count
        if start + max_results < result.api_row_count():
            body["NextToken"] = str(start + max_results)
        return json.dumps(body)

    def batch_get_query_execution(self) -> str:
        """https://docs.aws.amazon.com/athena/latest/APIReference/API_BatchGetQueryExecution.html:
        1 to 50 ids; one not found is listed in UnprocessedQueryExecutionIds, not an error."""
        ids = self._get_param("QueryExecutionIds") or []
        if not 1 <= len(ids) <= 50:
            raise InvalidRequestException("QueryExecutionIds must hold 1 to 50 ids")
        found, unprocessed = [], []
        for exec_id in ids:
            execution = self.athena_backend.query_runs.get(exec_id)
            if execution is None:
                unprocessed.append({"QueryExecutionId": exec_id, "ErrorCode": "INVALID_INPUT",
                                    "ErrorMessage": f"QueryExecution {exec_id} was not found"})
            else:
                found.append(execution.describe())
        return json.dumps({"QueryExecutions": found, "UnprocessedQueryExecutionIds": unprocessed})

    def get_query_runtime_statistics(self) -> str:
        # moto's answers from its own executions ("not found" for every real one); the per-stage
        # statistics of API_QueryRuntimeStatistics.html are Trino's and not kept here: refused by name.
        raise UnsupportedOperation("GetQueryRuntimeStatistics", "rest-json" if self.rest_route else "json")

    def stop_query_execution(self) -> str:
        self.athena_backend.stop_query_execution(self._get_param("QueryExecutionId"))
        return json.dumps({})

    def list_query_executions(self) -> str:
        executions = self.athena_backend.list_query_executions(self._get_param("WorkGroup"))
        return json.dumps({"QueryExecutionIds": list(executions)})

    def list_databases(self) -> str:
        databases = self.athena_backend.list_databases(self._get_param("CatalogName"))
        return json.dumps({"DatabaseList": databases})

    def get_database(self) -> str:
        database = self.athena_backend.get_database(self._get_param("CatalogName"),
                                                    self._get_param("DatabaseName") or "")
        return json.dumps({"Database": database})

    def list_table_metadata(self) -> str:
        tables = self.athena_backend.list_table_metadata(
            self._get_param("CatalogName"), self._get_param("DatabaseName") or "",
            self._get_param("Expression"))
        max_results = int(self._get_param("MaxResults") or MAX_TABLE_METADATA)
        if not 1 <= max_results <= MAX_TABLE_METADATA:
            raise InvalidRequestException(f"MaxResults must be between 1 and {MAX_TABLE_METADATA}")
        start = int(self._get_param("NextToken") or 0)
        body: dict[str, Any] = {"TableMetadataList": tables[start:start + max_results]}
        if start + max_results < len(tables):
            body["NextToken"] = str(start + max_results)
        return json.dumps(body)

    def get_table_metadata(self) -> str:
        table = self.athena_backend.get_table_metadata(
            self._get_param("CatalogName"), self._get_param("DatabaseName") or "",
            self._get_param("TableName") or "")
        return json.dumps({"TableMetadata": table})


def _error_code(body: Any) -> str:
    """An error body's code: moto writes {"__type": ...} or {"Error": {"Code": ...}}."""
    try:
        error = json.loads(body)
    except (TypeError, ValueError):
        return "InternalFailure"
    return error.get("__type") or (error.get("Error") or {}).get("Code") or "InvalidRequestException"

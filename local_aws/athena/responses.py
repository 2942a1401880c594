"""Athena's API for LocalAthenaBackend: moto's AthenaResponse, with the query calls answered
from real executions. GetQueryResults pages the stored result: a SELECT's header row first, then
rows of VarCharValue, with ResultSetMetadata.ColumnInfo and NextToken (MaxResults up to 1000)."""

from __future__ import annotations

import json
from typing import Any

from moto.athena.responses import AthenaResponse

from local_aws.athena.exceptions import InvalidRequestException
from local_aws.athena.models import LocalAthenaBackend, athena_backends
from local_aws.athena.results import QueryResult

MAX_RESULTS = 1000
MAX_TABLE_METADATA = 50  # ListTableMetadata's MaxResults: 1..50, 50 by default


class LocalAthenaResponse(AthenaResponse):
    @property
    def athena_backend(self) -> LocalAthenaBackend:
        return athena_backends[self.current_account][self.region]

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
        rows = [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in result.api_rows()]
        start = int(self._get_param("NextToken") or 0)
        body: dict[str, Any] = {
            "ResultSet": {"Rows": rows[start:start + max_results],
                          "ResultSetMetadata": {"ColumnInfo": result.column_infos()}},
        }
        if execution.update_count is not None:
            body["UpdateCount"] = execution.update_count
        if start + max_results < len(rows):
            body["NextToken"] = str(start + max_results)
        return json.dumps(body)

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

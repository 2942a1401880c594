"""Athena that runs the query: moto's AthenaBackend, subclassed.

StartQueryExecution answers at once and runs the query on a worker thread in DuckDB
(queries.py); its state goes QUEUED -> RUNNING -> SUCCEEDED | FAILED |
CANCELLED as the worker sets it. moto's own executions, which succeed without running anything,
are not used; workgroups (and their result location) are moto's.

Databases are Glue's: ListDatabases and GetDatabase read this account and region's Glue backend
(local_aws/glue), so Athena's and Glue's database lists agree.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from typing import Any

from moto.athena.exceptions import MetadataException
from moto.athena.models import AthenaBackend
from moto.core.base_backend import BackendDict

from local_aws.athena import queries as athena_queries
from local_aws.athena.exceptions import InvalidRequestException
from local_aws.athena.queries import DEFAULT_DATABASE, Execution
from local_aws.core.background import workers
from local_aws.glue.catalog import current_table_input
from local_aws.glue.models import LocalGlueBackend, glue_backends
from local_aws.s3 import objects as s3_data


class LocalAthenaBackend(AthenaBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.query_runs: dict[str, Execution] = {}

    @property
    def glue(self) -> LocalGlueBackend:
        return glue_backends[self.account_id][self.region_name]

    def start_query_execution(self, query: str, context: dict[str, Any], config: dict[str, Any],
                              workgroup: str, execution_parameters: list[str] | None) -> str:
        found = self.work_groups.get(workgroup)
        if found is None:
            raise InvalidRequestException(f"WorkGroup {workgroup} is not found.")
        output = config.get("OutputLocation") or (
            (found.configuration or {}).get("ResultConfiguration", {}).get("OutputLocation"))
        if not output:
            raise InvalidRequestException(
                "No output location provided. An output location is required either through the "
                "Workgroup result configuration setting or as an API input.")
        if not query.strip():
            raise InvalidRequestException("QueryString must not be empty")
        s3_data.split_uri(output)  # rejects anything that is not s3://bucket/...
        execution = Execution(
            id=str(uuid.uuid4()), query=query,
            database=(context.get("Database") or DEFAULT_DATABASE).lower(),
            catalog=context.get("Catalog") or "AwsDataCatalog",
            output_location=output.rstrip("/") + "/", workgroup=workgroup,
            parameters=execution_parameters,
        )
        self.query_runs[execution.id] = execution
        problem = self.catalog_problem(execution.catalog)
        if problem is not None:
            # Trino's name for a catalog it does not have: "CATALOG_NOT_FOUND: Catalog 'x' does
            # not exist"; a query fails, the call itself succeeds.
            error_name, message = problem
            if error_name == "CATALOG_NOT_FOUND":
                message = f"Catalog '{execution.catalog}' does not exist"
            athena_queries.refuse(execution, error_name, message)
            return execution.id
        workers.submit(athena_queries.run, self.glue, execution)
        return execution.id

    def get_query_execution(self, exec_id: str) -> Execution:
        execution = self.query_runs.get(exec_id)
        if execution is None:
            raise InvalidRequestException(f"QueryExecution {exec_id} was not found")
        return execution

    def get_query_results(self, exec_id: str) -> Execution:  # paging is the response's
        execution = self.get_query_execution(exec_id)
        if execution.state != "SUCCEEDED":
            raise InvalidRequestException(
                f"Query has not yet finished. Current state: {execution.state}")
        return execution

    def stop_query_execution(self, exec_id: str) -> None:
        execution = self.get_query_execution(exec_id)
        if execution.state in ("QUEUED", "RUNNING"):
            # A running DuckDB query is not interrupted; its result is discarded.
            execution.cancel_requested.set()
            execution.state, execution.completed = "CANCELLED", time.time()

    def list_query_executions(self, workgroup: str | None) -> dict[str, Execution]:
        return {i: e for i, e in self.query_runs.items() if workgroup in (None, e.workgroup)}

    # Every account's Glue Data Catalog is AwsDataCatalog; it is the only catalog served here.
    def list_databases(self, catalog_name: str) -> list[dict[str, Any]]:
        self._check_catalog(catalog_name)
        return [_database(db) for db in self.glue.get_databases()]

    def get_database(self, catalog_name: str, database_name: str) -> dict[str, Any]:
        self._check_catalog(catalog_name)
        name = database_name.lower()
        if name not in self.glue.databases:
            raise MetadataException(f"Database {name} not found.")
        return _database(self.glue.databases[name])

    def _check_catalog(self, catalog_name: str | None) -> None:
        """AwsDataCatalog passes. A catalog made with CreateDataCatalog (a Lambda, Hive or
        another account's Glue catalog) exists but is not served: 400 naming it. Any other name
        is a catalog the account does not have."""
        problem = self.catalog_problem(catalog_name)
        if problem is None:
            return
        error_name, message = problem
        if error_name == "NOT_SUPPORTED":
            raise InvalidRequestException(message)
        raise MetadataException(message)

    def catalog_problem(self, catalog_name: str | None) -> tuple[str, str] | None:
        name = catalog_name or ""
        if name.lower() == "awsdatacatalog":
            return None
        created = next((c for n, c in self.data_catalogs.items() if n.lower() == name.lower()), None)
        if created is not None:
            return ("NOT_SUPPORTED", f"local_aws serves only the AwsDataCatalog (the account's Glue "
                                     f"Data Catalog); data catalog {created.name} of type "
                                     f"{created.type} is not supported")
        return ("CATALOG_NOT_FOUND", f"Catalog {name} not found.")


    def list_data_catalogs(self) -> list[dict[str, str]]:
        # Every account has the Glue catalog as AwsDataCatalog (the AWS CLI's
        # list-data-catalogs example: {"CatalogName": "AwsDataCatalog", "Type": "GLUE"}); moto
        # lists only catalogs created with CreateDataCatalog.
        listed = super().list_data_catalogs()
        if not any(c["CatalogName"] == "AwsDataCatalog" for c in listed):
            listed.insert(0, {"CatalogName": "AwsDataCatalog", "Type": "GLUE"})
        return listed

    # ListTableMetadata / GetTableMetadata read the Glue table, as Athena does for the
    # AwsDataCatalog: https://docs.aws.amazon.com/athena/latest/APIReference/API_ListTableMetadata.html
    # and https://docs.aws.amazon.com/athena/latest/APIReference/API_TableMetadata.html
    def list_table_metadata(self, catalog_name: str, database_name: str,
                            expression: str | None) -> list[dict[str, Any]]:
        self._check_catalog(catalog_name)
        tables = self._glue_database(database_name).tables
        if expression:
            # "A regex filter that pattern-matches table names" (ListTableMetadata's Expression)
            try:
                pattern = re.compile(expression, re.IGNORECASE)
            except re.error as exc:
                raise InvalidRequestException(f"Expression is not a valid regex: {exc}") from None
            tables = {n: t for n, t in tables.items() if pattern.fullmatch(n)}
        return [_table_metadata(t) for _, t in sorted(tables.items())]

    def get_table_metadata(self, catalog_name: str, database_name: str, table_name: str) -> dict[str, Any]:
        self._check_catalog(catalog_name)
        db = self._glue_database(database_name)
        table = db.tables.get(table_name.lower())
        if table is None:
            raise MetadataException(f"Table {table_name.lower()} not found in database {db.name}.")
        return _table_metadata(table)

    def _glue_database(self, database_name: str) -> Any:
        name = database_name.lower()
        if name not in self.glue.databases:
            raise MetadataException(f"Database {name} not found.")
        return self.glue.databases[name]


def _table_metadata(table: Any) -> dict[str, Any]:
    """A Glue table as Athena's TableMetadata: Name, CreateTime, TableType, Columns,
    PartitionKeys and Parameters (the table's, with its location, formats and SerDe added under
    the keys Athena uses: location, inputformat, outputformat, serde.serialization.lib,
    serde.param.<name>)."""
    table_input = current_table_input(table)
    sd = table_input.get("StorageDescriptor") or {}
    def column(c: dict) -> dict:
        return {k: c[k] for k in ("Name", "Type", "Comment") if c.get(k) is not None}

    parameters = dict(table_input.get("Parameters") or {})
    for key, value in (("location", sd.get("Location")), ("inputformat", sd.get("InputFormat")),
                       ("outputformat", sd.get("OutputFormat")),
                       ("serde.serialization.lib", (sd.get("SerdeInfo") or {}).get("SerializationLibrary"))):
        if value:
            parameters[key] = value
    for key, value in ((sd.get("SerdeInfo") or {}).get("Parameters") or {}).items():
        parameters[f"serde.param.{key}"] = value
    out = {"Name": table.name, "CreateTime": _epoch(table.created_time),
           "Columns": [column(c) for c in sd.get("Columns") or []],
           "PartitionKeys": [column(c) for c in table_input.get("PartitionKeys") or []],
           "Parameters": parameters}
    if table_input.get("TableType"):
        out["TableType"] = table_input["TableType"]
    return out


def _epoch(moment: dt.datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()  # moto's are naive UTC


def _database(db: Any) -> dict[str, Any]:
    out = {"Name": db.name, "Parameters": db.input.get("Parameters") or {}}
    if db.input.get("Description"):
        out["Description"] = db.input["Description"]
    return out


athena_backends = BackendDict(LocalAthenaBackend, "athena")

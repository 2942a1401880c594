"""Athena's data catalogs: AwsDataCatalog (the account's Glue Data Catalog) is served; a catalog
made with CreateDataCatalog exists but is refused by name; any other name is not found. Never
answered from the Glue catalog under another catalog's name.

API pages: https://docs.aws.amazon.com/athena/latest/APIReference/API_ListDatabases.html,
API_GetTableMetadata.html, API_ListTableMetadata.html (CatalogName: required), and
https://docs.aws.amazon.com/athena/latest/ug/data-sources-managing.html (catalogs)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.support.athena import run_query

BUCKET = "catalog-checks"
OUTPUT = f"s3://{BUCKET}/results/"
DATABASE = "catalogdb"


@pytest.fixture(scope="module")
def athena(emulator):
    client = emulator.client("athena")
    emulator.client("s3").create_bucket(Bucket=BUCKET)
    emulator.client("glue").create_database(DatabaseInput={"Name": DATABASE})
    emulator.client("glue").create_table(DatabaseName=DATABASE, TableInput={
        "Name": "t", "StorageDescriptor": {"Columns": [{"Name": "x", "Type": "int"}],
                                           "Location": f"s3://{BUCKET}/t/"}})
    # left in the session's emulator: local_aws has no DeleteDataCatalog (moto lacks it)
    client.create_data_catalog(Name="federated", Type="LAMBDA",
                               Parameters={"function": "arn:aws:lambda:us-east-1:123456789012:function:f"})
    return client


def query_state(athena, catalog: str) -> dict:
    return run_query(athena, "SELECT x FROM t", database=DATABASE, output=OUTPUT, catalog=catalog)["Status"]


@pytest.mark.parametrize("catalog", ["AwsDataCatalog", "awsdatacatalog"])
def test_awsdatacatalog_is_the_glue_catalog(athena, catalog):
    assert DATABASE in {d["Name"] for d in athena.list_databases(CatalogName=catalog)["DatabaseList"]}
    assert athena.get_database(CatalogName=catalog, DatabaseName=DATABASE)["Database"]["Name"] == DATABASE
    listed = athena.list_table_metadata(CatalogName=catalog, DatabaseName=DATABASE)["TableMetadataList"]
    assert [t["Name"] for t in listed] == ["t"]
    table = athena.get_table_metadata(CatalogName=catalog, DatabaseName=DATABASE, TableName="t")
    assert table["TableMetadata"]["Columns"] == [{"Name": "x", "Type": "int"}]
    assert query_state(athena, catalog)["State"] == "SUCCEEDED"


METADATA_CALLS = {
    "ListDatabases": lambda a, c: a.list_databases(CatalogName=c),
    "GetDatabase": lambda a, c: a.get_database(CatalogName=c, DatabaseName=DATABASE),
    "ListTableMetadata": lambda a, c: a.list_table_metadata(CatalogName=c, DatabaseName=DATABASE),
    "GetTableMetadata": lambda a, c: a.get_table_metadata(CatalogName=c, DatabaseName=DATABASE, TableName="t"),
}


@pytest.mark.parametrize("call", METADATA_CALLS)
def test_a_catalog_the_account_lacks_is_not_found_not_read_from_glue(athena, call):
    with pytest.raises(ClientError) as err:
        METADATA_CALLS[call](athena, "nosuchcatalog")
    assert err.value.response["Error"]["Code"] == "MetadataException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "nosuchcatalog" in err.value.response["Error"]["Message"]


@pytest.mark.parametrize("call", METADATA_CALLS)
def test_a_created_catalog_is_refused_naming_it(athena, call):
    with pytest.raises(ClientError) as err:
        METADATA_CALLS[call](athena, "federated")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "federated" in err.value.response["Error"]["Message"]
    assert "LAMBDA" in err.value.response["Error"]["Message"]


def test_a_query_in_a_catalog_the_account_lacks_fails_catalog_not_found(athena):
    status = query_state(athena, "nosuchcatalog")
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"] == "CATALOG_NOT_FOUND: Catalog 'nosuchcatalog' does not exist"


def test_a_query_in_a_created_catalog_fails_not_supported(athena):
    status = query_state(athena, "federated")
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"].startswith("NOT_SUPPORTED: ") and "federated" in status["StateChangeReason"]


def test_a_three_part_name_reads_awsdatacatalog_and_refuses_another_catalog(athena):
    def run(sql: str) -> dict:
        return run_query(athena, sql, database=DATABASE, output=OUTPUT)["Status"]

    assert run(f"SELECT x FROM awsdatacatalog.{DATABASE}.t")["State"] == "SUCCEEDED"
    failed = run(f"SELECT x FROM federated.{DATABASE}.t")
    assert failed["State"] == "FAILED" and failed["StateChangeReason"].startswith(
        "CATALOG_NOT_FOUND: Catalog 'federated' does not exist")


def test_information_schema_beyond_tables_and_columns_is_refused_by_name_not_reported_missing(athena):
    # Athena serves all of it (docs.aws.amazon.com/athena/latest/ug/querying-glue-catalog.html);
    # local_aws serves tables and columns (test_athena_analyst_statements.py), refuses the rest by
    # name instead of TABLE_NOT_FOUND.
    status = run_query(athena, f"SELECT * FROM information_schema.views WHERE table_schema = '{DATABASE}'",
                       database=DATABASE, output=OUTPUT)["Status"]
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"].startswith("NOT_SUPPORTED: local_aws does not serve information_schema.views")

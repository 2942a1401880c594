"""The moto internals local_aws extends, pinned: if a moto upgrade moves one, this fails first.

Each check names the local_aws module that depends on it. When one fails, read the new moto
code, adapt that module, then update the check (and the pin in requirements.txt).
"""

from __future__ import annotations

import inspect

import moto
import pytest

PINNED_MOTO = "5.2.5"


def params(fn) -> list[str]:
    return list(inspect.signature(fn).parameters)


def test_moto_is_the_pinned_version():
    assert moto.__version__ == PINNED_MOTO, (
        f"moto {moto.__version__} is installed but local_aws was written against {PINNED_MOTO}: "
        "re-check every extension point below before bumping the pin")


# -- server.py ---------------------------------------------------------------------------------

def test_threaded_server_entry_point_is_what_server_py_reimplements():
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    source = inspect.getsource(ThreadedMotoServer._server_entry)
    for needed in ("DomainDispatcherApplication(create_backend_app)", "make_server(",
                   "request_handler=MotoRequestHandler", "self._server_ready_event.set()",
                   "serve_forever()"):
        assert needed in source, f"ThreadedMotoServer._server_entry no longer does {needed!r} (server.py)"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    for attribute in ("_ip_address", "_port", "_server", "_server_ready_event", "_thread"):
        assert hasattr(server, attribute), f"ThreadedMotoServer lost {attribute} (server.py)"
    assert params(ThreadedMotoServer.__init__) == ["self", "ip_address", "port", "verbose"]


def test_werkzeug_app_names_used_by_server_py():
    from moto.moto_server import werkzeug_app

    for name in ("DomainDispatcherApplication", "MotoRequestHandler", "create_backend_app"):
        assert hasattr(werkzeug_app, name), f"moto.moto_server.werkzeug_app.{name} is gone (server.py)"


def test_json_actions_dispatch_to_the_method_named_after_them():
    # redshift_data.py adds batch_execute_statement and relies on this lookup to reach it.
    from moto.core.responses import BaseResponse

    source = inspect.getsource(BaseResponse.call_action)
    assert "camelcase_to_underscores(self._get_action())" in source
    assert "method_names_from_class(self.__class__)" in source


# -- persistence.py / s3_data.py / seeding.py ------------------------------------------------------

def test_s3_backend_api_used_for_persistence_and_data_plane():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import FakeKey, S3Backend, s3_backends

    assert isinstance(s3_backends[DEFAULT_ACCOUNT_ID]["aws"], S3Backend), "S3 backends keyed by partition"
    assert params(S3Backend.create_bucket)[:3] == ["self", "bucket_name", "region_name"]
    put = params(S3Backend.put_object)
    assert put[:4] == ["self", "bucket_name", "key_name", "value"] and "disable_notification" in put
    assert params(S3Backend.get_object)[:3] == ["self", "bucket_name", "key_name"]
    assert params(FakeKey.set_metadata)[:3] == ["self", "metadata", "replace"]
    for prop in ("etag", "value", "metadata"):
        assert isinstance(inspect.getattr_static(FakeKey, prop), property), f"FakeKey.{prop}"


def test_s3_objects_round_trip_through_the_backend():
    from moto.s3.models import S3Backend

    s3 = S3Backend("us-east-1", "000000000000")
    s3.create_bucket("contract", "us-east-1")
    key = s3.put_object("contract", "a/b", b"data", disable_notification=True)
    key.set_metadata({"x-amz-meta-k": "v"})
    stored = dict(s3.get_bucket("contract").keys.items())
    assert list(stored) == ["a/b"] and stored["a/b"].value == b"data"
    assert stored["a/b"].bucket_name == "contract" and stored["a/b"].etag.strip('"')
    assert s3.get_bucket("contract").region_name == "us-east-1"


def test_glue_catalog_api_used_for_persistence():
    from moto.glue.models import FakeDatabase, FakePartition, FakeTable, GlueBackend

    assert params(GlueBackend.create_database)[:3] == ["self", "database_name", "database_input"]
    assert params(GlueBackend.create_table)[:4] == ["self", "database_name", "table_name", "table_input"]
    assert params(GlueBackend.create_partition) == ["self", "database_name", "table_name", "part_input"]
    glue = GlueBackend("us-east-1", "000000000000")
    glue.create_database("db", {"Name": "db"})
    glue.create_table("db", "t", {"Name": "t", "PartitionKeys": [{"Name": "p", "Type": "string"}]})
    glue.create_partition("db", "t", {"Values": ["1"]})
    db = glue.databases["db"]
    table = db.tables["t"]
    assert isinstance(db, FakeDatabase) and db.input == {"Name": "db"}
    assert isinstance(table, FakeTable) and table.get_version(str(table._current_version))["Name"] == "t"
    partition = next(iter(table.partitions.values()))
    assert isinstance(partition, FakePartition) and partition.partition_input == {"Values": ["1"]}


# -- redshift_data.py ------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["execute_statement", "describe_statement",
                                    "get_statement_result", "cancel_statement"])
def test_redshift_data_response_methods_replaced(method):
    from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse

    assert method in vars(RedshiftDataAPIServiceResponse), (
        f"moto's RedshiftDataAPIServiceResponse.{method} moved; redshift_data.install() replaces it")


def test_redshift_data_response_and_backend_hooks():
    from moto.redshiftdata.models import RedshiftDataAPIServiceBackend, redshiftdata_backends
    from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse

    assert isinstance(inspect.getattr_static(RedshiftDataAPIServiceResponse, "redshiftdata_backend"), property)
    assert isinstance(redshiftdata_backends["000000000000"]["us-east-1"], RedshiftDataAPIServiceBackend)


def test_redshift_data_exceptions_used_for_api_errors():
    from moto.redshiftdata.exceptions import ResourceNotFoundException, ValidationException

    assert ValidationException("m").code == 400 and "ValidationException" in ValidationException("m").get_body()
    assert "ResourceNotFoundException" in ResourceNotFoundException().get_body()


# -- athena.py -------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["start_query_execution", "get_query_execution", "get_query_results",
                                    "stop_query_execution", "list_query_executions", "list_databases",
                                    "get_database"])
def test_athena_response_methods_replaced(method):
    from moto.athena.responses import AthenaResponse

    assert method in vars(AthenaResponse), (
        f"moto's AthenaResponse.{method} moved; athena.install() replaces it")


def test_athena_backend_attributes_used():
    from moto.athena.exceptions import MetadataException
    from moto.athena.models import AthenaBackend, athena_backends
    from moto.athena.responses import AthenaResponse

    assert isinstance(inspect.getattr_static(AthenaResponse, "athena_backend"), property)
    backend = athena_backends["000000000000"]["us-east-1"]
    assert isinstance(backend, AthenaBackend)
    # Workgroups (and their result location) still come from moto.
    primary = backend.work_groups["primary"]
    assert isinstance(primary.configuration, dict) and "ResultConfiguration" in primary.configuration
    assert "MetadataException" in MetadataException("m").get_body()


def test_glue_backend_calls_used_by_athena_ddl():
    from moto.glue.models import GlueBackend

    for method, expected in (("delete_database", ["self", "database_name"]),
                             ("delete_table", ["self", "database_name", "table_name"]),
                             ("update_table", ["self", "database_name", "table_name", "table_input"]),
                             ("get_databases", ["self"])):
        assert params(getattr(GlueBackend, method)) == expected, f"GlueBackend.{method} changed"


def test_glue_lookups_used_by_glue_catalog_py():
    from moto.glue.exceptions import DatabaseNotFoundException, EntityNotFoundException, TableNotFoundException
    from moto.glue.models import GlueBackend

    assert params(GlueBackend.get_table) == ["self", "database_name", "table_name"]
    assert issubclass(TableNotFoundException, EntityNotFoundException)
    assert issubclass(DatabaseNotFoundException, EntityNotFoundException)
    glue = GlueBackend("us-east-1", "000000000000")
    with pytest.raises(EntityNotFoundException):
        glue.get_table("missing_db", "t")

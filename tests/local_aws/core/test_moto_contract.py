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


# -- server.py / core/routing.py ---------------------------------------------------------------

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


def test_dispatcher_asks_its_factory_for_each_service_app():
    # core/routing.backend_app_factory makes that factory; the names are moto's service names.
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    assert params(DomainDispatcherApplication.__init__) == ["self", "create_app"]
    assert "self.create_app(backend)" in inspect.getsource(DomainDispatcherApplication.get_application)
    patterns = dict(DomainDispatcherApplication(lambda service: None).backend_url_patterns)
    from local_aws.server import _UNKNOWN_TO_MOTO, BACKENDS
    assert set(BACKENDS) - set(_UNKNOWN_TO_MOTO) <= set(patterns), \
        "a registered service name is not one moto routes to"
    # server._Dispatcher adds the host patterns of what moto has no backend for; were moto to
    # route one itself, its own backend would be the one to extend.
    assert not set(_UNKNOWN_TO_MOTO) & set(patterns)
    # server._Dispatcher.get_backend_for_host repeats moto's steps with the module list read once
    source = inspect.getsource(DomainDispatcherApplication.get_backend_for_host)
    assert "self.backend_url_patterns" in source
    assert "host in backends.list_of_moto_modules()" in source and 'host == "moto_api"' in source
    assert source.count("return") == 4, "moto's lookup has a step server._Dispatcher lacks"


def test_dispatcher_finds_the_backend_moto_finds_for_a_host():
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    from local_aws.server import _Dispatcher

    ours, motos = _Dispatcher(lambda service: None), DomainDispatcherApplication(lambda service: None)
    for host in ("athena.us-east-1.amazonaws.com", "glue.us-east-2.amazonaws.com", "s3.amazonaws.com",
                 "bucket.s3.us-east-1.amazonaws.com", "redshift-data.us-east-1.amazonaws.com",
                 "logs.us-east-1.amazonaws.com", "moto_api", "s3", "athena", "127.0.0.1:5050", None):
        assert ours.get_backend_for_host(host) == motos.get_backend_for_host(host), host
    assert ours.get_backend_for_host("redshift-serverless.us-east-1.amazonaws.com") == "redshift-serverless"


def test_create_backend_app_steps_are_what_routing_py_repeats():
    from moto.moto_server import werkzeug_app

    source = inspect.getsource(werkzeug_app.create_backend_app)
    for needed in ("backends.get_backend(service)", "backend.flask_paths.items()",
                   "convert_to_flask_response(handler)", "BackendRequest",
                   'converters["regex"] = RegexConverter', "methods=HTTP_METHODS",
                   "strict_slashes=False"):
        assert needed in source, f"moto's create_backend_app no longer does {needed!r} (core/routing.py)"


def test_backend_urls_module_is_found_next_to_its_models_module():
    # moto derives "<package>.urls" from the backend class's "<package>.models": why each
    # service folder (local_aws/athena, local_aws/glue, local_aws/redshift/data_api) has models.py and urls.py.
    from moto.core.base_backend import BaseBackend

    assert 'rstrip("models") + "urls"' in inspect.getsource(BaseBackend._url_module.fget)
    from local_aws.server import BACKENDS

    for name, backends in BACKENDS.items():
        backend = backends["123456789012"]["us-east-1"]
        assert backend._url_module.__name__ == type(backend).__module__.replace(".models", ".urls"), name
        assert backend.flask_paths, name


def test_json_actions_dispatch_to_the_method_named_after_them():
    # The response subclasses add actions moto lacks (BatchExecuteStatement, UpdateCrawler, ...).
    from moto.core.responses import BaseResponse

    source = inspect.getsource(BaseResponse.call_action)
    assert "camelcase_to_underscores(self._get_action())" in source
    assert "method_names_from_class(self.__class__)" in source


def test_base_response_setup_class_and_action_hooks_athena_rest_json_overrides():
    # local_aws/athena/responses.py: setup_class gathers a REST-JSON request's input (after moto's
    # setup, which sets method, raw_path and parsed_url), _get_action names its operation, and
    # _get_param reads the gathered input; call_action is wrapped.
    from moto.core.responses import BaseResponse

    assert params(BaseResponse.setup_class) == ["self", "request", "full_url", "headers", "use_raw_body"]
    source = inspect.getsource(BaseResponse.setup_class)
    for attribute in ("self.method =", "self.raw_path =", "self.parsed_url =", "self.body"):
        assert attribute in source, attribute
    assert params(BaseResponse._get_param) == ["self", "param_name", "if_none"]
    assert "self.setup_class(" in inspect.getsource(BaseResponse._dispatch)
    assert "return self.call_action()" in inspect.getsource(BaseResponse._dispatch)


@pytest.mark.parametrize(("module", "response", "property_name"), [
    ("moto.athena.responses", "AthenaResponse", "athena_backend"),
    ("moto.glue.responses", "GlueResponse", "glue_backend"),
    ("moto.redshiftdata.responses", "RedshiftDataAPIServiceResponse", "redshiftdata_backend"),
])
def test_response_classes_reach_their_backend_through_a_property(module, response, property_name):
    # Each Local*Response overrides this property to return the local backend.
    import importlib

    cls = getattr(importlib.import_module(module), response)
    assert isinstance(inspect.getattr_static(cls, property_name), property)


@pytest.mark.parametrize(("module", "backend"), [
    ("moto.athena.models", "AthenaBackend"), ("moto.glue.models", "GlueBackend"),
    ("moto.redshiftdata.models", "RedshiftDataAPIServiceBackend"),
])
def test_backends_are_constructed_with_region_and_account(module, backend):
    import importlib

    cls = getattr(importlib.import_module(module), backend)
    assert params(cls.__init__) == ["self", "region_name", "account_id"]


# -- s3/state.py, glue/state.py / s3/objects.py / seeding ------------------------------------------------------

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
    # s3/duckdb_fs.py reads ranges of the object's buffer under the key's lock, as .value does
    with stored["a/b"].lock:
        stored["a/b"]._value_buffer.seek(1)
        assert stored["a/b"]._value_buffer.read(2) == b"at"
    assert stored["a/b"].size == 4 and stored["a/b"].last_modified
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
    # glue/catalog.current_table_input reads the newest of the versions ("1", "2", ...)
    glue.update_table("db", "t", {"Name": "t", "Description": "v2"})
    assert isinstance(table, FakeTable) and list(table.versions) == ["1", "2"]
    from local_aws.glue.catalog import current_table_input
    assert current_table_input(table)["Description"] == "v2"
    partition = next(iter(table.partitions.values()))
    assert isinstance(partition, FakePartition) and partition.partition_input == {"Values": ["1"]}


# -- local_aws/glue ----------------------------------------------------------------------------------

def test_glue_models_the_local_backend_builds_on():
    from moto.glue import models

    crawler_args = set(params(models.FakeCrawler.__init__))
    assert {"name", "database_name", "targets", "classifiers", "table_prefix",
            "schema_change_policy", "backend"} <= crawler_args
    assert params(models.FakeCrawl.__init__) == ["self", "crawler_name"]
    assert isinstance(inspect.getattr_static(models.FakeCrawl, "status"), property)
    assert {"job_name", "job_run_id", "arguments", "timeout"} <= set(params(models.FakeJobRun.__init__))
    assert isinstance(inspect.getattr_static(models.FakeJobRun, "status"), property)
    assert callable(models.FakeTable.create_partition)
    # GetCrawler(s) answer from crawler.as_dict(), which LocalGlueResponse replaces with the
    # backend's describe_crawler; BatchGetCrawlers answers from the backend's batch_get_crawlers.
    from moto.glue.responses import GlueResponse
    assert "crawler.as_dict()" in inspect.getsource(GlueResponse.get_crawler)
    assert "batch_get_crawlers(" in inspect.getsource(GlueResponse.batch_get_crawlers)


@pytest.mark.parametrize(("local", "moto_module", "moto_class", "methods"), [
    ("local_aws.glue.models:LocalGlueBackend", "moto.glue.models", "GlueBackend",
     ["start_crawler", "start_job_run", "batch_get_crawlers"]),
    ("local_aws.athena.models:LocalAthenaBackend", "moto.athena.models", "AthenaBackend",
     ["start_query_execution", "get_query_execution", "stop_query_execution",
      "list_query_executions", "list_databases", "get_database"]),
])
def test_overridden_backend_methods_keep_motos_signature(local, moto_module, moto_class, methods):
    """moto's own response methods (StartCrawler, StartJobRun, ...) call these by keyword."""
    import importlib

    module, _, name = local.partition(":")
    ours = getattr(importlib.import_module(module), name)
    theirs = getattr(importlib.import_module(moto_module), moto_class)
    for method in methods:
        assert params(getattr(ours, method)) == params(getattr(theirs, method)), method


# -- local_aws/redshift/data_api ------------------------------------------------------------------------

def test_redshift_data_exceptions_used_for_api_errors():
    from moto.redshiftdata.exceptions import (
        ResourceNotFoundException,
        ValidationException,
    )

    assert ValidationException("m").code == 400 and "ValidationException" in ValidationException("m").get_body()
    assert "ResourceNotFoundException" in ResourceNotFoundException().get_body()


# -- local_aws/athena --------------------------------------------------------------------------------

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
    from moto.glue.exceptions import (
        DatabaseNotFoundException,
        EntityNotFoundException,
        TableNotFoundException,
    )
    from moto.glue.models import GlueBackend

    assert params(GlueBackend.get_table) == ["self", "database_name", "table_name"]
    assert issubclass(TableNotFoundException, EntityNotFoundException)
    assert issubclass(DatabaseNotFoundException, EntityNotFoundException)
    glue = GlueBackend("us-east-1", "000000000000")
    with pytest.raises(EntityNotFoundException):
        glue.get_table("missing_db", "t")

"""covid_lake.aws.sessions: the provider's session factory with one botocore loader per process."""

from __future__ import annotations

import subprocess
import sys

from airflow.models.connection import Connection
from airflow.providers.amazon.aws.utils.connection_wrapper import AwsConnectionWrapper

from covid_lake.aws.sessions import SharedModelsSessionFactory


def _session(key: str, region: str):
    conn = AwsConnectionWrapper(Connection(conn_id=f"c-{key}", conn_type="aws", login=key,
                                           password=f"secret-{key}",
                                           extra={"region_name": region}))
    return SharedModelsSessionFactory(conn=conn, region_name=region).create_session()


def test_sessions_share_one_loader_and_keep_their_own_credentials_and_region():
    a, b = _session("first", "us-east-1"), _session("second", "eu-west-1")
    assert a._session.get_component("data_loader") is b._session.get_component("data_loader")
    assert a.get_credentials().access_key == "first"
    assert b.get_credentials().access_key == "second"
    assert (a.region_name, b.region_name) == ("us-east-1", "eu-west-1")
    s3 = b.client("s3")
    assert s3.meta.region_name == "eu-west-1"
    assert "PutObject" in s3.meta.service_model.operation_names


def test_new_sessions_do_not_grow_the_shared_loaders_search_paths():
    first = _session("x", "us-east-1")._session.get_component("data_loader").search_paths
    count = len(first)
    for _ in range(5):
        _session("x", "us-east-1")
    assert len(first) == count
    assert any(p.endswith("boto3/data") for p in first)  # boto3's resource models still found


def test_the_provider_uses_it_when_configured(tmp_path):
    code = ("from airflow.providers.amazon.aws.hooks import base_aws; "
            "print(base_aws.SessionFactory.__module__, base_aws.SessionFactory.__name__)")
    from covid_lake_dev.local_stack import SESSION_FACTORY

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"AIRFLOW__AWS__SESSION_FACTORY": SESSION_FACTORY, "PATH": "/usr/bin",
                               "AIRFLOW_HOME": str(tmp_path)})
    assert done.stdout.split() == SESSION_FACTORY.rsplit(".", 1)

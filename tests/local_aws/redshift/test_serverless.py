"""Redshift Serverless as AWS's API reference describes it
(https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/): namespaces and workgroups
made, read, changed and deleted with boto3; the Data API serves every workgroup so made and
refuses one that does not exist; workgroups, provisioned clusters and their tables survive a
restart."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.local_aws.redshift.test_redshift_data import rows, run


@pytest.fixture(scope="module")
def serverless(emulator):
    return emulator.client("redshift-serverless")


def _error(exc: pytest.ExceptionInfo) -> tuple[str, int]:
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_get_list_update_delete__API_CreateWorkgroup_API_GetWorkgroup(serverless):
    namespace = serverless.create_namespace(namespaceName="analytics", adminUsername="boss",
                                            adminUserPassword="Secret123!", dbName="dev")["namespace"]
    assert namespace["namespaceName"] == "analytics" and namespace["status"] == "AVAILABLE"
    assert namespace["namespaceArn"].startswith("arn:aws:redshift-serverless:us-east-1:")
    assert "adminUserPassword" not in namespace
    made = serverless.create_workgroup(workgroupName="analytics-wg", namespaceName="analytics",
                                       baseCapacity=8)["workgroup"]
    assert (made["namespaceName"], made["baseCapacity"], made["port"]) == ("analytics", 8, 5439)
    got = serverless.get_workgroup(workgroupName="analytics-wg")["workgroup"]
    # the endpoint resolves where the call was made from (the emulator's own host name); its port
    # is the one its Postgres endpoint listens on: 5439 when free here (test_postgres_endpoint.py)
    assert got["endpoint"]["address"] == "127.0.0.1" and got["port"] == 5439
    assert isinstance(got["endpoint"]["port"], int)
    assert got["workgroupArn"] == made["workgroupArn"]
    names = {w["workgroupName"] for w in serverless.list_workgroups()["workgroups"]}
    assert {"analytics-wg", "default-workgroup", "covid-lake"} <= names
    assert "analytics" in {n["namespaceName"] for n in serverless.list_namespaces()["namespaces"]}
    updated = serverless.update_workgroup(workgroupName="analytics-wg", baseCapacity=16,
                                          port=5440)["workgroup"]
    assert (updated["baseCapacity"], updated["port"]) == (16, 5440)

    with pytest.raises(ClientError) as refused:  # the namespace still has a workgroup
        serverless.delete_namespace(namespaceName="analytics")
    assert _error(refused) == ("ConflictException", 400)
    assert serverless.delete_workgroup(workgroupName="analytics-wg")["workgroup"]["status"] == "DELETING"
    serverless.delete_namespace(namespaceName="analytics")
    with pytest.raises(ClientError) as gone:
        serverless.get_workgroup(workgroupName="analytics-wg")
    assert _error(gone) == ("ResourceNotFoundException", 400)


@pytest.mark.parametrize(("call", "kwargs", "code"), [
    ("create_workgroup", {"workgroupName": "orphan-wg", "namespaceName": "no-such-ns"},
     "ResourceNotFoundException"),
    ("create_workgroup", {"workgroupName": "bad-port", "namespaceName": "default-namespace",
                          "port": 5500}, "ValidationException"),  # 5431-5455 or 8191-8215
    ("create_namespace", {"namespaceName": "Upper_Case"}, "ValidationException"),
    ("create_namespace", {"namespaceName": "default-namespace"}, "ConflictException"),
    ("get_namespace", {"namespaceName": "nowhere"}, "ResourceNotFoundException"),
    ("get_credentials", {"workgroupName": "default-workgroup", "durationSeconds": 60},
     "ValidationException"),  # 900-3600 (API_GetCredentials.html)
])
def test_what_aws_refuses_is_refused_with_its_error(serverless, call, kwargs, code):
    with pytest.raises(ClientError) as refused:
        getattr(serverless, call)(**kwargs)
    assert _error(refused) == (code, 400)


def test_a_namespace_has_one_workgroup(serverless):
    with pytest.raises(ClientError) as refused:
        serverless.create_workgroup(workgroupName="second-default", namespaceName="default-namespace")
    assert _error(refused) == ("ConflictException", 400)


def test_get_credentials_gives_a_temporary_user_and_password__API_GetCredentials(serverless):
    creds = serverless.get_credentials(workgroupName="default-workgroup", durationSeconds=1800)
    assert creds["dbUser"].startswith("IAM:") and len(creds["dbPassword"]) >= 16
    lasts = (creds["expiration"] - creds["nextRefreshTime"]).total_seconds()
    assert lasts == 0
    with pytest.raises(ClientError) as unknown:
        serverless.get_credentials(workgroupName="no-such-wg")
    assert _error(unknown) == ("ResourceNotFoundException", 400)


def test_the_data_api_serves_a_workgroup_made_with_the_api_and_no_other(emulator, serverless):
    data = emulator.client("redshift-data")
    serverless.create_namespace(namespaceName="made-ns")
    serverless.create_workgroup(workgroupName="made-wg", namespaceName="made-ns")
    assert run(data, "CREATE TABLE t AS SELECT 41 + 1 AS x", workgroup="made-wg")["Status"] == "FINISHED"
    assert rows(data, run(data, "SELECT x FROM t", workgroup="made-wg")["Id"]) == [[42]]
    serverless.delete_workgroup(workgroupName="made-wg")
    with pytest.raises(ClientError) as refused:
        data.execute_statement(Sql="SELECT 1", Database="dev", WorkgroupName="made-wg")
    assert "Redshift endpoint doesn't exist" in str(refused.value)


def test_an_action_local_aws_lacks_is_a_4xx_naming_it(serverless):
    with pytest.raises(ClientError) as refused:
        serverless.list_snapshots()
    assert _error(refused) == ("UnsupportedOperation", 400)
    assert "ListSnapshots" in str(refused.value)


def test_workgroups_clusters_and_their_tables_survive_a_restart(launch, tmp_path):
    first = launch(tmp_path / "aws", "--sample-scale", "none")
    serverless = first.client("redshift-serverless")
    serverless.create_namespace(namespaceName="kept-ns", adminUsername="boss",
                                adminUserPassword="Secret123!")
    serverless.create_workgroup(workgroupName="kept-wg", namespaceName="kept-ns", port=5441)
    first.client("redshift").create_cluster(ClusterIdentifier="kept-cluster", NodeType="ra3.large",
                                            MasterUsername="admin", MasterUserPassword="Passw0rdTest")
    data = first.client("redshift-data")
    assert run(data, "CREATE TABLE wg_t AS SELECT 1 AS x", workgroup="kept-wg")["Status"] == "FINISHED"
    assert run(data, "CREATE TABLE cl_t AS SELECT 2 AS x", cluster="kept-cluster")["Status"] == "FINISHED"
    assert first.stop() == 0

    second = launch(tmp_path / "aws", "--sample-scale", "none")
    serverless = second.client("redshift-serverless")
    workgroup = serverless.get_workgroup(workgroupName="kept-wg")["workgroup"]
    assert (workgroup["namespaceName"], workgroup["port"]) == ("kept-ns", 5441)
    assert serverless.get_namespace(namespaceName="kept-ns")["namespace"]["adminUsername"] == "boss"
    [cluster] = second.client("redshift").describe_clusters(ClusterIdentifier="kept-cluster")["Clusters"]
    assert (cluster["MasterUsername"], cluster["NodeType"]) == ("admin", "ra3.large")
    data = second.client("redshift-data")
    assert rows(data, run(data, "SELECT x FROM wg_t", workgroup="kept-wg")["Id"]) == [[1]]
    assert rows(data, run(data, "SELECT x FROM cl_t", cluster="kept-cluster")["Id"]) == [[2]]
    second.client("redshift").delete_cluster(ClusterIdentifier="kept-cluster",
                                             SkipFinalClusterSnapshot=True)
    assert second.stop() == 0
    third = launch(tmp_path / "aws", "--sample-scale", "none")
    assert third.client("redshift").describe_clusters()["Clusters"] == []  # a deletion is kept too
    third.stop()

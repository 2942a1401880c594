"""S3 and Glue catalog persistence across restarts, crash safety, and the seeded source bucket."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from covid_lake.domain.datasets import DATASETS, SOURCE_BUCKET
from local_aws.core.persistence import atomic_write

ACCOUNT = "123456789012"


def _wait_for(path: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} was not written within {timeout}s")
        time.sleep(0.05)


def test_source_bucket_is_seeded_with_the_ten_dataset_keys(s3):
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=SOURCE_BUCKET)["Contents"]}
    assert keys == {d.key for d in DATASETS}
    assert s3.get_bucket_location(Bucket=SOURCE_BUCKET)["LocationConstraint"] == "us-east-2"


def test_objects_and_catalog_survive_a_restart(launch, tmp_path):
    first = launch(tmp_path)
    s3, glue = first.client("s3"), first.client("glue")
    s3.create_bucket(Bucket="keep")
    blob = os.urandom(3000)
    s3.put_object(Bucket="keep", Key="a", Body=b"file a")
    s3.put_object(Bucket="keep", Key="a/b.bin", Body=blob, ContentType="application/x-test",
                  Metadata={"origin": "test"})
    s3.put_object(Bucket="keep", Key="gone", Body=b"deleted before restart")
    s3.delete_object(Bucket="keep", Key="gone")
    glue.create_database(DatabaseInput={"Name": "lake"})
    glue.create_table(DatabaseName="lake", TableInput={
        "Name": "t", "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        "StorageDescriptor": {"Columns": [{"Name": "x", "Type": "bigint"}], "Location": "s3://keep/t/"},
    })
    glue.create_partition(DatabaseName="lake", TableName="t", PartitionInput={
        "Values": ["2020-01-01"], "StorageDescriptor": {"Location": "s3://keep/t/dt=2020-01-01/"}})
    seeded_etags = {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket=SOURCE_BUCKET)["Contents"]}
    assert first.stop() == 0

    second = launch(tmp_path)
    s3, glue = second.client("s3"), second.client("glue")
    assert s3.get_object(Bucket="keep", Key="a")["Body"].read() == b"file a"
    obj = s3.get_object(Bucket="keep", Key="a/b.bin")
    assert obj["Body"].read() == blob
    assert obj["ContentType"] == "application/x-test"
    assert obj["Metadata"] == {"origin": "test"}
    assert obj["ETag"] == f'"{hashlib.md5(blob).hexdigest()}"'
    assert {o["Key"] for o in s3.list_objects_v2(Bucket="keep")["Contents"]} == {"a", "a/b.bin"}
    table = glue.get_table(DatabaseName="lake", Name="t")["Table"]
    assert table["StorageDescriptor"]["Location"] == "s3://keep/t/"
    assert glue.get_partitions(DatabaseName="lake", TableName="t")["Partitions"][0]["Values"] == ["2020-01-01"]
    # Seeding happens once: the restored bucket is not regenerated.
    assert {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket=SOURCE_BUCKET)["Contents"]} == seeded_etags
    second.stop()


def test_crawlers_jobs_and_classifiers_survive_a_restart(launch, tmp_path):
    # On AWS they stay defined until deleted; a restarted emulator keeps their definitions
    # (not their run history: a new process has run nothing yet).
    first = launch(tmp_path)
    glue = first.client("glue")
    glue.create_classifier(CsvClassifier={"Name": "csv", "Delimiter": ",", "QuoteSymbol": '"',
                                          "ContainsHeader": "PRESENT", "Serde": "OpenCSVSerDe"})
    glue.create_crawler(Name="raw", Role="arn:aws:iam::123456789012:role/c", DatabaseName="lake",
                        Classifiers=["csv"], Targets={"S3Targets": [{"Path": "s3://keep/raw/"}]},
                        SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE",
                                            "DeleteBehavior": "LOG"},
                        Configuration='{"Version": 1.0}')
    glue.create_job(Name="load", Role="arn:aws:iam::123456789012:role/j",
                    Command={"Name": "pythonshell", "ScriptLocation": "s3://keep/load.py",
                             "PythonVersion": "3.9"},
                    DefaultArguments={"--x": "1"}, MaxCapacity=0.0625, Timeout=30,
                    ExecutionProperty={"MaxConcurrentRuns": 1})
    before = (glue.get_crawler(Name="raw")["Crawler"], glue.get_job(JobName="load")["Job"],
              glue.get_classifier(Name="csv")["Classifier"])
    assert first.stop() == 0

    second = launch(tmp_path)
    glue = second.client("glue")
    crawler = glue.get_crawler(Name="raw")["Crawler"]
    for key in ("Role", "DatabaseName", "Classifiers", "Targets", "SchemaChangePolicy",
                "Configuration"):
        assert crawler[key] == before[0][key], key
    assert crawler["State"] == "READY" and "LastCrawl" not in crawler
    job = glue.get_job(JobName="load")["Job"]
    for key in ("Role", "Command", "DefaultArguments", "MaxCapacity", "Timeout", "ExecutionProperty"):
        assert job[key] == before[1][key], key
    assert glue.get_classifier(Name="csv")["Classifier"] == before[2]
    second.stop()


def test_changes_reach_disk_without_a_clean_shutdown(launch, tmp_path):
    emu = launch(tmp_path, "--sample-scale", "none")
    s3 = emu.client("s3")
    s3.create_bucket(Bucket="crash")
    s3.put_object(Bucket="crash", Key="k.txt", Body=b"before the crash")
    _wait_for(tmp_path / "s3" / ACCOUNT / "crash" / "k.txt.obj")
    _wait_for(tmp_path / "s3" / ACCOUNT / "crash.meta.json")
    time.sleep(0.2)
    emu.process.kill()  # SIGKILL: no chance to flush
    emu.process.wait(10)

    again = launch(tmp_path, "--sample-scale", "none")
    assert again.client("s3").get_object(Bucket="crash", Key="k.txt")["Body"].read() == b"before the crash"
    again.stop()


def test_deleted_bucket_leaves_the_state_dir(launch, tmp_path):
    emu = launch(tmp_path, "--sample-scale", "none")
    s3 = emu.client("s3")
    s3.create_bucket(Bucket="short-lived")
    s3.put_object(Bucket="short-lived", Key="x", Body=b"x")
    s3.delete_object(Bucket="short-lived", Key="x")
    s3.delete_bucket(Bucket="short-lived")
    assert emu.stop() == 0
    assert not (tmp_path / "s3" / ACCOUNT / "short-lived.meta.json").exists()
    assert not (tmp_path / "s3" / ACCOUNT / "short-lived").exists()


def test_atomic_write_keeps_the_old_content_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "index.json"
    atomic_write(target, b"old")

    def crash(*_args):
        raise OSError("disk vanished")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind

"""The task bodies (covid_lake.tasks) against a real local_aws: what concurrent runs of a
backfill do at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from covid_lake.tasks import catalog, land, warehouse
from covid_lake.tasks import settings as settings_module
from tests.support.emulator import start_emulator


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    emu = start_emulator(tmp_path_factory.mktemp("steps-aws"), "--sample-scale", "none")
    yield emu
    emu.stop()


def test_concurrent_runs_prepare_the_catalog_once_and_all_succeed(emulator):
    cfg = settings_module.load(lambda key, default: default)
    glue, s3 = emulator.client("glue"), emulator.client("s3")

    def one_run(_):
        created_bucket = land.ensure_bucket(s3, cfg.bucket, "us-east-1")
        return created_bucket, catalog.prepare_catalog(glue, cfg)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one_run, range(4)))
    assert sum(r[1]["crawler_created"] for r in results) == 1
    crawler = glue.get_crawler(Name=cfg.crawler_name)["Crawler"]
    assert crawler["DatabaseName"] == cfg.glue_database
    assert crawler["Targets"] == catalog.crawler_config(cfg)["Targets"]
    assert glue.get_classifier(Name=cfg.classifier_name)["Classifier"]["CsvClassifier"]
    # and later runs find everything in place
    assert catalog.prepare_catalog(glue, cfg)["crawler_created"] is False


def test_land_checks_a_changed_source_and_never_loses_a_raw_version(emulator, small_lake):
    """A damaged source fails before it is copied, our copy untouched; a changed good source
    replaces our copy as a new version, the previous one recorded; a pinned version comes back."""
    from covid_lake.domain.datasets import BY_NAME
    from covid_lake.domain.source_files import SourceFileError

    cfg = settings_module.load(lambda key, default: default)
    s3 = emulator.client("s3")
    land.ensure_bucket(s3, cfg.bucket, "us-east-1")
    assert s3.get_bucket_versioning(Bucket=cfg.bucket)["Status"] == "Enabled"
    if cfg.source_bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=cfg.source_bucket)
    ds = BY_NAME["us_states"]
    good = (small_lake / ds.key).read_bytes()
    s3.put_object(Bucket=cfg.source_bucket, Key=ds.key, Body=good)

    first = land.land(s3, cfg, "us_states")
    assert first["copied"] and first["previous_version_id"] is None
    assert first["records"] == good.count(b"\n") - 1
    assert land.land(s3, cfg, "us_states")["copied"] is False

    lines = good.split(b"\n")
    lines[3] = lines[3] + b"\xff"
    s3.put_object(Bucket=cfg.source_bucket, Key=ds.key, Body=b"\n".join(lines))
    with pytest.raises(SourceFileError, match=r"^dataset us_states: source object "
                                              rf"s3://{cfg.source_bucket}/{ds.key} is not UTF-8: "
                                              r"byte 0xff at line 4 "):
        land.land(s3, cfg, "us_states")
    raw_key = ds.raw_key(cfg.raw_prefix)
    assert s3.head_object(Bucket=cfg.bucket, Key=raw_key)["VersionId"] == first["version_id"]

    changed = good + lines[1] + b"\n"  # a good change: one more row
    s3.put_object(Bucket=cfg.source_bucket, Key=ds.key, Body=changed)
    second = land.land(s3, cfg, "us_states")
    assert second["copied"] and second["previous_version_id"] == first["version_id"]
    head = s3.head_object(Bucket=cfg.bucket, Key=raw_key)
    assert head["Metadata"]["previous-version-id"] == first["version_id"]
    versions = s3.list_object_versions(Bucket=cfg.bucket, Prefix=raw_key)["Versions"]
    assert {v["VersionId"] for v in versions} == {first["version_id"], second["version_id"]}

    # Re-run on the earlier copy (param raw_versions): it becomes current, the source is not read.
    pinned = land.land(s3, cfg, "us_states", pinned_version=first["version_id"])
    assert pinned["copied"] and pinned["previous_version_id"] == second["version_id"]
    assert s3.get_object(Bucket=cfg.bucket, Key=raw_key)["Body"].read() == good
    assert land.land(s3, cfg, "us_states", pinned_version=first["version_id"])["copied"] is False
    with pytest.raises(land.RawVersionError, match="dataset us_states: param raw_versions names "
                                                    "version 'nope'"):
        land.land(s3, cfg, "us_states", pinned_version="nope")
    # Unpinned again: the source (changed) lands again.
    assert land.land(s3, cfg, "us_states")["copied"] is True


def test_pinned_versions_are_checked():
    assert land.pinned_versions(None) == {}
    assert land.pinned_versions({"us_states": "v1"}) == {"us_states": "v1"}
    with pytest.raises(land.RawVersionError, match=r"unknown datasets \['us_state'\]"):
        land.pinned_versions({"us_state": "v1"})
    with pytest.raises(land.RawVersionError, match="are not strings"):
        land.pinned_versions({"us_states": 3})


def test_old_snapshots_are_pruned_but_never_one_a_run_may_still_load(emulator):
    import datetime as dt

    cfg = settings_module.load(lambda key, default: default)
    s3 = emulator.client("s3")
    land.ensure_bucket(s3, cfg.bucket, "us-east-1")
    days = [f"2020-03-{d:02d}" for d in range(1, 11)]
    for day in days:
        for table in ("dimregion", "runaudit"):
            s3.put_object(Bucket=cfg.bucket, Body=b"x",
                          Key=f"{cfg.star_prefix}/{table}/run_date={day}/{table}.parquet")
    fact = f"{cfg.star_prefix}/factcovid/date=2020-03-01/part-0.parquet"
    s3.put_object(Bucket=cfg.bucket, Key=fact, Body=b"x")

    def left(table):
        listed = s3.list_objects_v2(Bucket=cfg.bucket, Prefix=f"{cfg.star_prefix}/{table}/")
        return sorted(o["Key"].split("run_date=")[1][:10] for o in listed.get("Contents", []))

    # Written just now: a run of a backfill may still be about to load any of them.
    assert warehouse.prune_snapshots(s3, cfg) == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=4)
    deleted = warehouse.prune_snapshots(s3, cfg, now=later)
    assert len(deleted) == 2 * 3  # 10 run dates, the newest 7 kept, per table
    assert left("dimregion") == left("runaudit") == days[3:]
    assert s3.head_object(Bucket=cfg.bucket, Key=fact)  # facts are never snapshots
    assert warehouse.prune_snapshots(s3, cfg, now=later) == []  # idempotent

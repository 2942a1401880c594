"""The launcher's `--lake DIR` (python -m covid_lake_dev.emulator, make run LAKE=DIR): the public
bucket holds exactly DIR's files, on every start; local_aws's own --seed-bucket / --sync-bucket,
which it uses, know nothing of the lake."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from covid_lake.domain.datasets import DATASETS, SOURCE_BUCKET
from covid_lake_dev import emulator as launcher
from covid_lake_dev.emulator import parse_args
from tests.support.emulator import REPO, lake_objects

KEYS = [d.key for d in DATASETS]


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "covid_lake_dev.emulator", "--port", "0", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def lake_dir(small_lake: Path, tmp_path: Path) -> Path:
    """The small sample as a lake directory of our own (the test may change it), plus a file
    outside the ten keys and hidden files that must stay out of the bucket."""
    lake = tmp_path / "lake"
    shutil.copytree(small_lake, lake)
    (lake / "notes").mkdir()
    (lake / "notes" / "README.txt").write_text("where these files came from\n")
    (lake / ".fetch-lake.json").write_text("{}")
    (lake / "enigma-jhu" / "csv" / ".Enigma-JHU.csv.gz.abc.part").write_bytes(b"half a download")
    (lake / ".git").mkdir()
    (lake / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return lake


def test_lake_keys_are_the_pipeline_datasets_keys():
    assert launcher.LAKE_KEYS == tuple(KEYS)


def test_the_emulator_does_not_import_the_pipeline():
    code = ("import sys, local_aws.__main__, local_aws.server, local_aws.s3.seeding; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('covid_lake', 'covid_lake_sources', 'covid_lake_dev')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_cli_lake_and_sample_scale_defaults():
    assert (parse_args([]).sample_scale, parse_args([]).lake) == ("small", None)
    args = parse_args(["--lake", "/some/dir"])
    assert (args.sample_scale, args.lake) == (None, "/some/dir")


@pytest.mark.parametrize("scale", ["small", "none"])
def test_lake_and_sample_scale_together_are_refused(tmp_path, scale):
    done = _run_cli("--state-dir", str(tmp_path / "aws"), "--lake", str(tmp_path), "--sample-scale", scale)
    assert done.returncode == 2
    assert "--lake and --sample-scale are alternatives" in done.stderr
    assert "listening" not in done.stdout
    assert not (tmp_path / "aws").exists()


def test_lake_dir_seeds_exactly_its_files(launch, lake_dir, tmp_path):
    emu = launch(tmp_path / "aws", "--lake", str(lake_dir))
    s3 = emu.client("s3")
    objects = lake_objects(s3)
    # The ten keys and the extra file; no hidden file or folder.
    assert set(objects) == {*KEYS, "notes/README.txt"}
    for key, info in objects.items():
        path = lake_dir / key
        assert s3.get_object(Bucket=SOURCE_BUCKET, Key=key)["Body"].read() == path.read_bytes()
        assert (info["Size"], info["ETag"]) == (path.stat().st_size, _md5(path))
    assert s3.get_bucket_location(Bucket=SOURCE_BUCKET)["LocationConstraint"] == "us-east-2"
    lake = emu.source_sync()
    assert lake["dir"] == str(lake_dir)
    assert sorted(lake["put"]) == sorted(objects) and lake["deleted"] == [] and lake["missing"] == []
    assert emu.stop() == 0


def test_every_start_resynchronises_the_bucket_with_the_dir(launch, lake_dir, tmp_path):
    state = tmp_path / "aws"
    first = launch(state, "--lake", str(lake_dir))
    etags = {k: v["ETag"] for k, v in lake_objects(first.client("s3")).items()}
    assert first.stop() == 0

    # Unchanged directory: nothing put, nothing deleted, the restored objects kept.
    second = launch(state, "--lake", str(lake_dir))
    lake = second.source_sync()
    assert (lake["put"], lake["deleted"], lake["unchanged"]) == ([], [], len(etags))
    assert {k: v["ETag"] for k, v in lake_objects(second.client("s3")).items()} == etags
    assert second.stop() == 0

    # One file changed, one of the ten removed, the extra file removed, a new file added.
    changed = "static-datasets/csv/state-abv/states_abv.csv"
    removed = "rearc-covid-19-testing-data/csv/us-total-latest/us.csv"
    with open(lake_dir / changed, "a") as fh:
        fh.write("Atlantis,AT\n")
    (lake_dir / removed).unlink()
    (lake_dir / "notes" / "README.txt").unlink()
    (lake_dir / "notes" / "other.txt").write_text("new\n")

    third = launch(state, "--lake", str(lake_dir))
    s3 = third.client("s3")
    objects = lake_objects(s3)
    assert set(objects) == (set(KEYS) - {removed}) | {"notes/other.txt"}
    assert s3.get_object(Bucket=SOURCE_BUCKET, Key=changed)["Body"].read().endswith(b"Atlantis,AT\n")
    assert objects[changed]["ETag"] == _md5(lake_dir / changed) != etags[changed]
    lake = third.source_sync()
    assert sorted(lake["put"]) == sorted([changed, "notes/other.txt"])
    assert lake["deleted"] == sorted([removed, "notes/README.txt"])
    assert lake["missing"] == [removed]
    assert third.stop() == 0
    # The missing key is reported at start (stderr goes to the emulator's log).
    log = (tmp_path / "aws-emulator.log").read_text()
    assert "lacks 1 of the lake's objects" in log and removed in log

    # What the flusher saved is what a restart without --lake serves (no re-seeding from the sample).
    fourth = launch(state, "--sample-scale", "none")
    assert lake_objects(fourth.client("s3")) == objects
    fourth.stop()


def test_a_sample_seeded_state_is_replaced_by_the_dir(launch, lake_dir, tmp_path):
    state = tmp_path / "aws"
    sample = launch(state)  # the small sample, seeded on first start
    sample_etags = {k: v["ETag"] for k, v in lake_objects(sample.client("s3")).items()}
    sample.stop()
    (lake_dir / "notes" / "README.txt").unlink()
    changed = "static-datasets/csv/countrycode/CountryCodeQS.csv"
    (lake_dir / changed).write_bytes((lake_dir / changed).read_bytes() + b"Atlantis,AT,ATL,999,0,0\n")
    emu = launch(state, "--lake", str(lake_dir))
    objects = lake_objects(emu.client("s3"))
    assert {k: v["ETag"] for k, v in objects.items()} == {k: _md5(lake_dir / k) for k in KEYS}
    put = emu.source_sync()["put"]
    assert changed in put
    assert sorted(put) == sorted(k for k in KEYS if _md5(lake_dir / k) != sample_etags[k])
    emu.stop()


def test_the_bucket_is_publicly_readable_like_on_aws(launch, lake_dir, tmp_path):
    from botocore import UNSIGNED

    emu = launch(tmp_path / "aws", "--lake", str(lake_dir))
    anonymous = emu.client("s3", signature_version=UNSIGNED)
    key = KEYS[0]
    assert anonymous.head_object(Bucket=SOURCE_BUCKET, Key=key)["ContentLength"] == (lake_dir / key).stat().st_size
    assert anonymous.get_object(Bucket=SOURCE_BUCKET, Key=key)["Body"].read() == (lake_dir / key).read_bytes()
    emu.stop()


@pytest.mark.parametrize("case", ["missing", "file", "empty", "unrelated"])
def test_a_bad_lake_dir_fails_at_start_naming_the_dir_and_the_keys(tmp_path, case):
    bad = tmp_path / "lake"
    if case == "file":
        bad.write_text("not a directory")
    elif case == "empty":
        bad.mkdir()
    elif case == "unrelated":
        (bad / "enigma-jhu" / "csv").mkdir(parents=True)
        (bad / "enigma-jhu" / "csv" / "enigma-jhu.csv").write_text("a,b\n")  # not the key
    t0 = time.perf_counter()
    done = _run_cli("--state-dir", str(tmp_path / "aws"), "--lake", str(bad))
    assert done.returncode == 2, done.stderr
    assert time.perf_counter() - t0 < 30
    assert "listening" not in done.stdout
    expected = {"missing": "does not exist", "file": "is not a directory",
                "empty": "holds none of the objects expected",
                "unrelated": "holds none of the objects expected"}[case]
    assert f"local_aws: --lake {bad} {expected}" in done.stderr
    for key in KEYS:
        assert str(bad / key) in done.stderr
    assert "make fetch-lake" in done.stderr and "--no-sign-request" in done.stderr
    assert not (tmp_path / "aws").exists()  # refused before any state was touched


def test_real_lake_read_in_place(launch, real_lake, tmp_path):
    before = {p: p.stat().st_mtime_ns for p in real_lake.rglob("*") if p.is_file()}
    emu = launch(tmp_path / "aws", "--lake", str(real_lake))
    s3 = emu.client("s3")
    objects = lake_objects(s3)
    for key in KEYS:
        path = real_lake / key
        assert (objects[key]["Size"], objects[key]["ETag"]) == (path.stat().st_size, _md5(path)), key
    # Every other regular file of the directory (its README) is an object too.
    assert set(objects) == {p.relative_to(real_lake).as_posix() for p in before
                            if not any(part.startswith(".") for part in p.relative_to(real_lake).parts)}
    assert emu.source_sync()["missing"] == []
    assert emu.stop() == 0
    assert {p: p.stat().st_mtime_ns for p in real_lake.rglob("*") if p.is_file()} == before

"""local_aws's own bucket seeding (--seed-bucket, --sync-bucket, --bucket-region): generic, no
dataset known. The launcher's lake (covid19-lake from a sample or a directory) is built on it and
tested in test_lake_seeding.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

from local_aws.s3.seeding import BucketSeed, SeedDirError, check_directory, directory_files
from tests.support.emulator import REPO, lake_objects


def _serve(tmp_path, *args: str) -> subprocess.Popen:
    """`python -m local_aws` itself (not the launcher), on a free port."""
    return subprocess.Popen([sys.executable, "-m", "local_aws", "--port", "0", "--state-dir",
                             str(tmp_path / "aws"), *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _client(process: subprocess.Popen):
    import re

    import boto3

    line = process.stdout.readline()
    endpoint = re.search(r"listening on (http://\S+)", line)
    assert endpoint, line + process.stderr.read()
    return boto3.client("s3", endpoint_url=endpoint.group(1), region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    assert process.wait(30) == 0


def test_a_seed_bucket_is_filled_on_the_first_start_only(tmp_path):
    data = tmp_path / "data"
    (data / "a").mkdir(parents=True)
    (data / "a" / "one.csv").write_text("x\n1\n")
    (data / ".hidden").write_text("not an object")
    first = _serve(tmp_path, "--seed-bucket", f"open-data={data}", "--bucket-region",
                   "open-data=eu-west-1")
    s3 = _client(first)
    assert set(lake_objects(s3, "open-data")) == {"a/one.csv"}
    assert s3.get_bucket_location(Bucket="open-data")["LocationConstraint"] == "eu-west-1"
    _stop(first)

    (data / "a" / "two.csv").write_text("x\n2\n")
    again = _serve(tmp_path, "--seed-bucket", f"open-data={data}")
    assert set(lake_objects(_client(again), "open-data")) == {"a/one.csv"}  # kept as restored
    _stop(again)

    synced = _serve(tmp_path, "--sync-bucket", f"open-data={data}")
    assert set(lake_objects(_client(synced), "open-data")) == {"a/one.csv", "a/two.csv"}
    _stop(synced)


@pytest.mark.parametrize(("args", "said"), [
    (["--sync-bucket", "b={missing}"], "the seed directory of bucket b, {missing}, does not exist"),
    (["--seed-bucket", "b={file}"], "the seed directory of bucket b, {file}, is not a directory"),
    (["--seed-bucket", "b"], "expected NAME=VALUE, got 'b'"),
    (["--bucket-region", "b=us-east-2"], "--bucket-region names bucket b, which no --seed-bucket"),
    (["--seed-bucket", "b={tmp}", "--sync-bucket", "b={tmp}"], "bucket b is given more than one seed directory"),
])
def test_a_bad_seed_argument_exits_2_naming_it_before_any_state(tmp_path, args, said):
    paths = {"missing": tmp_path / "nowhere", "file": tmp_path / "a-file", "tmp": tmp_path}
    paths["file"].write_text("x")
    done = subprocess.run([sys.executable, "-m", "local_aws", "--port", "0", "--state-dir",
                           str(tmp_path / "aws"), *(a.format(**paths) for a in args)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert said.format(**paths) in done.stderr
    assert not (tmp_path / "aws").exists()


def test_directory_files_skip_hidden_names_in_every_folder(tmp_path):
    (tmp_path / "x" / ".cache").mkdir(parents=True)
    (tmp_path / "x" / ".cache" / "f").write_text("")
    (tmp_path / "x" / "f.txt").write_text("")
    (tmp_path / "x" / ".f.part").write_text("")
    assert list(directory_files(tmp_path)) == ["x/f.txt"]
    with pytest.raises(SeedDirError, match="does not exist"):
        check_directory(BucketSeed("b", tmp_path / "nowhere"))

"""`python -m covid_lake_dev.fetch_lake DIR`: the ten objects over unsigned S3 requests, idempotent,
atomic, and a fast, clear failure without a connection.

local_aws, seeded with the small sample, stands in for s3://covid19-lake (its bucket is public
like the real one)."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from covid_lake.domain.datasets import DATASETS, SOURCE_BUCKET
from covid_lake_dev import fetch_lake
from tests.support.emulator import REPO, start_emulator

KEYS = [d.key for d in DATASETS]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """local_aws with the small sample in covid19-lake; the tests may change its objects."""
    emu = start_emulator(tmp_path_factory.mktemp("fetch-lake-aws"))
    yield emu
    emu.stop()


def _fetch(out: Path, endpoint: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The command as users run it, with no AWS credentials anywhere: requests must be unsigned."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return subprocess.run([sys.executable, "-m", "covid_lake_dev.fetch_lake", str(out),
                           "--endpoint-url", endpoint], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _files(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


def test_fetch_downloads_the_ten_objects_then_nothing(source, tmp_path):
    s3 = source.client("s3")
    out = tmp_path / "lake"
    done = _fetch(out, source.endpoint_url)
    assert done.returncode == 0, done.stderr
    for key in KEYS:
        body = s3.get_object(Bucket=SOURCE_BUCKET, Key=key)["Body"].read()
        assert (out / key).read_bytes() == body, key
        line = next(ln for ln in done.stdout.splitlines() if ln.strip().startswith(key))
        assert f"{len(body):,d} B" in line and "downloaded" in line
    assert "10 downloaded" in done.stdout
    # Nothing but the objects and the command's hidden bookkeeping (no temporary files left).
    assert set(_files(out)) == {*KEYS, fetch_lake.MANIFEST}
    assert oct((out / KEYS[0]).stat().st_mode & 0o777) == oct(0o644)

    before = _files(out)
    again = _fetch(out, source.endpoint_url)
    assert again.returncode == 0, again.stderr
    assert "0 downloaded (0 B)" in again.stdout
    assert again.stdout.count("already here") == len(KEYS)
    assert _files(out) == before  # not rewritten


def test_only_changed_objects_are_downloaded_again(source, tmp_path):
    s3 = source.client("s3")
    out = tmp_path / "lake"
    assert _fetch(out, source.endpoint_url).returncode == 0
    # A local file damaged (same size), and an object changed at the source.
    damaged, changed = KEYS[1], KEYS[9]
    data = bytearray((out / damaged).read_bytes())
    data[-2] ^= 0xFF
    (out / damaged).write_bytes(bytes(data))
    original = s3.get_object(Bucket=SOURCE_BUCKET, Key=changed)["Body"].read()
    s3.put_object(Bucket=SOURCE_BUCKET, Key=changed, Body=original + b"Atlantis,AT\n")
    try:
        done = _fetch(out, source.endpoint_url)
        assert done.returncode == 0, done.stderr
        fetched = [ln.split()[0] for ln in done.stdout.splitlines() if ln.endswith("downloaded")]
        assert sorted(fetched) == sorted([damaged, changed])
        for key in (damaged, changed):
            assert (out / key).read_bytes() == s3.get_object(Bucket=SOURCE_BUCKET, Key=key)["Body"].read()
    finally:
        s3.put_object(Bucket=SOURCE_BUCKET, Key=changed, Body=original)


def test_a_broken_transfer_leaves_no_file(source, tmp_path):
    client = fetch_lake.s3_client(source.endpoint_url)
    key = KEYS[0]
    head = client.head_object(Bucket=SOURCE_BUCKET, Key=key)
    target = tmp_path / key
    with pytest.raises(fetch_lake.FetchError, match="expected"):
        # The bucket announced more bytes than came: the transfer broke half way.
        fetch_lake._download(client, SOURCE_BUCKET, key, target, head["ContentLength"] + 1,
                             head["ETag"].strip('"'))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on exit: connections are refused


def test_no_connection_fails_fast_and_says_how_to_get_the_files(tmp_path):
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    out = tmp_path / "lake"
    t0 = time.perf_counter()
    done = _fetch(out, endpoint, timeout=60)
    seconds = time.perf_counter() - t0
    assert done.returncode == 1
    assert seconds < 15, f"took {seconds:.1f} s"  # Python and boto3 start-up included
    err = done.stderr
    assert f"cannot reach {endpoint} for s3://{SOURCE_BUCKET}: no connection" in err
    for key in KEYS:
        assert f"aws s3 cp s3://{SOURCE_BUCKET}/{key} {out / key} --no-sign-request" in err
    assert "copy the ten files by hand" in err
    assert not out.exists()  # nothing written


def test_no_connection_in_process_is_a_fetch_error_within_seconds(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(fetch_lake.FetchError, match="no connection"):
        fetch_lake.fetch(tmp_path / "lake", endpoint_url=f"http://127.0.0.1:{_closed_port()}",
                         echo=lambda line: None)
    assert time.perf_counter() - t0 < 5


def test_client_is_unsigned_with_short_timeouts_and_few_retries():
    from botocore import UNSIGNED

    client = fetch_lake.s3_client()
    config = client.meta.config
    assert config.signature_version is UNSIGNED
    assert client.meta.region_name == "us-east-2"
    assert config.connect_timeout <= 5
    assert config.retries["total_max_attempts"] <= 3


def test_same_object_recognises_multipart_etags(tmp_path):
    path = tmp_path / "big.bin"
    data = os.urandom(9 * 1024 * 1024)  # two parts of 8 MiB, as `aws s3 cp` uploads it
    path.write_bytes(data)
    parts = [data[:8 << 20], data[8 << 20:]]
    etag = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + "-2"
    assert fetch_lake.same_object(path, len(data), etag, None)
    assert not fetch_lake.same_object(path, len(data), etag.replace("-2", "-3"), None)
    remembered = {"etag": "0" * 32 + "-4", "size": len(data), "md5": hashlib.md5(data).hexdigest()}
    assert fetch_lake.same_object(path, len(data), "0" * 32 + "-4", remembered)
    assert not fetch_lake.same_object(path, len(data), "0" * 32 + "-4", {**remembered, "md5": "1" * 32})
    assert not fetch_lake.same_object(path, len(data) + 1, etag, None)
    assert fetch_lake.same_object(path, len(data), hashlib.md5(data).hexdigest(), None)

"""In-process access to moto's S3 objects for the emulator's data plane.

Workers run inside the server process, so they read and write moto's backend directly instead
of calling the emulator over HTTP: no loopback, no credentials, and a write is visible to the
next request at once.
"""

from __future__ import annotations

from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import FakeKey, S3Backend, s3_backends

from local_aws.core import runtime

# moto keys S3 backends by partition, not region.
_PARTITION = "aws"


class S3PathError(ValueError):
    pass


def backend(account_id: str = DEFAULT_ACCOUNT_ID) -> S3Backend:
    return s3_backends[account_id][_PARTITION]


def split_uri(uri: str) -> tuple[str, str]:
    """'s3://bucket/some/key' -> ('bucket', 'some/key')."""
    if not uri.startswith("s3://"):
        raise S3PathError(f"not an S3 URI: {uri!r} (expected s3://bucket/key)")
    bucket, _, key = uri[len("s3://"):].partition("/")
    if not bucket:
        raise S3PathError(f"S3 URI without a bucket: {uri!r}")
    return bucket, key


def list_keys(bucket: str, prefix: str, account_id: str = DEFAULT_ACCOUNT_ID) -> list[str]:
    """Keys starting with prefix, sorted; folder markers (keys ending in '/') left out."""
    store = backend(account_id).get_bucket(bucket)
    return sorted(
        name for name, key in list(store.keys.items())
        if name.startswith(prefix) and not name.endswith("/") and isinstance(key, FakeKey)
    )


def read(bucket: str, key: str, account_id: str = DEFAULT_ACCOUNT_ID) -> bytes:
    obj = backend(account_id).get_object(bucket, key)
    if obj is None:
        raise KeyError(f"s3://{bucket}/{key} does not exist")
    return obj.value


def write(bucket: str, key: str, data: bytes, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    backend(account_id).put_object(bucket, key, data)
    runtime.notify_change()


def ensure_bucket(bucket: str, region: str, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    s3 = backend(account_id)
    if bucket not in s3.buckets:
        s3.create_bucket(bucket, region)

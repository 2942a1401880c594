"""S3 calls the pipeline's tasks share: our bucket exists and is versioned, an object's head,
a create_* call that tolerates a concurrent run creating first, a prefix emptied, a file uploaded
only when its bytes changed."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from botocore.exceptions import ClientError

log = logging.getLogger(__name__)


def missing(exc: ClientError) -> bool:
    """An AWS error that says the object (bucket, key, Glue entity) is not there."""
    return exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound", "NoSuchBucket",
                                             "EntityNotFoundException")


def ensure_bucket(s3, bucket: str, region: str) -> bool:
    """Create our bucket when missing, and make sure it is versioned (the CloudFormation stack
    versions it on AWS; local_aws's bucket is versioned here), so that re-landing a changed
    source never loses the previous raw copy. True when the bucket was created."""
    created = False
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if not missing(exc):
            raise
        extra = {} if region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": region}}
        created = create(s3.create_bucket, Bucket=bucket, **extra)
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        log.info("bucket %s: turning versioning on (raw landing keeps every version)", bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return created



def head(s3, bucket: str, key: str) -> dict | None:
    try:
        return s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if not missing(exc):
            raise
        return None


def create(call, **kwargs) -> bool:
    """call(**kwargs), a create_* API; False when the object already exists (a concurrent run
    of the same backfill created it first), True when this call created it."""
    try:
        call(**kwargs)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("AlreadyExistsException", "BucketAlreadyOwnedByYou"):
            return False
        raise
    return True


def delete_prefix(s3, bucket: str, prefix: str) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})


def delete_prefixes(s3, bucket: str, parent: str, prefixes: list[str]) -> None:
    """delete_prefix for each of `prefixes` (all under `parent`), with one listing of `parent`
    instead of one per prefix, and DeleteObjects in batches of 1,000 (S3's most per request): a
    full refresh replaces hundreds of days' partitions of a fact table."""
    wanted = tuple(prefixes)
    keys = [o["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=parent)
            for o in page.get("Contents", []) if o["Key"].startswith(wanted)]
    for k in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys[k:k + 1000]]})


def put_files(s3, bucket: str, files: list[tuple[str, str]], workers: int = 8) -> None:
    """Put each (local path, key), several at a time: a full refresh writes one small Parquet
    file per fact table and day, and each put waits mostly on the network round trip."""
    from concurrent.futures import ThreadPoolExecutor

    def put(item: tuple[str, str]) -> None:
        s3.put_object(Bucket=bucket, Key=item[1], Body=Path(item[0]).read_bytes())

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(put, files))  # list(): the first failure is raised here



def upload_if_changed(s3, bucket: str, files: list[tuple[Path, str]]) -> list[str]:
    """Put each (local path, key) whose bytes differ from the object there (single-part ETags are
    the MD5 of the body); returns the keys written."""
    written = []
    for path, key in files:
        body = Path(path).read_bytes()
        try:
            if s3.head_object(Bucket=bucket, Key=key)["ETag"].strip('"') == \
                    hashlib.md5(body).hexdigest():
                continue
        except ClientError as exc:
            if not missing(exc):
                raise
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        written.append(key)
    return written

"""Buckets filled from local directories when the emulator starts: how a public dataset's bucket
(one nobody may write to on AWS) is made to exist offline.

A directory seeds a bucket with every regular file under it, each an object at its relative path,
except names starting with '.' in any folder (temporary and bookkeeping files). Two modes:

- once (`--seed-bucket NAME=DIR`): the bucket is created and filled on the first start, when it
  does not exist yet; later starts keep the restored bucket as it is;
- sync (`--sync-bucket NAME=DIR`): on every start the bucket is made to hold exactly DIR's files:
  new or changed files are put (compared by MD5, i.e. the ETag), keys without a file are deleted.

A seeded bucket may be made readable by anyone (`--public-bucket NAME`), as AWS's open-data
buckets are: unsigned GetObject, HeadObject and ListBucket succeed. moto authorises an unsigned
HEAD as "s3:HeadObject", so it is listed next to the real actions. Bucket policies are not
persisted: applied on every start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from moto.s3.models import FakeKey

from local_aws.core.runtime import DEFAULT_REGION
from local_aws.s3 import objects as s3_objects

log = logging.getLogger(__name__)


class SeedDirError(ValueError):
    """A seed directory cannot fill its bucket (missing, not a directory, unreadable)."""


@dataclass(frozen=True)
class BucketSeed:
    bucket: str
    directory: Path
    sync: bool = False  # every start (True) or the first start only (False)
    region: str = DEFAULT_REGION


@dataclass
class BucketSync:
    """What seeding a bucket did at this start; `put` empty and `unchanged` 0 when a once-seed
    found its bucket already there."""
    bucket: str
    directory: Path
    put: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def objects(self) -> int:
        return len(self.put) + len(self.unchanged)

    def describe(self) -> dict:
        return {"dir": str(self.directory), "objects": self.objects, "put": self.put,
                "deleted": self.deleted, "unchanged": len(self.unchanged)}


def public_read_policy(bucket: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject", "s3:HeadObject", "s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        }],
    })


def check_directory(seed: BucketSeed) -> Path:
    """The seed's directory, resolved; SeedDirError naming the bucket when it cannot be read."""
    root = Path(seed.directory).expanduser().resolve()
    if not root.is_dir():
        problem = "is not a directory" if root.exists() else "does not exist"
        raise SeedDirError(f"the seed directory of bucket {seed.bucket}, {root}, {problem}")
    return root


def directory_files(root: Path) -> dict[str, Path]:
    """Object key -> file for every regular file under root, names starting with '.' left out."""
    files: dict[str, Path] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if not name.startswith(".") and path.is_file():
                files[path.relative_to(root).as_posix()] = path
    return files


def _md5_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def apply(seed: BucketSeed) -> BucketSync:
    """Seed one bucket (see the module docstring)."""
    root = check_directory(seed)
    result = BucketSync(seed.bucket, root)
    if seed.sync or seed.bucket not in s3_objects.backend().buckets:
        _sync(seed, root, result)
    return result


def make_public(bucket: str) -> bool:
    """Anyone may read the bucket, as AWS's open-data buckets; False when it does not exist."""
    backend = s3_objects.backend()
    if bucket not in backend.buckets:
        return False
    backend.put_bucket_policy(bucket, public_read_policy(bucket).encode())
    return True


def _sync(seed: BucketSeed, root: Path, result: BucketSync) -> None:
    files = directory_files(root)
    s3_objects.ensure_bucket(seed.bucket, seed.region)
    backend = s3_objects.backend()
    current = {name: key for name, key in list(backend.get_bucket(seed.bucket).keys.items())
               if isinstance(key, FakeKey)}
    for key, path in files.items():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SeedDirError(f"bucket {seed.bucket}: cannot read {path}: {exc}") from None
        obj = current.get(key)
        if obj is not None and obj.etag == _md5_etag(data):
            result.unchanged.append(key)
        else:
            s3_objects.write(seed.bucket, key, data)
            result.put.append(key)
    for key in sorted(current.keys() - files.keys()):
        backend.delete_object(seed.bucket, key)
        result.deleted.append(key)
    log.info("seeded s3://%s from %s: %d put, %d deleted, %d unchanged", seed.bucket, root,
             len(result.put), len(result.deleted), len(result.unchanged))

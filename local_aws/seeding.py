"""Fill the public bucket covid19-lake: from the synthetic sample lake, or from a local copy of
the real lake.

On AWS the DAG copies from the public bucket s3://covid19-lake (region us-east-2); seeding it
here lets the same DAG land the same keys offline. Two sources, one per emulator start:

- the sample (`--sample-scale`): generated and put once, on the first start (when the bucket is
  absent); later starts keep the restored bucket as it is;
- a directory laid out like the bucket (`--lake DIR`): synchronised on every start, so the bucket
  holds exactly DIR's files: new or changed files are put (compared by MD5, i.e. the ETag),
  keys without a file in DIR are deleted. Every regular file under DIR is an object at its
  relative path, except names starting with '.' (temporary and bookkeeping files such as
  fetch_lake's). DIR must hold at least one of LAKE_KEYS.

LAKE_KEYS, the bucket and its region come from covid_lake_sources, the package the pipeline
reads them from too (the emulator does not import the pipeline).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from moto.s3.models import FakeKey

from covid_lake_sources import DATASETS, SOURCE_BUCKET, SOURCE_REGION
from local_aws.engines import s3_data

log = logging.getLogger(__name__)

SAMPLE_SCALES = ("small", "full", "x10")
DEFAULT_SAMPLE_SEED = 20200122  # any fixed value: the same seed gives byte-identical objects

# The objects the pipeline reads from the bucket.
LAKE_KEYS: tuple[str, ...] = tuple(d.key for d in DATASETS)


# The real bucket lets anyone read it (unsigned requests, as `aws s3 cp --no-sign-request` and
# covid_lake_dev.fetch_lake make). moto authorises an unsigned HEAD as "s3:HeadObject", so it is listed
# next to the real actions. Bucket policies are not persisted: applied on every start.
PUBLIC_READ_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "PublicRead",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:GetObject", "s3:HeadObject", "s3:ListBucket"],
        "Resource": [f"arn:aws:s3:::{SOURCE_BUCKET}", f"arn:aws:s3:::{SOURCE_BUCKET}/*"],
    }],
})


def make_source_bucket_public() -> bool:
    """Anyone may read covid19-lake, as on AWS; False when the bucket does not exist."""
    backend = s3_data.backend()
    if SOURCE_BUCKET not in backend.buckets:
        return False
    backend.put_bucket_policy(SOURCE_BUCKET, PUBLIC_READ_POLICY.encode())
    return True


class LakeDirError(ValueError):
    """The --lake directory cannot seed the bucket (missing, or none of LAKE_KEYS in it)."""


@dataclass
class LakeSync:
    """What seeding from a directory did; `missing` are LAKE_KEYS without a file in DIR."""
    lake_dir: Path
    put: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def objects(self) -> int:
        return len(self.put) + len(self.unchanged)

    def describe(self) -> dict:
        return {"dir": str(self.lake_dir), "objects": self.objects, "put": self.put,
                "deleted": self.deleted, "unchanged": len(self.unchanged), "missing": self.missing}


def seed_source_bucket(scale: str, seed: int = DEFAULT_SAMPLE_SEED) -> int:
    """Create and fill covid19-lake unless it already exists; returns the number of objects put."""
    if SOURCE_BUCKET in s3_data.backend().buckets:
        return 0
    if scale not in SAMPLE_SCALES:
        raise ValueError(f"unknown sample scale {scale!r}; choose one of {', '.join(SAMPLE_SCALES)}")
    from local_aws.sample_lake import generate  # the generator pulls in pandas; import on demand

    with tempfile.TemporaryDirectory(prefix="local-aws-sample-") as tmp:
        written = generate(tmp, scale=scale, seed=seed)
        s3_data.ensure_bucket(SOURCE_BUCKET, SOURCE_REGION)
        for path in sorted(Path(p) for p in written.values()):
            key = path.relative_to(tmp).as_posix()
            s3_data.write(SOURCE_BUCKET, key, path.read_bytes())
    log.info("seeded s3://%s with %d objects (scale %s)", SOURCE_BUCKET, len(written), scale)
    return len(written)


def lake_files(lake_dir: Path | str) -> dict[str, Path]:
    """Object key -> file for every regular file under lake_dir (names starting with '.' are
    skipped, in any folder). Raises LakeDirError when lake_dir is missing or holds none of
    LAKE_KEYS; the message names the directory and the keys expected."""
    root = Path(lake_dir).expanduser().resolve()
    if not root.is_dir():
        problem = "is not a directory" if root.exists() else "does not exist"
        raise LakeDirError(f"--lake {root} {problem}.\n{_expected(root)}")
    if not any((root / key).is_file() for key in LAKE_KEYS):  # before walking a large tree
        raise LakeDirError(f"--lake {root} holds none of the objects expected.\n{_expected(root)}")
    files: dict[str, Path] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if not name.startswith(".") and path.is_file():
                files[path.relative_to(root).as_posix()] = path
    return files


def _expected(root: Path) -> str:
    keys = "\n".join(f"  {root / key}" for key in LAKE_KEYS)
    return (f"A lake directory is laid out like the bucket s3://{SOURCE_BUCKET}, one file per object "
            f"key:\n{keys}\n"
            f"Fetch them with `make fetch-lake DIR={root}` (python -m covid_lake_dev.fetch_lake), or "
            f"`aws s3 cp s3://{SOURCE_BUCKET}/<key> {root}/<key> --no-sign-request` for each key.")


def _md5_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def sync_source_bucket(lake_dir: Path | str) -> LakeSync:
    """Make covid19-lake hold exactly lake_dir's files (see the module docstring)."""
    files = lake_files(lake_dir)
    result = LakeSync(Path(lake_dir).expanduser().resolve())
    result.missing = [key for key in LAKE_KEYS if key not in files]
    s3_data.ensure_bucket(SOURCE_BUCKET, SOURCE_REGION)
    backend = s3_data.backend()
    current = {name: key for name, key in list(backend.get_bucket(SOURCE_BUCKET).keys.items())
               if isinstance(key, FakeKey)}
    for key, path in files.items():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LakeDirError(f"--lake {result.lake_dir}: cannot read {path}: {exc}") from None
        obj = current.get(key)
        if obj is not None and obj.etag == _md5_etag(data):
            result.unchanged.append(key)
        else:
            s3_data.write(SOURCE_BUCKET, key, data)
            result.put.append(key)
    for key in sorted(current.keys() - files.keys()):
        backend.delete_object(SOURCE_BUCKET, key)
        result.deleted.append(key)
    log.info("synchronised s3://%s with %s: %d put, %d deleted, %d unchanged", SOURCE_BUCKET,
             result.lake_dir, len(result.put), len(result.deleted), len(result.unchanged))
    return result

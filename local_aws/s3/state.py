"""S3's saved state: every bucket's objects and index (see core/persistence.py for the layout
and the write order that keeps it consistent)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from moto.s3.models import FakeKey, s3_backends

from local_aws.core.persistence import atomic_write

_S3_PARTITION = "aws"


def _object_path(bucket_dir: Path, key: str) -> Path:
    path = bucket_dir / f"{key}.obj"
    # A key like '../../x' must not escape the state directory.
    if not path.resolve().is_relative_to(bucket_dir.resolve()):
        raise ValueError(f"object key {key!r} cannot be stored safely")
    return path


class S3State:
    folder = "s3"

    def restore(self, s3_root: Path) -> dict[str, int]:
        buckets = objects = 0
        for meta_file in sorted(s3_root.glob("*/*.meta.json")):
            account = meta_file.parent.name
            bucket = meta_file.name.removesuffix(".meta.json")
            meta = json.loads(meta_file.read_text())
            s3 = s3_backends[account][_S3_PARTITION]
            if bucket not in s3.buckets:
                s3.create_bucket(bucket, meta["region"])
            buckets += 1
            for key, info in meta["objects"].items():
                value = _object_path(meta_file.parent / bucket, key).read_bytes()
                obj = s3.put_object(bucket, key, value, disable_notification=True)
                obj.set_metadata(dict(info["metadata"]))
                objects += 1
        return {"buckets": buckets, "objects": objects}

    def save(self, s3_root: Path) -> None:
        live: set[Path] = set()
        for account in list(s3_backends.keys()):
            if _S3_PARTITION not in s3_backends[account]:
                continue
            s3 = s3_backends[account][_S3_PARTITION]
            for bucket_name, bucket in list(s3.buckets.items()):
                meta_file = s3_root / account / f"{bucket_name}.meta.json"
                live.add(meta_file)
                self._save_bucket(meta_file, bucket)
        # Buckets deleted since the last flush: drop the index first, then the objects.
        for meta_file in s3_root.glob("*/*.meta.json"):
            if meta_file not in live:
                meta_file.unlink()
                shutil.rmtree(meta_file.parent / meta_file.name.removesuffix(".meta.json"),
                              ignore_errors=True)

    @staticmethod
    def _save_bucket(meta_file: Path, bucket: Any) -> None:
        bucket_dir = meta_file.parent / bucket.name
        old = json.loads(meta_file.read_text())["objects"] if meta_file.exists() else {}
        new: dict[str, dict[str, Any]] = {}
        for key_name, key in list(bucket.keys.items()):
            if not isinstance(key, FakeKey):  # delete markers of versioned buckets
                continue
            # Headers as moto keeps them: Content-Type, Content-Encoding and x-amz-meta-*.
            info = {"etag": key.etag, "metadata": dict(key.metadata)}
            if old.get(key_name, {}).get("etag") != key.etag:
                atomic_write(_object_path(bucket_dir, key_name), key.value)
            new[key_name] = info
        if new != old or not meta_file.exists():
            index = {"region": bucket.region_name, "objects": new}
            atomic_write(meta_file, json.dumps(index, indent=1, sort_keys=True).encode())
        for gone in old.keys() - new.keys():
            _object_path(bucket_dir, gone).unlink(missing_ok=True)

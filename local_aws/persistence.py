"""Emulator state that survives a restart: S3 buckets and objects, the Glue Data Catalog, and the
Glue crawlers, jobs and classifiers defined (as on AWS, where they stay until deleted).

Layout under the state directory (default .local/aws):

    s3/<account>/<bucket>/<key>.obj        object bytes (the '.obj' suffix lets key 'a' and key
                                           'a/b' coexist as file and folder)
    s3/<account>/<bucket>.meta.json        the bucket's region and every object's etag, content
                                           type and user metadata; the source of truth on restore
    glue/<account>/<region>.json           databases, tables (current version) and partitions;
                                           crawler, job and classifier definitions (not their
                                           runs, nor tags)

Every file is written to a temporary name and moved into place with os.replace, and the bucket
index is replaced only after all of its objects are on disk. A crash at any point leaves the
previous consistent state (an object file not yet in the index is ignored on restore).

Saving is a diff against what is already on disk, so a flush after a small change is cheap. The
server flushes shortly after any mutating request (see mark_dirty) and on shutdown. Only the
latest version of each object is kept; versioning history, ACLs and bucket configuration are not.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
import datetime as dt
import inspect
from typing import Any

from moto.glue.models import GlueBackend
from moto.s3.models import FakeKey, s3_backends

from local_aws.engines.glue_catalog import current_table_input
from local_aws.services.glue import glue_backends

log = logging.getLogger(__name__)

_S3_PARTITION = "aws"
# A crawler's and a job's definition: moto's create_* parameters, which its Fake* objects keep
# under the same names (tags live elsewhere in moto and are not kept).
_CRAWLER_FIELDS = [p for p in inspect.signature(GlueBackend.create_crawler).parameters
                   if p not in ("self", "tags")]
_JOB_FIELDS = [p for p in inspect.signature(GlueBackend.create_job).parameters
               if p not in ("self", "tags")]
_CLASSIFIER_TIMES = ("CreationTime", "LastUpdated")
_FLUSH_DEBOUNCE_SECONDS = 0.3


def atomic_write(path: Path, data: bytes) -> None:
    """Write data to path so that readers see the old content or the new, never a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _object_path(bucket_dir: Path, key: str) -> Path:
    path = bucket_dir / f"{key}.obj"
    # A key like '../../x' must not escape the state directory.
    if not path.resolve().is_relative_to(bucket_dir.resolve()):
        raise ValueError(f"object key {key!r} cannot be stored safely")
    return path


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot persist {type(value).__name__}")


class StateStore:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self._lock = threading.Lock()
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None

    # -- restore ---------------------------------------------------------------------------

    def restore(self) -> dict[str, int]:
        """Load saved state into moto's backends; returns counts for the start-up message."""
        buckets = objects = tables = 0
        s3_root = self.state_dir / "s3"
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
        for catalog_file in sorted((self.state_dir / "glue").glob("*/*.json")):
            tables += self._restore_catalog(
                catalog_file.parent.name, catalog_file.stem, json.loads(catalog_file.read_text())
            )
        return {"buckets": buckets, "objects": objects, "tables": tables}

    @staticmethod
    def _restore_catalog(account: str, region: str, catalog: dict[str, Any]) -> int:
        glue = glue_backends[account][region]
        tables = 0
        for name, kinds in catalog.get("classifiers", {}).items():
            glue.classifiers.setdefault(name, {
                kind: {k: (dt.datetime.fromisoformat(v) if k in _CLASSIFIER_TIMES else v)
                       for k, v in spec.items()} for kind, spec in kinds.items()})
        for crawler in catalog.get("crawlers", []):
            if crawler["name"] not in glue.crawlers:
                glue.create_crawler(**crawler, tags={})
        for job in catalog.get("jobs", []):
            if job["name"] not in glue.jobs:
                glue.create_job(**job, tags={})
        for db in catalog["databases"]:
            if db["name"] not in glue.databases:
                glue.create_database(db["name"], db["input"])
            for table in db["tables"]:
                if table["name"] in glue.databases[db["name"]].tables:
                    continue
                glue.create_table(db["name"], table["name"], table["input"])
                for partition in table["partitions"]:
                    glue.create_partition(db["name"], table["name"], partition)
                tables += 1
        return tables

    # -- save ------------------------------------------------------------------------------

    def flush(self) -> None:
        with self._lock:
            self._dirty.clear()
            self._save_s3()
            self._save_glue()

    def _save_s3(self) -> None:
        s3_root = self.state_dir / "s3"
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

    def _save_glue(self) -> None:
        glue_root = self.state_dir / "glue"
        for account in list(glue_backends.keys()):
            for region in list(glue_backends[account].keys()):
                glue = glue_backends[account][region]
                catalog_file = glue_root / account / f"{region}.json"
                if not (glue.databases or glue.crawlers or glue.jobs or glue.classifiers) \
                        and not catalog_file.exists():
                    continue
                catalog = {"databases": [
                    {
                        "name": db.name,
                        "input": db.input,
                        "tables": [
                            {
                                "name": table.name,
                                "input": current_table_input(table),
                                "partitions": [p.partition_input for p in table.partitions.values()],
                            }
                            for table in list(db.tables.values())
                        ],
                    }
                    for db in list(glue.databases.values())
                ]}
                catalog["crawlers"] = [{f: getattr(c, f) for f in _CRAWLER_FIELDS}
                                       for c in list(glue.crawlers.values())]
                catalog["jobs"] = [{f: getattr(j, f) for f in _JOB_FIELDS}
                                   for j in list(glue.jobs.values())]
                catalog["classifiers"] = dict(glue.classifiers)
                data = json.dumps(catalog, indent=1, sort_keys=True, default=_json_default).encode()
                if not catalog_file.exists() or catalog_file.read_bytes() != data:
                    atomic_write(catalog_file, data)

    # -- background flushing ---------------------------------------------------------------

    def mark_dirty(self) -> None:
        self._dirty.set()

    def start_flusher(self) -> None:
        self._stop.clear()
        self._flusher = threading.Thread(target=self._flush_loop, name="local-aws-flush", daemon=True)
        self._flusher.start()

    def stop_flusher(self) -> None:
        self._stop.set()
        self._dirty.set()
        if self._flusher is not None:
            self._flusher.join()
            self._flusher = None

    def _flush_loop(self) -> None:
        while not self._stop.is_set():
            self._dirty.wait()
            if self._stop.is_set():
                return
            # Let a burst of requests (an upload of many objects) settle into one flush.
            self._stop.wait(_FLUSH_DEBOUNCE_SECONDS)
            try:
                self.flush()
            except Exception:
                log.exception("saving emulator state to %s failed; will retry on next change",
                              self.state_dir)

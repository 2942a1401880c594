"""The land tasks: our bucket, and each source object copied (checked) into the raw zone, or an
earlier raw copy made current again (the DAG param raw_versions)."""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError

from covid_lake.aws.s3_objects import ensure_bucket, head, missing
from covid_lake.domain import layout
from covid_lake.domain.datasets import DATASETS, dataset
from covid_lake.domain.errors import DataError
from covid_lake.tasks.settings import Settings

__all__ = ["ensure_bucket", "land", "pinned_versions", "RawVersionError", "SourceMissingError"]

log = logging.getLogger(__name__)
SOURCE_ETAG = "source-etag"  # metadata on our copy: the source object's ETag when copied
PREVIOUS_VERSION = "previous-version-id"  # metadata on our copy: the version it replaced


class SourceMissingError(DataError):
    """A source object is not in the lake bucket: a retry finds it missing again."""


def land(s3, settings: Settings, name: str, pinned_version: str | None = None) -> dict[str, Any]:
    """Copy one source object server-side to raw/<dataset>/<file>, unless its ETag is unchanged.

    A changed source is read and checked first (source_files: compression, encoding, CSV/JSON
    shape, header): a damaged one fails here, naming dataset, key and problem, and our raw copy
    stays as it was. Our bucket is versioned: the copy it replaces stays as a previous version,
    whose id the result records (and the new object's metadata), so that a run can be repeated
    on it: `pinned_version` makes that version of our raw copy the current one instead of
    landing the source (the DAG param raw_versions).
    """
    from covid_lake.domain import source_files

    ds = dataset(name)
    key = ds.raw_key(settings.raw_prefix)
    ours = head(s3, settings.bucket, key)
    if pinned_version:
        return _restore(s3, settings, name, key, ours, pinned_version)
    try:
        src = s3.head_object(Bucket=settings.source_bucket, Key=ds.key)
    except ClientError as exc:
        if not missing(exc):
            raise  # throttling, 5xx, ...: the task's retries are for these
        raise SourceMissingError(f"dataset {name}: source {layout.uri(settings.source_bucket, ds.key)} "
                                 f"does not exist ({exc.response['Error']['Code']})") from None
    result = {"dataset": name, "etag": src["ETag"], "key": key}
    if ours is not None and ours.get("Metadata", {}).get(SOURCE_ETAG) == src["ETag"]:
        return {**result, "copied": False, "version_id": ours.get("VersionId")}
    body = s3.get_object(Bucket=settings.source_bucket, Key=ds.key, IfMatch=src["ETag"])["Body"]
    stats = source_files.check(ds, layout.uri(settings.source_bucket, ds.key),
                               body.iter_chunks(1 << 20))
    previous = ours.get("VersionId") if ours is not None else None
    meta = {SOURCE_ETAG: src["ETag"], **({PREVIOUS_VERSION: previous} if previous else {})}
    copied = s3.copy_object(Bucket=settings.bucket, Key=key,
                            CopySource={"Bucket": settings.source_bucket, "Key": ds.key},
                            MetadataDirective="REPLACE", Metadata=meta)
    log.info("landed %s: %s bytes, %s records -> %s version %s%s", name,
             f"{stats.bytes:,}", f"{stats.records:,}", layout.uri(settings.bucket, key),
             copied.get("VersionId"),
             f" (the copy it replaced is version {previous}: param raw_versions="
             f'{{"{name}": "{previous}"}} re-runs on it)' if previous else "")
    return {**result, "copied": True, "version_id": copied.get("VersionId"),
            "previous_version_id": previous, "bytes": stats.bytes, "records": stats.records}


class RawVersionError(DataError):
    """The param raw_versions names an unknown dataset, or a version that does not exist."""


def pinned_versions(param: Any) -> dict[str, str]:
    """The DAG param raw_versions, checked: {dataset name: version id}."""
    if not param:
        return {}
    if not isinstance(param, dict):
        raise RawVersionError(f"param raw_versions must be an object {{dataset: version id}}, "
                              f"got {type(param).__name__}")
    unknown = sorted(set(param) - {d.name for d in DATASETS})
    if unknown:
        raise RawVersionError(f"param raw_versions names unknown datasets {unknown}; known: "
                              f"{', '.join(d.name for d in DATASETS)}")
    bad = sorted(k for k, v in param.items() if not isinstance(v, str) or not v)
    if bad:
        raise RawVersionError(f"param raw_versions: the version ids of {bad} are not strings")
    return dict(param)


def _restore(s3, settings: Settings, name: str, key: str, ours: dict | None,
             version: str) -> dict[str, Any]:
    """Make `version` of our raw copy the current one (a copy onto itself: history is kept)."""
    result = {"dataset": name, "key": key, "pinned_version": version}
    try:
        old = s3.head_object(Bucket=settings.bucket, Key=key, VersionId=version)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code not in ("404", "400", "NoSuchVersion", "NoSuchKey", "InvalidArgument"):
            raise
        raise RawVersionError(f"dataset {name}: param raw_versions names version {version!r} "
                              f"of {layout.uri(settings.bucket, key)}, which does not exist "
                              f"({code})") from None
    etag = old.get("Metadata", {}).get(SOURCE_ETAG)
    if ours is not None and ours["ETag"] == old["ETag"]:  # restored by an earlier run already
        return {**result, "copied": False, "version_id": ours.get("VersionId"), "etag": etag}
    copied = s3.copy_object(Bucket=settings.bucket, Key=key,
                            CopySource={"Bucket": settings.bucket, "Key": key, "VersionId": version},
                            MetadataDirective="COPY")
    log.info("restored %s: version %s of %s is current again (as version %s)", name,
             version, layout.uri(settings.bucket, key), copied.get("VersionId"))
    return {**result, "copied": True, "version_id": copied.get("VersionId"),
            "previous_version_id": ours.get("VersionId") if ours else None, "etag": etag}



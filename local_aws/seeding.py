"""Seed the public bucket covid19-lake from the synthetic sample lake, once, on first start.

On AWS the DAG copies from the public bucket s3://covid19-lake (region us-east-2); seeding it
here lets the same DAG land the same keys offline.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from local_aws import s3_data

log = logging.getLogger(__name__)

SOURCE_BUCKET = "covid19-lake"
SOURCE_REGION = "us-east-2"
SAMPLE_SCALES = ("small", "full", "x10")
DEFAULT_SAMPLE_SEED = 20200122  # any fixed value: the same seed gives byte-identical objects


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

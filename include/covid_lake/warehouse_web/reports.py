"""The report pages covid_lake_report writes to S3: s3://<bucket>/<reports_prefix>/latest.html
(the newest) and <reports_prefix>/updates/<name>.html (older ones)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from covid_lake.domain import layout
from covid_lake.tasks.settings import Settings

_MISSING = {"NoSuchKey", "NoSuchBucket", "404", "NotFound"}


def latest_key(s: Settings) -> str:
    return layout.latest_report_key(s.reports_prefix)


def has_report(s3, s: Settings) -> bool:
    """Whether a latest report exists (a HEAD request: the page itself is megabytes)."""
    try:
        s3.head_object(Bucket=s.bucket, Key=latest_key(s))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _MISSING:
            return False
        raise
    return True


def latest_report(s3, s: Settings) -> str | None:
    """The latest report's HTML, or None when none has been written yet."""
    try:
        body = s3.get_object(Bucket=s.bucket, Key=latest_key(s))["Body"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _MISSING:
            return None
        raise
    with body:
        return body.read().decode("utf-8")

"""Download the lake's ten source objects from the public bucket into a directory laid out like it.

    python -m covid_lake_dev.fetch_lake DIR [--endpoint-url URL]      (make fetch-lake DIR=...)

writes DIR/<key> for every key of datasets.DATASETS (DIR/enigma-jhu/csv/Enigma-JHU.csv.gz, ...),
the layout `python -m covid_lake_dev.emulator --lake DIR` and `make run LAKE=DIR` read. The bucket
s3://covid19-lake (us-east-2) is public: requests are unsigned, no AWS account or credentials.

- Idempotent: an object whose file is already there with the same size and ETag is skipped: the
  file's MD5 is the ETag, or, for a multipart upload's ETag, DIR/.fetch-lake.json remembers that
  this command wrote exactly these bytes (same MD5) from an object with that ETag.
- Atomic: each object goes to a temporary file next to its target (a name starting with '.',
  which local_aws --lake ignores), is checked against the size and MD5 the bucket announced, and
  only then renamed into place; an interrupted fetch leaves no partial object behind.
- Fails fast without a connection: a 3 s connect timeout and 2 attempts, and the first object
  that cannot be reached stops the command (exit 1) with a message naming the endpoint and
  how to get the files another way.

--endpoint-url points it at anything that speaks S3 (a mirror, or local_aws in the tests).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from covid_lake.domain.datasets import DATASETS, SOURCE_BUCKET, SOURCE_REGION

CONNECT_TIMEOUT = 3  # seconds
READ_TIMEOUT = 60
MAX_ATTEMPTS = 2  # the first try and one retry
MANIFEST = ".fetch-lake.json"  # key -> {"etag", "size"} of what this command wrote
_CHUNK = 1 << 20
_MiB = 1 << 20


class FetchError(RuntimeError):
    """The bucket cannot be reached or refused an object; the message says what to do."""


@dataclass
class Fetched:
    key: str
    size: int
    downloaded: bool


def s3_client(endpoint_url: str | None = None, region: str = SOURCE_REGION):
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    return boto3.client(
        "s3", region_name=region, endpoint_url=endpoint_url,
        config=Config(signature_version=UNSIGNED, connect_timeout=CONNECT_TIMEOUT,
                      read_timeout=READ_TIMEOUT,
                      retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"}))


def manual_instructions(out_dir: Path | str, bucket: str = SOURCE_BUCKET) -> str:
    lines = [f"  aws s3 cp s3://{bucket}/{d.key} {Path(out_dir) / d.key} --no-sign-request"
             for d in DATASETS]
    return ("Get the files another way, on a machine with internet access (the AWS CLI needs no "
            "account for this public bucket):\n" + "\n".join(lines) +
            f"\nor copy the ten files by hand to {out_dir}/<key> (the keys above); then "
            f"`make run LAKE={out_dir}`.")


def _md5_file(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _multipart_etag(path: Path, part_size: int) -> str:
    digests, parts = b"", 0
    with open(path, "rb") as fh:
        while block := fh.read(part_size):
            digests += hashlib.md5(block).digest()
            parts += 1
    return f"{hashlib.md5(digests).hexdigest()}-{parts}"


def same_object(path: Path, size: int, etag: str, remembered: dict | None) -> bool:
    """Whether the file at path is the object of this size and ETag (quotes stripped).
    `remembered` is the manifest's entry for it: the ETag and size of the object this command
    last wrote there, and the MD5 of what it wrote."""
    if not path.is_file() or path.stat().st_size != size:
        return False
    md5 = _md5_file(path)
    if "-" not in etag:
        return md5 == etag
    if remembered == {"etag": etag, "size": size, "md5": md5}:
        return True  # the very bytes this command wrote from that object
    # A multipart upload's ETag: MD5 of the parts' MD5s; try the part sizes tools commonly use.
    parts = int(etag.rsplit("-", 1)[1])
    for mib in (8, 5, 16, 15, 32, 64, 100, 128, 256, 512):
        if math.ceil(size / (mib * _MiB)) == parts and _multipart_etag(path, mib * _MiB) == etag:
            return True
    return False


def _download(client, bucket: str, key: str, target: Path, size: int, etag: str) -> str:
    """The object into target, atomically; returns the MD5 of the bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        body = client.get_object(Bucket=bucket, Key=key, IfMatch=f'"{etag}"')["Body"]
        digest, written = hashlib.md5(), 0
        os.fchmod(fd, 0o644)  # mkstemp makes it private; the data is public
        with os.fdopen(fd, "wb") as fh:
            while block := body.read(_CHUNK):
                fh.write(block)
                digest.update(block)
                written += len(block)
            fh.flush()
            os.fsync(fh.fileno())
        if written != size or ("-" not in etag and digest.hexdigest() != etag):
            raise FetchError(f"s3://{bucket}/{key}: got {written:,d} bytes (MD5 {digest.hexdigest()}), "
                             f"expected {size:,d} (ETag {etag}); the object changed or the "
                             "transfer broke; run the command again")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def _load_manifest(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def _save_manifest(out_dir: Path, manifest: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f"{MANIFEST}.", suffix=".part")
    os.fchmod(fd, 0o644)
    with os.fdopen(fd, "w") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True)
    os.replace(tmp, out_dir / MANIFEST)


def fetch(out_dir: Path | str, endpoint_url: str | None = None, bucket: str = SOURCE_BUCKET,
          region: str = SOURCE_REGION, client=None, echo=print) -> list[Fetched]:
    """Fetch every dataset object into out_dir; raises FetchError (nothing half-written)."""
    from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError

    out_dir = Path(out_dir).expanduser()
    client = client or s3_client(endpoint_url, region)
    endpoint = client.meta.endpoint_url
    manifest = _load_manifest(out_dir)
    done: list[Fetched] = []
    width = max(len(d.key) for d in DATASETS)
    for d in DATASETS:
        target = out_dir / d.key
        try:
            head = client.head_object(Bucket=bucket, Key=d.key)
            size, etag = head["ContentLength"], head["ETag"].strip('"')
            remembered = manifest.get(d.key)
            if same_object(target, size, etag, remembered):
                done.append(Fetched(d.key, size, downloaded=False))
                echo(f"  {d.key:<{width}s} {size:>12,d} B  already here")
                md5 = remembered.get("md5") if remembered and remembered.get("etag") == etag else None
            else:
                md5 = _download(client, bucket, d.key, target, size, etag)
                done.append(Fetched(d.key, size, downloaded=True))
                echo(f"  {d.key:<{width}s} {size:>12,d} B  downloaded")
            entry = {"etag": etag, "size": size, "md5": md5 or _md5_file(target)}
            if remembered != entry:
                manifest[d.key] = entry
                _save_manifest(out_dir, manifest)
        except (ConnectionError, ReadTimeoutError) as exc:
            fetched = f" ({len(done)} of {len(DATASETS)} objects were fetched before)" if done else ""
            raise FetchError(
                f"cannot reach {endpoint} for s3://{bucket}: no connection ({exc}){fetched}.\n"
                f"{manual_instructions(out_dir, bucket)}") from None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise FetchError(f"s3://{bucket}/{d.key} at {endpoint}: {error.get('Code')} "
                             f"{error.get('Message', '')}".rstrip() + "\n"
                             f"{manual_instructions(out_dir, bucket)}") from None
    return done


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m covid_lake_dev.fetch_lake", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir", type=Path, metavar="DIR", help="where the objects go, at their keys")
    p.add_argument("--endpoint-url", default=None,
                   help=f"S3 endpoint (default: AWS's for {SOURCE_REGION})")
    p.add_argument("--bucket", default=SOURCE_BUCKET, help=f"(default {SOURCE_BUCKET})")
    p.add_argument("--region", default=SOURCE_REGION, help=f"(default {SOURCE_REGION})")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    client = s3_client(args.endpoint_url, args.region)
    print(f"fetching s3://{args.bucket} ({client.meta.endpoint_url}, unsigned) into {args.out_dir}",
          flush=True)
    try:
        done = fetch(args.out_dir, bucket=args.bucket, client=client,
                     echo=lambda line: print(line, flush=True))
    except FetchError as exc:
        print(f"fetch_lake: {exc}", file=sys.stderr)
        return 1
    new = [f for f in done if f.downloaded]
    print(f"{len(done)} objects in {args.out_dir} ({sum(f.size for f in done):,d} B), "
          f"{len(new)} downloaded ({sum(f.size for f in new):,d} B) in "
          f"{time.perf_counter() - t0:.1f} s; next: make run LAKE={args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

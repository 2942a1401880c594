"""Command line: python -m local_aws [--host H] [--port N] [--state-dir DIR]
    [--seed-bucket NAME=DIR] [--sync-bucket NAME=DIR] [--bucket-region NAME=REGION]
    [--public-bucket NAME] [--fault OP:N[:KIND]] [--redshift-workgroup NAME]

Prints the endpoint once it is serving, runs until SIGTERM or Ctrl-C, then saves state and exits 0.
A seed directory that is missing or not a directory, or a malformed NAME=VALUE, exits 2 with a
message, before any state is touched; a state directory it cannot write exits 1.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from local_aws.core import faults
from local_aws.core.runtime import DEFAULT_REGION
from local_aws.s3.seeding import BucketSeed, SeedDirError
from local_aws.server import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_STATE_DIR,
    HEALTH_PATH,
    LocalAWS,
    StateDirError,
)


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local_aws", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to bind (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on, 0 for any free port (default {DEFAULT_PORT})")
    parser.add_argument("--state-dir", default=str(DEFAULT_STATE_DIR),
                        help=f"where S3, the Glue catalog and the warehouses persist (default {DEFAULT_STATE_DIR})")
    parser.add_argument("--seed-bucket", action="append", default=[], type=_pair, metavar="NAME=DIR",
                        help="on the first start (bucket NAME absent), create it with DIR's files, "
                             "each at its relative path; repeatable")
    parser.add_argument("--sync-bucket", action="append", default=[], type=_pair, metavar="NAME=DIR",
                        help="on every start, make bucket NAME hold exactly DIR's files (changed "
                             "and new ones put, others deleted); repeatable")
    parser.add_argument("--bucket-region", action="append", default=[], type=_pair,
                        metavar="NAME=REGION",
                        help=f"region of a seeded bucket (default {DEFAULT_REGION})")
    parser.add_argument("--public-bucket", action="append", default=[], metavar="NAME",
                        help="anyone may read bucket NAME (unsigned requests), as AWS's open-data "
                             "buckets; repeatable")
    parser.add_argument("--fault", action="append", default=[], metavar="OPERATION:COUNT[:KIND]",
                        help="fail the next COUNT calls of OPERATION; KIND is error (default) or "
                             f"throttle; repeatable; also read from ${faults.ENV_VAR}")
    parser.add_argument("--redshift-workgroup", action="append", default=[], metavar="NAME",
                        help="a Redshift Serverless workgroup the Data API serves, besides "
                             "default-workgroup (repeatable); a cluster is one made with the "
                             "Redshift API (CreateCluster)")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    seeded = [name for name, _ in (*args.seed_bucket, *args.sync_bucket)]
    twice = sorted({name for name in seeded if seeded.count(name) > 1})
    if twice:
        parser.error(f"bucket {', '.join(twice)} is given more than one seed directory")
    unknown = sorted({name for name, _ in args.bucket_region} - set(seeded))
    if unknown:
        parser.error(f"--bucket-region names bucket {', '.join(unknown)}, which no --seed-bucket "
                     "or --sync-bucket seeds")
    return args


def seeds(args: argparse.Namespace) -> list[BucketSeed]:
    regions = dict(args.bucket_region)
    return [BucketSeed(name, Path(directory), sync=sync, region=regions.get(name, DEFAULT_REGION))
            for sync, pairs in ((False, args.seed_bucket), (True, args.sync_bucket))
            for name, directory in pairs]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.log_level.upper() in ("INFO", "DEBUG"):
        logging.getLogger("werkzeug").setLevel(args.log_level.upper())
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = threading.Event()
    # SIGTERM (docker stop, kill, a test fixture) and Ctrl-C both mean: save state and exit.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    try:
        faults.arm_from_environment()
        for spec in args.fault:
            faults.registry.arm_spec(spec)
    except ValueError as exc:
        print(f"local_aws: {exc}", file=sys.stderr)
        return 2

    emulator = LocalAWS(args.host, args.port, args.state_dir, seeds(args),
                        public_buckets=tuple(args.public_bucket),
                        redshift_workgroups=tuple(args.redshift_workgroup))
    try:
        emulator.start()
    except SeedDirError as exc:
        print(f"local_aws: {exc}", file=sys.stderr)
        return 2
    except StateDirError as exc:
        print(f"local_aws: cannot start: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"local_aws: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    seeded = "".join(f", s3://{bucket}: {sync.objects} objects from {sync.directory} "
                     f"({len(sync.put)} put, {len(sync.deleted)} deleted)"
                     for bucket, sync in emulator.seeded.items() if sync.put or sync.deleted)
    print(f"local_aws listening on {emulator.endpoint_url} (health: {emulator.endpoint_url}{HEALTH_PATH}, "
          f"state: {emulator.state_dir}{seeded})", flush=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        emulator.stop()
    print("local_aws stopped; state saved", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

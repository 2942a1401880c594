"""Command line: python -m local_aws [--host H] [--port N] [--state-dir DIR] [--sample-scale S | --lake DIR] [--fault OP:N[:KIND]]

Prints the endpoint once it is serving, runs until SIGTERM or Ctrl-C, then saves state and exits 0.
The public bucket covid19-lake is seeded either with the synthetic sample (--sample-scale, default
small, on the first start only) or from a local copy of the lake (--lake DIR, on every start: the
bucket then holds exactly DIR's files). Giving both, or a --lake directory that is missing or holds
none of the ten lake objects, exits 2 with a message.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from local_aws import faults
from local_aws.seeding import SAMPLE_SCALES, SOURCE_BUCKET, LakeDirError
from local_aws.server import (DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STATE_DIR, HEALTH_PATH, LocalAWS,
                              StateDirError)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local_aws", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to bind (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on, 0 for any free port (default {DEFAULT_PORT})")
    parser.add_argument("--state-dir", default=str(DEFAULT_STATE_DIR),
                        help=f"where S3 and the Glue catalog persist (default {DEFAULT_STATE_DIR})")
    parser.add_argument("--sample-scale", choices=(*SAMPLE_SCALES, "none"), default=None,
                        help="size of the sample lake seeded into s3://covid19-lake on first start; "
                             "'none' leaves the bucket out (default small, unless --lake is given)")
    parser.add_argument("--lake", metavar="DIR", default=None,
                        help="seed s3://covid19-lake from DIR instead, laid out like the bucket "
                             "(DIR/enigma-jhu/csv/Enigma-JHU.csv.gz, ...): on every start the bucket "
                             "is made to hold exactly DIR's files (new and changed ones put, others "
                             "deleted); an alternative to --sample-scale")
    parser.add_argument("--fault", action="append", default=[], metavar="OPERATION:COUNT[:KIND]",
                        help="fail the next COUNT calls of OPERATION; KIND is error (default) or "
                             f"throttle; repeatable; also read from ${faults.ENV_VAR}")
    parser.add_argument("--redshift-workgroup", action="append", default=[], metavar="NAME",
                        help="a Redshift Serverless workgroup the Data API serves, besides "
                             "default-workgroup (repeatable); a cluster is one made with the "
                             "Redshift API (CreateCluster)")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    if args.lake is not None and args.sample_scale is not None:
        parser.error(f"--lake and --sample-scale are alternatives: --lake {args.lake} seeds "
                     f"s3://{SOURCE_BUCKET} from that directory, --sample-scale {args.sample_scale} "
                     "from the synthetic sample; give one of them")
    if args.lake is None and args.sample_scale is None:
        args.sample_scale = "small"
    return args


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

    emulator = LocalAWS(args.host, args.port, args.state_dir,
                        None if args.sample_scale in (None, "none") else args.sample_scale,
                        lake_dir=args.lake, redshift_workgroups=tuple(args.redshift_workgroup))
    try:
        emulator.start()
    except LakeDirError as exc:
        print(f"local_aws: {exc}", file=sys.stderr)
        return 2
    except StateDirError as exc:
        print(f"local_aws: cannot start: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"local_aws: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    lake = ""
    if emulator.lake_sync is not None:
        sync = emulator.lake_sync
        lake = (f", lake: {sync.lake_dir}: {sync.objects} objects, {len(sync.put)} put, "
                f"{len(sync.deleted)} deleted")
        if sync.missing:
            print(f"local_aws: warning: --lake {sync.lake_dir} lacks {len(sync.missing)} of the "
                  f"lake's objects; the DAG cannot land them:\n"
                  + "\n".join(f"  {key}" for key in sync.missing), file=sys.stderr, flush=True)
    print(f"local_aws listening on {emulator.endpoint_url} (health: {emulator.endpoint_url}{HEALTH_PATH}, "
          f"state: {emulator.state_dir}{lake})", flush=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        emulator.stop()
    print("local_aws stopped; state saved", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: python -m local_aws [--host H] [--port N] [--state-dir DIR] [--sample-scale S] [--fault OP:N[:KIND]]

Prints the endpoint once it is serving, runs until SIGTERM or Ctrl-C, then saves state and exits 0.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from local_aws import faults
from local_aws.seeding import SAMPLE_SCALES
from local_aws.server import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STATE_DIR, HEALTH_PATH, LocalAWS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local_aws", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to bind (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on, 0 for any free port (default {DEFAULT_PORT})")
    parser.add_argument("--state-dir", default=str(DEFAULT_STATE_DIR),
                        help=f"where S3 and the Glue catalog persist (default {DEFAULT_STATE_DIR})")
    parser.add_argument("--sample-scale", choices=(*SAMPLE_SCALES, "none"), default="small",
                        help="size of the sample lake seeded into s3://covid19-lake on first start; "
                             "'none' leaves the bucket out (default small)")
    parser.add_argument("--fault", action="append", default=[], metavar="OPERATION:COUNT[:KIND]",
                        help="fail the next COUNT calls of OPERATION; KIND is error (default) or "
                             f"throttle; repeatable; also read from ${faults.ENV_VAR}")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


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
                        None if args.sample_scale == "none" else args.sample_scale)
    try:
        emulator.start()
    except OSError as exc:
        print(f"local_aws: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"local_aws listening on {emulator.endpoint_url} (health: {emulator.endpoint_url}{HEALTH_PATH}, "
          f"state: {emulator.state_dir})", flush=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        emulator.stop()
    print("local_aws stopped; state saved", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

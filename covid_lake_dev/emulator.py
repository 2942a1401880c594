"""The one way this project starts local_aws: with the COVID-19 lake's public bucket in it.

local_aws is a plain AWS emulator; it knows nothing of COVID. This launcher gives it the source
bucket the DAG copies from, s3://covid19-lake (region us-east-2, readable by anyone, as on AWS),
filled from one of two places:

- the synthetic sample (`sample_scale`, default small): generated here into a cache folder
  (one per scale, seed and generator version) and put into the bucket on the emulator's first
  start only (`--seed-bucket`); later starts keep the restored bucket as it is;
- a directory laid out like the bucket (`lake_dir`, e.g. ../shared/real-lake or
  `make fetch-lake`'s): synchronised on every start (`--sync-bucket`), so the bucket holds
  exactly its files. It must hold at least one of the ten objects; the others missing are
  reported (the DAG cannot land them).

`start()` runs `python -m local_aws` in the background and returns once it is serving (its
'listening on' line, then its health check); make run, make airflow, the provider's system tests,
the benchmarks and the tests all start it through here. `python -m covid_lake_dev.emulator`
does the same in the foreground (the compose stack's local-aws service): it prepares the bucket's
source, then becomes the emulator process (exec), so signals reach local_aws directly.

This module never imports local_aws: the emulator runs as its own process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from covid_lake_sources import DATASETS, SOURCE_BUCKET, SOURCE_REGION

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SCALES = ("small", "full", "x10")
DEFAULT_SAMPLE_SEED = 20200122  # any fixed value: the same seed gives byte-identical objects
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5050  # local_aws's own default (local_aws/server.py)
HEALTH_PATH = "/_local_aws/health"
# The objects the pipeline reads from the bucket.
LAKE_KEYS: tuple[str, ...] = tuple(d.key for d in DATASETS)
_LISTENING = re.compile(r"listening on (http://\S+)")
_GENERATOR_SOURCES = ("sample_lake.py", "geography.py")


class LakeDirError(ValueError):
    """The lake directory cannot seed the bucket (missing, or none of LAKE_KEYS in it)."""


class EmulatorStartError(RuntimeError):
    """local_aws exited or said nothing usable at start; the message holds what it logged."""

    def __init__(self, message: str, returncode: int | None, log: str) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.log = log


def check_lake_dir(lake_dir: Path | str) -> tuple[Path, list[str]]:
    """The directory resolved, and the LAKE_KEYS without a file in it. Raises LakeDirError when
    it is missing or holds none of them; the message names the directory and the keys expected."""
    root = Path(lake_dir).expanduser().resolve()
    if not root.is_dir():
        problem = "is not a directory" if root.exists() else "does not exist"
        raise LakeDirError(f"--lake {root} {problem}.\n{_expected(root)}")
    missing = [key for key in LAKE_KEYS if not (root / key).is_file()]
    if len(missing) == len(LAKE_KEYS):
        raise LakeDirError(f"--lake {root} holds none of the objects expected.\n{_expected(root)}")
    return root, missing


def _expected(root: Path) -> str:
    keys = "\n".join(f"  {root / key}" for key in LAKE_KEYS)
    return (f"A lake directory is laid out like the bucket s3://{SOURCE_BUCKET}, one file per object "
            f"key:\n{keys}\n"
            f"Fetch them with `make fetch-lake DIR={root}` (python -m covid_lake_dev.fetch_lake), or "
            f"`aws s3 cp s3://{SOURCE_BUCKET}/<key> {root}/<key> --no-sign-request` for each key.")


def sample_dir(scale: str, cache_dir: Path, seed: int = DEFAULT_SAMPLE_SEED) -> Path:
    """The sample of `scale` as a lake directory under cache_dir, generated on first use. The
    folder's name carries the generator's version (a hash of its source), so a changed generator
    never serves a stale sample; a half-written one is never used (written aside, then renamed)."""
    if scale not in SAMPLE_SCALES:
        raise ValueError(f"unknown sample scale {scale!r}; choose one of {', '.join(SAMPLE_SCALES)}")
    version = hashlib.sha256(b"".join((Path(__file__).parent / name).read_bytes()
                                      for name in _GENERATOR_SOURCES)).hexdigest()[:10]
    target = Path(cache_dir) / f"{scale}-seed{seed}-{version}"
    if target.is_dir():
        return target
    from covid_lake_dev.sample_lake import generate  # pandas and numpy: only when generating

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        generate(staging, scale=scale, seed=seed)
        os.rename(staging, target)
    except OSError:
        if not target.is_dir():  # not a concurrent writer that got there first
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def source_args(sample_scale: str | None, lake_dir: Path | str | None, cache_dir: Path,
                seed: int = DEFAULT_SAMPLE_SEED) -> tuple[list[str], list[str]]:
    """local_aws's arguments for the source bucket, and the lake keys the source lacks."""
    if lake_dir is not None and sample_scale is not None:
        raise ValueError("seed covid19-lake from a sample scale or from a lake directory, not both")
    bucket = [f"--bucket-region={SOURCE_BUCKET}={SOURCE_REGION}", f"--public-bucket={SOURCE_BUCKET}"]
    if lake_dir is not None:
        root, missing = check_lake_dir(lake_dir)
        return [f"--sync-bucket={SOURCE_BUCKET}={root}", *bucket], missing
    if sample_scale is None:  # no seed: a bucket restored from the state stays public
        return [f"--public-bucket={SOURCE_BUCKET}"], []
    return [f"--seed-bucket={SOURCE_BUCKET}={sample_dir(sample_scale, cache_dir, seed)}", *bucket], []


def missing_warning(lake_dir: Path | str, missing: Sequence[str]) -> str:
    return (f"local_aws: warning: --lake {lake_dir} lacks {len(missing)} of the lake's objects; "
            "the DAG cannot land them:\n" + "\n".join(f"  {key}" for key in missing))


def default_cache_dir(state_dir: Path | str) -> Path:
    """Beside the state directory (.local/aws -> .local/sample-lake-cache)."""
    return Path(state_dir).resolve().parent / "sample-lake-cache"


def command(state_dir: Path | str, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
            sample_scale: str | None = "small", lake_dir: Path | str | None = None,
            seed: int = DEFAULT_SAMPLE_SEED, workgroups: Iterable[str] = (),
            faults: Iterable[str] = (), log_level: str | None = None,
            cache_dir: Path | str | None = None) -> tuple[list[str], list[str]]:
    """The `python -m local_aws` command line, and the lake keys its source lacks."""
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir(state_dir)
    seeds, missing = source_args(sample_scale, lake_dir, cache, seed)
    argv = [sys.executable, "-m", "local_aws", "--host", host, "--port", str(port),
            "--state-dir", str(state_dir), *seeds,
            *(f"--redshift-workgroup={name}" for name in workgroups),
            *(f"--fault={spec}" for spec in faults),
            *(["--log-level", log_level] if log_level else [])]
    return argv, missing


@dataclass
class Emulator:
    """A running local_aws process started by start()."""
    process: subprocess.Popen
    endpoint_url: str
    state_dir: Path
    log_path: Path
    lake_dir: Path | None = None
    missing: list[str] = field(default_factory=list)  # lake keys lake_dir lacks

    def health(self) -> dict:
        with urllib.request.urlopen(f"{self.endpoint_url}{HEALTH_PATH}", timeout=10) as resp:
            return json.load(resp)

    def source_sync(self) -> dict:
        """What this start did to covid19-lake (objects put, deleted, unchanged; the lake keys
        missing), or {} when nothing seeded it."""
        seeded = self.health().get("seeded", {}).get(SOURCE_BUCKET)
        return {} if seeded is None else {**seeded, "missing": list(self.missing)}

    def stop(self, timeout: float = 60) -> int | None:
        """SIGTERM (local_aws saves its state and exits 0); killed after `timeout` seconds."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return self.process.returncode

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(state_dir: Path | str, *, host: str = DEFAULT_HOST, port: int = 0,
          sample_scale: str | None = "small", lake_dir: Path | str | None = None,
          seed: int = DEFAULT_SAMPLE_SEED, workgroups: Iterable[str] = (),
          faults: Iterable[str] = (), log_level: str | None = None,
          cache_dir: Path | str | None = None, log_path: Path | str | None = None,
          env: dict[str, str] | None = None, own_session: bool = True) -> Emulator:
    """Start local_aws and return once it serves. Port 0: any free port (see endpoint_url).

    stderr goes to log_path (default: beside the state directory, <state_dir>-emulator.log;
    appended), never to an unread pipe that would block its logging. own_session: the process
    is in its own session, so a Ctrl-C meant for the caller reaches it only through stop().
    Raises LakeDirError for an unusable lake_dir (before any state is touched) and
    EmulatorStartError when local_aws exits at start."""
    state = Path(state_dir)
    log_file = Path(log_path) if log_path else state.parent / f"{state.name}-emulator.log"
    argv, missing = command(state, host=host, port=port, sample_scale=sample_scale,
                            lake_dir=lake_dir, seed=seed, workgroups=workgroups, faults=faults,
                            log_level=log_level, cache_dir=cache_dir)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        log_start = log.tell()
        if missing:
            log.write((missing_warning(lake_dir, missing) + "\n").encode())
        log.flush()
        process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
                                   start_new_session=own_session,
                                   env=None if env is None else {**os.environ, **env})
    line = process.stdout.readline()  # blocks until the server is up (or the process dies)
    match = _LISTENING.search(line)
    if not match:
        try:
            code = process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait(30)
        with open(log_file, "rb") as log:
            log.seek(log_start)
            said = log.read().decode(errors="replace").strip()
        raise EmulatorStartError(f"local_aws did not start (exit {code}; see {log_file}): "
                                 f"{line.strip()}\n{said[-3000:]}", code, said)
    emulator = Emulator(process, match.group(1), state, log_file,
                        None if lake_dir is None else Path(lake_dir).expanduser().resolve(), missing)
    emulator.health()  # serving, not only bound
    return emulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m covid_lake_dev.emulator",
        description="local_aws with s3://covid19-lake seeded from the sample or a lake directory")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--state-dir", default=str(ROOT / ".local" / "aws"))
    parser.add_argument("--sample-scale", choices=(*SAMPLE_SCALES, "none"), default=None,
                        help="size of the sample lake seeded into s3://covid19-lake on first start; "
                             "'none' leaves the bucket out (default small, unless --lake is given)")
    parser.add_argument("--lake", metavar="DIR", default=None,
                        help="seed s3://covid19-lake from DIR instead, laid out like the bucket "
                             "(DIR/enigma-jhu/csv/Enigma-JHU.csv.gz, ...): on every start the bucket "
                             "is made to hold exactly DIR's files (new and changed ones put, others "
                             "deleted); an alternative to --sample-scale")
    parser.add_argument("--sample-cache", default=None, metavar="DIR",
                        help="where generated samples are kept (default: beside the state directory)")
    parser.add_argument("--fault", action="append", default=[], metavar="OPERATION:COUNT[:KIND]")
    parser.add_argument("--redshift-workgroup", action="append", default=[], metavar="NAME")
    parser.add_argument("--log-level", default=None)
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
    try:
        command_line, missing = command(
            args.state_dir, host=args.host, port=args.port,
            sample_scale=None if args.sample_scale in (None, "none") else args.sample_scale,
            lake_dir=args.lake, workgroups=args.redshift_workgroup, faults=args.fault,
            log_level=args.log_level, cache_dir=args.sample_cache)
    except LakeDirError as exc:
        print(f"local_aws: {exc}", file=sys.stderr)
        return 2
    if missing:
        print(missing_warning(args.lake, missing), file=sys.stderr, flush=True)
    os.chdir(ROOT)
    os.execv(command_line[0], command_line)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())

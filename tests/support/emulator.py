"""A real local_aws process on a free port, and what tests read from it: shared by tests/local_aws
(its fixtures), tests/dags, tests/e2e, tests/include and tests/dev."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

from covid_lake_dev import emulator as launcher

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"


@dataclass
class Emulator:
    process: subprocess.Popen
    endpoint_url: str
    state_dir: Path
    launched: launcher.Emulator | None = None

    def client(self, service: str, **config: object):
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            # Fail fast: botocore 1.43 then makes at most two attempts (it sends max_attempts + 1).
            config=Config(**{"retries": {"max_attempts": 1, "mode": "standard"}, **config}),
        )

    def clusters(self, *names: str) -> None:
        """Provisioned Redshift clusters the Data API can then reach (CreateCluster)."""
        redshift = self.client("redshift")
        for name in names:
            try:
                redshift.create_cluster(ClusterIdentifier=name, NodeType="ra3.large",
                                        MasterUsername="admin", MasterUserPassword="Passw0rdTest")
            except redshift.exceptions.ClusterAlreadyExistsFault:
                pass

    def stop(self, timeout: float = 20) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def source_sync(self) -> dict:
        """What the launcher's seeding of covid19-lake did at this start (launcher.Emulator)."""
        assert self.launched is not None
        return self.launched.source_sync()


# The Redshift Serverless workgroups the emulators of the tests serve: the pipeline's
# (settings.DEFAULTS) and those tests/local_aws and tests/clients name.
WORKGROUPS = ("covid-lake", "session-wg", "list-wg", "meta-wg", "qops-cluster", "cluster-a",
              "wg-main", "wg-clients")


# Generated samples, shared by every emulator of a test session (and the next session's).
SAMPLE_CACHE = Path(tempfile.gettempdir()) / f"covid-lake-sample-cache-{os.getuid()}"


def start_emulator(state_dir: Path, *extra: str) -> Emulator:
    """local_aws on a free port through the project's launcher (covid_lake_dev.emulator); extra
    are the launcher's command-line options (--sample-scale, --lake, --fault, ...)."""
    args = launcher.parse_args(["--state-dir", str(state_dir), *extra])
    try:
        emu = launcher.start(
            state_dir, port=0,
            sample_scale=None if args.sample_scale in (None, "none") else args.sample_scale,
            lake_dir=args.lake, workgroups=(*args.redshift_workgroup, *WORKGROUPS),
            faults=args.fault, log_level=args.log_level, cache_dir=SAMPLE_CACHE,
            own_session=False)  # a Ctrl-C of the test run stops it too
    except launcher.EmulatorStartError as exc:
        raise RuntimeError(f"emulator did not start: {exc}") from None
    return Emulator(emu.process, emu.endpoint_url, Path(state_dir), emu)


# A real copy of the lake's ten objects, outside the repository (never copied into it): the
# tests that read it do so in place, and skip when it is absent. COVID_LAKE_REAL_LAKE overrides.
REAL_LAKE = Path(os.environ.get("COVID_LAKE_REAL_LAKE") or REPO.parent / "shared" / "real-lake")



def lake_objects(s3, bucket: str = "covid19-lake") -> dict[str, dict]:
    """Every object of a bucket: key -> {"Size", "ETag"} (ETag without quotes)."""
    out: dict[str, dict] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            out[o["Key"]] = {"Size": o["Size"], "ETag": o["ETag"].strip('"')}
    return out

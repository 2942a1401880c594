"""A real local_aws process on a free port, and what tests read from it: shared by tests/local_aws
(its fixtures), tests/dags, tests/e2e, tests/include and tests/dev."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
_LISTENING = re.compile(r"listening on (http://\S+)")


@dataclass
class Emulator:
    process: subprocess.Popen
    endpoint_url: str
    state_dir: Path

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


# The Redshift Serverless workgroups the emulators of the tests serve: the pipeline's
# (settings.DEFAULTS) and those tests/local_aws and tests/clients name.
WORKGROUPS = ("covid-lake", "session-wg", "list-wg", "meta-wg", "qops-cluster", "cluster-a",
              "wg-main", "wg-clients")


def start_emulator(state_dir: Path, *extra: str, timeout: float = 60) -> Emulator:
    """Run `python -m local_aws` on a free port and wait for its 'listening on' line."""
    extra = (*extra, *(arg for name in WORKGROUPS for arg in ("--redshift-workgroup", name)))
    # stderr goes to a file: an unread pipe fills up and blocks the emulator's logging.
    log = open(state_dir.parent / f"{state_dir.name}-emulator.log", "a")
    process = subprocess.Popen(
        [sys.executable, "-m", "local_aws", "--port", "0", "--state-dir", str(state_dir), *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=log, text=True,
    )
    log.close()
    line = process.stdout.readline()  # blocks until the server is up (or the process dies)
    match = _LISTENING.search(line)
    if not match:
        process.kill()
        process.wait(timeout)
        err = (state_dir.parent / f"{state_dir.name}-emulator.log").read_text()
        raise RuntimeError(f"emulator did not start: {line!r}\n{err}")
    return Emulator(process, match.group(1), state_dir)


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

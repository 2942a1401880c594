"""local_aws for one harness run: a fresh state directory, any free port, no sample lake.

Fresh state because the system-test DAGs create and delete their own resources, and a leftover
from a failed run must not change the next run's result; no sample lake because none of the DAGs
read covid19-lake. Same start-up as tests/support/emulator.py: wait for the 'listening on' line.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"listening on (http://\S+)")


@dataclass
class RunningEmulator:
    process: subprocess.Popen
    endpoint: str
    state_dir: Path
    log_path: Path

    def stop(self, timeout: float = 60) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start(scratch: Path) -> RunningEmulator:
    state_dir = scratch / f"state-{time.strftime('%Y%m%d-%H%M%S')}"
    state_dir.mkdir(parents=True)
    log_path = state_dir.with_name(state_dir.name + "-emulator.log")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local_aws", "--port", "0", "--state-dir", str(state_dir),
             "--sample-scale", "none"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
    match = _LISTENING.search(process.stdout.readline())
    if not match:
        process.kill()
        raise SystemExit(f"local_aws did not start; see {log_path}")
    return RunningEmulator(process, match.group(1), state_dir, log_path)

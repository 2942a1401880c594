"""local_aws for one harness run: a fresh state directory, any free port, no sample lake.

Fresh state because the system-test DAGs create and delete their own resources, and a leftover
from a failed run must not change the next run's result; no sample lake because none of the DAGs
read covid19-lake. Started through the project's launcher (covid_lake_dev.emulator).
"""

from __future__ import annotations

import time
from pathlib import Path

from covid_lake_dev import emulator as launcher


def start(scratch: Path) -> launcher.Emulator:
    state_dir = scratch / f"state-{time.strftime('%Y%m%d-%H%M%S')}"
    state_dir.mkdir(parents=True)
    try:
        return launcher.start(state_dir, port=0, sample_scale=None)
    except launcher.EmulatorStartError as exc:
        raise SystemExit(str(exc)) from None

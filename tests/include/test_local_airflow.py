"""make airflow's shutdown, on real processes: Ctrl-C leaves nothing of the stack running."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from covid_lake import local_airflow

# A stand-in for standalone: exits on SIGINT, but its child (like a scheduler busy shutting
# down) ignores SIGINT and would outlive it.
_PARENT = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c",
                  "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(300)"])
print("ready", flush=True)
time.sleep(300)
"""


def test_stop_leaves_no_process_of_the_group_behind():
    proc = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)  # the child has set its SIGINT handler
    t0 = time.monotonic()
    local_airflow.stop(proc, timeout=2)
    assert proc.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
    assert time.monotonic() - t0 < 20

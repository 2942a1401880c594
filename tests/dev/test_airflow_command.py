"""covid_lake_dev.airflow_command: the venv's `airflow`, with the garbage collector kept off what
lasts as long as the process. Its output and exit status are the `airflow` command's; its
saving is a benchmark's (make bench: `dags test: airflow beside covid_lake_dev.airflow_command`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from covid_lake_dev.airflow_command import COMMAND

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
# Run as the launcher's own module, plus an atexit handler registered first (so it runs last):
# what the collector looks like once the command has returned.
PROBE = ("import atexit, gc, runpy, sys\n"
         "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, 'enabled', gc.isenabled()))\n"
         "sys.argv = ['airflow_command', *sys.argv[1:]]\n"
         "runpy.run_module('covid_lake_dev.airflow_command', run_name='__main__')\n")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120)


def test_a_command_prints_and_ends_as_airflow_does_with_the_collector_frozen_at_exit():
    plain = _run(AIRFLOW, "version")
    probed = _run(sys.executable, "-c", PROBE, "version")
    assert plain.returncode == probed.returncode == 0, probed.stderr[-2000:]
    lines = probed.stdout.splitlines()
    assert lines[:-1] == plain.stdout.splitlines()
    assert lines[-1] == "frozen True enabled False"


def test_a_refused_command_keeps_airflows_status_and_message():
    plain = _run(AIRFLOW, "no-such-command")
    launched = _run(*COMMAND, "no-such-command")
    assert plain.returncode == launched.returncode == 2
    assert launched.stderr == plain.stderr
    assert "invalid choice: 'no-such-command'" in launched.stderr

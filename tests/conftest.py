"""Fixtures shared by every test folder: the synthetic sample lake, generated once per session."""

from __future__ import annotations

import signal

import pytest

from covid_lake_dev.sample_lake import DEFAULT_SEED, generate
from tests.clients.summary import pytest_terminal_summary  # noqa: F401
from tests.support.airflow_home import migrated

# pytest_terminal_summary: the client suite's "checks right / total" lines at the end of the run
# (tests/clients). Each test file's span on its xdist worker, printed at the end (tests/support/timeline.py);
# the files of minutes handed out first (tests/support/file_order.py).
pytest_plugins = ["tests.support.timeline", "tests.support.file_order"]


def pytest_configure(config):
    """The suite presses Ctrl-C as a terminal does (SIGINT to make airflow, to standalone): the
    processes it starts must not inherit an ignored SIGINT. A shell without job control starts
    background commands with SIGINT ignored (`.ci/run &`), every child inherits that, and Ctrl-C
    then did nothing until the SIGTERM 60 s later. A handler (unlike SIG_IGN) is reset to the
    default at exec, so the children start as a terminal's would."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def small_lake(tmp_path_factory):
    """Directory laid out like the covid19-lake bucket, at the `small` scale."""
    out = tmp_path_factory.mktemp("lake-small")
    generate(out, scale="small", seed=DEFAULT_SEED)
    return out


@pytest.fixture(scope="session")
def full_lake(tmp_path_factory):
    """The `full` scale: the real files' row counts (a few seconds to generate)."""
    out = tmp_path_factory.mktemp("lake-full")
    generate(out, scale="full", seed=DEFAULT_SEED)
    return out


@pytest.fixture(scope="session")
def airflow(tmp_path_factory):
    """The Airflow home most test files share (one per xdist worker). A file whose assertions
    read the metadata DB's history (Asset events, runs) takes one of its own: airflow_home.migrated."""
    return migrated(tmp_path_factory.mktemp("airflow-home"))

"""Fixtures: a real emulator process on a free port with a throw-away state directory.

The session emulator runs as a subprocess through the CLI, exactly as users start it, so the
tests also cover argument parsing, the start-up message and SIGTERM handling.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.emulator import REAL_LAKE, Emulator, start_emulator


@pytest.fixture(scope="session")
def launch():
    """Start extra emulators (restart tests); each is stopped at the end if still running."""
    started: list[Emulator] = []

    def _launch(state_dir: Path, *extra: str) -> Emulator:
        emu = start_emulator(state_dir, *extra)
        started.append(emu)
        return emu

    yield _launch
    for emu in started:
        if emu.process.poll() is None:
            emu.stop()


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory):
    emu = start_emulator(tmp_path_factory.mktemp("local-aws-state"))
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def s3(emulator: Emulator):
    return emulator.client("s3")


@pytest.fixture(scope="session")
def athena(emulator: Emulator):
    return emulator.client("athena")


@pytest.fixture(scope="session")
def real_lake() -> Path:
    if not (REAL_LAKE / "enigma-jhu" / "csv" / "Enigma-JHU.csv.gz").is_file():
        pytest.skip(f"no real lake copy at {REAL_LAKE} (set COVID_LAKE_REAL_LAKE to one)")
    return REAL_LAKE

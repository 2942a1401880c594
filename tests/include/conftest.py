"""Shared fixtures: the hand-built raw lake (fixtures/lake.py) and the generated sample lakes
(tests/conftest.py generates them; small for every run, full for @slow)."""

from __future__ import annotations

import pandas as pd
import pytest

from covid_lake.domain.clean import clean_lake, load_raw_from_dir
from tests.include.fixtures.lake import hand_raw as _hand_raw


@pytest.fixture
def hand_raw() -> dict[str, object]:
    """A fresh copy per test, so a test may corrupt it."""
    return _hand_raw()


@pytest.fixture
def hand_lake() -> dict[str, pd.DataFrame]:
    return clean_lake(_hand_raw())


# The lakes themselves come from tests/conftest.py (small_lake, full_lake: generated once per
# session); here they are read as raw text and cleaned, once per session too.
@pytest.fixture(scope="session")
def small_sample(small_lake):
    return {"dir": small_lake, "lake": clean_lake(load_raw_from_dir(small_lake))}


@pytest.fixture(scope="session")
def full_sample(full_lake):
    return {"dir": full_lake, "lake": clean_lake(load_raw_from_dir(full_lake))}

"""Fixtures shared by every test folder: the synthetic sample lake, generated once per session."""

from __future__ import annotations

import pytest

from local_aws.sample_lake import DEFAULT_SEED, generate


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

"""The pipeline's memory settings (covid_lake.aws.arrow_memory)."""

from __future__ import annotations

import importlib

import pytest

from covid_lake.aws import arrow_memory

multiarray = importlib.import_module("numpy._core.multiarray")


@pytest.fixture
def huge_pages_restored():
    before = multiarray._get_madvise_hugepage()
    yield
    multiarray._set_madvise_hugepage(before)


def test_the_pipeline_turns_numpy_huge_pages_off(monkeypatch, huge_pages_restored):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    multiarray._set_madvise_hugepage(True)
    arrow_memory.no_huge_pages()
    assert multiarray._get_madvise_hugepage() is False


def test_an_explicit_numpy_setting_wins(monkeypatch, huge_pages_restored):
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    multiarray._set_madvise_hugepage(True)
    arrow_memory.no_huge_pages()
    assert multiarray._get_madvise_hugepage() is True

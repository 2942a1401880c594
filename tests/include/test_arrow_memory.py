"""The pipeline's memory settings (covid_lake.aws.arrow_memory)."""

from __future__ import annotations

import importlib
import os
import platform
import subprocess
import sys

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


_THREADS = """
import ctypes, sys, threading
import numpy as np
from covid_lake.aws import arrow_memory
libc = ctypes.CDLL("libc.so.6")
if sys.argv[1] == "limited":
    assert arrow_memory.one_malloc_arena()
libc.malloc_stats()  # per arena, to stderr
barrier = threading.Barrier(4)
def work():  # four threads allocating at once, small arrays (malloc'd in the thread's arena)
    barrier.wait()
    keep = [np.ones(100) for _ in range(1000)]
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
sys.stderr.flush()
print("---", file=sys.stderr, flush=True)
libc.malloc_stats()
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
def test_threads_made_after_the_pipelines_setting_get_no_malloc_arena_of_their_own():
    def arenas(mode: str) -> tuple[int, int]:
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
        done = subprocess.run([sys.executable, "-c", _THREADS, mode], capture_output=True,
                              text=True, env=env, check=True)
        before, after = done.stderr.split("---")
        return before.count("Arena "), after.count("Arena ")

    before, after = arenas("default")
    assert after > before  # glibc's default: an arena per thread that allocates at once
    before, after = arenas("limited")
    assert after == before


def test_an_explicit_malloc_arena_max_wins(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert arrow_memory.one_malloc_arena() is False

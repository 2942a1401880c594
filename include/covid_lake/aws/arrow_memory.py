"""The memory settings of the pipeline's processes: which allocator Arrow uses, whether numpy
asks for huge pages, and how many arenas glibc's malloc keeps.

pyarrow's default pool (mimalloc in the Linux wheels) keeps the pages it frees mapped for reuse, so
a build's short-lived Arrow columns stay resident after they are dropped: the x10 star build's
peak RSS was 2.2 GB with mimalloc, 1.8 GB with jemalloc, which hands freed pages back to the
system (2.5 GB with the system allocator; docs/performance.md, "The star build at scale").
The domain may not import pyarrow (.importlinter), so the tasks that run it choose the pool here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import logging
import os

import pyarrow as pa

log = logging.getLogger(__name__)


def use_pipeline_memory() -> str:
    """This process's memory as the pipeline sets it (transform_and_publish, the Parquet build,
    the benchmarks): numpy's arrays on ordinary pages, one malloc arena, Arrow's pool jemalloc.
    Returns the pool."""
    no_huge_pages()
    one_malloc_arena()
    return use_jemalloc()


_M_ARENA_MAX = -8  # glibc's malloc.h


def one_malloc_arena() -> bool:
    """glibc gives each thread that allocates at once a malloc arena of its own, and memory freed
    in one arena is not reused by another: with the star build's balance on a thread beside
    validation (domain/star.py), numpy's freed arrays stayed resident twice over and x10's peak
    rose from 1,409 MB to 1,484-1,511 MB. One arena for the threads made from here on takes most
    of that back (the build's last steps: +58-63 MB one after another, +145-170 MB overlapped
    with an arena each, +62-81 MB with one; x10's peak 1,431-1,456 MB), with no cost in speed
    measured beyond the noise. An explicit MALLOC_ARENA_MAX wins (glibc read it at start); where
    the C library is not glibc nothing changes. Returns whether the limit was set."""
    if os.environ.get("MALLOC_ARENA_MAX") is not None:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, 1))
    except (OSError, AttributeError):  # no C library by that name, or no mallopt in it
        return False


def no_huge_pages() -> None:
    """numpy asks the kernel for transparent huge pages for each array of 4 MB or more
    (madvise). Where the kernel compacts memory to find them (THP defrag 'madvise', as on the
    2-core build machine), every new large array waits for it: the x10 star build spent 1.6-2.0 s
    in the kernel, 0.6-0.8 s without (build 4.2-5.7 s -> 3.2-3.7 s, three alternating pairs).
    An explicit NUMPY_MADVISE_HUGEPAGE wins; numpy reads it only when it is imported, which a
    task does not control, so the setting is changed here."""
    if os.environ.get("NUMPY_MADVISE_HUGEPAGE") is not None:
        return
    multiarray = importlib.import_module("numpy._core.multiarray")
    setter = getattr(multiarray, "_set_madvise_hugepage", None)
    if setter is not None:  # a numpy without it asks for no huge pages
        setter(False)


def use_jemalloc() -> str:
    """Make jemalloc Arrow's default pool for the rest of the process; returns the pool in use.

    An explicit ARROW_DEFAULT_MEMORY_POOL wins (pyarrow has read it already). Buffers allocated
    before the switch stay with their own pool and are freed through it, so this is safe at any
    point; it matters from the first large allocation on."""
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
            # Freed pages handed back at once, not over jemalloc's decay time: the raw frames
            # freed after cleaning (550 MB on x10) otherwise stay resident while the build's
            # first steps allocate, and the two together were the peak (x10: 1.53-1.63 GB ->
            # 1.39-1.41 GB; the read pays ~0.3 s for pages faulted in again; 100 ms: 1.49-1.52).
            pa.jemalloc_set_decay_ms(0)
        except NotImplementedError:  # a pyarrow built without jemalloc keeps its default
            log.info("pyarrow has no jemalloc; Arrow keeps %s",
                     pa.default_memory_pool().backend_name)
    return pa.default_memory_pool().backend_name

"""A Python script in a process of its own, forked from a server that has imported some modules
already: `python -u script.py args...` without an interpreter's start-up and those imports.

start() asks multiprocessing's fork server (started on first use, a fresh single-threaded
interpreter, never a fork of the emulator) for a child; run() is what the child does: it
becomes what `python -u script.py` would be, then runs the script. The script sees its argv,
its folder first on sys.path, its own environment and working directory, unbuffered stdout and
stderr in the files given; its exit code is sys.exit's, or 1 with the traceback (from the
script's frame on) for an uncaught exception; its non-daemon threads are joined and its atexit
functions run at the end, in the interpreter's order. A script that crashes or is killed ends
its own process only. Modules the server preloaded are already in sys.modules: nothing else of
the emulator's (this module is imported by the server and so by every child: standard library
only, and local_aws/__init__.py and core/__init__.py import nothing).
"""

from __future__ import annotations

import atexit
import io
import multiprocessing
import os
import runpy
import sys
import threading
import traceback
from collections.abc import Iterable
from multiprocessing.process import BaseProcess

_context = multiprocessing.get_context("forkserver")


def preload(modules: Iterable[str]) -> None:
    """What the fork server imports once for every child; before the first start()."""
    _context.set_forkserver_preload([__name__, *modules])


def start(script: str, argv: list[str], env: dict[str, str], cwd: str, stdout: str, stderr: str,
          name: str) -> BaseProcess:
    """The running child (join, exitcode: negative for a signal, kill, close)."""
    process = _context.Process(target=run, name=name, args=(script, argv, env, cwd, stdout, stderr))
    process.start()
    return process


def run(script: str, argv: list[str], env: dict[str, str], cwd: str, stdout: str, stderr: str) -> None:
    """The child's target: SystemExit's code is the process's exit code (multiprocessing's rule,
    which is the interpreter's)."""
    for fd, path in ((1, stdout), (2, stderr)):
        log = os.open(path, os.O_WRONLY | os.O_APPEND)
        os.dup2(log, fd)
        os.close(log)
    # what -u / PYTHONUNBUFFERED=1 make of them: written through, lines reach the file at once
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.FileIO(1, "w", closefd=False),
                                                   encoding="utf-8", write_through=True)
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                                   errors="backslashreplace", write_through=True)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [script, *argv]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    try:
        try:
            runpy.run_path(script, run_name="__main__")
        except SystemExit:
            raise
        except BaseException as exc:  # noqa: BLE001 -- what the interpreter prints, then exit 1
            _print_from_script(exc, script)
            raise SystemExit(1) from None
    finally:
        # The interpreter's own exit order: wait for non-daemon threads, then atexit functions
        # (multiprocessing would end the process with os._exit, skipping the latter).
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()


def _print_from_script(exc: BaseException, script: str) -> None:
    """The traceback as `python script.py` prints it: from the script's frame on, not runpy's."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb)  # None: a SyntaxError, printed as python does
    sys.stderr.flush()

"""Which code a bench case runs: this checkout's, or a baseline revision's, for old-vs-new figures
measured side by side in one `make bench` (BASELINE=<git revision>).

The baseline is a detached git worktree under .local/bench/. A case process given its path
(ENV) puts it, and its include/, first on sys.path and on PYTHONPATH, ahead of the editable
install's finder (which Python consults after sys.path), so the project's packages, its
launchers' child processes (local_aws, `airflow dags test`) and the DAG files all come from the
baseline, while the case code itself (benchmarks/) is this checkout's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENV = "COVID_LAKE_BENCH_CODE"
ROOT = Path(__file__).resolve().parents[1]


def checkout(revision: str, under: Path) -> Path:
    """A worktree of `revision` (made once per commit, reused after)."""
    sha = subprocess.run(["git", "rev-parse", "--verify", f"{revision}^{{commit}}"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout.strip()
    path = under / f"baseline-{sha[:12]}"
    if not (path / "dags").is_dir():
        subprocess.run(["git", "worktree", "add", "--force", "--detach", str(path), sha], cwd=ROOT,
                       check=True, capture_output=True, text=True)
    return path


def use_from_environment() -> str:
    """In a case process: switch to the baseline named by ENV, if any; which code runs."""
    root = os.environ.get(ENV)
    if not root:
        return "current"
    paths = [root, os.path.join(root, "include")]
    sys.path[:0] = paths
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [*paths, *filter(None, [os.environ.get("PYTHONPATH")])])
    return root

"""Emulator state that survives a restart, saved by the service folders' state parts: S3 buckets
and objects (s3/state.py), the Glue Data Catalog and the crawlers, jobs and classifiers defined
(glue/state.py), as on AWS, where they stay until deleted.

Layout under the state directory (default .local/aws), one folder per part:

    s3/<account>/<bucket>/<key>.obj        object bytes (the '.obj' suffix lets key 'a' and key
                                           'a/b' coexist as file and folder)
    s3/<account>/<bucket>.meta.json        the bucket's region and every object's etag, content
                                           type and user metadata; the source of truth on restore
    glue/<account>/<region>.json           databases, tables (current version) and partitions;
                                           crawler, job and classifier definitions (not their
                                           runs, nor tags)

Every file is written to a temporary name and moved into place with os.replace, and the bucket
index is replaced only after all of its objects are on disk. A crash at any point leaves the
previous consistent state (an object file not yet in the index is ignored on restore).

Saving is a diff against what is already on disk, so a flush after a small change is cheap. The
server flushes shortly after any mutating request (see mark_dirty) and on shutdown. Only the
latest version of each object is kept; versioning history, ACLs and bucket configuration are not.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

_FLUSH_DEBOUNCE_SECONDS = 0.3


class StatePart(Protocol):
    """One service's saved state, in its own folder under the state directory."""

    folder: str

    def restore(self, root: Path) -> dict[str, int]:
        """Load what root holds into moto's backends; counts for the start-up message."""

    def save(self, root: Path) -> None:
        """Write the backends' state under root, as a diff against what is there."""


def atomic_write(path: Path, data: bytes) -> None:
    """Write data to path so that readers see the old content or the new, never a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise



class StateStore:
    def __init__(self, state_dir: Path, parts: Sequence[StatePart]) -> None:
        self.state_dir = Path(state_dir)
        self.parts = tuple(parts)
        self._lock = threading.Lock()
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None

    def restore(self) -> dict[str, int]:
        """Load saved state into moto's backends; returns counts for the start-up message."""
        counts: dict[str, int] = {}
        for part in self.parts:
            counts.update(part.restore(self.state_dir / part.folder))
        return counts

    def flush(self) -> None:
        with self._lock:
            self._dirty.clear()
            for part in self.parts:
                part.save(self.state_dir / part.folder)

    # -- background flushing ---------------------------------------------------------------

    def mark_dirty(self) -> None:
        self._dirty.set()

    def start_flusher(self) -> None:
        self._stop.clear()
        self._flusher = threading.Thread(target=self._flush_loop, name="local-aws-flush", daemon=True)
        self._flusher.start()

    def stop_flusher(self) -> None:
        self._stop.set()
        self._dirty.set()
        if self._flusher is not None:
            self._flusher.join()
            self._flusher = None

    def _flush_loop(self) -> None:
        while not self._stop.is_set():
            self._dirty.wait()
            if self._stop.is_set():
                return
            # Let a burst of requests (an upload of many objects) settle into one flush.
            self._stop.wait(_FLUSH_DEBOUNCE_SECONDS)
            try:
                self.flush()
            except Exception:
                log.exception("saving emulator state to %s failed; will retry on next change",
                              self.state_dir)

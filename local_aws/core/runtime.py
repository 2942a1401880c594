"""Where the running emulator lives, for service modules that need it (state dir, own URL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_REGION = "us-east-1"


@dataclass
class Runtime:
    state_dir: Path
    endpoint_url: str
    # Called after background work changed S3 or the catalog, so the state gets saved; HTTP
    # requests are noticed by the server itself.
    on_change: Callable[[], None] = field(default=lambda: None)


_current: Runtime | None = None


def set_current(runtime: Runtime | None) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("local_aws is not running in this process (start it with local_aws.server.LocalAWS)")
    return _current


def notify_change() -> None:
    if _current is not None:
        _current.on_change()

"""A free TCP port on 127.0.0.1, for the stacks the end-to-end tests start (make airflow,
compose), so that they never meet a developer's own on 8080 / 5050."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

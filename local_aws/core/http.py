"""What the services' API classes read from a request the same way."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any


def json_body(body: str | bytes | None, invalid: Callable[[str], Exception]) -> dict[str, Any]:
    """A JSON protocol's request body as a dict (moto's _get_params reads query strings only);
    `invalid` makes the service's own error for a body that is not JSON."""
    try:
        parsed = json.loads(body or "{}")
    except ValueError:
        raise invalid("request body is not JSON") from None
    return parsed if isinstance(parsed, dict) else {}


def host_name(headers: Mapping[str, str]) -> str:
    """The host a request was sent to, without its port ([::1]:5050 -> [::1]): an address that
    resolves wherever the caller is, which the Redshift endpoints answer as theirs."""
    host = headers.get("Host") or "localhost"
    if host.startswith("["):
        return host[:host.index("]") + 1]
    return host.rsplit(":", 1)[0]

"""The emulator process: moto's ThreadedMotoServer with the project's service extensions.

Default endpoint: http://127.0.0.1:5050 (DEFAULT_HOST, DEFAULT_PORT). Point any AWS client at it
with endpoint_url (or AWS_ENDPOINT_URL), region us-east-1 and any dummy credentials.

moto's dispatcher picks a service per request and asks a factory for that service's app; the
factory here is core/routing.py's, which serves Athena, Glue and the Redshift Data API
from local_aws's backend subclasses and every other service from moto's own. The moto internals
this relies on are pinned by tests/local_aws/core/test_moto_contract.py.

Besides the AWS APIs the server answers GET /_local_aws/health with a JSON status, and
/_local_aws/faults arms failures of named operations (see faults.py).
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from moto import backends as moto_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
)
from werkzeug.serving import make_server

from local_aws.athena import athena_backends
from local_aws.athena import rest_json as athena_rest_json
from local_aws.core import faults, runtime
from local_aws.core.background import workers
from local_aws.core.persistence import StateStore
from local_aws.core.routing import backend_app_factory
from local_aws.glue import glue_backends
from local_aws.glue.state import GlueState
from local_aws.redshift import engine as redshift_engine
from local_aws.redshift import postgres, tls
from local_aws.redshift.clusters import redshift_backends
from local_aws.redshift.data_api import redshiftdata_backends
from local_aws.redshift.serverless import redshiftserverless_backends
from local_aws.redshift.serverless.models import DEFAULT_WORKGROUP
from local_aws.redshift.serverless.urls import url_bases as redshiftserverless_url_bases
from local_aws.redshift.state import RedshiftState
from local_aws.s3 import seeding
from local_aws.s3.state import S3State

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5050
DEFAULT_STATE_DIR = Path(".local/aws")
HEALTH_PATH = "/_local_aws/health"

_READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}

# The services local_aws makes run, by moto's service name; moto serves every other one.
BACKENDS: dict[str, Any] = {
    "athena": athena_backends,
    "glue": glue_backends,
    "redshift": redshift_backends,
    "redshiftdata": redshiftdata_backends,
    "redshift-serverless": redshiftserverless_backends,
}
# Services moto has no backend for at all, so its dispatcher has no host pattern for them either.
_UNKNOWN_TO_MOTO = {"redshift-serverless": redshiftserverless_url_bases}


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, also routing the services only local_aws serves."""

    def __init__(self, create_app: Callable) -> None:
        super().__init__(create_app)
        self.backend_url_patterns = [
            *((name, re.compile(base)) for name, bases in _UNKNOWN_TO_MOTO.items() for base in bases),
            *self.backend_url_patterns]
        self._moto_modules = frozenset(moto_backends.list_of_moto_modules())

    def get_backend_for_host(self, host: str | None) -> Any:
        """moto's lookup, with moto's module names listed once: moto lists its package folder
        (some 170 isdir calls) on every request, under the lock all requests share. A host
        no pattern matches is None, as in moto (which also prints a hint to stdout)."""
        if host is None:
            return None
        if host == "moto_api" or host in self._moto_modules:
            return host
        for backend, pattern in self.backend_url_patterns:
            if pattern.match(f"http://{host}"):
                return backend
        return None


faults.REST_JSON_OPERATIONS["athena"] = athena_rest_json.operation

# What survives a restart, restored in this order (a table's location names a bucket).
STATE_PARTS = (S3State(), GlueState(), RedshiftState())


class _EmulatorApp:
    """WSGI wrapper: health check, fault injection (faults.py), and noting state changes."""

    def __init__(self, moto_app: Callable, store: StateStore, describe: Callable[[], dict]) -> None:
        self._moto_app = moto_app
        self._store = store
        self._describe = describe

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            body = json.dumps({"status": "ok", **self._describe()}).encode()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        injected = faults.handle(environ, start_response)
        if injected is not None:  # the admin endpoint, or a call failed on purpose
            return injected
        if environ.get("REQUEST_METHOD") not in _READ_ONLY_METHODS:
            # Any POST/PUT/DELETE may change S3 or the Glue catalog; the flusher diffs, so a
            # false alarm (e.g. a Describe* call, which is a POST) only costs a cheap comparison.
            self._store.mark_dirty()
        return self._moto_app(environ, start_response)


class _Server(ThreadedMotoServer):
    """ThreadedMotoServer whose WSGI app is wrapped by _EmulatorApp."""

    def __init__(self, host: str, port: int, wrap: Callable[[Callable], Callable]) -> None:
        super().__init__(ip_address=host, port=port, verbose=False)
        self._wrap = wrap
        self.startup_error: BaseException | None = None

    def _server_entry(self) -> None:  # moto's, with local_aws's services, the wrapper, the error hand-off
        app = self._wrap(_Dispatcher(backend_app_factory(BACKENDS)))
        try:
            self._server = make_server(self._ip_address, self._port, app, True,
                                       request_handler=MotoRequestHandler)
        except BaseException as exc:  # werkzeug calls sys.exit(1) when the port is taken
            self.startup_error = exc
            self._server_ready_event.set()  # moto's start() would otherwise wait forever
            return
        self._server_ready_event.set()
        self._server.serve_forever()

    def start(self) -> None:
        super().start()
        if self.startup_error is not None:
            raise OSError(f"cannot bind {self._ip_address}:{self._port} "
                          f"(address in use or not available)") from None


class StateDirError(OSError):
    """The state directory cannot be created or written: said as such, not as a port problem."""


def _writable_state_dir(state_dir: Path) -> None:
    """Create state_dir and write a file in it, or raise StateDirError naming who may not."""
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=state_dir, prefix=".write-check-"):
            pass
    except OSError as exc:
        owner = ""
        existing = next((p for p in (state_dir, *state_dir.parents) if p.exists()), None)
        if existing is not None:
            st = existing.stat()
            owner = (f"; {existing} is owned by uid {st.st_uid} gid {st.st_gid}, "
                     f"mode {stat.filemode(st.st_mode)}")
        raise StateDirError(
            f"state directory {state_dir} is not writable by this process (uid {os.getuid()}, "
            f"gid {os.getgid()}): {exc.strerror or exc}{owner}") from exc


class LocalAWS:
    """One emulator: start() restores state, seeds buckets and serves; stop() saves."""

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        state_dir: Path | str = DEFAULT_STATE_DIR,
        seeds: Sequence[seeding.BucketSeed] = (),
        public_buckets: Sequence[str] = (),
        redshift_workgroups: tuple[str, ...] = (),
    ) -> None:
        self.host = host
        self.port = port
        self.state_dir = Path(state_dir).resolve()
        self.seeds = tuple(seeds)
        self.public_buckets = tuple(public_buckets)
        self.seeded: dict[str, seeding.BucketSync] = {}
        self.redshift_workgroups = (DEFAULT_WORKGROUP, *redshift_workgroups)
        self.store = StateStore(self.state_dir, STATE_PARTS)
        self.restored: dict[str, int] = {}
        self._server: _Server | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalAWS:
        """Raises seeding.SeedDirError (before touching any state) for an unusable seed directory."""
        for seed in self.seeds:
            seeding.check_directory(seed)
        request_log = logging.getLogger("werkzeug")
        if request_log.level == logging.NOTSET:
            # One line per request drowns everything else; ask for it with --log-level INFO.
            request_log.setLevel(max(logging.getLogger().getEffectiveLevel(), logging.WARNING))
        _writable_state_dir(self.state_dir)
        self.restored = self.store.restore()
        # --redshift-workgroup: made through the Serverless API, kept like any made by a client
        serverless = redshiftserverless_backends[DEFAULT_ACCOUNT_ID][runtime.DEFAULT_REGION]
        for name in self.redshift_workgroups:
            serverless.ensure(name)
        self.seeded = {seed.bucket: seeding.apply(seed) for seed in self.seeds}
        for bucket in self.public_buckets:
            seeding.make_public(bucket)
        self._server = _Server(self.host, self.port,
                               lambda app: _EmulatorApp(app, self.store, self._describe))
        self._server.start()
        # Port 0 means "any free port": report the one the OS chose.
        self.port = self._server.get_host_and_port()[1]
        runtime.set_current(runtime.Runtime(self.state_dir, self.endpoint_url, self.store.mark_dirty))
        postgres.endpoints.host = self.host
        postgres.endpoints.tls = tls.server_context(self.state_dir, self.host)
        postgres.sync_all()  # the clusters and workgroups restored or made: their endpoints
        self.store.flush()  # the seed and anything restored are on disk before the first request
        self.store.start_flusher()
        return self

    def stop(self) -> None:
        """Stop serving, let running jobs finish, then save state."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        workers.drain()
        postgres.endpoints.close_all()
        redshift_engine.close_databases()
        self.store.stop_flusher()
        self.store.flush()
        runtime.set_current(None)

    def _describe(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint_url, "state_dir": str(self.state_dir),
                "restored": self.restored,
                "seeded": {bucket: sync.describe() for bucket, sync in self.seeded.items()}}

    def __enter__(self) -> LocalAWS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

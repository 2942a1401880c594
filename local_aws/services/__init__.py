"""The AWS services local_aws makes run, each built the way moto builds its own.

One package per service, laid out like moto's (moto resolves a backend's urls module from its
models module): models.py holds a subclass of moto's backend and its BackendDict, responses.py a
subclass of moto's response class, urls.py the url_paths that dispatch to it. The data planes
they call are plain modules in local_aws/engines.

    athena        queries run in DuckDB                       (LocalAthenaBackend)
    glue          crawlers crawl, jobs run their script       (LocalGlueBackend)
    redshiftdata  statements run in DuckDB database files     (LocalRedshiftDataBackend)

BACKENDS registers them with the server: create_backend_app() builds a service's Flask app from
the registered backend, and falls back to moto's own for every other service (S3 among them).
Nothing is patched into moto's classes or modules.

Every app, ours and moto's, answers an action nobody implemented (moto raises
NotImplementedError) with 400 UnsupportedOperation naming the service and the action, in the
protocol's error shape. Left alone it is a 500, which AWS SDKs retry for about ten seconds
before showing an HTML page; a 4xx is not retried and says what is missing.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from flask import Flask, Response, current_app, request
from flask_cors import CORS
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.utils import convert_to_flask_response
from moto.moto_server import werkzeug_app
from moto.moto_server.utilities import RegexConverter
from moto.settings import DISABLE_GLOBAL_CORS
from werkzeug.routing import Map

from local_aws.services.athena import athena_backends
from local_aws.services.glue import glue_backends
from local_aws.services.redshiftdata import redshiftdata_backends

# moto's service names, as its server's host and credential-scope routing resolves them.
BACKENDS: dict[str, Any] = {
    "athena": athena_backends,
    "glue": glue_backends,
    "redshiftdata": redshiftdata_backends,
}


def create_backend_app(service: str) -> Flask:
    """moto's create_backend_app, reading the backend from BACKENDS for the services above."""
    backends = BACKENDS.get(service)
    app = werkzeug_app.create_backend_app(service) if backends is None else _local_app(service, backends)
    app.register_error_handler(NotImplementedError, _unsupported)
    return app


def _local_app(service: str, backends: Any) -> Flask:
    app = Flask(f"local_aws.{service}")
    app.debug = True  # as moto's: errors surface in the server log
    app.service = service  # type: ignore[attr-defined]
    app.request_class = werkzeug_app.BackendRequest
    if not DISABLE_GLOBAL_CORS:
        CORS(app)
    app.view_functions = {}
    app.url_map = Map()
    app.url_map.converters["regex"] = RegexConverter
    backend = backends[DEFAULT_ACCOUNT_ID]["us-east-1"]  # only used to resolve the URLs
    for number, (path, handler) in enumerate(backend.flask_paths.items()):
        if path:
            app.add_url_rule(path, endpoint=f"{service}.dispatch{number}",
                             methods=werkzeug_app.HTTP_METHODS,
                             view_func=convert_to_flask_response(handler), strict_slashes=False)
    return app


def _unsupported(exc: NotImplementedError) -> Response:
    """400 UnsupportedOperation, as JSON for the JSON protocols and as XML for query / rest-xml."""
    service = getattr(current_app, "service", "this service")
    target = request.headers.get("X-Amz-Target", "")
    action = target.rsplit(".", 1)[-1] if target else request.values.get("Action") or request.method
    message = (f"local_aws does not support {service} {action}: {exc}. "
               "It works on AWS; offline it needs an emulator change (local_aws/services).")
    headers = {"x-amzn-ErrorType": "UnsupportedOperation"}
    content_type = request.headers.get("Content-Type", "")
    if target or "json" in content_type:
        body = json.dumps({"__type": "UnsupportedOperation", "message": message, "Message": message})
        return Response(body, status=400, headers=headers, content_type="application/x-amz-json-1.1")
    body = ("<ErrorResponse><Error><Type>Sender</Type><Code>UnsupportedOperation</Code>"
            f"<Message>{escape(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>")
    return Response(body, status=400, headers=headers, content_type="text/xml")

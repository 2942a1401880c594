"""moto's per-service Flask apps, built from local_aws's backends where it has one.

moto's dispatcher asks a factory for each service's app; backend_app_factory(BACKENDS) is that
factory. A service local_aws extends (its folder holds a moto-style package: models.py with a
subclass of moto's backend and its BackendDict, responses.py, urls.py; moto resolves a backend's
urls module from its models module) gets an app built from that backend's url_paths; every other
service (S3 among them) gets moto's own. Nothing is patched into moto's classes or modules.

Every app, ours and moto's, answers an action nobody implemented (moto raises
NotImplementedError) with 400 UnsupportedOperation naming the service and the action, in the
protocol's error shape. A REST protocol names its operation by method and path, not in a header:
a service that routes one (athena/rest_json.py) raises UnsupportedOperation with the name. Left
alone it is a 500, which AWS SDKs retry for about ten seconds before showing an HTML page; a 4xx
is not retried and says what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
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


class UnsupportedOperation(NotImplementedError):
    """An operation the service knows by name and local_aws does not implement; protocol is
    the request's ("json", "rest-json", "query"), which decides the error's shape."""

    def __init__(self, operation: str, protocol: str) -> None:
        super().__init__(f"The {operation} action has not been implemented")
        self.operation, self.protocol = operation, protocol


def backend_app_factory(backends_by_service: Mapping[str, Any]) -> Callable[[str], Flask]:
    """moto's create_backend_app, reading the backend from backends_by_service (keyed by moto's
    service names, as its host and credential-scope routing resolves them) where it has one."""
    def create_backend_app(service: str) -> Flask:
        backends = backends_by_service.get(service)
        app = (werkzeug_app.create_backend_app(service) if backends is None
               else _local_app(service, backends))
        app.register_error_handler(NotImplementedError, _unsupported)
        return app
    return create_backend_app


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
    action = (getattr(exc, "operation", None) or (target.rsplit(".", 1)[-1] if target else None)
              or request.values.get("Action") or request.method)
    protocol = getattr(exc, "protocol", None)
    message = (f"local_aws does not support {service} {action}: {exc}. "
               "It works on AWS; offline it needs an emulator change (local_aws/<service>/).")
    headers = {"x-amzn-ErrorType": "UnsupportedOperation"}
    content_type = request.headers.get("Content-Type", "")
    if protocol == "rest-json":  # a GET has no Content-Type to tell it by
        body = json.dumps({"__type": "UnsupportedOperation", "message": message, "Message": message})
        return Response(body, status=400, headers=headers, content_type="application/json")
    if target or "json" in content_type:
        body = json.dumps({"__type": "UnsupportedOperation", "message": message, "Message": message})
        return Response(body, status=400, headers=headers, content_type="application/x-amz-json-1.1")
    body = ("<ErrorResponse><Error><Type>Sender</Type><Code>UnsupportedOperation</Code>"
            f"<Message>{escape(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>")
    return Response(body, status=400, headers=headers, content_type="text/xml")

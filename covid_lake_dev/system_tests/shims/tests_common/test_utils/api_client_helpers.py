"""Stand-in for `tests_common.test_utils.api_client_helpers`.

example_sql_to_s3 registers a connection through Airflow's REST API. `airflow dags test` runs
without an API server and runs the tasks in this one process, so a POST to /api/v2/connections
becomes an AIRFLOW_CONN_<ID> environment variable, which later tasks of the same run read through
Airflow's environment secrets backend. Any other call is refused rather than faked.
"""

from __future__ import annotations

import json
import os


def make_authenticated_rest_api_request(path: str, method: str, body: dict | None = None, **_: object):
    if path.rstrip("/") != "/api/v2/connections" or method.upper() != "POST" or not body:
        raise NotImplementedError(f"system-test shim: {method} {path} is not supported")
    conn = {k: v for k, v in body.items() if k != "connection_id" and v is not None}
    os.environ[f"AIRFLOW_CONN_{body['connection_id'].upper()}"] = json.dumps(conn)
    return {"connection_id": body["connection_id"]}


def create_airflow_connection(connection_id: str, connection_conf: dict, **_: object):
    """The newer upstream helper's name for the same thing."""
    return make_authenticated_rest_api_request(
        "/api/v2/connections", "POST", {"connection_id": connection_id, **connection_conf})

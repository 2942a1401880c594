"""Every endpoint of the app requires an authenticated Airflow user.

Airflow does not protect a plugin's FastAPI app (it is mounted beside the API, not inside it),
so the app depends on Airflow's own resolver, airflow.api_fastapi.core_api.security.get_user:
a Bearer token, else the `_token` JWT cookie the UI sets at login (path "/", SameSite=Lax,
which the UI's same-origin iframe for external views sends along). No credential: 401; a token
that is not valid: 403; both come from Airflow's code. Imported lazily, so that loading the
plugin in the scheduler or a worker does not import the API server's security module.
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_bearer = HTTPBearer(auto_error=False)


async def require_user(request: Request,
                       bearer: HTTPAuthorizationCredentials | None = Depends(_bearer)):
    """The authenticated Airflow user (BaseUser); HTTPException 401/403 otherwise."""
    from airflow.api_fastapi.core_api.security import get_user

    return await get_user(request, None, bearer)

"""Airflow's REST API as a user's script calls it: POST /auth/token with the login, then every
request with the Bearer token. Shared by the end-to-end tests of make airflow and compose."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


class AirflowAPI:
    def __init__(self, url: str, user: str, password: str, timeout: float = 60):
        self.url, self.user, self.password, self.timeout = url, user, password, timeout
        self._token = ""

    def token(self) -> str:
        if not self._token:
            self._token = self.request("POST", "/auth/token",
                                       {"username": self.user, "password": self.password},
                                       auth=False)["access_token"]
        return self._token

    def request(self, method: str, path: str, body: dict | None = None, *, auth: bool = True,
                raw: bool = False):
        """The answer's JSON, or with raw=True (status, text)."""
        req = urllib.request.Request(self.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        if auth:
            req.add_header("Authorization", f"Bearer {self.token()}")
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            data = resp.read()
            return (resp.status, data.decode(errors="replace")) if raw else json.loads(data)

    def status_of(self, path: str, *, auth: bool) -> int:
        try:
            return self.request("GET", path, auth=auth, raw=True)[0]
        except urllib.error.HTTPError as exc:
            return exc.code

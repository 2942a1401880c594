"""Provisioned Redshift clusters: moto's RedshiftBackend, remembering how each cluster was made so
that it survives a restart with its databases (redshift/state.py), as every other resource does.

A cluster's databases are DuckDB files under the state directory (redshift/engine.py); moto keeps
the cluster's description (CreateCluster, DescribeClusters, GetClusterCredentials, ...)."""

from __future__ import annotations

import contextvars
import datetime as dt
from typing import Any

from moto.core.base_backend import BackendDict
from moto.redshift.models import Cluster, RedshiftBackend

# What a describe call answers as the cluster's endpoint: the host name the request was sent to
# (it resolves wherever the call was made from) and the port its Postgres endpoint listens on;
# set by responses.py for the request being answered.
REQUEST_HOST: contextvars.ContextVar[str] = contextvars.ContextVar("request_host", default="localhost")
LISTENING_PORTS: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar("ports", default=None)


class LocalCluster(Cluster):
    @property
    def address(self) -> str:
        return REQUEST_HOST.get()

    @property
    def endpoint(self) -> dict[str, str | int]:
        return {"Address": self.address, "Port": (LISTENING_PORTS.get() or {}).get(self.cluster_identifier, self.port)}


class LocalRedshiftBackend(RedshiftBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.cluster_requests: dict[str, dict[str, Any]] = {}
        # GetClusterCredentials' temporary passwords: (cluster, db user, password, expiry)
        self.temporary: list[tuple[str, str, str, dt.datetime]] = []

    def create_cluster(self, **cluster_kwargs: Any) -> Cluster:
        cluster = super().create_cluster(**cluster_kwargs)
        cluster.__class__ = LocalCluster  # moto builds a Cluster; only its endpoint differs
        self.cluster_requests[cluster.cluster_identifier] = dict(cluster_kwargs)
        return cluster

    def get_cluster_credentials(self, cluster_identifier: str, db_user: str, auto_create: bool,
                                duration_seconds: int) -> dict[str, Any]:
        credentials = super().get_cluster_credentials(cluster_identifier, db_user, auto_create,
                                                      duration_seconds)
        now = dt.datetime.now(dt.UTC)
        self.temporary = [t for t in self.temporary if t[3] > now]
        self.temporary.append((cluster_identifier, credentials["DbUser"], credentials["DbPassword"],
                               credentials["Expiration"]))
        return credentials

    def passwords(self, identifier: str, user: str) -> list[str]:
        """What `user` may log in to the cluster's Postgres endpoint with: the master user's
        password, or live GetClusterCredentials passwords of this cluster and user."""
        cluster = self.clusters.get(identifier)
        if cluster is None:
            return []
        now = dt.datetime.now(dt.UTC)
        found = [p for c, u, p, expires in self.temporary if c == identifier and u == user and expires > now]
        return found + ([cluster.master_user_password] if user == cluster.master_username else [])

    def delete_cluster(self, **cluster_kwargs: Any) -> Cluster:
        cluster = super().delete_cluster(**cluster_kwargs)
        self.cluster_requests.pop(cluster.cluster_identifier, None)
        return cluster

    def saved_request(self, identifier: str) -> dict[str, Any]:
        """CreateCluster's arguments as the cluster is now: what a modification changed (the
        master password, the node type, ...) replaces what it was made with."""
        request = dict(self.cluster_requests[identifier])
        cluster = self.clusters[identifier]
        for key, value in request.items():
            current = getattr(cluster, key, value)
            if isinstance(current, (str, int, bool, type(None))) and type(current) is type(value):
                request[key] = current
        return request


redshift_backends = BackendDict(LocalRedshiftBackend, "redshift")

"""Provisioned Redshift clusters: moto's RedshiftBackend, remembering how each cluster was made so
that it survives a restart with its databases (redshift/state.py), as every other resource does.

A cluster's databases are DuckDB files under the state directory (redshift/engine.py); moto keeps
the cluster's description (CreateCluster, DescribeClusters, GetClusterCredentials, ...)."""

from __future__ import annotations

from typing import Any

from moto.core.base_backend import BackendDict
from moto.redshift.models import Cluster, RedshiftBackend


class LocalRedshiftBackend(RedshiftBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.cluster_requests: dict[str, dict[str, Any]] = {}

    def create_cluster(self, **cluster_kwargs: Any) -> Cluster:
        cluster = super().create_cluster(**cluster_kwargs)
        self.cluster_requests[cluster.cluster_identifier] = dict(cluster_kwargs)
        return cluster

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

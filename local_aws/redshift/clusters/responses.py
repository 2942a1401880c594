"""Redshift's API (query protocol) on LocalRedshiftBackend: moto's RedshiftResponse, answering a
cluster's endpoint as the host the request was sent to and the port its Postgres endpoint
listens on, and opening or closing that endpoint when a cluster is made or deleted."""

from __future__ import annotations

from typing import Any

from moto.redshift.responses import RedshiftResponse

from local_aws.core.http import host_name
from local_aws.redshift import postgres
from local_aws.redshift.clusters.models import (
    LISTENING_PORTS,
    REQUEST_HOST,
    LocalRedshiftBackend,
    redshift_backends,
)

_CHANGING = {"CreateCluster", "DeleteCluster", "ModifyCluster", "RestoreFromClusterSnapshot"}


class LocalRedshiftResponse(RedshiftResponse):
    @property
    def redshift_backend(self) -> LocalRedshiftBackend:
        return redshift_backends[self.current_account][self.region]

    def call_action(self) -> Any:
        host_token = REQUEST_HOST.set(host_name(self.headers))
        ports_token = LISTENING_PORTS.set(postgres.listening_ports("cluster"))
        try:
            return super().call_action()
        finally:
            LISTENING_PORTS.reset(ports_token)
            REQUEST_HOST.reset(host_token)
            if self._get_action() in _CHANGING:
                postgres.sync_all()

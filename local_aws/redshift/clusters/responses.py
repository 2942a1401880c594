"""Redshift's API (query protocol) on LocalRedshiftBackend: moto's RedshiftResponse as it is."""

from __future__ import annotations

from moto.redshift.responses import RedshiftResponse

from local_aws.redshift.clusters.models import LocalRedshiftBackend, redshift_backends


class LocalRedshiftResponse(RedshiftResponse):
    @property
    def redshift_backend(self) -> LocalRedshiftBackend:
        return redshift_backends[self.current_account][self.region]

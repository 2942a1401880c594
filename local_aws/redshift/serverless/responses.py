"""Redshift Serverless' API (JSON 1.1, X-Amz-Target RedshiftServerless.<Action>) for
LocalRedshiftServerlessBackend. A workgroup's endpoint address is the host name the request was
sent to: the emulator's own address, as its caller reaches it (localhost, a compose service
name), so that it resolves wherever the describe call was made from."""

from __future__ import annotations

import json
from typing import Any

from moto.core.responses import BaseResponse

from local_aws.core.http import host_name, json_body
from local_aws.redshift import postgres
from local_aws.redshift.serverless.models import (
    LocalRedshiftServerlessBackend,
    ValidationException,
    page,
    redshiftserverless_backends,
)


class LocalRedshiftServerlessResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="redshift-serverless")

    @property
    def backend(self) -> LocalRedshiftServerlessBackend:
        return redshiftserverless_backends[self.current_account][self.region]

    def _request(self) -> dict[str, Any]:
        return json_body(self.body, ValidationException)

    def _address(self) -> str:
        return host_name(self.headers)

    def _describe(self, workgroup: Any) -> dict[str, Any]:
        return workgroup.describe(self._address(),
                                  postgres.endpoints.port(("workgroup", workgroup.workgroupName)))

    def create_namespace(self) -> str:
        return json.dumps({"namespace": self.backend.create_namespace(**self._request()).describe()})

    def get_namespace(self) -> str:
        name = self._request().get("namespaceName")
        return json.dumps({"namespace": self.backend.get_namespace(name).describe()})

    def list_namespaces(self) -> str:
        request = self._request()
        items, token = page(list(self.backend.namespaces.values()), request.get("nextToken"),
                            request.get("maxResults"))
        return json.dumps({"namespaces": [n.describe() for n in items],
                           **({"nextToken": token} if token else {})})

    def update_namespace(self) -> str:
        return json.dumps({"namespace": self.backend.update_namespace(**self._request()).describe()})

    def delete_namespace(self) -> str:
        return json.dumps({"namespace": self.backend.delete_namespace(**self._request()).describe()})

    def create_workgroup(self) -> str:
        request = self._request()
        request.pop("tags", None)
        workgroup = self.backend.create_workgroup(**request)
        postgres.sync_all()
        return json.dumps({"workgroup": self._describe(workgroup)})

    def get_workgroup(self) -> str:
        workgroup = self.backend.get_workgroup(self._request().get("workgroupName"))
        return json.dumps({"workgroup": self._describe(workgroup)})

    def list_workgroups(self) -> str:
        request = self._request()
        if request.get("ownerAccount"):
            raise ValidationException("local_aws does not support ownerAccount")
        items, token = page(list(self.backend.workgroups.values()), request.get("nextToken"),
                            request.get("maxResults"))
        return json.dumps({"workgroups": [self._describe(w) for w in items],
                           **({"nextToken": token} if token else {})})

    def update_workgroup(self) -> str:
        workgroup = self.backend.update_workgroup(**self._request())
        postgres.sync_all()
        return json.dumps({"workgroup": self._describe(workgroup)})

    def delete_workgroup(self) -> str:
        described = self._describe(self.backend.get_workgroup(self._request().get("workgroupName")))
        self.backend.delete_workgroup(described["workgroupName"])
        postgres.sync_all()
        return json.dumps({"workgroup": {**described, "status": "DELETING"}})

    def get_credentials(self) -> str:
        request = self._request()
        credentials = self.backend.get_credentials(
            request.pop("workgroupName", None), request.pop("dbName", None),
            request.pop("durationSeconds", None), caller=self.get_access_key() or "local",
            **request)
        return json.dumps({"dbUser": credentials.db_user, "dbPassword": credentials.password,
                           "expiration": credentials.expires.timestamp(),
                           "nextRefreshTime": credentials.expires.timestamp()})

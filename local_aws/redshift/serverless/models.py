"""Redshift Serverless: namespaces (the databases and their admin user) and workgroups (the
compute, with an endpoint), which moto does not emulate at all.

As the API reference describes them
(https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/Welcome.html):
- CreateNamespace / GetNamespace / ListNamespaces / UpdateNamespace / DeleteNamespace; a namespace
  with a workgroup cannot be deleted (ConflictException);
- CreateWorkgroup names an existing namespace (ResourceNotFoundException otherwise), which may have
  one workgroup; its port defaults to 5439 and must be in 5431-5455 or 8191-8215
  (API_CreateWorkgroup.html); GetWorkgroup / ListWorkgroups / UpdateWorkgroup / DeleteWorkgroup;
- GetCredentials: a database user and a temporary password for a workgroup, valid 900 s by
  default, 900-3600 s when asked (API_GetCredentials.html).

A workgroup is AVAILABLE as soon as it is made (AWS shows CREATING for a few minutes first); the
Redshift Data API runs statements on every workgroup made here (data_api/models.py asks
workgroup_exists). A workgroup's databases are kept in the state directory under the workgroup's
name: deleting a workgroup deletes no data, and a workgroup made again under the same name finds
them (on AWS the data belongs to the namespace).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import JsonRESTError

# Redshift Serverless' console makes this workgroup (and default-namespace) for a new account;
# local_aws makes it at start, as it makes those given with --redshift-workgroup.
DEFAULT_WORKGROUP = "default-workgroup"
DEFAULT_NAMESPACE = "default-namespace"
DEFAULT_PORT = 5439
PORT_RANGES = ((5431, 5455), (8191, 8215))
DEFAULT_BASE_CAPACITY = 128  # RPUs, API_CreateWorkgroup.html
CREDENTIAL_SECONDS = (900, 3600)
_NAME = re.compile(r"^[a-z0-9-]{3,64}$")
_PAGE = 100


class ValidationException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


class ResourceNotFoundException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ResourceNotFoundException", message)


class ConflictException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ConflictException", message)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _name(kind: str, value: Any) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValidationException(f"{kind} must be 3 to 64 characters of a-z, 0-9 and '-'; "
                                  f"got {value!r}")
    return value


@dataclass
class Namespace:
    namespaceName: str
    namespaceId: str
    namespaceArn: str
    adminUsername: str = "admin"
    dbName: str = "dev"
    iamRoles: list[str] = field(default_factory=list)
    defaultIamRoleArn: str | None = None
    kmsKeyId: str = "AWS_OWNED_KMS_KEY"
    logExports: list[str] = field(default_factory=list)
    creationDate: str = field(default_factory=_now)
    status: str = "AVAILABLE"
    # never answered by an API call; the Postgres endpoint checks it
    adminUserPassword: str | None = None

    def describe(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if v is not None}
        out.pop("adminUserPassword", None)
        return out


@dataclass
class Workgroup:
    workgroupName: str
    workgroupId: str
    workgroupArn: str
    namespaceName: str
    port: int = DEFAULT_PORT
    baseCapacity: int = DEFAULT_BASE_CAPACITY
    maxCapacity: int | None = None
    publiclyAccessible: bool = False
    enhancedVpcRouting: bool = False
    configParameters: list[dict[str, str]] = field(default_factory=list)
    securityGroupIds: list[str] = field(default_factory=list)
    subnetIds: list[str] = field(default_factory=list)
    creationDate: str = field(default_factory=_now)
    status: str = "AVAILABLE"

    def describe(self, address: str, listening_port: int | None = None) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if v is not None}
        out["endpoint"] = {"address": address, "port": listening_port or self.port, "vpcEndpoints": []}
        return out


_NAMESPACE_INPUT = ("adminUsername", "adminUserPassword", "dbName", "iamRoles", "defaultIamRoleArn",
                    "kmsKeyId", "logExports")
_NAMESPACE_UPDATE = ("adminUsername", "adminUserPassword", "iamRoles", "defaultIamRoleArn",
                     "kmsKeyId", "logExports")
_WORKGROUP_INPUT = ("port", "baseCapacity", "maxCapacity", "publiclyAccessible", "enhancedVpcRouting",
                    "configParameters", "securityGroupIds", "subnetIds")
# Request members local_aws cannot honour, refused by name rather than ignored.
_UNSUPPORTED = ("manageAdminPassword", "adminPasswordSecretKmsKeyId", "redshiftIdcApplicationArn",
                "pricePerformanceTarget", "trackName", "ipAddressType",
                "extraComputeForAutomaticOptimization", "customDomainName", "s3TableAction")


@dataclass
class Credentials:
    workgroup: str
    db_user: str
    password: str
    expires: dt.datetime


class LocalRedshiftServerlessBackend(BaseBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.namespaces: dict[str, Namespace] = {}
        self.workgroups: dict[str, Workgroup] = {}
        self.credentials: list[Credentials] = []

    def _arn(self, kind: str, resource_id: str) -> str:
        return f"arn:aws:redshift-serverless:{self.region_name}:{self.account_id}:{kind}/{resource_id}"

    @staticmethod
    def _refuse_unsupported(request: dict[str, Any]) -> None:
        for member in _UNSUPPORTED:
            if request.get(member) not in (None, False, [], {}):
                raise ValidationException(f"local_aws does not support {member}")

    # -- namespaces ------------------------------------------------------------------------

    def create_namespace(self, namespaceName: str, **request: Any) -> Namespace:
        name = _name("namespaceName", namespaceName)
        self._refuse_unsupported(request)
        if name in self.namespaces:
            raise ConflictException(f"Namespace {name} already exists")
        namespace_id = str(uuid.uuid4())
        namespace = Namespace(name, namespace_id, self._arn("namespace", namespace_id),
                              **{k: request[k] for k in _NAMESPACE_INPUT if request.get(k) is not None})
        self.namespaces[name] = namespace
        return namespace

    def get_namespace(self, namespaceName: str) -> Namespace:
        namespace = self.namespaces.get(namespaceName)
        if namespace is None:
            raise ResourceNotFoundException(f"Namespace {namespaceName} does not exist")
        return namespace

    def update_namespace(self, namespaceName: str, **request: Any) -> Namespace:
        namespace = self.get_namespace(namespaceName)
        self._refuse_unsupported(request)
        for key in _NAMESPACE_UPDATE:
            if request.get(key) is not None:
                setattr(namespace, key, request[key])
        return namespace

    def delete_namespace(self, namespaceName: str, **request: Any) -> Namespace:
        namespace = self.get_namespace(namespaceName)
        if request.get("finalSnapshotName"):
            raise ValidationException("local_aws does not support finalSnapshotName (snapshots)")
        users = sorted(w.workgroupName for w in self.workgroups.values() if w.namespaceName == namespaceName)
        if users:
            raise ConflictException(f"Namespace {namespaceName} is used by workgroup "
                                    f"{', '.join(users)}; delete the workgroup first")
        del self.namespaces[namespaceName]
        namespace.status = "DELETING"
        return namespace

    # -- workgroups ------------------------------------------------------------------------

    def create_workgroup(self, workgroupName: str, namespaceName: str, **request: Any) -> Workgroup:
        name = _name("workgroupName", workgroupName)
        self._refuse_unsupported(request)
        values = {k: request[k] for k in _WORKGROUP_INPUT if request.get(k) is not None}
        _check_port(values.get("port", DEFAULT_PORT))
        self.get_namespace(namespaceName)
        if name in self.workgroups:
            raise ConflictException(f"Workgroup {name} already exists")
        taken = [w.workgroupName for w in self.workgroups.values() if w.namespaceName == namespaceName]
        if taken:
            raise ConflictException(f"Namespace {namespaceName} already has workgroup {taken[0]}")
        workgroup_id = str(uuid.uuid4())
        workgroup = Workgroup(name, workgroup_id, self._arn("workgroup", workgroup_id),
                              namespaceName, **values)
        self.workgroups[name] = workgroup
        return workgroup

    def get_workgroup(self, workgroupName: str) -> Workgroup:
        workgroup = self.workgroups.get(workgroupName)
        if workgroup is None:
            raise ResourceNotFoundException(f"Workgroup {workgroupName} does not exist")
        return workgroup

    def update_workgroup(self, workgroupName: str, **request: Any) -> Workgroup:
        workgroup = self.get_workgroup(workgroupName)
        self._refuse_unsupported(request)
        values = {k: request[k] for k in _WORKGROUP_INPUT if request.get(k) is not None}
        if "port" in values:
            _check_port(values["port"])
        for key, value in values.items():
            setattr(workgroup, key, value)
        return workgroup

    def delete_workgroup(self, workgroupName: str) -> Workgroup:
        workgroup = self.get_workgroup(workgroupName)
        del self.workgroups[workgroupName]
        workgroup.status = "DELETING"
        return workgroup

    def ensure(self, name: str) -> Workgroup:
        """A workgroup of this name and its namespace (of the same name, or default-namespace
        for default-workgroup), made unless there (--redshift-workgroup)."""
        if name in self.workgroups:
            return self.workgroups[name]
        namespace = DEFAULT_NAMESPACE if name == DEFAULT_WORKGROUP else name
        if namespace not in self.namespaces:
            self.create_namespace(namespace)
        return self.create_workgroup(name, namespace)

    # -- credentials -----------------------------------------------------------------------

    def get_credentials(self, workgroupName: str | None, dbName: str | None,
                        durationSeconds: int | None, caller: str, **request: Any) -> Credentials:
        if request.get("customDomainName"):
            raise ValidationException("local_aws does not support customDomainName")
        if not workgroupName:
            raise ValidationException("workgroupName or customDomainName must be given")
        self.get_workgroup(workgroupName)
        seconds = CREDENTIAL_SECONDS[0] if durationSeconds is None else durationSeconds
        if not CREDENTIAL_SECONDS[0] <= seconds <= CREDENTIAL_SECONDS[1]:
            raise ValidationException(f"durationSeconds must be between {CREDENTIAL_SECONDS[0]} "
                                      f"and {CREDENTIAL_SECONDS[1]}; got {seconds}")
        now = dt.datetime.now(dt.UTC)
        self.credentials = [c for c in self.credentials if c.expires > now]
        credentials = Credentials(workgroupName, f"IAM:{caller}", secrets.token_urlsafe(24),
                                  now + dt.timedelta(seconds=seconds))
        self.credentials.append(credentials)
        return credentials

    def passwords(self, workgroup_name: str, user: str) -> list[str]:
        """What `user` may log in to the workgroup's Postgres endpoint with: the namespace
        admin's password, or live GetCredentials passwords of this workgroup and user."""
        workgroup = self.workgroups.get(workgroup_name)
        if workgroup is None:
            return []
        now = dt.datetime.now(dt.UTC)
        found = [c.password for c in self.credentials
                 if c.workgroup == workgroup_name and c.db_user == user and c.expires > now]
        namespace = self.namespaces.get(workgroup.namespaceName)
        if namespace is not None and namespace.adminUserPassword and user == namespace.adminUsername:
            found.append(namespace.adminUserPassword)
        return found

def page(items: list[Any], next_token: str | None, max_results: int | None) -> tuple[list[Any], str | None]:
    start = int(next_token) if next_token and next_token.isdigit() else 0
    size = max_results or _PAGE
    chunk = items[start:start + size]
    return chunk, (str(start + size) if start + size < len(items) else None)


def _check_port(port: Any) -> None:
    if not isinstance(port, int) or not any(lo <= port <= hi for lo, hi in PORT_RANGES):
        raise ValidationException(f"port must be in 5431-5455 or 8191-8215; got {port!r}")


redshiftserverless_backends = BackendDict(LocalRedshiftServerlessBackend, "redshift-serverless")

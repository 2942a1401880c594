"""One botocore data loader for every AWS session of a process (the provider's documented
`[aws] session_factory` option, AIRFLOW__AWS__SESSION_FACTORY; see the provider's
configurations-ref page and "Session Factory" in its AWS connection guide).

Why: AwsBaseHook makes a new boto3 Session for every hook, and each new Session's loader parses
botocore's JSON models again (endpoints, partitions, the service's model and rule set). Under
`airflow dags test`, where a run's 37 tasks share one process, that parsing was the largest cost
a run added over Airflow's own (docs/performance.md). Botocore already shares one loader among
the clients of a session; this shares it among sessions. Credentials, region and config stay
per session, so nothing else changes. Sessions that assume a role keep the provider's path.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from airflow.providers.amazon.aws.hooks.base_aws import BaseSessionFactory

_lock = threading.Lock()
_loaders: dict[str | None, botocore.loaders.Loader] = {}


class _SearchPaths(list):
    """boto3.Session appends its resource-model folder to the loader's search paths on every
    new session; with one loader that would grow the list without end."""

    def append(self, path: Any) -> None:
        if path not in self:
            super().append(path)


def shared_loader(data_path: str | None) -> botocore.loaders.Loader:
    """The process's loader for a data path (AWS_DATA_PATH), made as botocore.loaders.create_loader
    makes it, with search paths that take no duplicate."""
    with _lock:
        if data_path not in _loaders:
            extra = [os.path.expanduser(os.path.expandvars(p))
                     for p in (data_path or "").split(os.pathsep) if p]
            _loaders[data_path] = botocore.loaders.Loader(extra_search_paths=_SearchPaths(extra))
        return _loaders[data_path]


class SharedModelsSessionFactory(BaseSessionFactory):
    """BaseSessionFactory whose plain (not role-assuming) sessions share the process's loader."""

    def _create_basic_session(self, session_kwargs: dict[str, Any]) -> boto3.session.Session:
        core = botocore.session.Session()
        core.register_component("data_loader", shared_loader(core.get_config_variable("data_path")))
        return boto3.session.Session(botocore_session=core, **session_kwargs)

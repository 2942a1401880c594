"""Redshift's saved state: per account and region, the provisioned clusters (how each was made)
and the Serverless namespaces and workgroups, in <state_dir>/redshift/<account>/<region>.json
beside the databases' DuckDB files (engine.py). Passwords are kept as given: this is an
emulator's state directory, as readable as the data it holds."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from local_aws.core.persistence import atomic_write
from local_aws.redshift.clusters.models import redshift_backends
from local_aws.redshift.serverless.models import (
    Namespace,
    Workgroup,
    redshiftserverless_backends,
)


class RedshiftState:
    folder = "redshift"

    def restore(self, root: Path) -> dict[str, int]:
        clusters = workgroups = 0
        for region_file in sorted(root.glob("*/*.json")):
            account, region = region_file.parent.name, region_file.stem
            saved = json.loads(region_file.read_text())
            provisioned = redshift_backends[account][region]
            for request in saved.get("clusters", []):
                if request["cluster_identifier"] not in provisioned.clusters:
                    provisioned.create_cluster(**request)
                    clusters += 1
            serverless = redshiftserverless_backends[account][region]
            for namespace in saved.get("namespaces", []):
                serverless.namespaces.setdefault(namespace["namespaceName"], Namespace(**namespace))
            for workgroup in saved.get("workgroups", []):
                if workgroup["workgroupName"] not in serverless.workgroups:
                    serverless.workgroups[workgroup["workgroupName"]] = Workgroup(**workgroup)
                    workgroups += 1
        return {"clusters": clusters, "workgroups": workgroups}

    def save(self, root: Path) -> None:
        regions: dict[tuple[str, str], dict[str, Any]] = {}
        for account in list(redshift_backends.keys()):
            for region in list(redshift_backends[account].keys()):
                backend = redshift_backends[account][region]
                clusters = [backend.saved_request(i) for i in sorted(backend.cluster_requests)
                            if i in backend.clusters]
                regions.setdefault((account, region), {})["clusters"] = clusters
        for account in list(redshiftserverless_backends.keys()):
            for region in list(redshiftserverless_backends[account].keys()):
                backend = redshiftserverless_backends[account][region]
                entry = regions.setdefault((account, region), {})
                entry["namespaces"] = [asdict(n) for n in backend.namespaces.values()]
                entry["workgroups"] = [asdict(w) for w in backend.workgroups.values()]
        for (account, region), entry in regions.items():
            region_file = root / account / f"{region}.json"
            if not any(entry.values()) and not region_file.exists():
                continue
            data = json.dumps(entry, indent=1, sort_keys=True, default=str).encode()
            if not region_file.exists() or region_file.read_bytes() != data:
                atomic_write(region_file, data)

"""API discovery documents: ``/version``, ``/api``, ``/apis`` and the resource lists.

kubectl and the kubernetes-asyncio DynamicClient find resources through these: the group list
(with each group's preferred version), the ``APIResourceList`` of every group/version (verbs,
short names, categories, singular names, scope, ``<plural>/status`` entries). The legacy
(unaggregated) format is always answered; kubectl falls back to it when the aggregated
``apidiscovery.k8s.io/v2`` format it asks for first is not what comes back.
"""

from __future__ import annotations

import re
from typing import Any

from aim_engine.testing.apiserver._storage._resource_table import (
    STANDARD_VERBS,
    ResourceTable,
    ServedResource,
)

__all__ = ["api_group", "api_group_list", "api_versions", "resource_list", "sort_versions"]

_KUBE_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def _version_key(version: str) -> tuple[int, int, int, str]:
    m = _KUBE_VERSION.match(version)
    if not m:
        return (3, 0, 0, version)
    stage = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    return (stage, -int(m.group(1)), -int(m.group(3) or 0), version)


def sort_versions(versions: list[str]) -> list[str]:
    """Kubernetes version priority: GA before beta before alpha, higher numbers first."""
    return sorted(versions, key=_version_key)


def api_versions(server_address: str) -> dict[str, Any]:
    """``/api``."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def api_group(table: ResourceTable, group: str) -> dict[str, Any] | None:
    """``/apis/<group>``, or ``None`` if nothing is served in that group."""
    versions = table.groups().get(group)
    if not versions:
        return None
    ordered = sort_versions(versions)
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in ordered]
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": entries,
        "preferredVersion": entries[0],
    }


def api_group_list(table: ResourceTable) -> dict[str, Any]:
    """``/apis``."""
    groups = []
    for group in sorted(g for g in table.groups() if g):
        doc = api_group(table, group)
        if doc is not None:
            doc.pop("kind")
            doc.pop("apiVersion")
            groups.append(doc)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def _entries(res: ServedResource, version: str) -> list[dict[str, Any]]:
    main: dict[str, Any] = {
        "name": res.plural,
        "singularName": res.singular,
        "namespaced": res.namespaced,
        "kind": res.kind,
        "verbs": list(STANDARD_VERBS),
    }
    if res.short_names:
        main["shortNames"] = list(res.short_names)
    if res.categories:
        main["categories"] = list(res.categories)
    out = [main]
    if res.has_status(version):
        out.append(
            {
                "name": f"{res.plural}/status",
                "singularName": "",
                "namespaced": res.namespaced,
                "kind": res.kind,
                "verbs": ["get", "patch", "update"],
            }
        )
    return out


def resource_list(table: ResourceTable, group: str, version: str) -> dict[str, Any] | None:
    """``/api/v1`` or ``/apis/<group>/<version>``, or ``None`` if not served."""
    resources = table.in_group_version(group, version)
    if not resources:
        return None
    entries = [
        e for res in sorted(resources, key=lambda r: r.plural) for e in _entries(res, version)
    ]
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": entries,
    }

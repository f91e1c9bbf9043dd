"""Finding kinds nobody registered, through API discovery.

``GET /api/v1`` or ``GET /apis/<group>/<version>`` returns an ``APIResourceList``: the plural,
kind, scope and short names of every resource in that group/version, with subresources listed
as ``<plural>/<sub>``. :class:`Discovery` fetches one such document per group/version on demand,
caches it per client, and refetches once when a kind is missing (a CRD may have been registered
since the document was cached).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aim_engine.errors import NotFoundError
from aim_engine.kinds import ResourceKind

__all__ = ["Discovery", "kinds_from_resource_list"]


def _group_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def kinds_from_resource_list(api_version: str, doc: Mapping[str, Any]) -> dict[str, ResourceKind]:
    """The kinds an ``APIResourceList`` describes, by kind name."""
    group, version = _group_version(api_version)
    resources = [r for r in doc.get("resources") or () if isinstance(r, Mapping)]
    subresources = {str(r.get("name", "")) for r in resources if "/" in str(r.get("name", ""))}
    out: dict[str, ResourceKind] = {}
    for r in resources:
        plural = str(r.get("name", ""))
        kind = str(r.get("kind", ""))
        if not plural or not kind or "/" in plural or kind in out:
            continue
        out[kind] = ResourceKind(
            group=group,
            version=version,
            kind=kind,
            plural=plural,
            namespaced=bool(r.get("namespaced", False)),
            short_names=tuple(str(s) for s in r.get("shortNames") or ()),
            has_status=f"{plural}/status" in subresources,
        )
    return out


class Discovery:
    """Per-client discovery cache.

    Args:
        fetch: ``GET`` of a path returning the decoded JSON (raises ``NotFoundError`` for an
            unknown group/version).
    """

    def __init__(self, fetch: Callable[[str], Awaitable[Any]]) -> None:
        self._fetch = fetch
        self._docs: dict[str, dict[str, ResourceKind]] = {}
        self._lock = asyncio.Lock()

    async def _load(self, api_version: str) -> dict[str, ResourceKind]:
        group, version = _group_version(api_version)
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        doc = await self._fetch(path)
        kinds = kinds_from_resource_list(api_version, doc if isinstance(doc, Mapping) else {})
        self._docs[api_version] = kinds
        return kinds

    async def find(self, api_version: str, kind: str) -> ResourceKind:
        """The served kind for ``apiVersion``/``kind``.

        Raises:
            NotFoundError: the group/version is not served, or does not contain ``kind``.
        """
        async with self._lock:
            cached = self._docs.get(api_version)
            if cached is not None and kind in cached:
                return cached[kind]
            kinds = await self._load(api_version)
        if kind in kinds:
            return kinds[kind]
        raise NotFoundError(
            404,
            "NotFound",
            f"the server could not find the requested resource: kind {kind} in {api_version}",
        )

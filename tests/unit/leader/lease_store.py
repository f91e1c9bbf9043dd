"""An in-memory Lease store for elector tests: resourceVersion, 409s, and injectable outages."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from aim_engine.errors import AlreadyExistsError, ConflictError, NotFoundError, TransportError
from aim_engine.kinds import LEASE, ResourceKind
from aim_engine.objects import RawObject, name_of


class LeaseStore:
    """The 'server': objects by (namespace, name) with a global resourceVersion counter."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], RawObject] = {}
        self._rv = 0
        self.writes = 0

    def spec(self, name: str, namespace: str = "ns") -> dict[str, Any]:
        spec: dict[str, Any] = self.objects[(namespace, name)]["spec"]
        return spec

    def client(self) -> LeaseClientView:
        return LeaseClientView(self)

    def _stamp(self, obj: Mapping[str, Any]) -> RawObject:
        self._rv += 1
        self.writes += 1
        stored = copy.deepcopy(dict(obj))
        stored.setdefault("metadata", {})["resourceVersion"] = str(self._rv)
        return stored


class LeaseClientView:
    """One process's connection to the store; set ``broken`` to cut it off."""

    def __init__(self, store: LeaseStore) -> None:
        self.store = store
        self.broken = False
        self.calls = 0

    def _check(self, kind: ResourceKind) -> None:
        assert kind is LEASE
        self.calls += 1
        if self.broken:
            raise TransportError("connection refused")

    async def get(self, kind: ResourceKind, name: str, namespace: str | None = None) -> RawObject:
        self._check(kind)
        obj = self.store.objects.get((namespace or "", name))
        if obj is None:
            raise NotFoundError(404, "NotFound", "leases not found")
        return copy.deepcopy(obj)

    async def create(
        self, kind: ResourceKind, obj: Mapping[str, Any], namespace: str | None = None
    ) -> RawObject:
        self._check(kind)
        key = (namespace or "", name_of(obj))
        if key in self.store.objects:
            raise AlreadyExistsError(409, "AlreadyExists", "already exists")
        stored = self.store.objects[key] = self.store._stamp(obj)
        return copy.deepcopy(stored)

    async def replace(
        self, kind: ResourceKind, obj: Mapping[str, Any], namespace: str | None = None
    ) -> RawObject:
        self._check(kind)
        key = (namespace or "", name_of(obj))
        current = self.store.objects.get(key)
        if current is None:
            raise NotFoundError(404, "NotFound", "leases not found")
        rv = obj.get("metadata", {}).get("resourceVersion")
        if rv != current["metadata"]["resourceVersion"]:
            raise ConflictError(409, "Conflict", "the object has been modified")
        stored = self.store.objects[key] = self.store._stamp(obj)
        return copy.deepcopy(stored)

"""A scripted in-memory API for reflector and informer tests: no sockets, no real time.

It keeps objects with increasing resourceVersions and an event history, serves paginated lists
and watches that replay history after a resourceVersion and then follow live changes, and lets a
test inject faults: failing lists, failing or silent watches, 410 on an expired (compacted)
resourceVersion, cut connections, normal closes and bookmarks. :meth:`MemoryApi.lose_state` makes
it a server that went back in time: like kube-apiserver, it answers a list at a resourceVersion in
its future with 504 "Too large resource version" and keeps a watch from one open and silent
(no events or bookmarks until its own resourceVersion passes). Every call is recorded;
:attr:`MemoryApi.full_lists` and :attr:`MemoryApi.version_checks` split the list calls into real
lists and the reflector's one-item resourceVersion checks.
"""

from __future__ import annotations

import asyncio
import copy
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aim_engine.errors import GoneError, ServerError, TransportError
from aim_engine.kinds import ResourceKind
from aim_engine.objects import RawObject


@dataclass(frozen=True)
class Event:
    type: str
    object: RawObject


_CLOSE = object()


@dataclass
class _Live:
    namespace: str | None
    queue: asyncio.Queue[object] = field(default_factory=asyncio.Queue)


class MemoryApi:
    """Objects of one kind, a history of events, and fault injection."""

    def __init__(self) -> None:
        self.rv = 100
        self.objects: dict[tuple[str, str], RawObject] = {}
        self.history: list[tuple[int, str, RawObject]] = []
        self.compacted = 0
        self.list_calls: list[dict[str, Any]] = []
        self.watch_calls: list[dict[str, Any]] = []
        self.list_faults: deque[BaseException] = deque()
        self.watch_faults: deque[BaseException | str] = deque()
        self.watches_opened = 0
        self._live: list[_Live] = []
        self._snapshots: dict[str, list[RawObject]] = {}

    # -- mutations ----------------------------------------------------------------------

    def _event(self, type_: str, obj: RawObject) -> None:
        self.history.append((self.rv, type_, copy.deepcopy(obj)))
        for live in self._live:
            if live.namespace is None or live.namespace == obj["metadata"].get("namespace"):
                live.queue.put_nowait(Event(type_, copy.deepcopy(obj)))

    def lose_state(self, rv: int = 10) -> None:
        """Go back in time: no objects, no history, the resourceVersion counter back at ``rv``."""
        self.rv = rv
        self.objects.clear()
        self.history.clear()
        self.compacted = 0
        self._snapshots.clear()

    @property
    def full_lists(self) -> list[dict[str, Any]]:
        """List calls that were not one-item resourceVersion checks."""
        return [c for c in self.list_calls if c["limit"] != 1]

    @property
    def version_checks(self) -> list[dict[str, Any]]:
        """The reflector's one-item LISTs at its last resourceVersion."""
        return [c for c in self.list_calls if c["limit"] == 1]

    def create(
        self,
        name: str,
        namespace: str = "default",
        *,
        labels: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
    ) -> RawObject:
        self.rv += 1
        md: dict[str, Any] = {
            "name": name,
            "namespace": namespace,
            "resourceVersion": str(self.rv),
            "uid": f"uid-{name}",
            "managedFields": [{"manager": "test", "operation": "Apply"}],
        }
        if labels:
            md["labels"] = dict(labels)
        obj: RawObject = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": md,
            "data": dict(data or {}),
        }
        self.objects[(namespace, name)] = obj
        self._event("ADDED", obj)
        return copy.deepcopy(obj)

    def update(self, name: str, namespace: str = "default", **data: str) -> RawObject:
        self.rv += 1
        obj = self.objects[(namespace, name)]
        obj["data"].update(data)
        obj["metadata"]["resourceVersion"] = str(self.rv)
        self._event("MODIFIED", obj)
        return copy.deepcopy(obj)

    def delete(self, name: str, namespace: str = "default") -> None:
        self.rv += 1
        obj = self.objects.pop((namespace, name))
        obj["metadata"]["resourceVersion"] = str(self.rv)
        self._event("DELETED", obj)

    def compact(self) -> None:
        """Forget history: watches from any resourceVersion before now get 410."""
        self.compacted = self.rv
        self.history.clear()

    def bookmark(self) -> None:
        self.rv += 1
        for live in self._live:
            live.queue.put_nowait(
                Event(
                    "BOOKMARK", {"kind": "ConfigMap", "metadata": {"resourceVersion": str(self.rv)}}
                )
            )

    def cut_watches(self, exc: BaseException | None = None, namespace: str | None = None) -> None:
        for live in self._live:
            if namespace is None or live.namespace == namespace:
                live.queue.put_nowait(exc or TransportError("connection reset"))

    def close_watches(self) -> None:
        for live in self._live:
            live.queue.put_nowait(_CLOSE)

    @property
    def live_watches(self) -> int:
        return len(self._live)

    # -- ListerWatcher ------------------------------------------------------------------

    async def list(
        self,
        kind: ResourceKind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_token: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
    ) -> RawObject:
        self.list_calls.append(
            {
                "namespace": namespace,
                "limit": limit,
                "continue": continue_token,
                "resource_version": resource_version,
                "resource_version_match": resource_version_match,
                "label_selector": label_selector,
            }
        )
        await asyncio.sleep(0)
        if self.list_faults:
            raise self.list_faults.popleft()
        if resource_version and int(resource_version) > self.rv:
            raise ServerError(
                504,
                "Timeout",
                f"Timeout: Too large resource version: {resource_version}, current: {self.rv}",
                {
                    "causes": [
                        {
                            "reason": "ResourceVersionTooLarge",
                            "message": "Too large resource version",
                        }
                    ],
                    "retryAfterSeconds": 1,
                },
            )
        if continue_token is None:
            items = [
                copy.deepcopy(o)
                for (ns, _), o in sorted(self.objects.items())
                if namespace is None or ns == namespace
            ]
            snapshot_rv = str(self.rv)
            offset = 0
        else:
            snapshot_rv, offset_s = continue_token.split(":")
            offset = int(offset_s)
            items = self._snapshots[snapshot_rv]
        self._snapshots[snapshot_rv] = items
        end = len(items) if limit is None else offset + limit
        metadata: dict[str, Any] = {"resourceVersion": snapshot_rv}
        if end < len(items):
            metadata["continue"] = f"{snapshot_rv}:{end}"
        return {"kind": "ConfigMapList", "metadata": metadata, "items": items[offset:end]}

    def watch(
        self,
        kind: ResourceKind,
        namespace: str | None = None,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int | None = None,
        allow_bookmarks: bool = True,
    ) -> AsyncIterator[Event]:
        self.watch_calls.append(
            {
                "namespace": namespace,
                "resource_version": resource_version,
                "timeout_seconds": timeout_seconds,
                "allow_bookmarks": allow_bookmarks,
            }
        )
        return self._stream(namespace, resource_version)

    async def _stream(self, namespace: str | None, rv: str | None) -> AsyncIterator[Event]:
        await asyncio.sleep(0)
        self.watches_opened += 1
        if self.watch_faults:
            fault = self.watch_faults.popleft()
            if fault == "silent":
                await asyncio.Event().wait()
            elif fault == "close":
                return
            elif isinstance(fault, BaseException):
                raise fault
        since = int(rv or self.rv)
        if since < self.compacted:
            raise GoneError(410, "Expired", "too old resource version")
        live = _Live(namespace)
        self._live.append(live)
        try:
            replay = [
                Event(t, copy.deepcopy(o))
                for r, t, o in self.history
                if r > since and (namespace is None or o["metadata"].get("namespace") == namespace)
            ]
            for event in replay:
                yield event
            while True:
                item = await live.queue.get()
                if item is _CLOSE:
                    return
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, Event)
                if int(item.object["metadata"]["resourceVersion"]) > since:
                    yield item  # a real server sends nothing at or below the watch's version
        finally:
            self._live.remove(live)

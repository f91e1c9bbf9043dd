"""Object storage with one global resourceVersion and a bounded event history.

The store is a dict of objects keyed by ``(group, plural, namespace, name)`` (the namespace is
``""`` for cluster-scoped objects) plus an event log. Every write takes the next value of a single
integer counter as its ``resourceVersion`` (like etcd's revision) and appends one
:class:`WatchEvent` that carries the old object too, so watchers can evaluate selectors against
both. The log keeps at most ``history`` events; a watch or a continue token older than what was
dropped (or explicitly :meth:`Store.compact`-ed) gets 410 Expired. Watchers block on
:meth:`Store.wait_changed`; all writes are synchronous, so handlers never need a lock.
"""

from __future__ import annotations

import asyncio
import copy
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from aim_engine.objects import RawObject

__all__ = ["ObjKey", "Store", "WatchEvent"]

ObjKey = tuple[str, str, str, str]
"""``(group, plural, namespace, name)``."""


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One change: ``type`` is ADDED, MODIFIED or DELETED; ``obj`` is the new state."""

    rv: int
    type: str
    group: str
    plural: str
    namespace: str
    obj: RawObject
    old: RawObject | None


class Store:
    """Objects, the resourceVersion counter and the event history."""

    def __init__(self, history: int = 1000) -> None:
        self.rv = 0
        self._objects: dict[ObjKey, RawObject] = {}
        self._events: deque[WatchEvent] = deque(maxlen=max(1, history))
        self.compacted_rv = 0
        self._changed: asyncio.Event | None = None
        # What the control-plane loops (_builtin_controllers) can have work for, kept on every write
        # so that a pass over all objects runs only when one could change something: objects
        # being deleted (finalizers, foreground deletion, terminating namespaces and CRDs), and
        # owned objects whose owners may have gone since the last pass (``gc_epoch`` moves when
        # an owned object is written or any object is removed while owned objects exist).
        self._deleting: set[ObjKey] = set()
        self._owned: set[ObjKey] = set()
        self.gc_epoch = 0
        self._gc_seen = -1

    # --- reads -------------------------------------------------------------------------------

    def get(self, key: ObjKey) -> RawObject | None:
        """The stored object (do not mutate it; copy first)."""
        return self._objects.get(key)

    def items(self, group: str, plural: str, namespace: str | None = None) -> list[RawObject]:
        """Stored objects of one resource, sorted by namespace/name."""
        out = [
            obj
            for (g, p, ns, _), obj in self._objects.items()
            if g == group and p == plural and (namespace is None or ns == namespace)
        ]
        out.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        return out

    def all_items(self) -> Iterator[tuple[ObjKey, RawObject]]:
        """Every stored object with its key (a snapshot)."""
        return iter(list(self._objects.items()))

    def find_uid(self, uid: str) -> tuple[ObjKey, RawObject] | None:
        """The object with ``metadata.uid`` ``uid``."""
        for key, obj in self._objects.items():
            if obj["metadata"].get("uid") == uid:
                return key, obj
        return None

    def controllers_may_have_work(self) -> bool:
        """Whether a garbage-collector/namespace/CRD pass could change anything now."""
        return bool(self._deleting) or (bool(self._owned) and self.gc_epoch != self._gc_seen)

    def controllers_saw(self, epoch: int) -> None:
        """Record that a pass saw every ownership change up to ``epoch``."""
        self._gc_seen = epoch

    # --- writes ------------------------------------------------------------------------------

    def next_rv(self) -> int:
        """Take the next resourceVersion."""
        self.rv += 1
        return self.rv

    def put(self, key: ObjKey, obj: RawObject, old: RawObject | None) -> RawObject:
        """Store ``obj`` under a new resourceVersion and log ADDED/MODIFIED; returns a copy."""
        rv = self.next_rv()
        md = obj["metadata"]
        md["resourceVersion"] = str(rv)
        self._objects[key] = obj
        if md.get("deletionTimestamp"):
            self._deleting.add(key)
        else:
            self._deleting.discard(key)
        if md.get("ownerReferences"):
            self._owned.add(key)
            self.gc_epoch += 1
        else:
            self._owned.discard(key)
        self._log(
            WatchEvent(
                rv,
                "ADDED" if old is None else "MODIFIED",
                key[0],
                key[1],
                key[2],
                copy.deepcopy(obj),
                old,
            )
        )
        return copy.deepcopy(obj)

    def remove(self, key: ObjKey, final: RawObject | None = None) -> RawObject | None:
        """Remove an object under a new resourceVersion and log DELETED; returns a copy.

        Args:
            key: the object's key.
            final: the state to report in the DELETED event (default: the stored one).
        """
        old = self._objects.pop(key, None)
        if old is None:
            return None
        self._deleting.discard(key)
        self._owned.discard(key)
        if self._owned:
            self.gc_epoch += 1
        rv = self.next_rv()
        gone = copy.deepcopy(final if final is not None else old)
        gone["metadata"]["resourceVersion"] = str(rv)
        self._log(WatchEvent(rv, "DELETED", key[0], key[1], key[2], gone, old))
        return copy.deepcopy(gone)

    def drop_resource(self, group: str, plural: str) -> list[RawObject]:
        """Delete every object of a resource (when its CRD goes away)."""
        keys = [k for k in self._objects if k[0] == group and k[1] == plural]
        return [o for k in keys if (o := self.remove(k)) is not None]

    def _log(self, event: WatchEvent) -> None:
        if len(self._events) == self._events.maxlen:
            self.compacted_rv = max(self.compacted_rv, self._events[0].rv)
        self._events.append(event)
        self.notify()

    # --- history -----------------------------------------------------------------------------

    def compact(self, rv: int | None = None) -> None:
        """Forget the event history up to ``rv`` (default: all of it)."""
        upto = self.rv if rv is None else min(rv, self.rv)
        while self._events and self._events[0].rv <= upto:
            self._events.popleft()
        self.compacted_rv = max(self.compacted_rv, upto)
        self.notify()

    def is_expired(self, rv: int) -> bool:
        """Whether events after ``rv`` are no longer all in the history."""
        return rv < self.compacted_rv

    def events_after(self, rv: int) -> list[WatchEvent] | None:
        """Events newer than ``rv``, or ``None`` if some of them were already dropped."""
        if self.is_expired(rv):
            return None
        return [e for e in self._events if e.rv > rv]

    # --- notification ------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake every task blocked in :meth:`wait_changed`."""
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def changed(self) -> asyncio.Event:
        """An event set at the next write (take it *before* reading the history)."""
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

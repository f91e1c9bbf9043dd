"""A shared informer: one reflector and one store for one kind and scope, many handlers.

The informer is the reflector's sink. For every list result and watch event it first strips
``metadata.managedFields`` (unless told not to) and applies the user's transform, then writes the
store and tells every handler what changed:

* **The first list** gives ``on_add(obj, is_initial_list=True)`` for every object; then
  :attr:`Informer.has_synced` turns true.
* **A relist** (after 410 Gone or an error) replaces the store's contents. Only real differences
  are reported: ``on_add`` for new objects, ``on_update`` for a changed resourceVersion,
  ``on_delete`` for objects deleted while the watch was down. Unchanged objects are silent.
* **Watch events** give ``on_add``/``on_update``/``on_delete``. An event that repeats the stored
  resourceVersion is dropped, so a re-watch never duplicates.
* **Periodic resync** (default 10 h, each period jittered by a factor in [0.9, 1.1)) replays the
  store as ``on_update(obj, obj, is_resync=True)``; it re-reads the cache, not the API.
* **A handler added late** is first given the current contents as initial adds.
* **Staleness**: an informer that has had no successful list, resourceVersion check, watch event
  or bookmark for ``stale_after`` seconds (default 300; the API server sends a bookmark about
  every minute) is stale (:attr:`Informer.is_stale`, the ``aim_engine_cache_stale_informers``
  gauge); the manager's ``/readyz`` fails while any informer is.

Delivery runs through per-handler buffers (:mod:`aim_engine.cache._handlers`).
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aim_engine.cache._handlers import HandlerRegistration, Listener, ResourceEventHandler
from aim_engine.cache._labels import LabelSelector
from aim_engine.cache._listwatch import ListerWatcher
from aim_engine.cache._metrics import KindMetrics
from aim_engine.cache._reflector import Reflector, ReflectorOptions
from aim_engine.cache._store import NAMESPACE_INDEX, Change, IndexFunc, Store, object_key, store_key
from aim_engine.cache._timeline import ServerTimeline
from aim_engine.clock import Clock, wait_event
from aim_engine.errors import ConfigurationError
from aim_engine.kinds import ResourceKind
from aim_engine.objects import RawObject, resource_version_of

__all__ = ["Informer", "InformerStatistics", "Transform", "strip_managed_fields"]

logger = logging.getLogger(__name__)

Transform = Callable[[RawObject], RawObject]
"""Applied to every object before it is stored (and before handlers see it)."""

MIN_RESYNC_PERIOD = 1.0
DEFAULT_STALE_AFTER = 300.0
"""Twice the reflector's inactivity timeout plus its longest backoff, in seconds."""


def strip_managed_fields(obj: RawObject) -> RawObject:
    """``obj`` without ``metadata.managedFields`` (a shallow copy; the input is not changed)."""
    m = obj.get("metadata")
    if not isinstance(m, dict) or "managedFields" not in m:
        return obj
    return {**obj, "metadata": {k: v for k, v in m.items() if k != "managedFields"}}


@dataclass(frozen=True, slots=True)
class InformerStatistics:
    """A snapshot of an informer's state.

    Attributes:
        objects: objects in the store.
        handlers: registered handlers.
        pending: notifications buffered across all handlers.
        synced: whether the first list has been stored.
        last_sync_resource_version: newest resourceVersion seen.
        stale: whether the informer is stale (see :attr:`Informer.is_stale`).
    """

    objects: int
    handlers: int
    pending: int
    synced: bool
    last_sync_resource_version: str
    stale: bool = False


class _Sink:
    """Adapts the informer's private write path to the reflector's sink protocol."""

    __slots__ = ("_informer",)

    def __init__(self, informer: Informer) -> None:
        self._informer = informer

    def replace(
        self, objects: list[RawObject], resource_version: str, *, trust_versions: bool = True
    ) -> None:
        self._informer._replace(objects, trust_versions)

    def apply(self, event_type: str, obj: RawObject) -> None:
        self._informer._apply(event_type, obj)


class Informer:
    """Lists and watches one kind in one scope into a store, and fans changes out to handlers.

    Usually obtained from :meth:`aim_engine.cache.Cache.informer`, which shares one informer
    per (kind, namespace, label selector, field selector).

    Args:
        lister_watcher: the API (usually :class:`aim_engine.client.Client`).
        kind: the kind.
        clock: drives backoff, the watchdog and resync.
        namespace: one namespace, or ``None`` for all (cluster-scoped kinds: always ``None``).
        label_selector: server-side label selector.
        field_selector: server-side field selector.
        transform: applied to every object before storing it.
        strip_managed_fields: drop ``metadata.managedFields`` before storing (default true).
        resync_period: seconds between resyncs (jittered); ``0`` disables resync.
        stale_after: seconds without a successful list, watch event or bookmark after which
            the running informer is stale (default 300); ``None`` never.
        indexers: extra index functions by name.
        reflector_options: reflector tuning.
        metrics: this kind's cache metrics.
        rng: random source (seed it in tests).
        timeline: shared by the informers of one cache (see :mod:`aim_engine.cache._timeline`).
    """

    def __init__(
        self,
        lister_watcher: ListerWatcher,
        kind: ResourceKind,
        *,
        clock: Clock,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        transform: Transform | None = None,
        strip_managed_fields: bool = True,
        resync_period: float = 36000.0,
        stale_after: float | None = DEFAULT_STALE_AFTER,
        indexers: Mapping[str, IndexFunc] | None = None,
        reflector_options: ReflectorOptions | None = None,
        metrics: KindMetrics | None = None,
        rng: random.Random | None = None,
        timeline: ServerTimeline | None = None,
    ) -> None:
        if namespace and not kind.namespaced:
            raise ConfigurationError(f"{kind.kind} is cluster-scoped; namespace must be empty")
        self.kind = kind
        self.namespace = namespace or None
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.transform = transform
        self._clock = clock
        self._strip = strip_managed_fields
        self._resync_period = resync_period
        self._stale_after = stale_after
        self._stale_counted = False
        self._metrics = metrics
        self._rng = rng or random.Random()
        self._store = Store(indexers)
        self._listeners: list[Listener] = []
        self._synced = asyncio.Event()
        self._tg: asyncio.TaskGroup | None = None
        self._reflector = Reflector(
            lister_watcher,
            kind,
            _Sink(self),
            clock=clock,
            namespace=self.namespace,
            label_selector=label_selector,
            field_selector=field_selector,
            options=reflector_options,
            metrics=metrics,
            rng=self._rng,
            timeline=timeline,
        )

    # -- state -------------------------------------------------------------------------------

    @property
    def has_synced(self) -> bool:
        """Whether the first list has been stored."""
        return self._synced.is_set()

    @property
    def running(self) -> bool:
        """Whether :meth:`run` is active."""
        return self._tg is not None

    @property
    def last_sync_resource_version(self) -> str:
        """The newest resourceVersion seen."""
        return self._reflector.last_sync_resource_version

    @property
    def is_stale(self) -> bool:
        """Whether the running informer has not heard from the API server for ``stale_after``.

        Heard from means a successful list, resourceVersion check, watch event or bookmark.
        A stopped informer is never stale (nothing expects it to be fresh).
        """
        if self._stale_after is None or self._tg is None:
            return False
        return self._clock.monotonic() - self._reflector.healthy_at >= self._stale_after

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        """Wait (on the clock) until the first list is stored; ``False`` on timeout."""
        return await wait_event(self._clock, self._synced, timeout)

    def statistics(self) -> InformerStatistics:
        """A snapshot of the informer's state."""
        return InformerStatistics(
            objects=len(self._store),
            handlers=len(self._listeners),
            pending=sum(lst.pending for lst in self._listeners),
            synced=self.has_synced,
            last_sync_resource_version=self.last_sync_resource_version,
            stale=self.is_stale,
        )

    # -- reads -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._store)

    def keys(self) -> builtins.list[str]:
        """Store keys (``namespace/name`` or ``name``)."""
        return self._store.keys()

    def get(self, name: str, namespace: str | None = None) -> RawObject | None:
        """A fresh copy of one object, or ``None``."""
        return self._store.get(store_key(name, namespace if self.kind.namespaced else None))

    def list(
        self,
        namespace: str | None = None,
        *,
        label_selector: str | Mapping[str, str] | None = None,
        index: tuple[str, str] | None = None,
    ) -> builtins.list[RawObject]:
        """Fresh copies of the stored objects, filtered.

        Args:
            namespace: only this namespace.
            label_selector: a selector string or a mapping of required labels.
            index: ``(index name, value)``: only objects with that index value.

        Raises:
            ConfigurationError: ``index`` names no index.
            ValueError: the label selector does not parse.
        """
        selector = LabelSelector.parse(label_selector)
        if index is not None:
            keys = self._store.index_keys(*index)
            if namespace:
                prefix = f"{namespace}/"
                keys = [k for k in keys if k.startswith(prefix)]
            return self._store.get_many(keys, selector)
        if namespace and self.kind.namespaced:
            return self._store.by_index(NAMESPACE_INDEX, namespace, selector)
        return self._store.list(selector)

    def add_indexer(self, name: str, func: IndexFunc) -> None:
        """Add an index (computed at once for the objects already stored).

        Raises:
            ConfigurationError: an index with that name exists.
        """
        self._store.add_indexer(name, func)

    # -- handlers ----------------------------------------------------------------------------

    def add_handler(self, handler: ResourceEventHandler) -> HandlerRegistration:
        """Register a handler; if the informer has synced it first gets the current contents."""
        listener = Listener(handler, self.kind.kind)
        if self.has_synced:
            for obj in self._store.iter_objects():
                listener.add(obj, True)
            listener.mark_synced()
        self._listeners.append(listener)
        if self._tg is not None:
            listener.task = self._tg.create_task(listener.run())
        return HandlerRegistration(listener, self._clock, lambda: self._remove(listener))

    def _remove(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)
        if listener.task is not None:
            listener.task.cancel()
            listener.task = None

    # -- running -----------------------------------------------------------------------------

    async def run(self) -> None:
        """List, watch, resync and deliver to handlers until cancelled.

        Raises:
            ConfigurationError: the informer is already running.
        """
        if self._tg is not None:
            raise ConfigurationError(f"informer for {self.kind.kind} is already running")
        try:
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                for listener in self._listeners:
                    listener.task = tg.create_task(listener.run())
                tg.create_task(self._reflector.run())
                tg.create_task(self._resync_loop())
                tg.create_task(self._stale_loop())
        finally:
            self._tg = None
            self._count_stale(False)
            for listener in self._listeners:
                listener.task = None

    async def _resync_loop(self) -> None:
        if self._resync_period <= 0:
            return
        period = max(self._resync_period, MIN_RESYNC_PERIOD)
        while True:
            await self._clock.sleep(period * self._rng.uniform(0.9, 1.1))
            if not self.has_synced or not self._listeners:
                continue
            logger.debug("resync", extra={"kind": self.kind.kind, "objects": len(self._store)})
            for obj in self._store.iter_objects():
                for listener in self._listeners:
                    listener.update(obj, obj, True)

    async def _stale_loop(self) -> None:
        """Keep the stale-informers gauge true: sleep until due, count, wait for news."""
        limit = self._stale_after
        if limit is None:
            return
        while True:
            remaining = self._reflector.healthy_at + limit - self._clock.monotonic()
            if remaining > 0:
                self._count_stale(False)
                await self._clock.sleep(remaining)
                continue
            logger.warning(
                "informer is stale: nothing heard from the API server",
                extra={"kind": self.kind.kind, "namespace": self.namespace or "", "after": limit},
            )
            self._count_stale(True)
            await self._reflector.wait_healthy()

    def _count_stale(self, stale: bool) -> None:
        if stale == self._stale_counted:
            return
        self._stale_counted = stale
        if self._metrics is not None:
            self._metrics.stale.inc(1 if stale else -1)

    # -- sink (called by the reflector) ------------------------------------------------------

    def _prepare(self, obj: RawObject) -> RawObject:
        if self._strip:
            obj = strip_managed_fields(obj)
        if self.transform is not None:
            try:
                obj = self.transform(obj)
            except Exception:
                # Keep the untransformed object rather than lose it from the cache.
                logger.exception(
                    "cache transform failed", extra={"kind": self.kind.kind, "key": object_key(obj)}
                )
        return obj

    def _replace(self, objects: builtins.list[RawObject], trust_versions: bool = True) -> None:
        before = len(self._store)
        initial = not self.has_synced
        changes = self._store.replace(
            [self._prepare(o) for o in objects], trust_versions=trust_versions
        )
        self._count(before)
        for change in changes:
            self._notify(change, initial)
        if initial:
            self._synced.set()
            for listener in self._listeners:
                listener.mark_synced()
        logger.debug(
            "cache replaced",
            extra={"kind": self.kind.kind, "objects": len(self._store), "changes": len(changes)},
        )

    def _apply(self, event_type: str, obj: RawObject) -> None:
        obj = self._prepare(obj)
        key = object_key(obj)
        before = len(self._store)
        if event_type == "DELETED":
            # Hand out the final state from the event, not the last cached one.
            change = self._store.delete(key, final=obj)
        else:
            rv = resource_version_of(obj)
            if rv and self._store.resource_version(key) == rv:
                return
            change = self._store.upsert(obj, key)
        self._count(before)
        if change is not None:
            self._notify(change, False)

    def _count(self, before: int) -> None:
        if self._metrics is not None:
            self._metrics.objects.inc(len(self._store) - before)

    def _notify(self, change: Change, initial: bool) -> None:
        listeners = self._listeners
        if change.type == "added" and change.new is not None:
            for listener in listeners:
                listener.add(change.new, initial)
        elif change.type == "updated" and change.old is not None and change.new is not None:
            for listener in listeners:
                listener.update(change.old, change.new, False)
        elif change.old is not None:
            for listener in listeners:
                listener.delete(change.old)

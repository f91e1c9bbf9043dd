"""The cache facade: shared informers by kind and scope, and a :class:`Reader` over them.

A :class:`Cache` owns informers; nothing is watched until someone asks for it. Controllers
register what they need with :meth:`Cache.informer` (get-or-create: one informer per kind,
namespace, label selector and field selector, shared by every caller), then
:meth:`Cache.run` runs them all, including informers registered after it started.

Reads go through the :class:`Reader` methods :meth:`Cache.get` and :meth:`Cache.list`. They
never return a stored object, always a fresh copy (see :mod:`aim_engine.cache._store`). Reading
a kind nobody registered raises :class:`~aim_engine.errors.ConfigurationError`. It does not
quietly start a cluster-wide watch, which is controller-runtime's default and the most common
way operators run out of memory. Reading before the informer has synced raises
:class:`CacheNotSyncedError` (a retryable error) rather than answering "not found" from an empty
store.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import random
from collections.abc import Mapping
from typing import Protocol

from prometheus_client import CollectorRegistry

from aim_engine.cache._informer import DEFAULT_STALE_AFTER, Informer, Transform
from aim_engine.cache._listwatch import ListerWatcher
from aim_engine.cache._metrics import CacheMetrics, KindMetrics
from aim_engine.cache._reflector import ReflectorOptions
from aim_engine.cache._timeline import ServerTimeline
from aim_engine.clock import Clock
from aim_engine.errors import ConfigurationError, NotFoundError, RetryableError
from aim_engine.kinds import ResourceKind
from aim_engine.objects import RawObject, key_of

__all__ = ["Cache", "CacheNotSyncedError", "Reader"]

logger = logging.getLogger(__name__)

_InformerKey = tuple[ResourceKind, str | None, str | None, str | None]


class CacheNotSyncedError(RetryableError):
    """A read reached an informer that has not finished its first list yet."""


class Reader(Protocol):
    """Reads from a cache: every call returns fresh copies the caller may change freely."""

    def get(self, kind: ResourceKind, name: str, namespace: str | None = None) -> RawObject:
        """One object.

        Raises:
            NotFoundError: no such object.
        """
        ...

    def list(
        self,
        kind: ResourceKind,
        namespace: str | None = None,
        *,
        label_selector: str | Mapping[str, str] | None = None,
        index: tuple[str, str] | None = None,
    ) -> builtins.list[RawObject]:
        """Objects of a kind, optionally in one namespace, matching labels or an index value."""
        ...


def _selector_string(selector: str | Mapping[str, str] | None) -> str | None:
    if selector is None or isinstance(selector, str):
        return selector or None
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or None


class Cache:
    """Shared informers plus a :class:`Reader` over them.

    Args:
        client: the API (usually :class:`aim_engine.client.Client`).
        clock: drives every informer's timers.
        registry: where the cache metrics go (a private registry when ``None``).
        resync_period: seconds between resyncs of every informer (10 h; ``0`` disables).
        stale_after: seconds without a successful list, watch event or bookmark after which an
            informer is stale (300; ``None`` never; see :meth:`stale_informers`).
        namespace: default namespace of informers for namespaced kinds (``None``: all).
        strip_managed_fields: drop ``metadata.managedFields`` before storing (default true).
        reflector_options: reflector tuning for every informer.
        rng: random source for jitter (seed it in tests).
    """

    def __init__(
        self,
        client: ListerWatcher,
        *,
        clock: Clock,
        registry: CollectorRegistry | None = None,
        resync_period: float = 36000.0,
        stale_after: float | None = DEFAULT_STALE_AFTER,
        namespace: str | None = None,
        strip_managed_fields: bool = True,
        reflector_options: ReflectorOptions | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._clock = clock
        self._metrics = CacheMetrics(registry)
        self._kind_metrics: dict[ResourceKind, KindMetrics] = {}
        self._resync_period = resync_period
        self._stale_after = stale_after
        self._namespace = namespace or None
        self._strip = strip_managed_fields
        self._reflector_options = reflector_options
        self._rng = rng or random.Random()
        self._informers: dict[_InformerKey, Informer] = {}
        self._timeline = ServerTimeline()  # one server: when it goes back in time, all relist
        self._tg: asyncio.TaskGroup | None = None

    @property
    def registry(self) -> CollectorRegistry:
        """The registry holding the cache metrics."""
        return self._metrics.registry

    @property
    def informers(self) -> builtins.list[Informer]:
        """Every registered informer."""
        return list(self._informers.values())

    @property
    def has_synced(self) -> bool:
        """Whether every registered informer has synced."""
        return all(i.has_synced for i in self._informers.values())

    def stale_informers(self) -> builtins.list[Informer]:
        """Running informers that have not heard from the API server for ``stale_after``."""
        return [i for i in self._informers.values() if i.is_stale]

    def informer(
        self,
        kind: ResourceKind,
        *,
        namespace: str | None = None,
        label_selector: str | Mapping[str, str] | None = None,
        field_selector: str | None = None,
        transform: Transform | None = None,
    ) -> Informer:
        """The shared informer for this kind and scope, created (and started) on first request.

        Args:
            kind: the kind.
            namespace: one namespace; ``None`` means the cache's default namespace (all
                namespaces when the cache has none). Ignored for cluster-scoped kinds.
            label_selector: server-side label selector (string or mapping of equalities).
            field_selector: server-side field selector.
            transform: applied to every object before storing; only on creation.

        Raises:
            ConfigurationError: the informer exists with a different transform.
        """
        ns = (namespace or self._namespace) if kind.namespaced else None
        key = (kind, ns, _selector_string(label_selector), field_selector or None)
        existing = self._informers.get(key)
        if existing is not None:
            if transform is not None and existing.transform is not transform:
                raise ConfigurationError(
                    f"the informer for {kind.kind} exists with a different transform"
                )
            return existing
        metrics = self._kind_metrics.get(kind)
        if metrics is None:
            metrics = self._kind_metrics[kind] = self._metrics.for_kind(kind)
        informer = Informer(
            self._client,
            kind,
            clock=self._clock,
            namespace=ns,
            label_selector=key[2],
            field_selector=key[3],
            transform=transform,
            strip_managed_fields=self._strip,
            resync_period=self._resync_period,
            stale_after=self._stale_after,
            reflector_options=self._reflector_options,
            metrics=metrics,
            rng=random.Random(self._rng.random()),
            timeline=self._timeline,
        )
        self._informers[key] = informer
        if self._tg is not None:
            self._tg.create_task(informer.run())
        logger.info(
            "informer registered",
            extra={"kind": kind.kind, "namespace": ns or "", "running": self._tg is not None},
        )
        return informer

    async def run(self) -> None:
        """Run every informer (registered before or after the call) until cancelled.

        Raises:
            ConfigurationError: the cache is already running.
        """
        if self._tg is not None:
            raise ConfigurationError("the cache is already running")
        try:
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                for informer in self._informers.values():
                    tg.create_task(informer.run())
                await asyncio.Event().wait()
        finally:
            self._tg = None

    async def wait_for_sync(self, timeout: float) -> bool:
        """Wait (on the clock) until every registered informer has synced.

        Returns:
            ``True`` when all have synced, ``False`` if ``timeout`` seconds passed first.
        """
        deadline = self._clock.monotonic() + timeout
        while True:
            pending = [i for i in self._informers.values() if not i.has_synced]
            if not pending:
                return True
            remaining = deadline - self._clock.monotonic()
            if remaining <= 0:
                return False
            await pending[0].wait_for_sync(remaining)

    # -- Reader ------------------------------------------------------------------------------

    def get(self, kind: ResourceKind, name: str, namespace: str | None = None) -> RawObject:
        """A fresh copy of one object from the cache.

        Raises:
            NotFoundError: the object is not in the cache.
            ConfigurationError: no informer for this kind covers ``namespace`` (or a namespace
                is missing for a namespaced kind, or given for a cluster-scoped one).
            CacheNotSyncedError: the covering informers have not synced yet.
        """
        if kind.namespaced and not namespace:
            raise ConfigurationError(f"{kind.kind} is namespaced; a namespace is required")
        if namespace and not kind.namespaced:
            raise ConfigurationError(f"{kind.kind} is cluster-scoped; namespace must be empty")
        for informer in self._covering(kind, namespace):
            _require_synced(informer)
            obj = informer.get(name, namespace)
            if obj is not None:
                return obj
        raise NotFoundError(
            404,
            "NotFound",
            f'{kind.group_resource} "{name}" not found',
            {"name": name, "kind": kind.plural, "group": kind.group},
        )

    def list(
        self,
        kind: ResourceKind,
        namespace: str | None = None,
        *,
        label_selector: str | Mapping[str, str] | None = None,
        index: tuple[str, str] | None = None,
    ) -> builtins.list[RawObject]:
        """Fresh copies of cached objects of ``kind``.

        Args:
            kind: the kind.
            namespace: only this namespace (``None``: every namespace the cache watches).
            label_selector: a selector string or a mapping of required labels.
            index: ``(index name, value)``; the ``namespace`` index always exists.

        Raises:
            ConfigurationError: no informer for this kind covers ``namespace``, or ``index``
                names no index.
            CacheNotSyncedError: the covering informers have not synced yet.
            ValueError: the label selector does not parse.
        """
        if namespace and not kind.namespaced:
            raise ConfigurationError(f"{kind.kind} is cluster-scoped; namespace must be empty")
        informers = self._covering(kind, namespace)
        if namespace or informers[0].namespace is None:
            return _require_synced(informers[0]).list(
                namespace, label_selector=label_selector, index=index
            )
        # Only namespace-scoped informers: merge them, one per namespace, without duplicates.
        out: builtins.list[RawObject] = []
        seen: set[object] = set()
        for informer in informers:
            for obj in _require_synced(informer).list(label_selector=label_selector, index=index):
                key = key_of(obj)
                if key not in seen:
                    seen.add(key)
                    out.append(obj)
        return out

    def _covering(self, kind: ResourceKind, namespace: str | None) -> builtins.list[Informer]:
        """Informers of ``kind`` that see ``namespace``, unfiltered and wider first."""
        of_kind = [i for i in self._informers.values() if i.kind == kind]
        if not of_kind:
            raise ConfigurationError(
                f"no informer for {kind}: register it with Cache.informer() before reading it"
            )
        covering = [
            i for i in of_kind if i.namespace is None or not namespace or i.namespace == namespace
        ]
        if not covering:
            raise ConfigurationError(f"no informer for {kind} watches namespace {namespace!r}")
        covering.sort(
            key=lambda i: (
                i.label_selector is not None or i.field_selector is not None,
                i.namespace is not None,
            )
        )
        return covering


def _require_synced(informer: Informer) -> Informer:
    if not informer.has_synced:
        raise CacheNotSyncedError(f"the cache for {informer.kind} has not synced yet")
    return informer

"""The cache's own metrics (controller-runtime has none for its caches; see issue #3182 there).

=========================================  =====  ===============  ==============================
name                                       type   labels           meaning
=========================================  =====  ===============  ==============================
``aim_engine_cache_objects``               gauge  ``kind``         objects held by informers
``aim_engine_cache_relists_total``         count  ``kind,reason``  LISTs after the first one
``aim_engine_cache_watch_restarts_total``  count  ``kind,reason``  watches opened again
``aim_engine_cache_stale_informers``       gauge  ``kind``         informers not heard from lately
=========================================  =====  ===============  ==============================

Relist reasons: ``gone`` (410: the resourceVersion expired), ``too_large`` (the server is behind
the resourceVersion: it went back in time), ``error`` (any other failure that forced a new list).
Watch-restart reasons: ``closed`` (the server ended the watch, normally at its timeout), ``gone``,
``too_large``, ``inactivity`` (the watchdog saw neither event nor bookmark for too long),
``error`` (dropped connection, 5xx, 429...). An informer is stale when it has had no successful
list, resourceVersion check, watch event or bookmark for its ``stale_after`` seconds.

Families live on the :class:`~prometheus_client.CollectorRegistry` passed in, never the global
one; several caches may share a registry (the first registers, the others reuse). Series are
zero-filled for a kind when its first informer is created. The ``kind`` label is ``Kind`` for
the core group and ``Kind.group`` otherwise: bounded, never an object or namespace name.
"""

from __future__ import annotations

from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge

from aim_engine.kinds import ResourceKind
from aim_engine.registry_sharing import shared_on

__all__ = [
    "OBJECTS",
    "RELISTS_TOTAL",
    "RELIST_REASONS",
    "STALE_INFORMERS",
    "WATCH_RESTARTS_TOTAL",
    "WATCH_RESTART_REASONS",
    "CacheMetrics",
    "KindMetrics",
    "kind_label",
]

OBJECTS = "aim_engine_cache_objects"
RELISTS_TOTAL = "aim_engine_cache_relists_total"
WATCH_RESTARTS_TOTAL = "aim_engine_cache_watch_restarts_total"
STALE_INFORMERS = "aim_engine_cache_stale_informers"
RELIST_REASONS = ("gone", "too_large", "error")
WATCH_RESTART_REASONS = ("closed", "gone", "too_large", "inactivity", "error")

_C = TypeVar("_C", Counter, Gauge)


def kind_label(kind: ResourceKind) -> str:
    """The ``kind`` label value: ``ConfigMap``, ``Deployment.apps``, ``AIMService.aim.amd.com``."""
    return f"{kind.kind}.{kind.group}" if kind.group else kind.kind


def _shared(
    registry: CollectorRegistry, cls: type[_C], name: str, doc: str, labels: list[str]
) -> _C:
    return shared_on(registry, name, lambda: cls(name, doc, labels, registry=registry))


class KindMetrics:
    """The metric children of one kind (what a reflector and an informer update)."""

    def __init__(self, metrics: CacheMetrics, kind: ResourceKind) -> None:
        self._metrics = metrics
        self.kind = kind_label(kind)
        self.objects = metrics.objects.labels(kind=self.kind)
        self.stale = metrics.stale.labels(kind=self.kind)
        for reason in RELIST_REASONS:
            metrics.relists.labels(kind=self.kind, reason=reason)
        for reason in WATCH_RESTART_REASONS:
            metrics.watch_restarts.labels(kind=self.kind, reason=reason)

    def relist(self, reason: str) -> None:
        """Count one relist."""
        self._metrics.relists.labels(kind=self.kind, reason=reason).inc()

    def watch_restart(self, reason: str) -> None:
        """Count one watch restart."""
        self._metrics.watch_restarts.labels(kind=self.kind, reason=reason).inc()


class CacheMetrics:
    """The cache metric families on one registry (a private registry when none is given)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.objects = _shared(
            self.registry, Gauge, OBJECTS, "Number of objects held in informer caches.", ["kind"]
        )
        self.relists = _shared(
            self.registry,
            Counter,
            RELISTS_TOTAL,
            "Number of times an informer listed its objects again after the initial list.",
            ["kind", "reason"],
        )
        self.watch_restarts = _shared(
            self.registry,
            Counter,
            WATCH_RESTARTS_TOTAL,
            "Number of times an informer opened its watch again.",
            ["kind", "reason"],
        )
        self.stale = _shared(
            self.registry,
            Gauge,
            STALE_INFORMERS,
            "Number of informers without a successful list, watch event or bookmark for longer "
            "than their stale_after.",
            ["kind"],
        )

    def for_kind(self, kind: ResourceKind) -> KindMetrics:
        """The (zero-filled) children for one kind."""
        return KindMetrics(self, kind)

"""One metric family (or collector) per Prometheus registry, however many components use it.

Several aim-engine components may share one :class:`prometheus_client.CollectorRegistry`: two
clients, several caches or queues of one manager, a test's own client next to the manager's.
prometheus-client refuses to register a name twice ("Duplicated timeseries"), and a registry has
no public lookup by name. So each component asks :func:`shared_on` for its families: the first
call builds and registers one, later calls on the same registry get that same object back. The
table lives on the registry itself, so nothing is global and a fresh registry starts empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from prometheus_client import CollectorRegistry

__all__ = ["shared_on"]

T = TypeVar("T")

_ATTR = "_aim_engine_shared"


def shared_on(registry: CollectorRegistry, key: str, build: Callable[[], T]) -> T:
    """The object registered under ``key`` on ``registry``, built by ``build`` on first use.

    Args:
        registry: the registry the object's metrics live on.
        key: what the object is (usually its metric name); one object per key and registry.
        build: creates the object and registers it on ``registry``.

    Raises:
        ValueError: from ``build``, when something other than aim-engine already registered
            one of its names on this registry.
    """
    table: dict[str, object] | None = getattr(registry, _ATTR, None)
    if table is None:
        table = {}
        setattr(registry, _ATTR, table)
    if key not in table:
        table[key] = build()
    return table[key]  # type: ignore[return-value]

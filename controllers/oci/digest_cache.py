"""A bounded least-recently-used map, owned by one client (never module-level state)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["DigestCache"]

_K = TypeVar("_K")
_V = TypeVar("_V")


class DigestCache(Generic[_K, _V]):
    """At most ``capacity`` entries; the least recently read or written goes first.

    Keys are content digests (plus whatever scopes them), so an entry never goes stale: it is
    only ever evicted for room.
    """

    def __init__(self, capacity: int) -> None:
        """Keep up to ``capacity`` entries (``0`` keeps none)."""
        self._capacity = max(0, capacity)
        self._entries: OrderedDict[_K, _V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: _K) -> _V | None:
        """The value for ``key``, marked as just used; ``None`` when absent."""
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: _K, value: _V) -> None:
        """Store ``value``, evicting the least recently used entries beyond the capacity."""
        if self._capacity == 0:
            return
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

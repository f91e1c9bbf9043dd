"""Fixtures for cache unit tests: a virtual clock, the in-memory API, a recording handler."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest

from aim_engine.objects import RawObject, name_of
from aim_engine.testing import FakeClock
from tests.unit.cache.memory_api import MemoryApi


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture
def api() -> MemoryApi:
    return MemoryApi()


class Recorder:
    """A ResourceEventHandler that records what it is told, as compact tuples."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.objects: list[RawObject] = []

    def on_add(self, obj: RawObject, is_initial_list: bool) -> None:
        self.events.append(("add", name_of(obj), is_initial_list))
        self.objects.append(obj)

    def on_update(self, old: RawObject, new: RawObject, is_resync: bool) -> None:
        self.events.append(("update", name_of(new), old["metadata"]["resourceVersion"], is_resync))
        self.objects.append(new)

    def on_delete(self, obj: RawObject) -> None:
        self.events.append(("delete", name_of(obj)))
        self.objects.append(obj)

    def names(self, kind: str) -> list[str]:
        return [e[1] for e in self.events if e[0] == kind]


@contextlib.asynccontextmanager
async def running(coro: Coroutine[Any, Any, None]) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``coro`` as a task for the duration of the block, then cancel it and wait."""
    task = asyncio.ensure_future(coro)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

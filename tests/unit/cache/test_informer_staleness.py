"""Informer: staleness (nothing heard from the API server for ``stale_after``) and its gauge, and
the handler view of a server that lost its state (old objects deleted, with delete events)."""

from __future__ import annotations

import random
from typing import Any

from prometheus_client import CollectorRegistry

from aim_engine.cache import Cache, Informer, ReflectorOptions
from aim_engine.cache._metrics import CacheMetrics
from aim_engine.errors import ForbiddenError, TransportError
from aim_engine.kinds import CONFIG_MAP
from aim_engine.testing import FakeClock
from tests.unit.cache.conftest import Recorder, running
from tests.unit.cache.memory_api import MemoryApi

OPTIONS = ReflectorOptions(backoff_jitter=0.0, backoff_max=30.0, inactivity_timeout=120.0)


def make(api: MemoryApi, clock: FakeClock, registry: CollectorRegistry, **kwargs: Any) -> Informer:
    return Informer(
        api,
        CONFIG_MAP,
        clock=clock,
        rng=random.Random(3),
        reflector_options=OPTIONS,
        metrics=CacheMetrics(registry).for_kind(CONFIG_MAP),
        **kwargs,
    )


def stale(informer: Informer) -> bool:
    return informer.is_stale  # a call, so that mypy does not narrow a property across awaits


def stale_gauge(registry: CollectorRegistry) -> float | None:
    return registry.get_sample_value("aim_engine_cache_stale_informers", {"kind": "ConfigMap"})


async def test_an_informer_that_hears_nothing_for_stale_after_is_stale_until_it_does(
    api: MemoryApi, clock: FakeClock
) -> None:
    registry = CollectorRegistry()
    informer = make(api, clock, registry, stale_after=300.0)
    assert not stale(informer)  # not running
    async with running(informer.run()):
        assert await informer.wait_for_sync(10)
        # Every list from now on is forbidden (RBAC revoked): the informer keeps retrying.
        api.list_faults.extend(ForbiddenError(403, "Forbidden", "no") for _ in range(50))
        api.cut_watches(ForbiddenError(403, "Forbidden", "no"))
        await clock.tick(299)
        assert not stale(informer)
        assert stale_gauge(registry) == 0.0
        await clock.tick(2)
        assert stale(informer)
        assert informer.statistics().stale
        assert stale_gauge(registry) == 1.0
        api.list_faults.clear()
        next_try = clock.next_deadline()
        assert next_try is not None
        await clock.tick(next_try - clock.monotonic())
        assert not stale(informer)
        assert stale_gauge(registry) == 0.0
    assert stale_gauge(registry) == 0.0
    assert not stale(informer)


async def test_bookmarks_keep_a_quiet_informer_fresh(api: MemoryApi, clock: FakeClock) -> None:
    registry = CollectorRegistry()
    informer = make(api, clock, registry, stale_after=300.0)
    async with running(informer.run()):
        assert await informer.wait_for_sync(10)
        for _ in range(10):
            await clock.tick(60)
            api.bookmark()
            await clock.settle()
        assert not stale(informer)
        assert stale_gauge(registry) == 0.0


async def test_a_silent_watch_is_checked_before_it_makes_the_informer_stale(
    api: MemoryApi, clock: FakeClock
) -> None:
    """No bookmarks at all (a server without them): the watchdog's version check is news."""
    registry = CollectorRegistry()
    informer = make(api, clock, registry, stale_after=300.0)
    api.watch_faults.extend(["silent"] * 10)
    async with running(informer.run()):
        assert await informer.wait_for_sync(10)
        await clock.tick(1000)
        assert len(api.version_checks) == 8
        assert not stale(informer)


async def test_stale_after_none_never_goes_stale(api: MemoryApi, clock: FakeClock) -> None:
    registry = CollectorRegistry()
    informer = make(api, clock, registry, stale_after=None)
    api.list_faults.extend(TransportError("refused") for _ in range(100))
    async with running(informer.run()):
        await clock.tick(3600)
        assert not stale(informer)
        assert stale_gauge(registry) == 0.0


async def test_cache_reports_its_stale_informers(api: MemoryApi, clock: FakeClock) -> None:
    cache = Cache(api, clock=clock, reflector_options=OPTIONS, stale_after=100.0)
    informer = cache.informer(CONFIG_MAP)
    api.list_faults.extend(TransportError("refused") for _ in range(100))
    async with running(cache.run()):
        await clock.tick(99)
        assert cache.stale_informers() == []
        await clock.tick(2)
        assert cache.stale_informers() == [informer]


async def test_objects_of_a_server_that_lost_its_state_are_deleted_with_events(
    api: MemoryApi, clock: FakeClock
) -> None:
    registry = CollectorRegistry()
    for name in ("a", "b"):
        api.create(name)
    for i in range(3):
        api.update("a", n=str(i))  # the list's resourceVersion is 105, b's is 102
    informer = make(api, clock, registry)
    rec = Recorder()
    informer.add_handler(rec)
    async with running(informer.run()):
        assert await informer.wait_for_sync(10)
        api.lose_state(rv=101)
        api.create("b", data={"new": "yes"})  # a new object, under the old one's version "102"
        api.create("c")
        api.cut_watches(TransportError("connection reset"))
        await clock.tick(0.8)
        assert sorted(o["metadata"]["name"] for o in informer.list()) == ["b", "c"]
        assert informer.get("b", "default")["data"] == {"new": "yes"}  # type: ignore[index]
        assert rec.events[2:] == [
            ("update", "b", "102", False),
            ("add", "c", False),
            ("delete", "a"),
        ]

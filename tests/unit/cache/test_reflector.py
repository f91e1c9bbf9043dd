"""Reflector: paginated list, watch from its RV, re-watch, relist, backoff, watchdog."""

from __future__ import annotations

import random

import pytest
from prometheus_client import CollectorRegistry

from aim_engine.cache import Reflector, ReflectorOptions
from aim_engine.cache._metrics import CacheMetrics
from aim_engine.errors import ForbiddenError, GoneError, ServerError, TransportError
from aim_engine.kinds import CONFIG_MAP
from aim_engine.objects import RawObject, name_of
from aim_engine.testing import FakeClock
from tests.unit.cache.conftest import running
from tests.unit.cache.memory_api import MemoryApi


class Sink:
    def __init__(self) -> None:
        self.replaced: list[tuple[list[str], str]] = []
        self.applied: list[tuple[str, str, str]] = []
        self.trusted: list[bool] = []

    def replace(
        self, objects: list[RawObject], resource_version: str, *, trust_versions: bool = True
    ) -> None:
        self.replaced.append((sorted(name_of(o) for o in objects), resource_version))
        self.trusted.append(trust_versions)

    def apply(self, event_type: str, obj: RawObject) -> None:
        self.applied.append((event_type, name_of(obj), obj["metadata"]["resourceVersion"]))


def make(
    api: MemoryApi, clock: FakeClock, **opts: float
) -> tuple[Reflector, Sink, CollectorRegistry]:
    sink = Sink()
    registry = CollectorRegistry()
    options = ReflectorOptions(**opts)  # type: ignore[arg-type]
    reflector = Reflector(
        api,
        CONFIG_MAP,
        sink,
        clock=clock,
        options=options,
        metrics=CacheMetrics(registry).for_kind(CONFIG_MAP),
        rng=random.Random(7),
    )
    return reflector, sink, registry


def restarts(registry: CollectorRegistry, reason: str) -> float | None:
    return registry.get_sample_value(
        "aim_engine_cache_watch_restarts_total", {"kind": "ConfigMap", "reason": reason}
    )


def relists(registry: CollectorRegistry, reason: str) -> float | None:
    return registry.get_sample_value(
        "aim_engine_cache_relists_total", {"kind": "ConfigMap", "reason": reason}
    )


async def test_paginated_list_then_watch_from_its_resource_version(
    api: MemoryApi, clock: FakeClock
) -> None:
    for i in range(5):
        api.create(f"cm{i}")
    reflector, sink, _ = make(api, clock, page_size=2)
    async with running(reflector.run()):
        await clock.settle()
        assert [(c["limit"], c["continue"], c["resource_version"]) for c in api.list_calls] == [
            (2, None, None),
            (2, "105:2", None),
            (2, "105:4", None),
        ]
        assert api.list_calls[0]["resource_version_match"] is None
        assert sink.replaced == [([f"cm{i}" for i in range(5)], "105")]
        assert len(api.watch_calls) == 1
        watch = api.watch_calls[0]
        assert watch["resource_version"] == "105"
        assert watch["allow_bookmarks"] is True
        assert 300 <= watch["timeout_seconds"] <= 600
        assert reflector.last_sync_resource_version == "105"


async def test_watch_timeouts_are_randomised(api: MemoryApi, clock: FakeClock) -> None:
    reflector, _, _ = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        for _ in range(6):
            clock.advance(2)  # not a "short" watch
            api.close_watches()
            await clock.settle()
    timeouts = {c["timeout_seconds"] for c in api.watch_calls}
    assert len(timeouts) > 3
    assert all(300 <= t <= 600 for t in timeouts)


async def test_events_are_applied_and_bookmarks_advance_the_resource_version(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("a")
    reflector, sink, _ = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        api.create("b")
        api.update("a", x="1")
        api.delete("b")
        await clock.settle()
        assert sink.applied == [
            ("ADDED", "b", "102"),
            ("MODIFIED", "a", "103"),
            ("DELETED", "b", "104"),
        ]
        api.bookmark()
        await clock.settle()
        assert reflector.last_sync_resource_version == "105"
        assert len(sink.applied) == 3


async def test_normal_close_rewatches_from_last_resource_version_without_relist(
    api: MemoryApi, clock: FakeClock
) -> None:
    reflector, sink, registry = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        api.create("a")
        api.bookmark()
        await clock.settle()
        api.close_watches()
        await clock.settle()
        assert [c["resource_version"] for c in api.watch_calls] == ["100", "102"]
        assert len(api.list_calls) == 1
        assert len(sink.replaced) == 1
        assert clock.monotonic() == 1000.0  # no backoff
        assert restarts(registry, "closed") == 1.0


async def test_a_watch_that_closes_at_once_with_nothing_backs_off(
    api: MemoryApi, clock: FakeClock
) -> None:
    reflector, _, _ = make(api, clock, backoff_jitter=0.0)
    api.watch_faults.extend(["close", "close"])
    async with running(reflector.run()):
        await clock.settle()
        assert api.watches_opened == 1
        assert clock.next_deadline() == pytest.approx(1000.8)
        await clock.tick(0.8)
        assert api.watches_opened == 2
        assert clock.next_deadline() == pytest.approx(1000.8 + 1.6)
        await clock.tick(1.6)
        assert api.watches_opened == 3
        assert len(api.full_lists) == 1
        assert [c["resource_version"] for c in api.version_checks] == ["100", "100"]


async def test_gone_relists_at_last_resource_version_then_watches(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("a")
    reflector, sink, registry = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        api.create("b")
        await clock.settle()
        api.cut_watches(GoneError(410, "Expired", "too old"))
        await clock.settle()
        assert [(c["resource_version"], c["resource_version_match"]) for c in api.list_calls] == [
            (None, None),
            ("102", "NotOlderThan"),
        ]
        assert sink.replaced[-1] == (["a", "b"], "102")
        assert api.watch_calls[-1]["resource_version"] == "102"
        assert clock.monotonic() == 1000.0
        assert restarts(registry, "gone") == 1.0
        assert relists(registry, "gone") == 1.0


async def test_gone_on_the_relist_falls_back_to_an_unconditional_list(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("a")
    reflector, sink, registry = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        api.list_faults.append(GoneError(410, "Expired", "too old"))
        api.cut_watches(GoneError(410, "Expired", "too old"))
        await clock.settle()
        assert [(c["resource_version"], c["resource_version_match"]) for c in api.list_calls] == [
            (None, None),
            ("101", "NotOlderThan"),
            (None, None),
        ]
        assert len(sink.replaced) == 2
        assert relists(registry, "gone") == 2.0
        # Next time the last resourceVersion is usable again.
        api.create("b")
        await clock.settle()
        api.cut_watches(GoneError(410, "Expired", "too old"))
        await clock.settle()
        assert api.list_calls[-1]["resource_version"] == "102"


async def test_expired_watch_resource_version_is_gone_and_relisted(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("a")
    reflector, sink, _ = make(api, clock, backoff_jitter=0.0)
    async with running(reflector.run()):
        await clock.settle()
        api.cut_watches()  # connection lost; events happen; history compacted meanwhile
        await clock.settle()
        api.delete("a")
        api.create("c")
        api.compact()
        api.create("d")
        await clock.tick(0.8)
        assert api.list_calls[-1]["resource_version"] == "101"
        assert sink.replaced[-1] == (["c", "d"], "104")


@pytest.mark.parametrize(
    "error",
    [TransportError("reset"), ServerError(500, "InternalError", "x")],
)
async def test_transport_and_server_errors_back_off_then_rewatch_without_relist(
    api: MemoryApi, clock: FakeClock, error: Exception
) -> None:
    reflector, _, registry = make(api, clock, backoff_jitter=0.0)
    async with running(reflector.run()):
        await clock.settle()
        api.create("a")
        await clock.settle()
        api.cut_watches(error)
        await clock.settle()
        assert len(api.watch_calls) == 1
        await clock.tick(0.79)
        assert len(api.watch_calls) == 1
        await clock.tick(0.01)
        assert [c["resource_version"] for c in api.watch_calls] == ["100", "101"]
        assert len(api.full_lists) == 1
        assert [
            (c["resource_version"], c["resource_version_match"]) for c in api.version_checks
        ] == [("101", "NotOlderThan")]
        assert restarts(registry, "error") == 1.0


async def test_other_api_errors_back_off_then_relist(api: MemoryApi, clock: FakeClock) -> None:
    reflector, _, registry = make(api, clock, backoff_jitter=0.0)
    api.watch_faults.append(ForbiddenError(403, "Forbidden", "no"))
    async with running(reflector.run()):
        await clock.settle()
        assert len(api.list_calls) == 1
        await clock.tick(0.8)
        assert len(api.list_calls) == 2
        assert relists(registry, "error") == 1.0


async def test_unexpected_errors_never_kill_the_reflector(api: MemoryApi, clock: FakeClock) -> None:
    reflector, sink, _ = make(api, clock, backoff_jitter=0.0)
    api.list_faults.append(ValueError("bad list"))
    api.watch_faults.append(ValueError("bad watch"))
    async with running(reflector.run()) as task:
        await clock.settle()
        assert sink.replaced == []
        await clock.tick(0.8)  # list retried after backoff, then the watch fails
        assert len(sink.replaced) == 1
        await clock.tick(1.6)  # relist after backoff, then a healthy watch
        assert len(sink.replaced) == 2
        assert api.live_watches == 1
        assert not task.done()


async def test_list_failures_climb_the_backoff_ladder_and_reset_after_healthy_time(
    api: MemoryApi, clock: FakeClock
) -> None:
    reflector, sink, _ = make(api, clock, backoff_jitter=0.0)
    api.list_faults.extend(TransportError("refused") for _ in range(8))
    delays = []
    async with running(reflector.run()):
        await clock.settle()
        for _ in range(8):
            deadline = clock.next_deadline()
            assert deadline is not None
            delays.append(round(deadline - clock.monotonic(), 6))
            await clock.tick(deadline - clock.monotonic())
        assert delays == [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0, 30.0]
        assert len(sink.replaced) == 1
        # Healthy for more than two minutes: the next failure starts at the bottom again.
        await clock.tick(150)
        api.cut_watches()
        await clock.settle()
        deadline = clock.next_deadline()
        assert deadline is not None
        assert deadline - clock.monotonic() == pytest.approx(0.8)


async def test_jittered_backoff_stays_in_bounds(api: MemoryApi, clock: FakeClock) -> None:
    reflector, _, _ = make(api, clock)
    api.list_faults.extend(TransportError("refused") for _ in range(7))
    async with running(reflector.run()):
        await clock.settle()
        for base in [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0]:
            deadline = clock.next_deadline()
            assert deadline is not None
            delay = deadline - clock.monotonic()
            assert base <= delay < 2 * base
            await clock.tick(delay)


async def test_watchdog_restarts_a_silent_watch(api: MemoryApi, clock: FakeClock) -> None:
    reflector, _, registry = make(api, clock, inactivity_timeout=120.0)
    api.watch_faults.append("silent")
    async with running(reflector.run()):
        await clock.settle()
        await clock.tick(119)
        assert api.watches_opened == 1
        await clock.tick(2)
        assert api.watches_opened == 2
        assert api.watch_calls[-1]["resource_version"] == "100"
        assert restarts(registry, "inactivity") == 1.0
        assert len(api.full_lists) == 1
        assert [c["resource_version"] for c in api.version_checks] == ["100"]


async def test_bookmarks_keep_the_watchdog_quiet(api: MemoryApi, clock: FakeClock) -> None:
    reflector, _, _ = make(api, clock, inactivity_timeout=120.0)
    async with running(reflector.run()):
        await clock.settle()
        for _ in range(5):
            await clock.tick(100)
            api.bookmark()
            await clock.settle()
        assert api.watches_opened == 1
        await clock.tick(121)
        assert api.watches_opened == 2
        assert api.watch_calls[-1]["resource_version"] == "105"

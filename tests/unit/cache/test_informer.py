"""Informer: handler notifications, relist deltas, resync, fan-out, late handlers, transforms."""

from __future__ import annotations

import random
from typing import Any

from aim_engine.cache import Informer, ReflectorOptions, ResourceEventHandlerFuncs
from aim_engine.errors import GoneError, TransportError
from aim_engine.kinds import CONFIG_MAP
from aim_engine.objects import RawObject, name_of
from aim_engine.testing import FakeClock
from tests.unit.cache.conftest import Recorder, running
from tests.unit.cache.memory_api import MemoryApi


def make(api: MemoryApi, clock: FakeClock, **kwargs: Any) -> Informer:
    kwargs.setdefault("reflector_options", ReflectorOptions(backoff_jitter=0.0))
    return Informer(api, CONFIG_MAP, clock=clock, rng=random.Random(3), **kwargs)


def server_state(api: MemoryApi) -> dict[str, str]:
    return {name: o["metadata"]["resourceVersion"] for (_, name), o in api.objects.items()}


def cache_state(informer: Informer) -> dict[str, str]:
    return {name_of(o): o["metadata"]["resourceVersion"] for o in informer.list()}


async def test_initial_list_is_delivered_as_initial_adds(api: MemoryApi, clock: FakeClock) -> None:
    api.create("a")
    api.create("b")
    informer = make(api, clock)
    rec = Recorder()
    reg = informer.add_handler(rec)
    assert not informer.has_synced
    async with running(informer.run()):
        assert await informer.wait_for_sync(10)
        assert await reg.wait_for_sync(10)
        assert reg.has_synced
        assert rec.events == [("add", "a", True), ("add", "b", True)]
        api.create("c")
        api.update("a", x="1")
        api.delete("b")
        await clock.settle()
        assert rec.events[2:] == [
            ("add", "c", False),
            ("update", "a", "101", False),
            ("delete", "b"),
        ]
        assert cache_state(informer) == server_state(api)


async def test_managed_fields_are_stripped_unless_disabled(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("a")
    stripped = make(api, clock)
    kept = make(api, clock, strip_managed_fields=False)
    rec = Recorder()
    stripped.add_handler(rec)
    async with running(stripped.run()), running(kept.run()):
        await clock.settle()
        obj = stripped.get("a", "default")
        assert obj is not None
        assert "managedFields" not in obj["metadata"]
        assert "managedFields" not in rec.objects[0]["metadata"]
        kept_obj = kept.get("a", "default")
        assert kept_obj is not None
        assert kept_obj["metadata"]["managedFields"] == [{"manager": "test", "operation": "Apply"}]


async def test_transform_applies_before_storing(api: MemoryApi, clock: FakeClock) -> None:
    api.create("a", data={"big": "x" * 1000, "small": "y"})

    def drop_big(obj: RawObject) -> RawObject:
        obj["data"].pop("big", None)
        return obj

    informer = make(api, clock, transform=drop_big)
    async with running(informer.run()):
        await clock.settle()
        assert informer.get("a", "default") == {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "a",
                "namespace": "default",
                "resourceVersion": "101",
                "uid": "uid-a",
            },
            "data": {"small": "y"},
        }


async def test_deletions_and_changes_while_disconnected_are_seen_once(
    api: MemoryApi, clock: FakeClock
) -> None:
    for name in "abc":
        api.create(name)
    informer = make(api, clock)
    rec = Recorder()
    informer.add_handler(rec)
    async with running(informer.run()):
        await clock.settle()
        api.cut_watches(TransportError("reset"))
        await clock.settle()
        # While the watch is down: delete, change, add; then history is compacted.
        api.delete("b")
        api.update("c", x="2")
        api.create("d")
        api.compact()
        await clock.tick(1.6)  # backoff; the re-watch gets 410; relist at the last RV
        assert rec.events[3:] == [
            ("update", "c", "103", False),
            ("add", "d", False),
            ("delete", "b"),
        ]
        assert cache_state(informer) == server_state(api)
        assert informer.statistics().objects == 3


async def test_duplicate_events_after_rewatch_are_dropped(api: MemoryApi, clock: FakeClock) -> None:
    api.create("a")
    informer = make(api, clock)
    rec = Recorder()
    informer.add_handler(rec)
    async with running(informer.run()):
        await clock.settle()
        api.update("a", x="1")
        await clock.settle()
        # A server that replays the same event again (e.g. after a 410 relist raced it).
        informer._apply("MODIFIED", api.objects[("default", "a")])
        await clock.settle()
        assert rec.events == [("add", "a", True), ("update", "a", "101", False)]


async def test_periodic_resync_replays_the_cache_as_updates(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("a")
    api.create("b")
    informer = make(api, clock, resync_period=100.0)
    rec = Recorder()
    informer.add_handler(rec)
    async with running(informer.run()):
        await clock.settle()
        await clock.tick(89.9)
        assert not [e for e in rec.events if e[0] == "update"]
        await clock.tick(20.2)
        assert [e for e in rec.events if e[0] == "update"] == [
            ("update", "a", "101", True),
            ("update", "b", "102", True),
        ]
        assert len(api.list_calls) == 1  # from the cache, not the API


async def test_resync_zero_disables_it(api: MemoryApi, clock: FakeClock) -> None:
    api.create("a")
    informer = make(api, clock, resync_period=0)
    rec = Recorder()
    informer.add_handler(rec)
    async with running(informer.run()):
        await clock.tick(100_000)
        assert rec.events == [("add", "a", True)]


async def test_handler_backlog_does_not_hold_back_others_or_the_store(
    api: MemoryApi, clock: FakeClock
) -> None:
    for i in range(600):
        api.create(f"cm{i:03}")
    informer = make(api, clock)
    order: list[str] = []
    store_sizes: list[int] = []

    def slow(obj: RawObject, initial: bool) -> None:
        store_sizes.append(len(informer))
        order.append("slow")

    informer.add_handler(ResourceEventHandlerFuncs(add=slow))
    fast = informer.add_handler(ResourceEventHandlerFuncs(add=lambda o, _: order.append("fast")))

    def explode(obj: RawObject, initial: bool) -> None:
        raise ZeroDivisionError

    failing = informer.add_handler(ResourceEventHandlerFuncs(add=explode))
    async with running(informer.run()):
        await clock.settle()
        # The store was complete before the first handler got its first notification.
        assert store_sizes[0] == 600
        assert order.count("slow") == order.count("fast") == 600
        # Deliveries interleave: the first handler's backlog never held the second one back.
        assert order.index("fast") < len(order) - order[::-1].index("slow") - 1
        assert fast.has_synced
        assert failing.has_synced  # a raising handler keeps receiving


async def test_late_handler_gets_a_replay_then_live_events(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("a")
    api.create("b")
    informer = make(api, clock)
    async with running(informer.run()):
        await clock.settle()
        late = Recorder()
        reg = informer.add_handler(late)
        assert not reg.has_synced
        api.create("c")
        await clock.settle()
        assert late.events == [("add", "a", True), ("add", "b", True), ("add", "c", False)]
        assert await reg.wait_for_sync(0)
        assert informer.statistics().handlers == 1


async def test_removed_handler_gets_nothing_more(api: MemoryApi, clock: FakeClock) -> None:
    informer = make(api, clock)
    rec = Recorder()
    reg = informer.add_handler(rec)
    async with running(informer.run()):
        await clock.settle()
        api.create("a")
        await clock.settle()
        reg.remove()
        api.create("b")
        await clock.settle()
        assert rec.events == [("add", "a", False)]
        assert informer.statistics().handlers == 0


async def test_gone_relist_without_changes_is_silent(api: MemoryApi, clock: FakeClock) -> None:
    api.create("a")
    informer = make(api, clock)
    rec = Recorder()
    informer.add_handler(rec)
    async with running(informer.run()):
        await clock.settle()
        api.cut_watches(GoneError(410, "Expired", "x"))
        await clock.settle()
        assert len(api.list_calls) == 2
        assert rec.events == [("add", "a", True)]


async def test_namespace_index_and_user_index(api: MemoryApi, clock: FakeClock) -> None:
    api.create("a", "ns1", labels={"app": "web"})
    api.create("b", "ns2", labels={"app": "web"})
    api.create("c", "ns2", labels={"app": "db"})
    informer = make(api, clock)
    informer.add_indexer("app", lambda o: [o["metadata"].get("labels", {}).get("app", "")])
    async with running(informer.run()):
        await clock.settle()
        assert [name_of(o) for o in informer.list("ns2")] == ["b", "c"]
        assert [name_of(o) for o in informer.list(index=("app", "web"))] == ["a", "b"]
        assert [name_of(o) for o in informer.list("ns2", index=("app", "web"))] == ["b"]
        assert [name_of(o) for o in informer.list(label_selector="app!=web")] == ["c"]
        api.update("c", "ns2")
        api.objects[("ns2", "c")]["metadata"]["labels"]["app"] = "web"
        api.update("c", "ns2")
        await clock.settle()
        assert [name_of(o) for o in informer.list(index=("app", "web"))] == ["a", "b", "c"]


async def test_namespaced_informer_lists_and_watches_one_namespace(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("a", "ns1")
    api.create("b", "ns2")
    informer = make(api, clock, namespace="ns1")
    async with running(informer.run()):
        await clock.settle()
        api.create("c", "ns2")
        api.create("d", "ns1")
        await clock.settle()
        assert informer.keys() == ["ns1/a", "ns1/d"]
        assert api.list_calls[0]["namespace"] == "ns1"
        assert api.watch_calls[0]["namespace"] == "ns1"

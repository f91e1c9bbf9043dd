"""Cache facade: shared informers, the Reader (copies, errors, filters), sync, metrics."""

from __future__ import annotations

import asyncio
import random

import pytest
from prometheus_client import CollectorRegistry

from aim_engine.cache import Cache, CacheNotSyncedError, Reader, ReflectorOptions
from aim_engine.errors import ConfigurationError, GoneError, NotFoundError, TransportError
from aim_engine.kinds import CONFIG_MAP, NAMESPACE, SECRET
from aim_engine.objects import name_of
from aim_engine.testing import FakeClock
from tests.unit.cache.conftest import Recorder, running
from tests.unit.cache.memory_api import MemoryApi


def make(api: MemoryApi, clock: FakeClock, **kwargs: object) -> Cache:
    return Cache(
        api,
        clock=clock,
        reflector_options=ReflectorOptions(backoff_jitter=0.0),
        rng=random.Random(1),
        **kwargs,  # type: ignore[arg-type]
    )


def test_informers_are_shared_per_kind_and_scope(api: MemoryApi, clock: FakeClock) -> None:
    cache = make(api, clock)
    a = cache.informer(CONFIG_MAP)
    assert cache.informer(CONFIG_MAP) is a
    assert cache.informer(CONFIG_MAP, label_selector={"b": "2", "a": "1"}) is cache.informer(
        CONFIG_MAP, label_selector="a=1,b=2"
    )
    assert cache.informer(CONFIG_MAP, namespace="ns1") is not a
    assert cache.informer(CONFIG_MAP, field_selector="metadata.name=x") is not a
    assert len(cache.informers) == 4


def test_default_namespace_and_cluster_scoped_kinds(api: MemoryApi, clock: FakeClock) -> None:
    cache = make(api, clock, namespace="team")
    assert cache.informer(CONFIG_MAP).namespace == "team"
    assert cache.informer(CONFIG_MAP, namespace="other").namespace == "other"
    assert cache.informer(NAMESPACE).namespace is None


def test_transform_conflict_is_an_error(api: MemoryApi, clock: FakeClock) -> None:
    cache = make(api, clock)
    cache.informer(CONFIG_MAP, transform=lambda o: o)
    with pytest.raises(ConfigurationError):
        cache.informer(CONFIG_MAP, transform=lambda o: o)


def test_reading_an_unregistered_kind_is_a_configuration_error(
    api: MemoryApi, clock: FakeClock
) -> None:
    cache = make(api, clock)
    cache.informer(CONFIG_MAP)
    with pytest.raises(ConfigurationError, match="register it"):
        cache.get(SECRET, "s", "default")
    with pytest.raises(ConfigurationError):
        cache.list(SECRET)
    assert len(cache.informers) == 1  # nothing was started behind our back
    assert api.list_calls == []


async def test_reads_before_sync_raise_not_synced(api: MemoryApi, clock: FakeClock) -> None:
    cache = make(api, clock)
    cache.informer(CONFIG_MAP)
    with pytest.raises(CacheNotSyncedError):
        cache.get(CONFIG_MAP, "a", "default")
    with pytest.raises(CacheNotSyncedError):
        cache.list(CONFIG_MAP)


async def test_get_returns_copies_that_cannot_corrupt_the_cache(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("a", data={"k": "v"})
    cache = make(api, clock)
    cache.informer(CONFIG_MAP)
    reader: Reader = cache
    async with running(cache.run()):
        assert await cache.wait_for_sync(10)
        obj = reader.get(CONFIG_MAP, "a", "default")
        obj["data"]["k"] = "corrupted"
        obj["metadata"]["labels"] = {"x": "y"}
        again = reader.get(CONFIG_MAP, "a", "default")
        assert again["data"] == {"k": "v"}
        assert "labels" not in again["metadata"]
        listed = reader.list(CONFIG_MAP)
        listed[0]["data"].clear()
        assert reader.list(CONFIG_MAP)[0]["data"] == {"k": "v"}
        with pytest.raises(NotFoundError) as info:
            reader.get(CONFIG_MAP, "missing", "default")
        assert info.value.status == 404
        with pytest.raises(ConfigurationError):
            reader.get(CONFIG_MAP, "a")  # namespaced kind without namespace


async def test_cluster_scoped_reads(api: MemoryApi, clock: FakeClock) -> None:
    cache = make(api, clock)
    cache.informer(NAMESPACE)
    async with running(cache.run()):
        assert await cache.wait_for_sync(10)
        with pytest.raises(NotFoundError):
            cache.get(NAMESPACE, "nope")
        with pytest.raises(ConfigurationError):
            cache.get(NAMESPACE, "nope", "default")
        with pytest.raises(ConfigurationError):
            cache.list(NAMESPACE, "default")


async def test_list_filters(api: MemoryApi, clock: FakeClock) -> None:
    api.create("a", "ns1", labels={"app": "web", "tier": "fe"})
    api.create("b", "ns1", labels={"app": "db"})
    api.create("c", "ns2", labels={"app": "web"})
    cache = make(api, clock)
    informer = cache.informer(CONFIG_MAP)
    informer.add_indexer("app", lambda o: [o["metadata"]["labels"]["app"]])
    async with running(cache.run()):
        assert await cache.wait_for_sync(10)

        def names(**kw: object) -> list[str]:
            return [name_of(o) for o in cache.list(CONFIG_MAP, **kw)]  # type: ignore[arg-type]

        assert names() == ["a", "b", "c"]
        assert names(namespace="ns1") == ["a", "b"]
        assert names(label_selector="app=web") == ["a", "c"]
        assert names(label_selector={"app": "web", "tier": "fe"}) == ["a"]
        assert names(namespace="ns2", label_selector="app in (web)") == ["c"]
        assert names(index=("app", "web")) == ["a", "c"]
        assert names(namespace="ns1", index=("app", "web")) == ["a"]
        with pytest.raises(ConfigurationError):
            names(index=("nope", "x"))


async def test_namespace_scoped_informers_cover_only_their_namespaces(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("a", "ns1")
    api.create("b", "ns2")
    api.create("c", "ns3")
    cache = make(api, clock)
    cache.informer(CONFIG_MAP, namespace="ns1")
    cache.informer(CONFIG_MAP, namespace="ns2")
    async with running(cache.run()):
        assert await cache.wait_for_sync(10)
        assert sorted(name_of(o) for o in cache.list(CONFIG_MAP)) == ["a", "b"]
        assert name_of(cache.get(CONFIG_MAP, "b", "ns2")) == "b"
        with pytest.raises(ConfigurationError):
            cache.get(CONFIG_MAP, "c", "ns3")


async def test_informers_registered_after_start_run_too(api: MemoryApi, clock: FakeClock) -> None:
    api.create("a")
    cache = make(api, clock)
    async with running(cache.run()):
        await clock.settle()
        assert await cache.wait_for_sync(1)  # nothing registered: trivially synced
        cache.informer(CONFIG_MAP)
        assert not cache.has_synced
        assert await cache.wait_for_sync(10)
        assert name_of(cache.get(CONFIG_MAP, "a", "default")) == "a"
        with pytest.raises(ConfigurationError):
            await cache.run()


async def test_wait_for_sync_times_out_on_the_clock(api: MemoryApi, clock: FakeClock) -> None:
    api.list_faults.extend(TransportError("refused") for _ in range(100))
    cache = make(api, clock)
    cache.informer(CONFIG_MAP)
    async with running(cache.run()), clock.autojump():
        assert not await cache.wait_for_sync(60)
    assert clock.monotonic() >= 1060


async def test_metrics_count_objects_relists_and_restarts(api: MemoryApi, clock: FakeClock) -> None:
    registry = CollectorRegistry()
    api.create("a")
    api.create("b", "ns2")
    cache = make(api, clock, registry=registry)
    other = make(api, clock, registry=registry)  # a second cache on the same registry
    cache.informer(CONFIG_MAP)
    other.informer(SECRET)

    def sample(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert sample("aim_engine_cache_objects", kind="ConfigMap") == 0.0
    assert sample("aim_engine_cache_relists_total", kind="Secret", reason="gone") == 0.0
    async with running(cache.run()):
        assert await cache.wait_for_sync(10)
        assert sample("aim_engine_cache_objects", kind="ConfigMap") == 2.0
        api.delete("a")
        await clock.settle()
        assert sample("aim_engine_cache_objects", kind="ConfigMap") == 1.0
        api.cut_watches(GoneError(410, "Expired", "x"))
        await clock.settle()
        assert sample("aim_engine_cache_relists_total", kind="ConfigMap", reason="gone") == 1.0
        assert (
            sample("aim_engine_cache_watch_restarts_total", kind="ConfigMap", reason="gone") == 1.0
        )
        assert sample("aim_engine_cache_objects", kind="ConfigMap") == 1.0


async def test_run_is_cancellable_and_leaves_no_tasks(api: MemoryApi, clock: FakeClock) -> None:
    cache = make(api, clock)
    cache.informer(CONFIG_MAP).add_handler(Recorder())
    before = len(asyncio.all_tasks())
    async with running(cache.run()):
        await clock.settle()
        assert len(asyncio.all_tasks()) > before
    await clock.settle()
    assert len(asyncio.all_tasks()) == before
    assert api.live_watches == 0

"""The cache against the fake API server: it equals the server's state after watch cuts, forced
410s and a server restart, with nothing lost, nothing duplicated and deletions made while
disconnected delivered to handlers.

Waits use real loop time, bounded (poll until equal, at most a few seconds), never fixed sleeps.
The reflector's backoff is shortened so reconnects happen within milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from prometheus_client import CollectorRegistry

from aim_engine.cache import Cache, Informer, ReflectorOptions
from aim_engine.client import Client
from aim_engine.clock import SystemClock
from aim_engine.kinds import CONFIG_MAP
from aim_engine.objects import RawObject, name_of
from aim_engine.testing.apiserver import FakeApiServer
from aim_engine.testing.pytest_plugin import TestCluster

pytestmark = pytest.mark.fake_only

FAST = ReflectorOptions(backoff_initial=0.01, backoff_max=0.05, backoff_jitter=0.5)


class Tracker:
    """Rebuilds the server's state from handler calls and flags anything duplicated or lost."""

    def __init__(self) -> None:
        self.state: dict[str, str] = {}
        self.deleted: list[str] = []
        self.problems: list[str] = []

    def on_add(self, obj: RawObject, is_initial_list: bool) -> None:
        name = name_of(obj)
        if name in self.state:
            self.problems.append(f"duplicate add {name}")
        self.state[name] = obj["metadata"]["resourceVersion"]

    def on_update(self, old: RawObject, new: RawObject, is_resync: bool) -> None:
        name = name_of(new)
        if name not in self.state:
            self.problems.append(f"update of unknown {name}")
        if old == new:
            self.problems.append(f"update without change {name}")
        self.state[name] = new["metadata"]["resourceVersion"]

    def on_delete(self, obj: RawObject) -> None:
        name = name_of(obj)
        if self.state.pop(name, None) is None:
            self.problems.append(f"delete of unknown {name}")
        self.deleted.append(name)


def cm(name: str, ns: str, **data: str) -> RawObject:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": dict(data),
    }


def server_state(fake: FakeApiServer, ns: str) -> dict[str, str]:
    return {name_of(o): o["metadata"]["resourceVersion"] for o in fake.list("v1", "ConfigMap", ns)}


def cache_state(informer: Informer) -> dict[str, str]:
    return {name_of(o): o["metadata"]["resourceVersion"] for o in informer.list()}


async def converge(
    fake: FakeApiServer, informer: Informer, tracker: Tracker, ns: str, timeout: float = 5.0
) -> dict[str, str]:
    """Poll until the cache and the handler's view equal the server; fail after ``timeout``."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                want = server_state(fake, ns)
                if cache_state(informer) == want and tracker.state == want:
                    return want
                await asyncio.sleep(0.01)
    except TimeoutError:
        pytest.fail(
            f"cache did not converge: server={server_state(fake, ns)} "
            f"cache={cache_state(informer)} handler={tracker.state}"
        )


def requests(fake: FakeApiServer, verb: str) -> list[dict[str, str]]:
    return [
        dict(r.query) for r in fake.faults.requests if r.verb == verb and r.plural == "configmaps"
    ]


def full_lists(fake: FakeApiServer) -> list[dict[str, str]]:
    """LISTs, without the reflector's one-item resourceVersion checks after a reconnect."""
    return [q for q in requests(fake, "list") if q.get("limit") != "1"]


def version_checks(fake: FakeApiServer) -> list[dict[str, str]]:
    return [q for q in requests(fake, "list") if q.get("limit") == "1"]


@pytest_asyncio.fixture
async def client(kube: TestCluster) -> AsyncIterator[Client]:
    async with await Client.from_kubeconfig(kube.kubeconfig_path) as c:
        yield c


@contextlib.asynccontextmanager
async def started(
    client: Client, ns: str, registry: CollectorRegistry | None = None
) -> AsyncIterator[tuple[Informer, Tracker]]:
    cache = Cache(client, clock=SystemClock(), registry=registry, reflector_options=FAST)
    informer = cache.informer(CONFIG_MAP, namespace=ns)
    tracker = Tracker()
    informer.add_handler(tracker)
    task = asyncio.ensure_future(cache.run())
    try:
        assert await cache.wait_for_sync(10)
        yield informer, tracker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def fake_of(kube: TestCluster) -> FakeApiServer:
    assert kube.fake is not None
    return kube.fake


async def test_paginated_initial_list(kube: TestCluster, client: Client, namespace: str) -> None:
    fake = fake_of(kube)
    for i in range(1100):
        fake.create(cm(f"cm{i:04}", namespace))
    async with started(client, namespace) as (informer, tracker):
        want = await converge(fake, informer, tracker, namespace)
        assert len(want) >= 1100
        lists = requests(fake, "list")
        assert [q.get("limit") for q in lists] == ["500", "500", "500"]
        assert [bool(q.get("continue")) for q in lists] == [False, True, True]


async def test_watch_cuts_lose_and_duplicate_nothing(
    kube: TestCluster, client: Client, namespace: str
) -> None:
    fake = fake_of(kube)
    for i in range(5):
        await client.create(CONFIG_MAP, cm(f"a{i}", namespace))
    async with started(client, namespace) as (informer, tracker):
        await converge(fake, informer, tracker, namespace)
        for round_, abort in enumerate([False, True, False, True]):
            fake.faults.cut_watches(abort=abort)
            await client.create(CONFIG_MAP, cm(f"b{round_}", namespace))
            await client.patch(CONFIG_MAP, "a0", {"data": {"r": str(round_)}}, namespace)
            await client.delete(CONFIG_MAP, f"a{round_ + 1}", namespace)
            await converge(fake, informer, tracker, namespace)
        assert tracker.problems == []
        assert sorted(tracker.deleted) == ["a1", "a2", "a3", "a4"]
        assert len(full_lists(fake)) == 1  # cuts re-watch from the last RV, no relist


async def test_deletions_while_disconnected_are_seen_after_compaction(
    kube: TestCluster, client: Client, namespace: str
) -> None:
    fake = fake_of(kube)
    for i in range(6):
        fake.create(cm(f"c{i}", namespace))
    registry = CollectorRegistry()
    async with started(client, namespace, registry) as (informer, tracker):
        await converge(fake, informer, tracker, namespace)
        last_rv = informer.last_sync_resource_version
        # Keep the watch down while the world changes, then forget the history.
        rule = fake.faults.fail_next("watch", status=500, count=1_000_000, plural="configmaps")
        fake.faults.cut_watches(abort=True)
        fake.delete("v1", "ConfigMap", "c1", namespace)
        fake.delete("v1", "ConfigMap", "c2", namespace)
        live = fake.get("v1", "ConfigMap", "c3", namespace)
        assert live is not None
        live["data"] = {"changed": "yes"}
        fake.update(live)
        fake.create(cm("new", namespace))
        fake.compact()
        fake.faults.rules.remove(rule)
        await converge(fake, informer, tracker, namespace)
        assert tracker.problems == []
        assert sorted(tracker.deleted) == ["c1", "c2"]
        relists = [q for q in requests(fake, "list") if q.get("resourceVersionMatch")]
        assert relists[0]["resourceVersion"] == last_rv
        assert relists[0]["resourceVersionMatch"] == "NotOlderThan"
        assert (
            registry.get_sample_value(
                "aim_engine_cache_relists_total", {"kind": "ConfigMap", "reason": "gone"}
            )
            == 1.0
        )


async def test_forced_410_relists_at_last_rv_then_unconditionally(
    kube: TestCluster, client: Client, namespace: str
) -> None:
    fake = fake_of(kube)
    await client.create(CONFIG_MAP, cm("x", namespace))
    async with started(client, namespace) as (informer, tracker):
        await converge(fake, informer, tracker, namespace)
        last_rv = informer.last_sync_resource_version
        # In-stream 410 on the open watch (its next events were compacted away before it woke);
        # the first relist (at the last RV) also gets 410.
        fake.faults.fail_next("list", status=410, plural="configmaps")
        fake.create(cm("y", namespace))
        fake.delete("v1", "ConfigMap", "x", namespace)
        fake.compact()
        await converge(fake, informer, tracker, namespace)
        lists = [
            (q.get("resourceVersion"), q.get("resourceVersionMatch")) for q in full_lists(fake)
        ]
        assert lists == [(None, None), (last_rv, "NotOlderThan"), (None, None)]
        assert tracker.problems == []
        assert tracker.deleted == ["x"]


async def test_server_restart(kube: TestCluster, client: Client, namespace: str) -> None:
    fake = fake_of(kube)
    for i in range(4):
        await client.create(CONFIG_MAP, cm(f"r{i}", namespace))
    async with started(client, namespace) as (informer, tracker):
        await converge(fake, informer, tracker, namespace)
        await fake.restart()
        await client.create(CONFIG_MAP, cm("after", namespace))
        await converge(fake, informer, tracker, namespace)
        # A restart that also loses the watch history, with changes while nobody watched.
        rule = fake.faults.fail_next("watch", status=503, count=1_000_000, plural="configmaps")
        await fake.restart()
        fake.delete("v1", "ConfigMap", "r0", namespace)
        fake.create(cm("during", namespace))
        fake.compact()
        fake.faults.rules.remove(rule)
        await converge(fake, informer, tracker, namespace)
        assert tracker.problems == []
        assert tracker.deleted == ["r0"]


async def test_server_restart_that_loses_its_state_converges_in_one_relist(
    kube: TestCluster, client: Client, namespace: str
) -> None:
    """As after an etcd restore or a test cluster restarted without its data: the informer's
    resourceVersion is in the new server's future. It must notice, relist once from scratch and
    report the old objects deleted."""
    fake = fake_of(kube)
    for i in range(6):
        await client.create(CONFIG_MAP, cm(f"old{i}", namespace))
    registry = CollectorRegistry()
    async with started(client, namespace, registry) as (informer, tracker):
        await converge(fake, informer, tracker, namespace)
        old_rv = informer.last_sync_resource_version
        await fake.wait_for_watches(1)
        await fake.restart(keep_state=False)
        assert fake.resource_version < int(old_rv)
        fake.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        fake.create(cm("old0", namespace, new="yes"))  # same name, a new object
        fake.create(cm("fresh", namespace))
        want = await converge(fake, informer, tracker, namespace)
        assert sorted(want) == ["fresh", "old0"]
        # The new old0 may even have the old one's resourceVersion: the cache has the new one.
        assert informer.get("old0", namespace)["data"] == {"new": "yes"}  # type: ignore[index]
        assert sorted(tracker.deleted) == [f"old{i}" for i in range(1, 6)]
        assert tracker.problems == []
        # The first list, then one relist after the restart, from scratch.
        assert full_lists(fake) == [{"limit": "500"}, {"limit": "500"}]
        assert version_checks(fake)[-1]["resourceVersion"] == old_rv
        assert (
            registry.get_sample_value(
                "aim_engine_cache_relists_total", {"kind": "ConfigMap", "reason": "too_large"}
            )
            == 1.0
        )
        # And it keeps following the new server.
        await client.create(CONFIG_MAP, cm("later", namespace))
        await converge(fake, informer, tracker, namespace)
        assert tracker.problems == []


async def test_reader_gets_copies_from_a_live_cache(
    kube: TestCluster, client: Client, namespace: str
) -> None:
    await client.create(CONFIG_MAP, cm("k", namespace, a="1"))
    cache = Cache(client, clock=SystemClock(), reflector_options=FAST)
    cache.informer(CONFIG_MAP, namespace=namespace)
    task = asyncio.ensure_future(cache.run())
    try:
        assert await cache.wait_for_sync(10)
        got: dict[str, Any] = cache.get(CONFIG_MAP, "k", namespace)
        assert "managedFields" not in got["metadata"]
        got["data"]["a"] = "mutated"
        assert cache.get(CONFIG_MAP, "k", namespace)["data"] == {"a": "1"}
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

"""kube-apiserver restarted over an empty etcd: the cache notices and converges in one relist.

This is what happens after an etcd restore, or when a test cluster restarts without its data: the
resourceVersion an informer holds is in the new server's future. kube-apiserver keeps a watch from
it open and silent (no events, no bookmarks) and answers a list at it with 504 "Too large
resource version" after 3 s. The reflector must find out, list from scratch once, and report the
old objects deleted. The test starts its own control plane (the session's one is shared by other
tests, which this restart would wipe out).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from prometheus_client import CollectorRegistry

from aim_engine.cache import Cache, Informer, ReflectorOptions
from aim_engine.client import Client, WatchEvent
from aim_engine.clock import SystemClock
from aim_engine.errors import ServerError, TransportError
from aim_engine.kinds import CONFIG_MAP, NAMESPACE, ResourceKind
from aim_engine.objects import RawObject, name_of
from aim_engine.testing.envtest import ControlPlane

FAST = ReflectorOptions(backoff_initial=0.05, backoff_max=0.2, backoff_jitter=0.5)
NS = "restarted"
T = TypeVar("T")


class RecordingApi:
    """The client as the cache's ListerWatcher, recording every LIST and whether it succeeded."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.lists: list[tuple[dict[str, Any], bool]] = []

    async def list(
        self, kind: ResourceKind, namespace: str | None = None, **options: Any
    ) -> RawObject:
        try:
            result = await self.client.list(kind, namespace, **options)
        except BaseException:
            self.lists.append((options, False))
            raise
        self.lists.append((options, True))
        return result

    def watch(
        self, kind: ResourceKind, namespace: str | None = None, **options: Any
    ) -> AsyncIterator[WatchEvent]:
        return self.client.watch(kind, namespace, **options)


class Tracker:
    """The state handlers were told about, and every deletion."""

    def __init__(self) -> None:
        self.state: dict[str, str] = {}
        self.deleted: list[str] = []

    def on_add(self, obj: RawObject, is_initial_list: bool) -> None:
        self.state[name_of(obj)] = obj["metadata"]["resourceVersion"]

    def on_update(self, old: RawObject, new: RawObject, is_resync: bool) -> None:
        self.state[name_of(new)] = new["metadata"]["resourceVersion"]

    def on_delete(self, obj: RawObject) -> None:
        self.state.pop(name_of(obj), None)
        self.deleted.append(name_of(obj))


def cm(name: str, **data: str) -> RawObject:
    return {"metadata": {"name": name, "namespace": NS}, "data": dict(data)}


async def retrying(call: Callable[[], Awaitable[T]], timeout: float = 30.0) -> T:
    """``call()``, again while the freshly restarted server is not serving yet."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                return await call()
            except (TransportError, ServerError):
                await asyncio.sleep(0.1)


async def server_state(client: Client) -> dict[str, str]:
    items = (await client.list(CONFIG_MAP, NS))["items"]
    return {name_of(o): o["metadata"]["resourceVersion"] for o in items}


async def converge(
    client: Client, informer: Informer, tracker: Tracker, timeout: float = 60.0
) -> dict[str, str]:
    """Poll until the cache and the handler's view equal the server; fail after ``timeout``."""
    want: dict[str, str] = {}
    cached: dict[str, str] = {}
    try:
        async with asyncio.timeout(timeout):
            while True:
                want = await server_state(client)
                cached = {name_of(o): o["metadata"]["resourceVersion"] for o in informer.list()}
                if cached == want and tracker.state == want:
                    return want
                await asyncio.sleep(0.1)
    except TimeoutError:
        pytest.fail(f"cache did not converge: server={want} cache={cached} handler={tracker.state}")


@pytest.mark.timeout(300)
async def test_a_cache_converges_in_one_relist_after_kube_apiserver_restarts_over_an_empty_etcd(
    assets_dir: Path,
) -> None:
    plane = ControlPlane(assets_dir)
    await asyncio.to_thread(plane.start)
    try:
        async with await Client.from_kubeconfig(plane.kubeconfig_path) as client:
            await client.create(NAMESPACE, {"metadata": {"name": NS}})
            for i in range(6):
                await client.create(CONFIG_MAP, cm(f"old{i}"))
            # Move the resourceVersion well past what a fresh server reaches while it starts,
            # so that the versions held before the restart are in the new server's future.
            for i in range(150):
                await client.patch(CONFIG_MAP, "old0", {"data": {"n": str(i)}}, NS)
            api = RecordingApi(client)
            registry = CollectorRegistry()
            cache = Cache(api, clock=SystemClock(), registry=registry, reflector_options=FAST)
            informer = cache.informer(CONFIG_MAP, namespace=NS)
            tracker = Tracker()
            informer.add_handler(tracker)
            task = asyncio.ensure_future(cache.run())
            try:
                assert await cache.wait_for_sync(30)
                await converge(client, informer, tracker)
                old_rv = int(informer.last_sync_resource_version)
                before = len(api.lists)

                await asyncio.to_thread(plane.restart, keep_state=False)
                listed = await retrying(lambda: client.list(CONFIG_MAP, "default"))
                assert int(listed["metadata"]["resourceVersion"]) < old_rv  # the premise
                await retrying(lambda: client.create(NAMESPACE, {"metadata": {"name": NS}}))
                await client.create(CONFIG_MAP, cm("old0", new="yes"))  # a new object
                await client.create(CONFIG_MAP, cm("fresh"))

                want = await converge(client, informer, tracker)
                assert sorted(want) == ["fresh", "old0"]
                assert informer.get("old0", NS)["data"] == {"new": "yes"}  # type: ignore[index]
                # old0 is also reported deleted (then added) when the relist ran before it was
                # created again; the others are gone for good.
                assert sorted(set(tracker.deleted) - {"old0"}) == [f"old{i}" for i in range(1, 6)]
                full_lists = [
                    options.get("resource_version")
                    for options, ok in api.lists[before:]
                    if ok and options.get("limit") != 1
                ]
                assert full_lists == [None]  # one relist, from scratch
                relists = registry.get_sample_value(
                    "aim_engine_cache_relists_total", {"kind": "ConfigMap", "reason": "too_large"}
                )
                assert relists == 1.0
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
    finally:
        await asyncio.to_thread(plane.stop)

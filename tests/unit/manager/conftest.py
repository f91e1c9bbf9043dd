"""Fakes for manager unit tests: a cache whose sync the test controls, an in-memory Lease API."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

import pytest
from prometheus_client import CollectorRegistry

from aim_engine.cache import Cache
from aim_engine.client import Client
from aim_engine.clock import wait_event
from aim_engine.controller import Controller, Request, Result
from aim_engine.errors import AlreadyExistsError, ConflictError, NotFoundError, ServerError
from aim_engine.kinds import ResourceKind
from aim_engine.leader import LeaderElectionConfig
from aim_engine.manager import Manager
from aim_engine.objects import RawObject
from aim_engine.queue import WorkQueue
from aim_engine.testing import FakeClock


class FakeCache:
    """Stands in for :class:`Cache`: ``synced`` decides when ``wait_for_sync`` returns, and
    ``stale`` is what ``stale_informers`` answers."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.synced = asyncio.Event()
        self.running = False
        self.stale: list[object] = []

    def stale_informers(self) -> list[object]:
        return list(self.stale)

    @property
    def has_synced(self) -> bool:
        return self.synced.is_set()

    async def run(self) -> None:
        self.running = True
        try:
            await asyncio.Event().wait()
        finally:
            self.running = False

    async def wait_for_sync(self, timeout: float) -> bool:
        return await wait_event(self.clock, self.synced, timeout)


class InMemoryLeases:
    """The three Lease calls of the elector, on a dict; ``fail`` makes every call a 500."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], RawObject] = {}
        self.rv = 0
        self.fail = False

    def _check(self) -> None:
        if self.fail:
            raise ServerError(500, "InternalError", "injected")

    async def get(self, kind: ResourceKind, name: str, namespace: str | None = None) -> RawObject:
        self._check()
        try:
            return copy.deepcopy(self.objects[(namespace or "", name)])
        except KeyError:
            raise NotFoundError(404, "NotFound", name) from None

    async def create(
        self, kind: ResourceKind, obj: Mapping[str, Any], namespace: str | None = None
    ) -> RawObject:
        self._check()
        key = (namespace or "", obj["metadata"]["name"])
        if key in self.objects:
            raise AlreadyExistsError(409, "AlreadyExists", key[1])
        return self._store(key, obj)

    async def replace(
        self, kind: ResourceKind, obj: Mapping[str, Any], namespace: str | None = None
    ) -> RawObject:
        self._check()
        key = (namespace or "", obj["metadata"]["name"])
        current = self.objects.get(key)
        if current is None:
            raise NotFoundError(404, "NotFound", key[1])
        if obj["metadata"].get("resourceVersion") != current["metadata"]["resourceVersion"]:
            raise ConflictError(409, "Conflict", "stale")
        return self._store(key, obj)

    def _store(self, key: tuple[str, str], obj: Mapping[str, Any]) -> RawObject:
        self.rv += 1
        stored = copy.deepcopy(dict(obj))
        stored["metadata"] = {**stored["metadata"], "resourceVersion": str(self.rv)}
        self.objects[key] = stored
        return copy.deepcopy(stored)

    def holder(self, name: str = "lease", namespace: str = "ns") -> str:
        obj = self.objects.get((namespace, name))
        return str(obj["spec"].get("holderIdentity") or "") if obj else ""


class SlowReconciler:
    """Sleeps ``duration`` clock seconds per reconcile; records starts, ends and cancellations."""

    def __init__(self, clock: FakeClock, duration: float) -> None:
        self.clock = clock
        self.duration = duration
        self.started: list[Request] = []
        self.finished: list[Request] = []
        self.cancelled: list[Request] = []
        self.cancelled_at: list[float] = []

    async def reconcile(self, request: Request) -> Result:
        self.started.append(request)
        try:
            await self.clock.sleep(self.duration)
        except asyncio.CancelledError:
            self.cancelled.append(request)
            self.cancelled_at.append(self.clock.monotonic())
            raise
        self.finished.append(request)
        return Result()


MakeManager = Callable[..., Manager]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(0.0)


@pytest.fixture
def fake_cache(clock: FakeClock) -> FakeCache:
    return FakeCache(clock)


@pytest.fixture
def leases() -> InMemoryLeases:
    return InMemoryLeases()


@pytest.fixture
def make_manager(clock: FakeClock, fake_cache: FakeCache, leases: InMemoryLeases) -> MakeManager:
    def make(*, leader: bool = False, identity: str = "me", **kwargs: Any) -> Manager:
        config = LeaderElectionConfig("lease", "ns", identity=identity) if leader else None
        kwargs.setdefault("metrics_bind_address", "0")
        return Manager(
            cast(Client, leases),
            clock=clock,
            registry=CollectorRegistry(),
            leader_election=config,
            cache=cast(Cache, fake_cache),
            **kwargs,
        )

    return make


def add_controller(
    manager: Manager, reconciler: SlowReconciler, *, name: str = "slow", leader: bool = True
) -> Controller:
    queue: WorkQueue[Request] = WorkQueue(clock=manager.clock, name=name, registry=manager.registry)
    controller = Controller(
        name=name,
        kind="ConfigMap",
        reconciler=reconciler,
        queue=queue,
        clock=manager.clock,
        metrics=manager.controller_metrics.bind(name, 1),
        need_leader_election=leader,
    )
    manager.add_controller(controller)
    return controller


async def start(manager: Manager) -> asyncio.Task[None]:
    task = asyncio.get_running_loop().create_task(manager.run())
    await asyncio.sleep(0)
    return task


Probe = Callable[[], Awaitable[None]]

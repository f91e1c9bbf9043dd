"""The discovery lock: the Lease algorithm of spec §5.2.6 against an in-memory Lease client."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping
from typing import Any

from aim_engine.errors import AlreadyExistsError, ConflictError, NotFoundError
from aim_engine.kinds import ResourceKind
from aim_engine.leader import format_micro_time
from aim_engine.objects import RawObject
from aim_engine.testing.clock import FakeClock
from controllers.template.lock import DiscoveryLock

NS = "aim-system"


class Leases:
    """get/create/replace over one stored Lease, recording the write verbs."""

    def __init__(self, lease: RawObject | None = None) -> None:
        self.lease = lease
        self.writes: list[str] = []
        self.conflicts = 0

    async def get(self, kind: ResourceKind, name: str, namespace: str | None = None) -> RawObject:
        if self.lease is None:
            raise NotFoundError(404, "NotFound", "lease not found")
        return copy.deepcopy(self.lease)

    async def create(
        self, kind: ResourceKind, obj: Mapping[str, Any], namespace: str | None = None
    ) -> RawObject:
        self.writes.append("create")
        if self.lease is not None:
            raise AlreadyExistsError(409, "AlreadyExists", "exists")
        self.lease = copy.deepcopy(dict(obj))
        return copy.deepcopy(self.lease)

    async def replace(
        self, kind: ResourceKind, obj: Mapping[str, Any], namespace: str | None = None
    ) -> RawObject:
        self.writes.append("replace")
        if self.conflicts:
            self.conflicts -= 1
            raise ConflictError(409, "Conflict", "stale")
        self.lease = copy.deepcopy(dict(obj))
        return copy.deepcopy(self.lease)


def lease(holder: str | None, renew: str | None, duration: int = 30) -> RawObject:
    spec: dict[str, Any] = {"leaseDurationSeconds": duration}
    if holder:
        spec["holderIdentity"] = holder
    if renew:
        spec["renewTime"] = renew
    return {"metadata": {"name": "aim-discovery-lock", "namespace": NS}, "spec": spec}


def make(client: Leases, clock: FakeClock, identity: str = "me") -> DiscoveryLock:
    return DiscoveryLock(client, clock, namespace=NS, identity=identity)


async def test_absent_lease_is_created_held_and_released() -> None:
    clock, client = FakeClock(), Leases()
    lock = make(client, clock)
    assert not lock.held()
    async with lock.hold() as held:
        assert held
        assert lock.held()
        assert client.lease is not None
        spec = client.lease["spec"]
        assert spec["holderIdentity"] == "me"
        assert spec["leaseDurationSeconds"] == 30
        assert spec["renewTime"] == format_micro_time(clock.now())
    assert not lock.held()
    assert client.writes == ["create", "replace"]
    assert "holderIdentity" not in client.lease["spec"]
    assert "renewTime" not in client.lease["spec"]


async def test_own_lease_is_renewed_expired_lease_is_taken_over() -> None:
    clock = FakeClock()
    mine = Leases(lease("me", format_micro_time(clock.now())))
    async with make(mine, clock).hold() as held:
        assert held
    assert mine.writes == ["replace", "replace"]

    clock.advance(100)  # the other holder's renewTime + 30 s is long past
    theirs = Leases(lease("other", "2026-01-01T00:00:00.000000Z"))
    async with make(theirs, clock).hold() as held:
        assert held
        assert theirs.lease is not None
        assert theirs.lease["spec"]["holderIdentity"] == "me"


async def test_lease_without_holder_or_renew_time_is_free() -> None:
    clock = FakeClock()
    for stored in (lease(None, None), lease("other", None)):
        client = Leases(stored)
        async with make(client, clock).hold() as held:
            assert held


async def test_a_conflict_is_retried() -> None:
    clock = FakeClock()
    client = Leases(lease(None, None))
    client.conflicts = 1
    async with clock.autojump(), make(client, clock).hold() as held:
        assert held
    assert client.writes[:2] == ["replace", "replace"]


async def test_lease_held_elsewhere_times_out_after_the_wait() -> None:
    clock = FakeClock()
    client = Leases(lease("other", format_micro_time(clock.now())))
    lock = make(client, clock)
    start = clock.monotonic()
    async with clock.autojump():
        # the other holder keeps renewing: make its renewTime follow the clock
        async def renew() -> None:
            while True:
                assert client.lease is not None
                client.lease["spec"]["renewTime"] = format_micro_time(clock.now())
                await clock.sleep(1)

        renewer = asyncio.create_task(renew())
        try:
            async with lock.hold() as held:
                assert not held
                assert not lock.held()
        finally:
            renewer.cancel()
    assert clock.monotonic() - start >= 30
    assert client.writes == []  # never ours: nothing written, nothing released


async def test_holders_in_one_process_take_turns() -> None:
    clock, client = FakeClock(), Leases()
    lock = make(client, clock)
    order: list[str] = []

    async def holder(name: str) -> None:
        async with lock.hold() as held:
            assert held
            order.append(f"{name} in")
            await clock.sleep(1)
            order.append(f"{name} out")

    async with clock.autojump():
        await asyncio.gather(holder("a"), holder("b"))
    assert order == ["a in", "a out", "b in", "b out"]

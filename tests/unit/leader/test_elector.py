"""LeaderElector against an in-memory Lease store, on a FakeClock (no sockets, no real time)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import re

import pytest
from prometheus_client import CollectorRegistry

from aim_engine.errors import ConfigurationError
from aim_engine.kinds import LEASE
from aim_engine.leader import (
    LeaderElectionConfig,
    LeaderElector,
    LeaseLostError,
    default_identity,
    format_micro_time,
    parse_micro_time,
)
from aim_engine.testing import FakeClock
from aim_engine.testing.clock import DEFAULT_WALL_START
from tests.unit.leader.lease_store import LeaseClientView, LeaseStore

MICRO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def make(
    store: LeaseStore, clock: FakeClock, identity: str, seed: int = 0, **kw: object
) -> tuple[LeaderElector, LeaseClientView]:
    client = store.client()
    config = LeaderElectionConfig(name="lock", namespace="ns", identity=identity, **kw)  # type: ignore[arg-type]
    return LeaderElector(client, config, clock=clock, rng=random.Random(seed)), client


def seconds_of(micro_time: str) -> float:
    return (parse_micro_time(micro_time) - DEFAULT_WALL_START).total_seconds()


class Work:
    """Leader-only work that runs until cancelled (or for ``duration``), recording when."""

    def __init__(self, clock: FakeClock, duration: float | None = None) -> None:
        self.clock = clock
        self.duration = duration
        self.started_at: float | None = None
        self.stopped_at: float | None = None

    def has_started(self) -> bool:
        return self.started_at is not None

    async def __call__(self) -> None:
        self.started_at = self.clock.monotonic()
        try:
            if self.duration is None:
                await asyncio.Event().wait()
            else:
                await self.clock.sleep(self.duration)
        finally:
            self.stopped_at = self.clock.monotonic()


def test_config_defaults_and_validation() -> None:
    cfg = LeaderElectionConfig(name="x", namespace="ns")
    assert (cfg.lease_duration, cfg.renew_deadline, cfg.retry_period) == (15.0, 10.0, 2.0)
    assert cfg.jitter_factor == 1.2
    assert cfg.call_timeout == 5.0
    assert re.fullmatch(r".+_[0-9a-f-]{36}", cfg.identity)
    assert default_identity() != default_identity()
    for bad in (
        {"lease_duration": 10.0},  # not > renew_deadline
        {"renew_deadline": 2.0},  # not > 1.2 * retry_period
        {"retry_period": 0.0},
        {"identity": ""},
    ):
        with pytest.raises(ConfigurationError):
            LeaderElectionConfig(name="x", namespace="ns", **bad)
    with pytest.raises(ConfigurationError):
        LeaderElectionConfig(name="", namespace="ns")


def test_micro_time_format() -> None:
    when = dt.datetime(2006, 1, 2, 15, 4, 5, 7, tzinfo=dt.UTC)
    assert format_micro_time(when) == "2006-01-02T15:04:05.000007Z"
    assert parse_micro_time("2006-01-02T15:04:05.000007Z") == when


async def test_first_candidate_creates_the_lease_and_renews_it() -> None:
    clock = FakeClock()
    store = LeaseStore()
    reg = CollectorRegistry()
    a, _ = make(store, clock, "a")
    a = LeaderElector(store.client(), a.config, clock=clock, registry=reg)
    assert reg.get_sample_value("leader_election_master_status", {"name": "lock"}) == 0
    runner = asyncio.create_task(a.run(Work(clock)))
    await clock.tick()
    assert a.leading.is_set()
    assert reg.get_sample_value("leader_election_master_status", {"name": "lock"}) == 1
    spec = store.spec("lock")
    assert spec["holderIdentity"] == "a"
    assert spec["leaseDurationSeconds"] == 15
    assert spec["leaseTransitions"] == 0
    assert MICRO_TIME.match(spec["acquireTime"])
    assert MICRO_TIME.match(spec["renewTime"])
    await clock.tick(7)
    spec = store.spec("lock")
    assert seconds_of(spec["renewTime"]) == 6  # renewed every retry period
    assert seconds_of(spec["acquireTime"]) == 0  # renewing keeps acquireTime
    assert spec["leaseTransitions"] == 0
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner
    assert reg.get_sample_value("leader_election_master_status", {"name": "lock"}) == 0


async def test_second_candidate_takes_over_only_after_the_lease_expires() -> None:
    clock = FakeClock()
    store = LeaseStore()
    a, a_client = make(store, clock, "a")
    b, _ = make(store, clock, "b", seed=1)
    a_work, b_work = Work(clock), Work(clock)
    a_run = asyncio.create_task(a.run(a_work))
    await clock.tick()
    b_run = asyncio.create_task(b.run(b_work))
    await clock.tick(60)
    assert a.leading.is_set()
    assert not b.leading.is_set()
    assert not b_work.has_started()

    a_client.broken = True  # a can no longer reach the API server
    last_renew = seconds_of(store.spec("lock")["renewTime"])
    await clock.tick(30)

    assert a_run.done()
    with pytest.raises(LeaseLostError):
        await a_run
    assert a_work.stopped_at is not None
    assert b_work.started_at is not None
    # a stopped its work within retry_period + renew_deadline of its last renewal ...
    assert a_work.stopped_at <= last_renew + 2 + 10
    # ... and b took over only once the lease had expired, after a stopped.
    assert b_work.started_at >= last_renew + 15
    assert a_work.stopped_at < b_work.started_at
    spec = store.spec("lock")
    assert spec["holderIdentity"] == "b"
    assert spec["leaseTransitions"] == 1
    assert not a.leading.is_set()
    b_run.cancel()
    await asyncio.gather(b_run, return_exceptions=True)


async def test_release_on_clean_shutdown_lets_the_successor_take_over_at_once() -> None:
    clock = FakeClock()
    store = LeaseStore()
    a, _ = make(store, clock, "a")
    b, _ = make(store, clock, "b", seed=1)
    a_run = asyncio.create_task(a.run(Work(clock, duration=30)))
    await clock.tick()
    b_work = Work(clock)
    b_run = asyncio.create_task(b.run(b_work))
    await clock.tick(30)
    await a_run  # returned cleanly after its work finished
    spec = store.spec("lock")
    assert spec["holderIdentity"] == ""
    assert spec["leaseDurationSeconds"] == 1
    released_at = clock.monotonic()
    await clock.tick(2 * (1 + 1.2))  # at most one jittered retry period
    assert b_work.started_at is not None
    assert b_work.started_at - released_at < 15
    assert store.spec("lock")["holderIdentity"] == "b"
    assert store.spec("lock")["leaseTransitions"] == 1
    b_run.cancel()
    await asyncio.gather(b_run, return_exceptions=True)
    assert store.spec("lock")["holderIdentity"] == ""  # cancellation releases too


async def test_no_release_when_disabled() -> None:
    clock = FakeClock()
    store = LeaseStore()
    a, _ = make(store, clock, "a", release_on_cancel=False)
    async with clock.autojump():
        await a.run(Work(clock, duration=5))
    assert store.spec("lock")["holderIdentity"] == "a"


async def test_transient_renew_failures_shorter_than_the_deadline_keep_leadership() -> None:
    clock = FakeClock()
    store = LeaseStore()
    a, a_client = make(store, clock, "a")
    work = Work(clock)
    a_run = asyncio.create_task(a.run(work))
    await clock.tick(1)
    a_client.broken = True
    await clock.tick(8)
    a_client.broken = False
    await clock.tick(20)
    assert a.leading.is_set()
    assert work.stopped_at is None
    a_run.cancel()
    await asyncio.gather(a_run, return_exceptions=True)


async def test_remote_timestamps_are_not_trusted() -> None:
    clock = FakeClock()
    store = LeaseStore()
    ghost = store.client()
    await ghost.create(
        LEASE,
        {
            "metadata": {"name": "lock", "namespace": "ns"},
            "spec": {
                "holderIdentity": "ghost",
                "leaseDurationSeconds": 15,
                "renewTime": "2000-01-01T00:00:00.000000Z",
                "acquireTime": "2000-01-01T00:00:00.000000Z",
                "leaseTransitions": 4,
            },
        },
        "ns",
    )
    b, _ = make(store, clock, "b")
    acquiring = asyncio.create_task(b.acquire())
    # renewTime is decades old, but b has only just seen the record: it waits a full lease.
    await clock.tick(14)
    assert not acquiring.done()
    await clock.tick(6)
    assert acquiring.done()
    assert store.spec("lock")["holderIdentity"] == "b"
    assert store.spec("lock")["leaseTransitions"] == 5
    await b.release()


async def test_racing_candidates_only_one_wins() -> None:
    clock = FakeClock()
    store = LeaseStore()
    a, a_client = make(store, clock, "a")
    await a.acquire()
    a_client.broken = True  # a vanishes without releasing
    # b and c use the same jitter, so they read and write the expired lease at the same instant.
    b, _ = make(store, clock, "b", seed=3)
    c, _ = make(store, clock, "c", seed=3)
    tb = asyncio.create_task(b.acquire())
    tc = asyncio.create_task(c.acquire())
    await clock.tick(25)
    assert tb.done() != tc.done()
    winner = "b" if tb.done() else "c"
    assert store.spec("lock")["holderIdentity"] == winner
    assert store.spec("lock")["leaseTransitions"] == 1
    for t in (tb, tc):
        t.cancel()
    await asyncio.gather(tb, tc, return_exceptions=True)


async def test_a_foreign_holder_ends_leadership_immediately() -> None:
    clock = FakeClock()
    store = LeaseStore()
    a, _ = make(store, clock, "a")
    work = Work(clock)
    a_run = asyncio.create_task(a.run(work))
    await clock.tick(1)
    # Someone overwrites the lease (e.g. an operator deleting and re-creating it by hand).
    store.objects[("ns", "lock")]["spec"]["holderIdentity"] = "intruder"
    store.objects[("ns", "lock")]["metadata"]["resourceVersion"] = "999"
    await clock.tick(3)
    assert a_run.done()
    with pytest.raises(LeaseLostError):
        await a_run
    assert work.stopped_at is not None
    assert work.stopped_at <= 3


async def test_hold_without_leadership_raises() -> None:
    a, _ = make(LeaseStore(), FakeClock(), "a")
    with pytest.raises(LeaseLostError):
        await a.hold()


async def test_leader_work_errors_propagate_and_release_the_lease() -> None:
    clock = FakeClock()
    store = LeaseStore()
    a, _ = make(store, clock, "a")

    async def boom() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await a.run(boom)
    assert store.spec("lock")["holderIdentity"] == ""


async def test_unreachable_server_is_retried_with_a_warning_per_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    store = LeaseStore()
    a, a_client = make(store, clock, "a")
    a_client.broken = True
    caplog.set_level(logging.WARNING, logger="aim_engine.leader")
    acquiring = asyncio.create_task(a.acquire())
    await clock.tick(10)
    failures = [r for r in caplog.records if r.getMessage() == "failed to read leader lease"]
    assert len(failures) == a_client.calls > 1  # still trying, and every attempt is logged
    assert {r.levelno for r in failures} == {logging.WARNING}
    assert {getattr(r, "error", None) for r in failures} == {"connection refused"}
    a_client.broken = False
    await clock.tick(3)
    assert acquiring.done()
    assert a.leading.is_set()

"""Components sharing one Prometheus registry share one family per name."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Counter

from aim_engine.cache import Cache
from aim_engine.client._metrics import request_counter
from aim_engine.leader._metrics import master_status_gauge
from aim_engine.queue import WorkQueue
from aim_engine.registry_sharing import shared_on
from aim_engine.testing import FakeClock


def test_first_call_builds_later_calls_reuse() -> None:
    reg = CollectorRegistry()
    built: list[Counter] = []

    def build() -> Counter:
        built.append(Counter("x_total", "x", registry=reg))
        return built[-1]

    assert shared_on(reg, "x", build) is shared_on(reg, "x", build)
    assert len(built) == 1
    assert shared_on(CollectorRegistry(), "x", lambda: 1) == 1  # a fresh registry starts empty


def test_a_foreign_collector_with_the_same_name_is_an_error() -> None:
    reg = CollectorRegistry()
    Counter("rest_client_requests", "not ours", registry=reg)
    with pytest.raises(ValueError, match="Duplicated"):
        request_counter(reg)


def test_framework_families_are_shared_per_registry() -> None:
    reg = CollectorRegistry()
    assert request_counter(reg) is request_counter(reg)
    assert master_status_gauge(reg) is master_status_gauge(reg)
    clock = FakeClock()
    WorkQueue[str](clock=clock, name="a", controller="a", registry=reg).shutdown()
    WorkQueue[str](clock=clock, name="b", controller="b", registry=reg).shutdown()
    Cache(object(), clock=clock, registry=reg)  # type: ignore[arg-type]
    Cache(object(), clock=clock, registry=reg)  # type: ignore[arg-type]
    names = {m.name for m in reg.collect()}
    assert {"rest_client_requests", "leader_election_master_status", "workqueue_adds"} <= names

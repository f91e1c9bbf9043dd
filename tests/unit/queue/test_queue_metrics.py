"""workqueue_* metrics: names, labels, buckets, values, several queues on one registry."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Gauge, generate_latest

from aim_engine.queue import LOW_PRIORITY, WorkQueue
from aim_engine.testing import FakeClock

FAMILIES = {
    "workqueue_depth": "gauge",
    "workqueue_adds": "counter",
    "workqueue_queue_duration_seconds": "histogram",
    "workqueue_work_duration_seconds": "histogram",
    "workqueue_unfinished_work_seconds": "gauge",
    "workqueue_longest_running_processor_seconds": "gauge",
    "workqueue_retries": "counter",
}


def value(reg: CollectorRegistry, metric: str, /, **labels: str) -> float | None:
    return reg.get_sample_value(metric, labels)


async def test_families_zero_filled_with_controller_runtime_names() -> None:
    reg = CollectorRegistry()
    q = WorkQueue[str](clock=FakeClock(), name="mirror", registry=reg)
    got = {m.name: m.type for m in reg.collect()}
    assert got == FAMILIES
    labels = {"name": "mirror", "controller": "mirror"}
    assert value(reg, "workqueue_adds_total", **labels) == 0
    assert value(reg, "workqueue_retries_total", **labels) == 0
    assert value(reg, "workqueue_queue_duration_seconds_count", **labels) == 0
    assert value(reg, "workqueue_unfinished_work_seconds", **labels) == 0
    buckets = [
        s.labels["le"]
        for m in reg.collect()
        if m.name == "workqueue_work_duration_seconds"
        for s in m.samples
        if s.name.endswith("_bucket")
    ]
    assert buckets == [
        "1e-08", "1e-07", "1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1",
        "1.0", "10.0", "100.0", "1000.0", "+Inf",
    ]  # fmt: skip
    del q


async def test_values_follow_the_queue_on_the_clock() -> None:
    clock = FakeClock()
    reg = CollectorRegistry()
    q = WorkQueue[str](clock=clock, name="q", controller="ctl", registry=reg)
    labels = {"name": "q", "controller": "ctl"}
    q.add("a")
    q.add("a")
    q.add("b", priority=LOW_PRIORITY)
    assert value(reg, "workqueue_adds_total", **labels) == 2
    assert value(reg, "workqueue_depth", priority="0", **labels) == 1
    assert value(reg, "workqueue_depth", priority="-100", **labels) == 1
    clock.advance(0.5)
    item = q.get_nowait()
    assert value(reg, "workqueue_depth", priority="0", **labels) == 0  # stays, at zero
    assert value(reg, "workqueue_queue_duration_seconds_sum", **labels) == pytest.approx(0.5)
    assert value(reg, "workqueue_queue_duration_seconds_bucket", le="0.1", **labels) == 0
    assert value(reg, "workqueue_queue_duration_seconds_bucket", le="1.0", **labels) == 1
    clock.advance(3)
    assert value(reg, "workqueue_unfinished_work_seconds", **labels) == pytest.approx(3)
    assert value(reg, "workqueue_longest_running_processor_seconds", **labels) == pytest.approx(3)
    q.done(item)
    assert value(reg, "workqueue_work_duration_seconds_count", **labels) == 1
    assert value(reg, "workqueue_work_duration_seconds_sum", **labels) == pytest.approx(3)
    assert value(reg, "workqueue_unfinished_work_seconds", **labels) == 0
    q.add_after("c", 1)
    q.add_rate_limited("d")
    q.add_after("e", 0)  # client-go counts a zero-delay AddAfter too
    assert value(reg, "workqueue_retries_total", **labels) == 3
    q.shutdown()


async def test_several_queues_share_one_registry_and_exposition_is_valid() -> None:
    reg = CollectorRegistry()
    a = WorkQueue[str](clock=FakeClock(), name="a", registry=reg)
    b = WorkQueue[str](clock=FakeClock(), name="b", registry=reg)
    a.add("x")
    text = generate_latest(reg).decode()
    assert text.count("# TYPE workqueue_depth gauge") == 1
    assert 'workqueue_adds_total{controller="a",name="a"} 1.0' in text
    assert 'workqueue_adds_total{controller="b",name="b"} 0.0' in text
    del a, b


async def test_no_metrics_without_registry_or_name() -> None:
    reg = CollectorRegistry()
    WorkQueue[str](clock=FakeClock(), registry=reg).add("x")
    assert list(reg.collect()) == []


async def test_clash_with_a_foreign_collector_is_reported() -> None:
    reg = CollectorRegistry()
    Gauge("workqueue_depth", "someone else's", registry=reg)
    with pytest.raises(ValueError):
        WorkQueue[str](clock=FakeClock(), name="q", registry=reg)


async def test_priority_label_cardinality_is_capped() -> None:
    reg = CollectorRegistry()
    q = WorkQueue[int](clock=FakeClock(), name="q", registry=reg)
    for p in range(30):
        q.add(p, priority=p)
    depth = [s for m in reg.collect() if m.name == "workqueue_depth" for s in m.samples]
    labels = {s.labels["priority"] for s in depth}
    assert len(labels) == 26
    assert "exceeded_cardinality_limit" in labels
    assert sum(s.value for s in depth) == 30

"""Work-queue metrics under controller-runtime's names, computed cheaply.

The queue's hot path (add → get → done) must stay in the low microseconds, and a
``prometheus_client`` counter or histogram costs a lock and a few hundred nanoseconds per update.
So each queue keeps plain Python numbers (:class:`QueueCounters`, :class:`Histogram`) and one
:class:`WorkQueueCollector` per registry turns them into metric families at scrape time. Gauges
that depend on "now" (``unfinished_work_seconds``, ``longest_running_processor_seconds``) are
computed at scrape time from the processing start times, on the queue's clock, instead of on a
500 ms ticker as client-go does.

The families, labels and buckets are those of controller-runtime
(``pkg/internal/metrics/workqueue.go``): labels ``name`` and ``controller``, plus ``priority`` on
``workqueue_depth`` with at most 25 distinct values per queue (more collapse into
``exceeded_cardinality_limit``); duration histograms with ``ExponentialBuckets(1e-8, 10, 12)``.

Several queues share one registry: the collector is registered once and stored on the registry
object itself, so no module-level state is needed and each registry (one per manager, one per
test) gets its own.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from aim_engine.registry_sharing import shared_on

__all__ = [
    "DURATION_BUCKETS",
    "MAX_PRIORITY_LABELS",
    "Histogram",
    "QueueCounters",
    "QueueSample",
    "WorkQueueCollector",
    "collector_for",
]

DURATION_BUCKETS: tuple[float, ...] = tuple(10.0**exp for exp in range(-8, 4))
"""Upper bounds of the duration histograms: 1e-8 s to 1000 s, times 10 (controller-runtime)."""

MAX_PRIORITY_LABELS = 25
"""Distinct ``priority`` label values per queue before they collapse (controller-runtime)."""

EXCEEDED_CARDINALITY = "exceeded_cardinality_limit"

_LABELS = ("name", "controller")


def _le(bound: float) -> str:
    """Format a bucket bound as Prometheus (Go) does: ``1e-08``, ``0.001``, ``+Inf``."""
    return str(floatToGoString(bound))  # type: ignore[no-untyped-call]


class Histogram:
    """A minimal, lock-free histogram: bucket counts, count and sum as plain numbers."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: tuple[float, ...] = DURATION_BUCKETS) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        """Record one observation."""
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    def cumulative(self) -> list[tuple[str, float]]:
        """Prometheus ``le`` buckets (cumulative, ending with ``+Inf``)."""
        out: list[tuple[str, float]] = []
        running = 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            out.append((_le(bound), float(running)))
        return out


@dataclass(slots=True)
class QueueCounters:
    """The monotonic counters and histograms of one queue, updated on its hot path."""

    adds: int = 0
    retries: int = 0
    queue_duration: Histogram = field(default_factory=Histogram)
    work_duration: Histogram = field(default_factory=Histogram)
    priorities_seen: dict[int, None] = field(default_factory=dict)

    def see_priority(self, priority: int) -> None:
        """Remember a priority for the depth label (the first 25 only)."""
        if priority not in self.priorities_seen and len(self.priorities_seen) < MAX_PRIORITY_LABELS:
            self.priorities_seen[priority] = None


@dataclass(frozen=True, slots=True)
class QueueSample:
    """What a queue reports at scrape time."""

    name: str
    controller: str
    counters: QueueCounters
    depth_by_priority: dict[int, int]
    processing_started: list[float]
    now: float


class MetricSource(Protocol):
    """Anything the collector can sample (a :class:`~aim_engine.queue.WorkQueue`)."""

    def _metrics_sample(self) -> QueueSample | None: ...


def _priority_label(priority: int, seen: dict[int, None]) -> str:
    return str(priority) if priority in seen else EXCEEDED_CARDINALITY


class WorkQueueCollector(Collector):
    """Exports the ``workqueue_*`` families for every queue attached to one registry."""

    def __init__(self) -> None:
        self._sources: weakref.WeakSet[MetricSource] = weakref.WeakSet()

    def attach(self, source: MetricSource) -> None:
        """Start exporting ``source``; it is dropped when garbage-collected."""
        self._sources.add(source)

    def describe(self) -> Iterable[Metric]:
        """The families this collector owns (used by the registry to detect clashes)."""
        return self._families([])

    def collect(self) -> Iterable[Metric]:
        """Sample every attached queue and build the metric families."""
        samples = [s for src in list(self._sources) if (s := src._metrics_sample()) is not None]
        samples.sort(key=lambda s: (s.name, s.controller))
        return self._families(samples)

    @staticmethod
    def _families(samples: list[QueueSample]) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "workqueue_depth", "Current depth of workqueue", labels=(*_LABELS, "priority")
        )
        adds = CounterMetricFamily(
            "workqueue_adds_total", "Total number of adds handled by workqueue", labels=_LABELS
        )
        queue_lat = HistogramMetricFamily(
            "workqueue_queue_duration_seconds",
            "How long in seconds an item stays in workqueue before being requested",
            labels=_LABELS,
        )
        work_lat = HistogramMetricFamily(
            "workqueue_work_duration_seconds",
            "How long in seconds processing an item from workqueue takes.",
            labels=_LABELS,
        )
        unfinished = GaugeMetricFamily(
            "workqueue_unfinished_work_seconds",
            "How many seconds of work has been done that is in progress and hasn't been "
            "observed by work_duration. Large values indicate stuck threads. One can deduce "
            "the number of stuck threads by observing the rate at which this increases.",
            labels=_LABELS,
        )
        longest = GaugeMetricFamily(
            "workqueue_longest_running_processor_seconds",
            "How many seconds has the longest running processor for workqueue been running.",
            labels=_LABELS,
        )
        retries = CounterMetricFamily(
            "workqueue_retries_total",
            "Total number of retries handled by workqueue",
            labels=_LABELS,
        )
        for s in samples:
            labels = [s.name, s.controller]
            c = s.counters
            by_label: dict[str, int] = {}
            for p in c.priorities_seen:
                by_label.setdefault(_priority_label(p, c.priorities_seen), 0)
            for p, n in s.depth_by_priority.items():
                key = _priority_label(p, c.priorities_seen)
                by_label[key] = by_label.get(key, 0) + n
            for key, n in by_label.items():
                depth.add_metric([*labels, key], float(n))
            adds.add_metric(labels, float(c.adds))
            retries.add_metric(labels, float(c.retries))
            queue_lat.add_metric(
                labels, c.queue_duration.cumulative(), sum_value=c.queue_duration.total
            )
            work_lat.add_metric(
                labels, c.work_duration.cumulative(), sum_value=c.work_duration.total
            )
            ages = [max(0.0, s.now - t) for t in s.processing_started]
            unfinished.add_metric(labels, sum(ages))
            longest.add_metric(labels, max(ages, default=0.0))
        yield from (depth, adds, queue_lat, work_lat, unfinished, longest, retries)


def collector_for(registry: CollectorRegistry) -> WorkQueueCollector:
    """The registry's work-queue collector, registered on first use.

    Raises:
        ValueError: another collector already owns one of the ``workqueue_*`` names.
    """

    def build() -> WorkQueueCollector:
        collector = WorkQueueCollector()
        registry.register(collector)
        return collector

    return shared_on(registry, "workqueue", build)

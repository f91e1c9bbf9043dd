"""The benchmark harness's bookkeeping: parsing contender lines, percentiles, the table, sizes.

No sockets and no processes: only the pure functions the figures come from.
"""

from __future__ import annotations

import math
import os

import pytest

from benchmarks import report
from benchmarks.footprint import deep_size
from benchmarks.harness import Recorder, cpu_seconds, percentile


def test_recorder_parses_every_line_kind() -> None:
    rec = Recorder()
    rec.feed("S 10.5 4096 0.25\n")
    rec.feed("R w-000001 7 11.0\n")
    rec.feed("R w-000001 7 12.0\n")  # a second report of the same version keeps the first
    rec.feed("R w-000002 None 11.5\n")  # no spec.seq: seen, but not a versioned report
    rec.feed("M 123456\n")
    rec.feed("G 13.0\n")
    rec.feed("\n")
    assert rec.started_at == 10.5
    assert rec.started_rss == 4096
    assert rec.started_cpu == 0.25
    assert rec.reconciles == 3
    assert rec.first_seen == {"w-000001": 11.0, "w-000002": 11.5}
    assert rec.by_seq == {("w-000001", 7): 11.0}
    assert rec.cache_bytes == 123456
    assert rec.settled == 1


def test_recorder_accepts_the_short_started_line() -> None:
    rec = Recorder()
    rec.feed("S 3.0\n")
    assert rec.started_at == 3.0
    assert rec.started_rss is None


def test_percentile_interpolates() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([4.0], 99) == 4.0
    assert math.isnan(percentile([], 50))


def test_table_has_ratios_against_kopf_and_baseline() -> None:
    results: dict[str, dict[str, object]] = {
        "aim-engine": {"throughput_per_s": 2000.0, "latency_p99_ms": float("nan")},
        "kopf": {"throughput_per_s": 200.0},
        "baseline": {"throughput_per_s": 4000.0},
    }
    text = report.table(results, {"queue add/get/done cycles per s": 600000.0})
    row = next(line for line in text.splitlines() if line.startswith("burst throughput"))
    assert row.split()[-2:] == ["10.00", "0.50"]
    p99 = next(line for line in text.splitlines() if line.startswith("latency p99"))
    assert "n/a" in p99
    assert "600,000" in text


def test_deep_size_counts_shared_objects_once() -> None:
    blob = b"x" * 1000
    one = deep_size({"a": blob})
    two = deep_size({"a": blob, "b": blob})
    assert one > 1000
    assert two - one < 200  # the second reference adds a key and a slot, not another blob


def test_deep_size_follows_slots() -> None:
    class Entry:
        __slots__ = ("blob",)

        def __init__(self, blob: bytes) -> None:
            self.blob = blob

    assert deep_size(Entry(b"y" * 5000)) > 5000


def test_cpu_seconds_of_this_process() -> None:
    assert cpu_seconds(os.getpid()) >= 0
    assert math.isnan(cpu_seconds(None))

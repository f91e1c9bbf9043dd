"""Turn the harness's figures into a text table, a JSON document and a latency chart."""

from __future__ import annotations

import json
import math
import pathlib
from collections.abc import Mapping

ROWS: list[tuple[str, str, str, bool]] = [
    # key, label, unit, higher_is_better
    ("initial_sync_s", "initial sync (from spawn)", "s", False),
    ("initial_sync_from_start_s", "initial sync (from started)", "s", False),
    ("latency_p50_ms", "latency p50", "ms", False),
    ("latency_p90_ms", "latency p90", "ms", False),
    ("latency_p99_ms", "latency p99", "ms", False),
    ("throughput_per_s", "burst throughput", "1/s", True),
    ("rss_per_object_bytes", "RSS per object", "B", False),
    ("memory_ratio", "RSS per object / JSON size", "x", False),
    ("cache_ratio", "cache bytes per object / JSON size", "x", False),
    ("cpu_sync_s", "CPU time, initial sync", "s", False),
    ("server_cpu_sync_s", "API server CPU, initial sync", "s", False),
    ("cpu_ms_per_update", "CPU per update (latency phase)", "ms", False),
    ("cpu_us_per_reconcile", "CPU per reconcile (burst)", "us", False),
    ("server_cpu_us_per_write", "API server CPU per burst write", "us", False),
]

MAIN = "aim-engine"


def _fmt(v: object) -> str:
    if not isinstance(v, int | float) or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.2f}"


def _ratio(a: object, b: object) -> str:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or not b:
        return "n/a"
    if math.isnan(a) or math.isnan(b):
        return "n/a"
    return f"{a / b:.2f}"


def table(results: Mapping[str, Mapping[str, object]], micro: Mapping[str, float]) -> str:
    """A fixed-width text table with ratios aim-engine/kopf and aim-engine/baseline."""
    names = list(results)
    head = ["figure", "unit", *names, "aim/kopf", "aim/baseline"]
    rows = [head]
    for key, label, unit, _ in ROWS:
        vals = [results[n].get(key) for n in names]
        me = results.get(MAIN, {}).get(key)
        rows.append(
            [
                label,
                unit,
                *(_fmt(v) for v in vals),
                _ratio(me, results.get("kopf", {}).get(key)),
                _ratio(me, results.get("baseline", {}).get(key)),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if micro:
        lines.append("")
        lines.append("micro-benchmarks (aim-engine, in process)")
        lines.extend(f"  {k}: {v:,.0f}" for k, v in micro.items())
    return "\n".join(lines)


def write_json(path: pathlib.Path, doc: Mapping[str, object]) -> None:
    """Write the whole result document (latency samples included)."""
    path.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str))


def chart(path: pathlib.Path, results: Mapping[str, Mapping[str, object]]) -> bool:
    """A PNG of the latency distributions (empirical CDFs). Returns False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    for name, res in results.items():
        lat = res.get("latency_ms")
        if not isinstance(lat, list) or not lat:
            continue
        ys = [(i + 1) / len(lat) for i in range(len(lat))]
        ax.plot(lat, ys, label=name)
    ax.set_xscale("log")
    ax.set_xlabel("event-to-reconcile latency (ms, log scale)")
    ax.set_ylabel("fraction of updates")
    ax.set_title("Event-to-reconcile latency, CDF")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True

"""Micro-benchmarks of aim-engine's hot paths, in process: the work queue and the cache store.

Prints one JSON object of figures (operations per second). The queue figure counts complete
add → get → done cycles through an asyncio worker, with metrics on (a private registry), as a
controller uses it. The store figures count upserts of benchmark-sized objects and lookups
through a user index.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from prometheus_client import CollectorRegistry

from aim_engine.cache import Store
from aim_engine.clock import SystemClock
from aim_engine.queue import WorkQueue
from benchmarks.workload import widget


async def queue_cycles(n: int) -> float:
    """add/get/done cycles per second, items added in batches of 100 by a producer."""
    q: WorkQueue[int] = WorkQueue(
        clock=SystemClock(), name="bench", controller="bench", registry=CollectorRegistry()
    )
    t = time.perf_counter()
    for start in range(0, n, 100):
        for i in range(start, start + 100):
            q.add(i)
        for _ in range(100):
            item = await q.get()
            q.done(item)
    elapsed = time.perf_counter() - t
    q.shutdown()
    return n / elapsed


def store_ops(n: int) -> tuple[float, float]:
    """(upserts per second, indexed lookups per second) for ``n`` objects."""
    store = Store({"shard": lambda o: [o["metadata"]["labels"]["shard"]]})
    objs = []
    for i in range(n):
        o = widget("bench", i)
        o["metadata"]["resourceVersion"] = str(i + 1)
        o["metadata"]["uid"] = f"uid-{i}"
        objs.append(o)
    t = time.perf_counter()
    for o in objs:
        store.upsert(o)
    upserts = n / (time.perf_counter() - t)
    lookups = 0
    t = time.perf_counter()
    while time.perf_counter() - t < 1.0:
        for shard in range(16):
            store.index_keys("shard", str(shard))
            lookups += 1
    per_s = lookups / (time.perf_counter() - t)
    return upserts, per_s


def main() -> None:
    """Run and print JSON."""
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    n = 100_000 if a.quick else 300_000
    cycles = asyncio.run(queue_cycles(n))
    upserts, lookups = store_ops(5_000 if a.quick else 20_000)
    print(
        json.dumps(
            {
                "queue add/get/done cycles per s": cycles,
                "store upserts per s": upserts,
                "store indexed lookups per s": lookups,
            }
        )
    )


if __name__ == "__main__":
    main()

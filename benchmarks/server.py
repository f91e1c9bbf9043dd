"""``python -m benchmarks.server``: the fake API server, tuned for benchmarks.

The same server as ``python -m aim_engine.testing.apiserver`` (prints its URL once on stdout,
writes a kubeconfig, serves until SIGTERM or SIGINT), with three differences. Each removes a cost
of the fake that every contender paid alike and that drowned what the benchmark is about.

``--gc-delay`` (default 10 s): the fake's garbage-collector and namespace-controller pass waits
that long after a write instead of running at the next loop iteration. The pass scans every
stored object, so at 10,000 objects and a few hundred writes per second it took about 85% of the
server's CPU (py-spy) and seeding took 32 s instead of 5. With a 1 s delay the writes of one
second share one pass, but the pass still blocks the server for tens of milliseconds once a
second, which was the p99 event latency of every contender (40 to 50 ms at 200 updates/s); with
10 s it touches fewer than 1% of the updates (p99 4 to 26 ms). The benchmark never deletes
anything, so the pass never has work to do.

``--history`` sizes the fake's watch-event history (default 1,000 events). The burst phase
patches thousands of objects while the contender is stopped; the server cannot write to a
stopped client, so its watch falls behind by the whole burst, and with a history shorter than
the burst every contender was answered 410 Gone and had to relist: the phase measured relisting
instead of event processing. The harness sizes the history to the burst plus a margin.

``--freeze-gc`` (default every second) moves everything the server holds into the garbage
collector's permanent generation. The fake keeps 10,000 objects as nested dicts (about half a
million tracked containers), and CPython's full collections walked all of them: measured with
``gc.callbacks`` during one 10,000-object run, 15 full collections took 3.6 s in all and up to
375 ms each, during which the server answered nothing. Those pauses were the p99 latency of
every contender alike. Frozen objects are still freed by reference counting; only reference
cycles among them are never collected, which a benchmark server can afford.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys

from aim_engine.testing.apiserver import FakeApiServer


async def _freeze_gc(every: float) -> None:
    while True:
        await asyncio.sleep(every)
        gc.freeze()


async def serve(kubeconfig: str, gc_delay: float, history: int, freeze_every: float) -> None:
    """Serve on a free port of 127.0.0.1 until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = FakeApiServer(gc_delay=gc_delay, history=history)
    await server.start("127.0.0.1", 0)
    try:
        server.write_kubeconfig(kubeconfig)
        sys.stdout.write(server.url + "\n")
        sys.stdout.flush()
        async with asyncio.TaskGroup() as tg:
            freezer = tg.create_task(_freeze_gc(freeze_every)) if freeze_every > 0 else None
            await stop.wait()
            if freezer is not None:
                freezer.cancel()
    finally:
        await server.stop()


def main() -> None:
    """Parse arguments and serve."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.server")
    p.add_argument("--kubeconfig", required=True, help="write the server's kubeconfig here")
    p.add_argument("--gc-delay", type=float, default=10.0, help="seconds (default 10)")
    p.add_argument("--history", type=int, default=1000, help="watch events kept (default 1000)")
    p.add_argument(
        "--freeze-gc", type=float, default=1.0, help="seconds between gc.freeze() (0: never)"
    )
    a = p.parse_args()
    asyncio.run(serve(a.kubeconfig, a.gc_delay, a.history, a.freeze_gc))


if __name__ == "__main__":
    main()

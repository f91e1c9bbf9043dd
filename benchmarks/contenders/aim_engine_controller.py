"""aim-engine: a Manager with one controller on the benchmark kind.

The reconciler reads the object from the cache (as every real reconciler does) and reports its
``spec.seq``. With ``--patch-status`` it also writes ``status.observedSeq`` through the status
subresource (a merge patch), the smallest write a real controller makes per reconcile.

``--page-size`` sets the LIST page size of the initial sync (default 500, client-go's).

On the harness's memory request it also reports the bytes its cache holds, measured directly
(:func:`benchmarks.footprint.deep_size` of every informer's store).
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from prometheus_client import CollectorRegistry

from aim_engine.cache import Cache, ReflectorOptions
from aim_engine.client import Client, PatchType
from aim_engine.clock import SystemClock
from aim_engine.controller import Request, Result, builder
from aim_engine.kinds import ResourceKind
from aim_engine.manager import Manager
from benchmarks.footprint import deep_size
from benchmarks.probe import Probe
from benchmarks.workload import GROUP, KIND, PLURAL, VERSION

WIDGET = ResourceKind(GROUP, VERSION, KIND, PLURAL, True, has_status=True)


class Reporter:
    """The reconciler under test."""

    def __init__(self, manager: Manager, probe: Probe, patch_status: bool) -> None:
        self._cache = manager.cache
        self._client = manager.client
        self._probe = probe
        self._patch_status = patch_status

    async def reconcile(self, request: Request) -> Result:
        """Report the object at the version the cache holds."""
        obj = self._cache.get(WIDGET, request.name, request.namespace)
        seq = obj["spec"].get("seq")
        self._probe.reconciled(request.name, seq)
        if self._patch_status and obj.get("status", {}).get("observedSeq") != seq:
            await self._client.patch(
                WIDGET,
                request.name,
                {"status": {"observedSeq": seq}},
                request.namespace,
                patch_type=PatchType.MERGE,
                subresource="status",
            )
        return Result()


def cache_bytes(manager: Manager) -> int:
    """Bytes held by the stores of the manager's informers (snapshots, entries, indexes)."""
    # The store is private to the informer; the benchmark looks inside on purpose.
    return sum(deep_size(informer._store) for informer in manager.cache.informers)


async def main(
    kubeconfig: str, namespace: str, patch_status: bool, workers: int, page_size: int
) -> None:
    """Run until killed."""
    logging.basicConfig(level=logging.WARNING)
    probe = Probe()
    async with await Client.from_kubeconfig(kubeconfig) as client:
        registry = CollectorRegistry()
        clock = SystemClock()
        cache = Cache(
            client,
            clock=clock,
            registry=registry,
            namespace=namespace,
            reflector_options=ReflectorOptions(page_size=page_size),
        )
        manager = Manager(
            client,
            metrics_bind_address="0",
            namespace=namespace,
            graceful_shutdown_timeout=0,
            cache=cache,
            registry=registry,
            clock=clock,
        )
        builder(manager).named("bench").for_(WIDGET).with_options(
            max_concurrent_reconciles=workers
        ).complete(Reporter(manager, probe, patch_status))
        probe.report_memory_with(lambda: cache_bytes(manager))
        async with asyncio.TaskGroup() as tg:
            tg.create_task(probe.run())
            probe.started()
            await manager.run()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--namespace", required=True)
    p.add_argument("--patch-status", action="store_true")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--page-size", type=int, default=500, help="LIST page size (client-go: 500)")
    a = p.parse_args()
    asyncio.run(main(a.kubeconfig, a.namespace, a.patch_status, a.workers, a.page_size))

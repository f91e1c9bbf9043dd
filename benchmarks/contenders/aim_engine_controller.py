"""aim-engine: a Manager with one controller on the benchmark kind.

The reconciler reads the object from the cache (as every real reconciler does) and reports its
``spec.seq``. With ``--patch-status`` it also writes ``status.observedSeq`` through the status
subresource (a merge patch), the smallest write a real controller makes per reconcile.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from aim_engine.client import Client, PatchType
from aim_engine.controller import Request, Result, builder
from aim_engine.kinds import ResourceKind
from aim_engine.manager import Manager
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


async def main(kubeconfig: str, namespace: str, patch_status: bool, workers: int) -> None:
    """Run until killed."""
    logging.basicConfig(level=logging.WARNING)
    probe = Probe()
    async with await Client.from_kubeconfig(kubeconfig) as client:
        manager = Manager(
            client,
            metrics_bind_address="0",
            namespace=namespace,
            graceful_shutdown_timeout=0,
        )
        builder(manager).named("bench").for_(WIDGET).with_options(
            max_concurrent_reconciles=workers
        ).complete(Reporter(manager, probe, patch_status))
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
    a = p.parse_args()
    asyncio.run(main(a.kubeconfig, a.namespace, a.patch_status, a.workers))

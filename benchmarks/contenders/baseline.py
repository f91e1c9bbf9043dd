"""The ceiling: a bare kubernetes-asyncio list+watch loop that only decodes events.

It lists the namespace, reports every listed object, then watches from the list's
resourceVersion and reports every event (listing again only if the server answers 410 Gone).
No cache, no queue, no dedupe: nothing but decoding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from kubernetes_asyncio import client, config, watch
from kubernetes_asyncio.client.exceptions import ApiException

from benchmarks.probe import Probe
from benchmarks.workload import GROUP, PLURAL, VERSION


async def main(kubeconfig: str, namespace: str) -> None:
    """Run until killed."""
    probe = Probe()
    cfg = client.Configuration()
    await config.load_kube_config(config_file=kubeconfig, client_configuration=cfg)
    async with client.ApiClient(cfg) as api, asyncio.TaskGroup() as tg:
        tg.create_task(probe.run())
        probe.started()
        co = client.CustomObjectsApi(api)
        while True:
            rv = await _list(co, namespace, probe)
            with contextlib.suppress(ApiException):  # 410 Gone: list again
                await _watch(co, namespace, probe, rv)


async def _list(co: client.CustomObjectsApi, namespace: str, probe: Probe) -> str:
    """List everything, report every object, and return the list's resourceVersion."""
    listed = await co.list_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL)
    for obj in listed["items"]:
        probe.reconciled(obj["metadata"]["name"], obj["spec"].get("seq"))
    return str(listed["metadata"]["resourceVersion"])


async def _watch(co: client.CustomObjectsApi, namespace: str, probe: Probe, rv: str) -> None:
    """Watch from ``rv`` and report every event, re-watching when the server ends a stream."""
    while True:
        async with watch.Watch() as w:
            stream = w.stream(
                co.list_namespaced_custom_object,
                GROUP,
                VERSION,
                namespace,
                PLURAL,
                resource_version=rv,
                allow_watch_bookmarks=True,
                timeout_seconds=600,
            )
            async for ev in stream:
                obj = ev["raw_object"]
                if ev["type"] != "BOOKMARK":
                    probe.reconciled(obj["metadata"]["name"], obj["spec"].get("seq"))
                rv = obj["metadata"]["resourceVersion"]


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--namespace", required=True)
    a = p.parse_args()
    asyncio.run(main(a.kubeconfig, a.namespace))

"""kopf, with the handler closest to a no-op reconcile: ``@kopf.on.event``.

Why ``on.event``: it is kopf's lowest-overhead handler. It runs for every watch event of the
resource (including the initial listing) and stores no progress or "last handled" state on the
object. The handler is a coroutine, so kopf runs it on its event loop (a plain function would
be sent to a thread pool, adding a thread hop per event). kopf's change-detecting handlers
(``on.create``/``on.update``/``on.resume``) PATCH every object to persist their state, which
would measure the API server's write path rather than kopf, so they would be unfair to kopf in
a no-op comparison. Peering is off (``standalone``), posting Kubernetes events is off, and kopf
watches only the benchmark namespace, like the other contenders.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

import kopf

from benchmarks.kubeconfig import load
from benchmarks.probe import Probe
from benchmarks.workload import GROUP, PLURAL, VERSION


def build(kubeconfig: str, probe: Probe) -> kopf.OperatorRegistry:
    """Register the login and event handlers on a private registry."""
    registry = kopf.OperatorRegistry()
    endpoint = load(kubeconfig)

    @kopf.on.login(registry=registry)
    def login(**_: Any) -> kopf.ConnectionInfo:
        return kopf.ConnectionInfo(
            server=endpoint.server,
            token=endpoint.token,
            ca_data=endpoint.ca_data,
            certificate_data=endpoint.client_cert_data,
            private_key_data=endpoint.client_key_data,
        )

    @kopf.on.startup(registry=registry)
    def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
        settings.posting.enabled = False
        settings.watching.server_timeout = 600
        settings.scanning.disabled = True

    @kopf.on.event(GROUP, VERSION, PLURAL, registry=registry)
    async def on_event(body: kopf.Body, **_: Any) -> None:
        probe.reconciled(body["metadata"]["name"], body.get("spec", {}).get("seq"))

    return registry


async def main(kubeconfig: str, namespace: str) -> None:
    """Run until killed."""
    logging.basicConfig(level=logging.WARNING)
    probe = Probe()
    registry = build(kubeconfig, probe)
    async with asyncio.TaskGroup() as tg:
        tg.create_task(probe.run())
        probe.started()
        await kopf.operator(registry=registry, standalone=True, namespaces=[namespace])


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--namespace", required=True)
    a = p.parse_args()
    asyncio.run(main(a.kubeconfig, a.namespace))

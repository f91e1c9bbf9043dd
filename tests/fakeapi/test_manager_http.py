"""/metrics, /healthz and /readyz of a running Manager, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest
from prometheus_client import CollectorRegistry

from aim_engine.client import Client
from aim_engine.controller import Request, Result, builder
from aim_engine.kinds import CONFIG_MAP
from aim_engine.manager import BindError, Manager
from aim_engine.testing import FakeClock
from aim_engine.testing.pytest_plugin import TestCluster


class Noop:
    async def reconcile(self, request: Request) -> Result:
        return Result()


async def get(session: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with session.get(url) as response:
        return response.status, await response.text()


async def test_metrics_and_probe_endpoints(kube: TestCluster, namespace: str) -> None:
    registry = CollectorRegistry()
    clock = FakeClock()
    async with await Client.from_kubeconfig(kube.kubeconfig_path, registry=registry) as client:
        manager = Manager(
            client,
            clock=clock,
            registry=registry,
            metrics_bind_address="127.0.0.1:0",
            health_probe_bind_address="127.0.0.1:0",
        )
        builder(manager).named("http-test").for_(CONFIG_MAP, namespace=namespace).complete(Noop())
        healthy = True
        manager.add_readyz_check("custom", lambda: healthy)
        run = asyncio.create_task(manager.run())
        async with clock.autojump(), aiohttp.ClientSession() as session:
            while manager.server_port("probes") is None:
                await clock.sleep(0.01)
            probes = f"http://127.0.0.1:{manager.server_port('probes')}"
            metrics = f"http://127.0.0.1:{manager.server_port('metrics')}/metrics"
            while (await get(session, f"{probes}/readyz"))[0] != 200:
                await clock.sleep(0.1)

            assert await get(session, f"{probes}/healthz") == (200, "ok")
            status, body = await get(session, f"{probes}/readyz?verbose")
            assert status == 200
            assert body.splitlines() == [
                "[+]cache-sync ok",
                "[+]cache-fresh ok",
                "[+]custom ok",
                "readyz check passed",
            ]

            healthy = False
            status, body = await get(session, f"{probes}/readyz")
            assert status == 500
            assert "[-]custom failed: reason withheld" in body.splitlines()
            assert (await get(session, f"{probes}/readyz?exclude=custom"))[0] == 200
            assert (await get(session, f"{probes}/readyz/cache-sync"))[0] == 200
            assert (await get(session, f"{probes}/readyz/custom"))[0] == 500
            assert (await get(session, f"{probes}/readyz/nope"))[0] == 404

            status, text = await get(session, metrics)
            assert status == 200
            assert (
                'controller_runtime_reconcile_total{controller="http-test",result="success"}'
                in text
            )
            assert "# TYPE controller_runtime_reconcile_time_seconds histogram" in text
            assert "# TYPE workqueue_adds_total counter" in text
            assert "rest_client_requests_total{" in text
            manager.stop()
            await run
        # Servers are gone after run() returned.
        async with aiohttp.ClientSession() as session:
            try:
                await get(session, f"{probes}/healthz")
            except aiohttp.ClientConnectionError:
                pass
            else:
                raise AssertionError("the probe server still answers after stop")


@pytest.mark.fake_only
async def test_readyz_fails_while_the_api_server_is_gone_and_healthz_does_not(
    kube: TestCluster, namespace: str
) -> None:
    fake = kube.fake
    assert fake is not None
    registry = CollectorRegistry()
    clock = FakeClock()
    async with await Client.from_kubeconfig(kube.kubeconfig_path, registry=registry) as client:
        manager = Manager(
            client,
            clock=clock,
            registry=registry,
            metrics_bind_address="0",
            health_probe_bind_address="127.0.0.1:0",
            cache_stale_after=300.0,
        )
        builder(manager).named("stale-test").for_(CONFIG_MAP, namespace=namespace).complete(Noop())
        run = asyncio.create_task(manager.run())
        async with clock.autojump(), aiohttp.ClientSession() as session:
            while manager.server_port("probes") is None:
                await clock.sleep(0.01)
            probes = f"http://127.0.0.1:{manager.server_port('probes')}"
            while (await get(session, f"{probes}/readyz"))[0] != 200:
                await clock.sleep(0.1)
            port = int(fake.url.rsplit(":", 1)[1])

            await fake.stop()  # every list and watch now fails to connect
            start = clock.monotonic()
            while (await get(session, f"{probes}/readyz/cache-fresh"))[0] == 200:
                await clock.sleep(1)
            assert clock.monotonic() - start >= 300
            status, body = await get(session, f"{probes}/readyz")
            assert status == 500
            assert "[-]cache-fresh failed: reason withheld" in body.splitlines()
            assert "[+]cache-sync ok" in body.splitlines()
            assert await get(session, f"{probes}/healthz") == (200, "ok")
            stale = registry.get_sample_value(
                "aim_engine_cache_stale_informers", {"kind": "ConfigMap"}
            )
            assert stale == 1.0

            await fake.start(port=port)
            while (await get(session, f"{probes}/readyz"))[0] != 200:
                await clock.sleep(1)
            stale = registry.get_sample_value(
                "aim_engine_cache_stale_informers", {"kind": "ConfigMap"}
            )
            assert stale == 0.0
            manager.stop()
            await run


async def test_a_bind_address_in_use_is_a_bind_error(kube: TestCluster) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        async with await Client.from_kubeconfig(kube.kubeconfig_path) as client:
            manager = Manager(
                client,
                metrics_bind_address="127.0.0.1:0",
                health_probe_bind_address=f"127.0.0.1:{port}",
            )
            with pytest.raises(BindError) as info:
                await manager.run()
    assert str(info.value) == (
        f"probes server cannot listen on 127.0.0.1:{port}: Address already in use"
    )
    assert manager.server_port("metrics") is None  # the server that did start was stopped

"""The benchmark custom resource and the load generator that seeds and mutates its objects."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from typing import Any

import aiohttp

from benchmarks.kubeconfig import Endpoint

GROUP = "bench.aim-engine.io"
VERSION = "v1"
PLURAL = "benchwidgets"
KIND = "BenchWidget"

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"{PLURAL}.{GROUP}"},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {"plural": PLURAL, "singular": "benchwidget", "kind": KIND},
        "versions": [
            {
                "name": VERSION,
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "x-kubernetes-preserve-unknown-fields": True,
                            },
                            "status": {
                                "type": "object",
                                "x-kubernetes-preserve-unknown-fields": True,
                            },
                        },
                    }
                },
            }
        ],
    },
}


def widget(namespace: str, i: int) -> dict[str, Any]:
    """Object number ``i``: about 1.5 KB of JSON once the server adds its metadata."""
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": KIND,
        "metadata": {
            "name": f"w-{i:06d}",
            "namespace": namespace,
            "labels": {"app": "bench", "shard": str(i % 16), "tier": "backend"},
            "annotations": {"bench.aim-engine.io/owner": "team-" + str(i % 7)},
        },
        "spec": {
            "seq": 0,
            "model": "meta-llama/Llama-3.1-8B-Instruct",
            "image": "registry.example/aim/llama-3.1-8b-instruct:0.8.4",
            "replicas": 1 + i % 3,
            "resources": {"gpu": {"count": 1, "model": "MI300X"}, "memory": "64Gi", "cpu": "8"},
            "env": [{"name": f"VAR_{k}", "value": "x" * 24} for k in range(8)],
            "routing": {"enabled": True, "pathTemplate": "/{.metadata.namespace}/{.metadata.name}"},
            "notes": "n" * 300,
        },
    }


class Load:
    """An aiohttp session against the API server, used only by the harness."""

    def __init__(self, endpoint: Endpoint, namespace: str) -> None:
        self.endpoint = endpoint
        self.namespace = namespace
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Load:
        conn = aiohttp.TCPConnector(limit=64, ssl=self.endpoint.ssl_context())
        self._session = aiohttp.ClientSession(
            self.endpoint.server, connector=conn, headers=self.endpoint.headers()
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None
        await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None
        return self._session

    def _coll(self) -> str:
        return f"/apis/{GROUP}/{VERSION}/namespaces/{self.namespace}/{PLURAL}"

    async def _request(self, method: str, path: str, body: object, ctype: str) -> int:
        for attempt in range(20):
            async with self.session.request(
                method, path, data=json.dumps(body), headers={"Content-Type": ctype}
            ) as r:
                await r.read()
                if r.status < 500 and r.status != 429:
                    return r.status
            await asyncio.sleep(0.05 * (attempt + 1))
        return 599

    async def setup(self) -> None:
        """Install the CRD, wait for it to be served, and create the namespace."""
        crd_path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        await self._request("POST", crd_path, CRD, "application/json")
        ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.namespace}}
        await self._request("POST", "/api/v1/namespaces", ns, "application/json")
        for _ in range(200):
            async with self.session.get(self._coll()) as r:
                await r.read()
                if r.status == 200:
                    return
            await asyncio.sleep(0.1)
        raise RuntimeError("the benchmark CRD was never served")

    async def count(self) -> int:
        """How many objects exist."""
        async with self.session.get(self._coll()) as r:
            return len((await r.json())["items"])

    async def create(self, indexes: Iterable[int], concurrency: int = 32) -> float:
        """Create objects; returns the mean JSON size of what was sent."""
        sem = asyncio.Semaphore(concurrency)
        sizes: list[int] = []

        async def one(i: int) -> None:
            body = widget(self.namespace, i)
            async with sem:
                status = await self._request("POST", self._coll(), body, "application/json")
            if status not in (201, 409):
                raise RuntimeError(f"create w-{i:06d} answered {status}")
            sizes.append(len(json.dumps(body)))

        await asyncio.gather(*(one(i) for i in indexes))
        return sum(sizes) / max(1, len(sizes))

    async def set_seq(self, i: int, seq: int) -> float:
        """Merge-patch ``spec.seq`` of object ``i``; returns the monotonic time it was sent."""
        t = time.monotonic()
        status = await self._request(
            "PATCH",
            f"{self._coll()}/w-{i:06d}",
            {"spec": {"seq": seq}},
            "application/merge-patch+json",
        )
        if status != 200:
            raise RuntimeError(f"patch w-{i:06d} answered {status}")
        return t

    async def sample_json_size(self) -> float:
        """Mean size of the objects as the server returns them (with server metadata)."""
        async with self.session.get(self._coll(), params={"limit": "200"}) as r:
            items = (await r.json())["items"]
        return sum(len(json.dumps(o)) for o in items) / max(1, len(items))

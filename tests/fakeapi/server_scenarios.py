"""Shared pieces of the API-server scenario tests: a Widget CRD, raw HTTP calls, kubectl.

Everything here works against the fake and a real kube-apiserver alike: the CRD is created once
(or reused) and waited for, raw calls go through the kubernetes-asyncio ``ApiClient`` (its auth
and transport) with ``_preload_content=False``, and kubectl runs as a subprocess with the test
cluster's kubeconfig.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio
from kubernetes_asyncio import client, watch

from aim_engine.testing.pytest_plugin import TestCluster

GROUP = "example.com"
PLURAL = "widgets"
CLUSTER_PLURAL = "gadgets"

WIDGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "size": {"type": "integer", "minimum": 0, "default": 1},
                "color": {"type": "string", "enum": ["red", "blue"]},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        },
        "status": {
            "type": "object",
            "properties": {
                "phase": {"type": "string"},
                "observedGeneration": {"type": "integer"},
                "conditions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"type": {"type": "string"}, "status": {"type": "string"}},
                    },
                },
            },
        },
    },
}


def widget_crd() -> dict[str, Any]:
    """A namespaced CRD with a status subresource, printer columns, two served versions."""
    columns = [
        {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
        {
            "name": "Ready",
            "type": "string",
            "jsonPath": '.status.conditions[?(@.type=="Ready")].status',
        },
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ]
    version = {
        "served": True,
        "subresources": {"status": {}},
        "additionalPrinterColumns": columns,
        "schema": {"openAPIV3Schema": WIDGET_SCHEMA},
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{PLURAL}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {
                "plural": PLURAL,
                "singular": "widget",
                "kind": "Widget",
                "shortNames": ["wd"],
                "categories": ["aimtest"],
            },
            "versions": [
                dict(version, name="v1", storage=True),
                dict(version, name="v1beta1", storage=False),
            ],
        },
    }


def gadget_crd() -> dict[str, Any]:
    """A cluster-scoped CRD without subresources."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{CLUSTER_PLURAL}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Cluster",
            "names": {"plural": CLUSTER_PLURAL, "singular": "gadget", "kind": "Gadget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }


async def ensure_crd(api: client.ApiClient, crd: dict[str, Any]) -> None:
    """Create the CRD unless it exists, then wait until it is Established and served."""
    ext: Any = client.ApiextensionsV1Api(api)
    try:
        await ext.create_custom_resource_definition(crd)
    except client.ApiException as exc:
        if exc.status != 409:
            raise
    name = crd["metadata"]["name"]
    for _ in range(200):
        got = await ext.read_custom_resource_definition(name)
        conds = {c.type: c.status for c in (got.status.conditions or [])} if got.status else {}
        if conds.get("Established") == "True":
            break
        await asyncio.sleep(0.05)
    group, plural = crd["spec"]["group"], crd["spec"]["names"]["plural"]
    for _ in range(200):
        status, body = await raw(api, "GET", f"/apis/{group}/v1")
        if status == 200 and any(r["name"] == plural for r in body["resources"]):
            return
        await asyncio.sleep(0.05)


@pytest_asyncio.fixture
async def widgets(api_client: client.ApiClient) -> str:
    """The Widget CRD is served; returns its group."""
    await ensure_crd(api_client, widget_crd())
    return GROUP


def widget(name: str, namespace: str, **spec: Any) -> dict[str, Any]:
    """A Widget body."""
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "Widget",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


async def raw(
    api: client.ApiClient,
    method: str,
    path: str,
    body: Any = None,
    *,
    content_type: str = "application/json",
    accept: str = "application/json",
    query: Sequence[tuple[str, str]] = (),
) -> tuple[int, Any]:
    """One HTTP request through the ApiClient; returns status and decoded JSON body."""
    headers = {"Accept": accept}
    if body is not None:
        headers["Content-Type"] = content_type
    resp = await api.call_api(
        path,
        method,
        query_params=list(query),
        header_params=headers,
        body=body,
        auth_settings=["BearerToken"],
        _preload_content=False,
        _return_http_data_only=True,
    )
    try:
        text = await resp.text()
        try:
            return resp.status, json.loads(text) if text else None
        except ValueError:
            return resp.status, text
    finally:
        resp.release()


def status_of(exc: client.ApiException) -> dict[str, Any]:
    """The decoded ``Status`` body of a client error."""
    body: Any = exc.body
    decoded = json.loads(body) if isinstance(body, str | bytes) else body
    assert isinstance(decoded, dict)
    return decoded


@dataclass(frozen=True, slots=True)
class KubectlResult:
    """Exit code and output of one kubectl run."""

    code: int
    out: str
    err: str


async def run_kubectl(
    kubectl: Path, kube: TestCluster, *args: str, stdin: str | None = None, timeout: float = 30
) -> KubectlResult:
    """Run kubectl against the test cluster."""
    proc = await asyncio.create_subprocess_exec(
        str(kubectl),
        "--kubeconfig",
        str(kube.kubeconfig_path),
        *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(
        proc.communicate(stdin.encode() if stdin is not None else None), timeout
    )
    return KubectlResult(proc.returncode or 0, out.decode(), err.decode())


async def drain_watch(list_call: Any, *args: Any, **kwargs: Any) -> list[Mapping[str, Any]]:
    """Run one watch (kubernetes-asyncio ``Watch``) until the server ends it; all its events."""
    async with watch.Watch() as w:
        return [ev async for ev in w.stream(list_call, *args, **kwargs)]


async def collect_events(
    stream: AsyncIterator[Mapping[str, Any]], count: int, timeout: float = 10
) -> list[Mapping[str, Any]]:
    """The first ``count`` events of a watch stream."""
    events: list[Mapping[str, Any]] = []

    async def take() -> None:
        async for ev in stream:
            events.append(ev)
            if len(events) >= count:
                return

    await asyncio.wait_for(take(), timeout)
    return events

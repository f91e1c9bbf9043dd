"""kubectl against the server: apply (client- and server-side), get, get -w, patch, delete, wait."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_asyncio import client

from aim_engine.testing.pytest_plugin import TestCluster
from tests.fakeapi.server_scenarios import GROUP, PLURAL, run_kubectl, widget, widgets

__all__ = ["widgets"]

pytestmark = pytest.mark.kubectl

# Fully qualified: on a shared real cluster another suite's CRD may also be named "widget".
_RESOURCE = f"{PLURAL}.{GROUP}"


def _manifest(name: str, namespace: str, **spec: object) -> str:
    return yaml.safe_dump(widget(name, namespace, **spec))


async def test_apply_then_get_yaml(
    kubectl: Path, kube: TestCluster, namespace: str, widgets: str
) -> None:
    res = await run_kubectl(
        kubectl, kube, "apply", "-f", "-", stdin=_manifest("k1", namespace, size=2)
    )
    assert res.code == 0, res.err
    assert "widget.example.com/k1 created" in res.out
    res = await run_kubectl(
        kubectl, kube, "apply", "-f", "-", stdin=_manifest("k1", namespace, size=4)
    )
    assert res.code == 0, res.err
    assert "configured" in res.out
    res = await run_kubectl(
        kubectl, kube, "get", f"widgets.{GROUP}", "k1", "-n", namespace, "-o", "yaml"
    )
    assert res.code == 0, res.err
    obj = yaml.safe_load(res.out)
    assert obj["spec"] == {"size": 4}
    assert obj["metadata"]["generation"] == 2
    assert "kubectl.kubernetes.io/last-applied-configuration" in obj["metadata"]["annotations"]


async def test_server_side_apply(
    kubectl: Path, kube: TestCluster, namespace: str, widgets: str
) -> None:
    manifest = _manifest("k2", namespace, size=3, color="blue")
    res = await run_kubectl(kubectl, kube, "apply", "--server-side", "-f", "-", stdin=manifest)
    assert res.code == 0, res.err
    assert "serverside-applied" in res.out
    res = await run_kubectl(
        kubectl,
        kube,
        "get",
        f"widgets.{GROUP}",
        "k2",
        "-n",
        namespace,
        "-o",
        "json",
        "--show-managed-fields",
    )
    obj = json.loads(res.out)
    assert obj["spec"] == {"size": 3, "color": "blue"}
    assert [(e["manager"], e["operation"]) for e in obj["metadata"]["managedFields"]] == [
        ("kubectl", "Apply")
    ]


async def test_get_prints_the_printer_columns(
    kubectl: Path, kube: TestCluster, namespace: str, widgets: str
) -> None:
    await run_kubectl(kubectl, kube, "apply", "-f", "-", stdin=_manifest("k3", namespace, size=9))
    res = await run_kubectl(kubectl, kube, "get", "wd", "-n", namespace)
    assert res.code == 0, res.err
    header, row = res.out.splitlines()[:2]
    assert header.split() == ["NAME", "SIZE", "READY", "AGE"]
    assert row.split()[:2] == ["k3", "9"]


async def test_patch_merge_and_json(
    kubectl: Path, kube: TestCluster, namespace: str, widgets: str
) -> None:
    await run_kubectl(kubectl, kube, "apply", "-f", "-", stdin=_manifest("k4", namespace, size=1))
    res = await run_kubectl(
        kubectl,
        kube,
        "patch",
        _RESOURCE,
        "k4",
        "-n",
        namespace,
        "--type",
        "merge",
        "-p",
        '{"spec":{"color":"red"}}',
    )
    assert res.code == 0, res.err
    res = await run_kubectl(
        kubectl,
        kube,
        "patch",
        _RESOURCE,
        "k4",
        "-n",
        namespace,
        "--type",
        "json",
        "-p",
        '[{"op":"replace","path":"/spec/size","value":5}]',
    )
    assert res.code == 0, res.err
    res = await run_kubectl(
        kubectl, kube, "get", _RESOURCE, "k4", "-n", namespace, "-o", "jsonpath={.spec}"
    )
    assert json.loads(res.out) == {"color": "red", "size": 5}
    res = await run_kubectl(
        kubectl,
        kube,
        "patch",
        _RESOURCE,
        "k4",
        "-n",
        namespace,
        "--type",
        "merge",
        "-p",
        '{"spec":{"size":-3}}',
    )
    assert res.code != 0
    assert "spec.size" in res.err


async def test_delete(kubectl: Path, kube: TestCluster, namespace: str, widgets: str) -> None:
    await run_kubectl(kubectl, kube, "apply", "-f", "-", stdin=_manifest("k5", namespace))
    res = await run_kubectl(kubectl, kube, "delete", _RESOURCE, "k5", "-n", namespace)
    assert res.code == 0, res.err
    assert 'widget.example.com "k5" deleted' in res.out
    res = await run_kubectl(kubectl, kube, "get", _RESOURCE, "k5", "-n", namespace)
    assert res.code != 0
    assert 'widgets.example.com "k5" not found' in res.err


async def test_wait_for_condition(
    kubectl: Path, kube: TestCluster, api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    await co.create_namespaced_custom_object(
        GROUP, "v1", namespace, PLURAL, widget("k6", namespace)
    )
    waiter = asyncio.ensure_future(
        run_kubectl(
            kubectl,
            kube,
            "wait",
            "--for=condition=Ready",
            f"{_RESOURCE}/k6",
            "-n",
            namespace,
            "--timeout=20s",
        )
    )
    await co.patch_namespaced_custom_object_status(
        GROUP,
        "v1",
        namespace,
        PLURAL,
        "k6",
        {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
        _content_type="application/merge-patch+json",
    )
    res = await waiter
    assert res.code == 0, res.err
    assert "condition met" in res.out


async def test_get_watch_streams_changes(
    kubectl: Path, kube: TestCluster, api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespaced_config_map(namespace, {"metadata": {"name": "watched"}})
    res = await run_kubectl(
        kubectl,
        kube,
        "get",
        "configmaps",
        "-n",
        namespace,
        "-w",
        "--request-timeout=2s",
        "-o",
        "name",
    )
    assert "configmap/watched" in res.out


async def test_builtin_apply_and_delete(kubectl: Path, kube: TestCluster, namespace: str) -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "kc", "namespace": namespace},
        "data": {"a": "1"},
    }
    res = await run_kubectl(kubectl, kube, "apply", "-f", "-", stdin=yaml.safe_dump(cm))
    assert res.code == 0, res.err
    cm["data"] = {"a": "2", "b": "3"}
    res = await run_kubectl(kubectl, kube, "apply", "-f", "-", stdin=yaml.safe_dump(cm))
    assert res.code == 0, res.err
    res = await run_kubectl(
        kubectl, kube, "get", "cm", "kc", "-n", namespace, "-o", "jsonpath={.data}"
    )
    assert json.loads(res.out) == {"a": "2", "b": "3"}
    res = await run_kubectl(kubectl, kube, "delete", "cm", "kc", "-n", namespace)
    assert res.code == 0, res.err


async def test_kubectl_create_builtins(kubectl: Path, kube: TestCluster, namespace: str) -> None:
    res = await run_kubectl(
        kubectl,
        kube,
        "create",
        "configmap",
        "cc",
        "-n",
        namespace,
        "--from-literal=a=1",
        "--from-literal=b=two",
    )
    assert res.code == 0, res.err
    res = await run_kubectl(
        kubectl, kube, "create", "secret", "generic", "sc", "-n", namespace, "--from-literal=k=v"
    )
    assert res.code == 0, res.err
    res = await run_kubectl(kubectl, kube, "create", "serviceaccount", "sac", "-n", namespace)
    assert res.code == 0, res.err
    res = await run_kubectl(kubectl, kube, "get", "cm", "cc", "-n", namespace, "-o", "json")
    cm = json.loads(res.out)
    assert cm["data"] == {"a": "1", "b": "two"}
    assert cm["metadata"]["namespace"] == namespace
    res = await run_kubectl(kubectl, kube, "get", "secret", "sc", "-n", namespace, "-o", "json")
    secret = json.loads(res.out)
    assert secret["data"] == {"k": "dg=="}
    assert secret["type"] == "Opaque"
    ns_name = f"{namespace}-x"
    res = await run_kubectl(kubectl, kube, "create", "namespace", ns_name)
    assert res.code == 0, res.err
    res = await run_kubectl(
        kubectl, kube, "get", "namespace", ns_name, "-o", "jsonpath={.status.phase}"
    )
    assert res.out == "Active"
    await run_kubectl(kubectl, kube, "delete", "namespace", ns_name, "--wait=false")

"""The unmodified kubernetes-asyncio client and kubectl against the real control plane."""

from __future__ import annotations

import ssl
import subprocess
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from kubernetes_asyncio import client, watch

from aim_engine.testing.envtest import DEFAULT_KUBERNETES_VERSION, ControlPlane

GROUP = "smoke.aim-engine.test"
PLURAL = "widgets"

CRD: dict[str, Any] = {
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
            "listKind": "WidgetList",
        },
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {"size": {"type": "integer", "minimum": 1}},
                            },
                            "status": {
                                "type": "object",
                                "properties": {"phase": {"type": "string"}},
                            },
                        },
                    }
                },
            }
        ],
    },
}


async def _wait_established(api: Any, name: str) -> None:
    ext = client.ApiextensionsV1Api(api)
    async with watch.Watch() as w:
        async for event in w.stream(
            ext.list_custom_resource_definition,
            field_selector=f"metadata.name={name}",
            timeout_seconds=30,
        ):
            conditions = event["raw_object"].get("status", {}).get("conditions", [])
            if any(c["type"] == "Established" and c["status"] == "True" for c in conditions):
                return
    raise AssertionError(f"CRD {name} not Established within 30 s")


async def test_server_reports_the_pinned_version(k8s: Any) -> None:
    info = await client.VersionApi(k8s).get_code()
    assert info.git_version == f"v{DEFAULT_KUBERNETES_VERSION}"


async def test_namespace_configmap_crd_and_custom_object(k8s: Any) -> None:
    core = client.CoreV1Api(k8s)
    ns = f"smoke-{uuid.uuid4().hex[:8]}"
    await core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    await core.create_namespaced_config_map(
        ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings"), data={"k": "v"})
    )
    cm = await core.read_namespaced_config_map("settings", ns)
    assert cm.data == {"k": "v"}
    assert cm.metadata.resource_version

    ext: Any = client.ApiextensionsV1Api(k8s)  # dict bodies: untyped on purpose
    await ext.create_custom_resource_definition(CRD)
    await _wait_established(k8s, CRD["metadata"]["name"])

    objects: Any = client.CustomObjectsApi(k8s)
    body = {"apiVersion": f"{GROUP}/v1", "kind": "Widget", "metadata": {"name": "w1"}}
    created = await objects.create_namespaced_custom_object(
        GROUP, "v1", ns, PLURAL, {**body, "spec": {"size": 2}}
    )
    assert created["metadata"]["generation"] == 1
    patched = await objects.patch_namespaced_custom_object_status(
        GROUP, "v1", ns, PLURAL, "w1",
        {"status": {"phase": "Ready"}, "spec": {"size": 9}},
        _content_type="application/merge-patch+json",
    )  # fmt: skip
    assert patched["status"] == {"phase": "Ready"}
    assert patched["spec"] == {"size": 2}  # the status subresource ignores spec
    assert patched["metadata"]["generation"] == 1

    with pytest.raises(client.ApiException) as invalid:
        await objects.create_namespaced_custom_object(
            GROUP, "v1", ns, PLURAL, {**body, "metadata": {"name": "w2"}, "spec": {"size": 0}}
        )
    assert invalid.value.status == 422  # the CRD's OpenAPI schema is enforced


def test_kubectl_get_namespaces(envtest_plane: ControlPlane) -> None:
    kubectl = envtest_plane.kubectl_path
    if kubectl is None:
        pytest.skip("no kubectl found (AIM_TEST_KUBECTL, PATH or the envtest cache)")
    kubeconfig = str(envtest_plane.kubeconfig_path)
    done = subprocess.run(
        [str(kubectl), "--kubeconfig", kubeconfig, "get", "ns", "-o", "name"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "namespace/default" in done.stdout.split()
    assert "namespace/kube-system" in done.stdout.split()


def _get(plane: ControlPlane, path: str, token: str | None) -> int:
    context = ssl.create_default_context(cafile=str(plane.ca_cert_path))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(f"{plane.url}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_authentication_and_rbac_are_enforced(envtest_plane: ControlPlane) -> None:
    assert _get(envtest_plane, "/api/v1/namespaces", envtest_plane.token) == 200
    assert _get(envtest_plane, "/api/v1/namespaces", "not-the-token") == 401
    assert _get(envtest_plane, "/api/v1/namespaces", None) == 403  # anonymous, denied by RBAC
    assert _get(envtest_plane, "/readyz", None) == 200  # public health endpoint


async def test_service_account_tokens_are_signed_but_no_default_account(k8s: Any) -> None:
    core: Any = client.CoreV1Api(k8s)
    ns = f"sa-{uuid.uuid4().hex[:8]}"
    await core.create_namespace({"metadata": {"name": ns}})
    with pytest.raises(client.ApiException) as missing:
        await core.read_namespaced_service_account("default", ns)
    assert missing.value.status == 404  # no kube-controller-manager to create it
    await core.create_namespaced_service_account(ns, {"metadata": {"name": "robot"}})
    request = {"spec": {"audiences": [], "expirationSeconds": 600}}
    issued = await core.create_namespaced_service_account_token("robot", ns, request)
    assert issued.status.token.count(".") == 2  # a signed JWT


def test_one_control_plane_per_session(
    request: pytest.FixtureRequest, envtest_plane: ControlPlane
) -> None:
    assert request.getfixturevalue("envtest_control_plane") is envtest_plane
    if request.config.getoption("--apiserver") == "envtest":
        assert request.getfixturevalue("_aim_control_plane") is envtest_plane

"""The generated AIM CRDs install into an API server, every sample is accepted, defaults apply,
and ``kubectl get`` prints the columns of the original.

Runs against the in-process fake by default and against a real kube-apiserver with
``--apiserver=envtest``; it uses only the unmodified kubernetes-asyncio client, so nothing here
depends on the fake. Helpers at the top are shared with ``test_crds_validation.py``.
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import subprocess
import uuid
from typing import Any

import pytest
import yaml
from kubernetes_asyncio import client

from aim_engine.api.crdgen import crd_for
from aim_engine.api.v1alpha1 import ALL_KINDS, GROUP, VERSION, AimObject

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "manifests" / "samples"
KINDS: dict[str, type[AimObject]] = {kind.kind_name(): kind for kind in ALL_KINDS}


async def install_crds(api: Any) -> None:
    """Create (or replace) every AIM CRD and wait until each one is Established."""
    ext = client.ApiextensionsV1Api(api)
    for kind in ALL_KINDS:
        body: Any = crd_for(kind)
        name = body["metadata"]["name"]
        try:
            await ext.create_custom_resource_definition(body)
        except client.ApiException as exc:
            if exc.status != 409:
                raise
            current = await ext.read_custom_resource_definition(name)
            body["metadata"]["resourceVersion"] = current.metadata.resource_version
            await ext.replace_custom_resource_definition(name, body)
    async with asyncio.timeout(30):
        for kind in ALL_KINDS:
            name = f"{kind.CRD.plural}.{GROUP}"
            for _ in range(600):  # a real apiserver establishes CRDs asynchronously
                if await _established(ext, name):
                    break
                await asyncio.sleep(0.05)
    await asyncio.sleep(0)


async def _established(ext: Any, name: str) -> bool:
    crd = await ext.read_custom_resource_definition(name)
    conditions = (crd.status.conditions if crd.status else None) or []
    return any(c.type == "Established" and c.status == "True" for c in conditions)


def unique(name: str) -> str:
    """A cluster-scoped object name that no other test uses (real servers are shared)."""
    return f"{name}-{uuid.uuid4().hex[:6]}"


async def create(api: Any, body: dict[str, Any], namespace: str) -> dict[str, Any]:
    """Create an AIM object of any kind (namespace ignored for cluster-scoped kinds)."""
    kind = KINDS[body["kind"]]
    objects = client.CustomObjectsApi(api)
    if kind.CRD.scope == "Cluster":
        result = await objects.create_cluster_custom_object(GROUP, VERSION, kind.CRD.plural, body)
    else:
        result = await objects.create_namespaced_custom_object(
            GROUP, VERSION, namespace, kind.CRD.plural, body
        )
    assert isinstance(result, dict)
    return result


async def replace(api: Any, body: dict[str, Any], namespace: str) -> dict[str, Any]:
    """Replace (PUT) an AIM object of any kind."""
    kind = KINDS[body["kind"]]
    objects = client.CustomObjectsApi(api)
    name = body["metadata"]["name"]
    if kind.CRD.scope == "Cluster":
        result = await objects.replace_cluster_custom_object(
            GROUP, VERSION, kind.CRD.plural, name, body
        )
    else:
        result = await objects.replace_namespaced_custom_object(
            GROUP, VERSION, namespace, kind.CRD.plural, name, body
        )
    assert isinstance(result, dict)
    return result


async def replace_status(api: Any, body: dict[str, Any], namespace: str) -> dict[str, Any]:
    """Replace the status subresource of a namespaced AIM object."""
    kind = KINDS[body["kind"]]
    objects = client.CustomObjectsApi(api)
    result = await objects.replace_namespaced_custom_object_status(
        GROUP, VERSION, namespace, kind.CRD.plural, body["metadata"]["name"], body
    )
    assert isinstance(result, dict)
    return result


async def delete(api: Any, body: dict[str, Any], namespace: str) -> None:
    """Delete an AIM object; a missing one is fine."""
    kind = KINDS[body["kind"]]
    objects = client.CustomObjectsApi(api)
    name = body["metadata"]["name"]
    try:
        if kind.CRD.scope == "Cluster":
            await objects.delete_cluster_custom_object(GROUP, VERSION, kind.CRD.plural, name)
        else:
            await objects.delete_namespaced_custom_object(
                GROUP, VERSION, namespace, kind.CRD.plural, name
            )
    except client.ApiException as exc:
        if exc.status != 404:
            raise


def load_samples() -> list[dict[str, Any]]:
    """Every sample object in ``manifests/samples``."""
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(SAMPLES.glob("aim_*.yaml"))
    ]


def error_message(exc: client.ApiException) -> str:
    """The ``message`` of a Status error body."""
    body = json.loads(exc.body) if exc.body else {}
    return str(body.get("message", exc.body))


def contains(whole: Any, part: Any) -> bool:
    """Whether ``part`` is ``whole`` with some object keys left out (server defaults added)."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(
            key in whole and contains(whole[key], value) for key, value in part.items()
        )
    if isinstance(part, list):
        return (
            isinstance(whole, list)
            and len(whole) == len(part)
            and all(contains(w, p) for w, p in zip(whole, part, strict=True))
        )
    return bool(whole == part)


SAMPLE_IDS = [f"{s['kind']}/{s['metadata']['name']}" for s in load_samples()]


@pytest.fixture
async def crds(api_client: Any) -> None:
    """All AIM CRDs installed."""
    await install_crds(api_client)


@pytest.mark.usefixtures("crds")
@pytest.mark.parametrize("sample", load_samples(), ids=SAMPLE_IDS)
async def test_sample_is_accepted(api_client: Any, namespace: str, sample: dict[str, Any]) -> None:
    body = json.loads(json.dumps(sample))
    if KINDS[body["kind"]].CRD.scope == "Cluster":
        body["metadata"]["name"] = unique(body["metadata"]["name"])
    try:
        created = await create(api_client, body, namespace)
        assert created["metadata"]["uid"]
        assert contains(created["spec"], body["spec"]), created["spec"]
        parsed = KINDS[body["kind"]].model_validate(created)
        assert parsed.metadata.name == body["metadata"]["name"]
    finally:
        await delete(api_client, body, namespace)


@pytest.mark.usefixtures("crds")
async def test_server_applies_crd_defaults(api_client: Any, namespace: str) -> None:
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "AIMService",
        "metadata": {"name": "defaults"},
        "spec": {"model": {"name": "m"}, "caching": {}},
    }
    created = await create(api_client, body, namespace)
    assert created["spec"]["replicas"] == 1
    assert created["spec"]["caching"] == {"mode": "Shared"}
    art = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "AIMArtifact",
        "metadata": {"name": "defaults"},
        "spec": {"sourceUri": "hf://org/model"},
    }
    created_art = await create(api_client, art, namespace)
    assert created_art["spec"]["modelDownloadImage"] == (
        "ghcr.io/silogen/aim-artifact-downloader:0.2.0"
    )


@pytest.mark.usefixtures("crds")
async def test_null_optional_field_is_pruned_not_rejected(api_client: Any, namespace: str) -> None:
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "AIMService",
        "metadata": {"name": "nulls"},
        "spec": {"model": {"name": "m"}, "runtimeConfigName": None},
    }
    created = await create(api_client, body, namespace)
    assert "runtimeConfigName" not in created["spec"]


@pytest.mark.usefixtures("crds")
async def test_status_subresource_accepts_a_full_status(api_client: Any, namespace: str) -> None:
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "AIMService",
        "metadata": {"name": "status"},
        "spec": {"model": {"name": "m"}},
    }
    created = await create(api_client, body, namespace)
    created["status"] = {
        "status": "Running",
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "AllComponentsReady",
                "message": "All components are ready",
                "lastTransitionTime": "2026-01-01T00:00:00Z",
            }
        ],
        "resolvedModel": {"name": "m", "scope": "Namespace", "uid": "u-1"},
        "resolvedTemplate": {"name": "t", "namespace": namespace, "scope": "Namespace"},
        "runtime": {"replicas": 1, "currentReplicas": 1, "desiredReplicas": 1},
        "cache": {"templateCacheRef": {"name": "c", "namespace": namespace}},
        "routing": {},
    }
    updated = await replace_status(api_client, created, namespace)
    assert updated["status"]["status"] == "Running"
    assert updated["status"]["runtime"]["replicas"] == 1


async def _kubectl(kubectl: pathlib.Path, kubeconfig: pathlib.Path, *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        str(kubectl),
        f"--kubeconfig={kubeconfig}",
        *args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


@pytest.mark.kubectl
@pytest.mark.usefixtures("crds")
@pytest.mark.parametrize(
    ("resource", "wide", "headers"),
    [
        ("aimservices", False, ["NAME", "STATUS", "MODEL", "TEMPLATE", "REPLICAS", "AGE"]),
        ("aimsvc", False, ["NAME", "STATUS", "MODEL", "TEMPLATE", "REPLICAS", "AGE"]),
        ("aimmodels", False, ["NAME", "STATUS", "SOURCE", "IMAGE", "MODEL", "AGE"]),
        ("aimservicetemplates", False, ["NAME", "MODEL", "STATUS", "HARDWARE", "METRIC"]),
        ("aimtemplatecaches", False, ["NAME", "TEMPLATE", "MODE", "STATUS", "KIND", "AGE"]),
        ("aimartifacts", False, ["NAME", "STATUS", "MODE", "MODEL SIZE", "PROGRESS", "AGE"]),
        ("aimartifacts", True, ["PROTOCOL", "ATTEMPT"]),
    ],
)
async def test_kubectl_get_prints_the_original_columns(
    api_client: Any,
    kube: Any,
    kubectl: pathlib.Path,
    namespace: str,
    resource: str,
    wide: bool,
    headers: list[str],
) -> None:
    singular = {"aimsvc": "AIMService"}.get(resource)
    kind = singular or next(k for k in KINDS.values() if k.CRD.plural == resource).kind_name()
    sample = next(s for s in load_samples() if s["kind"] == kind)
    await create(api_client, sample, namespace)
    args = ["get", resource, "-n", namespace] + (["-o", "wide"] if wide else [])
    header = (await _kubectl(kubectl, kube.kubeconfig_path, *args)).splitlines()[0]
    for column in headers:
        assert column in header, header
    assert sample["metadata"]["name"] in await _kubectl(kubectl, kube.kubeconfig_path, *args)


@pytest.mark.kubectl
async def test_kubectl_apply_k_installs_everything(
    kube: Any, kubectl: pathlib.Path, api_client: Any
) -> None:
    manifests = str(ROOT / "manifests")
    out = await _kubectl(kubectl, kube.kubeconfig_path, "apply", "-k", manifests)
    for expected in (
        "customresourcedefinition.apiextensions.k8s.io/aimservices.aim.eai.amd.com",
        "namespace/aim-system",
        "deployment.apps/aim-engine-controller-manager",
        "clusterrole.rbac.authorization.k8s.io/aim-engine-manager-role",
        "service/aim-engine-controller-manager-metrics",
    ):
        assert expected in out, out
    deployment = await client.AppsV1Api(api_client).read_namespaced_deployment(
        "aim-engine-controller-manager", "aim-system"
    )
    container = deployment.spec.template.spec.containers[0]
    assert container.security_context.read_only_root_filesystem is True
    again = await _kubectl(kubectl, kube.kubeconfig_path, "apply", "-k", manifests)
    assert "deployment.apps/aim-engine-controller-manager unchanged" in again, again

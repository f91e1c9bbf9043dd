"""The model and cluster-model controllers against an API server (and a real OCI registry).

Both controllers run as the operator registers them (``setup_model_controllers``). The template
controllers do not run here: tests write the templates' status themselves. Registry cases push
synthetic images to a real CNCF distribution registry (``tests/registry`` fixtures; they skip
with one line when the binary is not there) and give the operator a registry client on the
system clock (the manager's fake clock would autojump through the client's deadlines while a
real request is in flight). Runs on the fake by default and on a real server with
``--apiserver=envtest`` (no garbage collector there: ownership is asserted, not collection).
"""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from aim_engine.api.v1alpha1 import (
    AIMClusterModel,
    AIMClusterServiceTemplate,
    AIMModel,
    AIMRuntimeConfig,
    AIMServiceTemplate,
)
from aim_engine.api.v1alpha1.hardware import AIMGpuRequirements
from aim_engine.api.v1alpha1.model import AIMCustomTemplate
from aim_engine.client import Client
from aim_engine.controller import Request
from aim_engine.errors import NotFoundError
from aim_engine.kinds import SECRET
from aim_engine.manager import Manager
from aim_engine.objects import RawObject, meta
from aim_engine.testing.fixtures import ManagerFactory
from aim_engine.testing.pytest_plugin import TestCluster
from aim_engine.testing.registry import ImagePusher, RegistryServer
from controllers.config import OperatorConfig
from controllers.model.reconciler import ModelPipeline, setup_model_controllers
from controllers.object_names import custom_template_name, discovered_template_name
from controllers.oci import Keychain, RegistryClient, RegistryOptions
from tests.fakeapi.test_crds_install import install_crds
from tests.fakeapi.test_operator_engine import request_log, writes
from tests.registry.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    USER,
    anonymous_registry,
    basic,
    htpasswd_registry,
    registry_binary,
)

MODEL = AIMModel.resource_kind()
CLUSTER_MODEL = AIMClusterModel.resource_kind()
TEMPLATE = AIMServiceTemplate.resource_kind()
CLUSTER_TEMPLATE = AIMClusterServiceTemplate.resource_kind()
IMAGE = "ghcr.io/amd/aim-test:1.0"
LATENCY: dict[str, Any] = {
    "gpuModel": "MI300X",
    "gpuCount": 1,
    "precision": "fp8",
    "metric": "latency",
}
THROUGHPUT: dict[str, Any] = {
    "gpuModel": "MI300X",
    "gpuCount": 8,
    "precision": "fp16",
    "metric": "throughput",
    "profileId": "p8",
}
LABELS = {
    "com.amd.aim.model.canonicalName": "Qwen/Qwen3-32B",
    "com.amd.aim.model.recommendedDeployments": json.dumps([LATENCY, THROUGHPUT]),
    "org.opencontainers.image.version": "0.8.5",
}


@pytest_asyncio.fixture
async def crds(api_client: Any) -> None:
    await install_crds(api_client)


@dataclass
class Operator:
    """Both model controllers on one manager, for one test."""

    manager: Manager
    namespaced: ModelPipeline
    cluster: ModelPipeline
    factory: ManagerFactory

    async def eventually(self, check: Callable[[], Any], timeout: float = 60.0) -> Any:
        return await self.factory.eventually(check, timeout=timeout)


@contextlib.asynccontextmanager
async def operator(
    manager_factory: ManagerFactory, namespace: str, registry: RegistryClient | None = None
) -> AsyncIterator[Operator]:
    manager = manager_factory()
    config = OperatorConfig(namespace=namespace, identity="test-operator")
    namespaced, cluster = setup_model_controllers(
        manager,
        config,
        registry=registry,
        keychain=Keychain({}),
        reporting_instance="test",
    )
    async with manager_factory.running(manager):
        yield Operator(manager, namespaced, cluster, manager_factory)


@pytest_asyncio.fixture
async def registry() -> AsyncIterator[RegistryClient]:
    async with RegistryClient(options=RegistryOptions(backoff=0.01, retries=0)) as client:
        yield client


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def model_body(name: str, namespace: str | None, **spec: Any) -> RawObject:
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "aim.eai.amd.com/v1alpha1",
        "kind": "AIMModel" if namespace else "AIMClusterModel",
        "metadata": metadata,
        "spec": {"image": IMAGE, **spec},
    }


def pull_secret(name: str, namespace: str, server: RegistryServer) -> RawObject:
    auths = {f"http://{server.host}": {"username": USER, "password": PASSWORD}}
    document = json.dumps({"auths": auths}).encode()
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": name, "namespace": namespace},
        "data": {".dockerconfigjson": base64.b64encode(document).decode()},
    }


def conditions(obj: RawObject) -> dict[str, tuple[str, str]]:
    return {
        c["type"]: (c["status"], c["reason"])
        for c in (obj.get("status") or {}).get("conditions") or ()
    }


async def get_or_none(client: Client, kind: Any, name: str, ns: str | None) -> RawObject | None:
    try:
        return await client.get(kind, name, ns)
    except NotFoundError:
        return None


def condition_is(
    client: Client, kind: Any, name: str, ns: str | None, ctype: str, status: str, reason: str
) -> Callable[[], Any]:
    async def check() -> RawObject | None:
        obj = await get_or_none(client, kind, name, ns)
        if obj is not None and conditions(obj).get(ctype) == (status, reason):
            return obj
        return None

    return check


def _getter(client: Client, kind: Any, name: str, ns: str | None) -> Callable[[], Any]:
    return lambda: get_or_none(client, kind, name, ns)


async def mark_ready(client: Client, kind: Any, names: list[str], ns: str | None) -> None:
    for name in names:
        await client.patch(kind, name, {"status": {"status": "Ready"}}, ns, subresource="status")


@pytest.mark.usefixtures("crds")
async def test_spec_metadata_creates_owned_templates_and_becomes_ready(
    kube: TestCluster, aim_client: Client, manager_factory: ManagerFactory, namespace: str
) -> None:
    metadata = {"model": {"canonicalName": "Qwen/Qwen3-32B", "recommendedDeployments": [LATENCY]}}
    body = model_body(
        "qwen",
        namespace,
        imageMetadata=metadata,
        imagePullSecrets=[{"name": "not-read"}],
        serviceAccountName="runner",
    )
    async with operator(manager_factory, namespace) as op:
        await aim_client.create(MODEL, body, namespace)
        name = discovered_template_name(
            "qwen", IMAGE, gpu_model="MI300X", gpu_count=1, metric="latency", precision="fp8"
        )
        template = await op.eventually(lambda: get_or_none(aim_client, TEMPLATE, name, namespace))
        model = await aim_client.get(MODEL, "qwen", namespace)
        assert template["metadata"]["labels"] == {
            "aim.eai.amd.com/model": "qwen",
            "aim.eai.amd.com/origin": "auto-generated",
            "app.kubernetes.io/managed-by": "aim-model-controller",
            "aim.eai.amd.com/model.name": "qwen",
        }
        assert template["spec"] == {
            "modelName": "qwen",
            "imagePullSecrets": [{"name": "not-read"}],
            "serviceAccountName": "runner",
            "metric": "latency",
            "precision": "fp8",
            # resourceName: the CRD default
            "hardware": {"gpu": {"requests": 1, "model": "MI300X", "resourceName": "amd.com/gpu"}},
        }
        (owner,) = template["metadata"]["ownerReferences"]
        assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == (
            "AIMModel",
            "qwen",
            meta(model)["uid"],
            True,
        )
        model = await op.eventually(
            condition_is(
                aim_client,
                MODEL,
                "qwen",
                namespace,
                "ServiceTemplatesReady",
                "False",
                "TemplatesProgressing",
            )
        )
        assert conditions(model)["ImageMetadataReady"] == ("True", "ImageMetadataFound")
        assert conditions(model)["RuntimeConfigReady"] == ("True", "DefaultConfigNotFound")
        assert model["status"]["status"] == "Progressing"
        assert model["status"]["sourceType"] == "Image"
        assert model["status"]["imageMetadata"]["model"]["canonicalName"] == "Qwen/Qwen3-32B"

        await mark_ready(aim_client, TEMPLATE, [name], namespace)
        model = await op.eventually(
            condition_is(
                aim_client, MODEL, "qwen", namespace, "Ready", "True", "AllComponentsReady"
            )
        )
        assert conditions(model)["ServiceTemplatesReady"] == ("True", "AllTemplatesReady")
        assert model["status"]["status"] == "Ready"

        # nothing changed ⇒ nothing written
        async def settled() -> bool:
            cached = op.manager.cache.get(MODEL, "qwen", namespace)
            live = await aim_client.get(MODEL, "qwen", namespace)
            return bool(meta(cached)["resourceVersion"] == meta(live)["resourceVersion"])

        await op.eventually(settled)
        before = meta(await aim_client.get(MODEL, "qwen", namespace))["resourceVersion"]
        log = request_log(kube)
        await op.namespaced.reconcile(Request(namespace, "qwen"))
        if log is not None:
            assert writes(log()) == []
        after = await aim_client.get(MODEL, "qwen", namespace)
        assert meta(after)["resourceVersion"] == before


@pytest.mark.usefixtures("crds")
async def test_custom_cluster_model_gets_custom_templates(
    aim_client: Client, manager_factory: ManagerFactory, namespace: str
) -> None:
    name = f"custom-{uuid.uuid4().hex[:6]}"
    sources = [{"modelId": "org/model", "sourceUri": "hf://org/model"}]
    entry = {"name": "fast", "hardware": {"gpu": {"requests": 2, "model": "MI300X"}}}
    body = model_body(
        name,
        None,
        modelSources=sources,
        customTemplates=[entry],
        env=[{"name": "LOG", "value": "1"}],
    )
    async with operator(manager_factory, namespace) as op:
        await aim_client.create(CLUSTER_MODEL, body)
        try:
            template_name = custom_template_name(
                name,
                0,
                AIMCustomTemplate.model_validate(entry),
                AIMGpuRequirements(requests=2, model="MI300X"),
            )
            template = await op.eventually(
                lambda: get_or_none(aim_client, CLUSTER_TEMPLATE, template_name, None)
            )
            assert template["metadata"]["labels"]["aim.eai.amd.com/template.alias"] == "fast"
            assert template["metadata"]["ownerReferences"][0]["kind"] == "AIMClusterModel"
            assert template["spec"]["modelSources"] == sources
            assert template["spec"]["env"] == [{"name": "LOG", "value": "1"}]
            assert template["spec"]["type"] == "unoptimized"
            model = await op.eventually(
                condition_is(
                    aim_client,
                    CLUSTER_MODEL,
                    name,
                    None,
                    "ClusterServiceTemplatesReady",
                    "False",
                    "TemplatesProgressing",
                )
            )
            assert model["status"]["sourceType"] == "Custom"
            assert "imageMetadata" not in model["status"]
            await mark_ready(aim_client, CLUSTER_TEMPLATE, [template_name], None)
            await op.eventually(
                condition_is(
                    aim_client, CLUSTER_MODEL, name, None, "Ready", "True", "AllComponentsReady"
                )
            )
        finally:
            for kind, obj in ((CLUSTER_TEMPLATE, template_name), (CLUSTER_MODEL, name)):
                with contextlib.suppress(NotFoundError):
                    await aim_client.delete(kind, obj)


class CountingRegistry(RegistryClient):
    """A registry client that counts inspections (to show they happen only when needed)."""

    def __init__(self) -> None:
        super().__init__(options=RegistryOptions(backoff=0.01, retries=0))
        self.inspections = 0

    async def inspect_image(self, image: Any, keychain: Any = None) -> Any:
        self.inspections += 1
        return await super().inspect_image(image, keychain)


@pytest_asyncio.fixture
async def counting() -> AsyncIterator[CountingRegistry]:
    client = CountingRegistry()
    try:
        yield client
    finally:
        await client.close()


def _repo() -> str:
    return f"aim/model-{uuid.uuid4().hex[:8]}"


@pytest.mark.usefixtures("crds")
async def test_registry_image_behind_auth_creates_templates_once(
    kube: TestCluster,
    aim_client: Client,
    manager_factory: ManagerFactory,
    namespace: str,
    htpasswd_registry: RegistryServer,  # noqa: F811
    session: aiohttp.ClientSession,
    counting: CountingRegistry,
) -> None:
    repo = _repo()
    pusher = ImagePusher(session, htpasswd_registry.url, basic())
    # a multi-arch index whose arm64 image says otherwise: the linux/amd64 labels count
    await pusher.push_image(
        repo,
        "1.0",
        LABELS,
        platforms=[("linux", "arm64"), ("linux", "amd64")],
        index=True,
        platform_labels={"linux/arm64": {"com.amd.aim.model.canonicalName": "wrong/arch"}},
    )
    image = f"{htpasswd_registry.host}/{repo}:1.0"
    await aim_client.create(SECRET, pull_secret("pull", namespace, htpasswd_registry), namespace)
    body = model_body("qwen", namespace, imagePullSecrets=[{"name": "pull"}])
    body["spec"]["image"] = image
    async with operator(manager_factory, namespace, counting) as op:
        await aim_client.create(MODEL, body, namespace)
        names = [
            discovered_template_name(
                "qwen",
                image,
                gpu_model=d["gpuModel"],
                gpu_count=d["gpuCount"],
                metric=d["metric"],
                precision=d["precision"],
            )
            for d in (LATENCY, THROUGHPUT)
        ]
        for name in names:
            await op.eventually(_getter(aim_client, TEMPLATE, name, namespace))
        throughput = await aim_client.get(TEMPLATE, names[1], namespace)
        assert throughput["spec"]["profileId"] == "p8"
        assert throughput["spec"]["imagePullSecrets"] == [{"name": "pull"}]
        await mark_ready(aim_client, TEMPLATE, names, namespace)
        model = await op.eventually(
            condition_is(
                aim_client, MODEL, "qwen", namespace, "Ready", "True", "AllComponentsReady"
            )
        )
        assert conditions(model)["ImageMetadataReady"] == ("True", "ImageMetadataFound")
        assert model["status"]["imageMetadata"]["model"]["canonicalName"] == "Qwen/Qwen3-32B"
        assert model["status"]["imageMetadata"]["oci"]["version"] == "0.8.5"

        async def settled() -> bool:
            cached = op.manager.cache.get(MODEL, "qwen", namespace)
            live = await aim_client.get(MODEL, "qwen", namespace)
            return bool(meta(cached)["resourceVersion"] == meta(live)["resourceVersion"])

        await op.eventually(settled)
        seen = counting.inspections
        log = request_log(kube)
        await op.namespaced.reconcile(Request(namespace, "qwen"))
        assert counting.inspections == seen  # metadata is in status: no registry call
        if log is not None:
            assert writes(log()) == []


@pytest.mark.usefixtures("crds")
async def test_cluster_model_reads_pull_secrets_in_the_operator_namespace(
    aim_client: Client,
    manager_factory: ManagerFactory,
    namespace: str,
    htpasswd_registry: RegistryServer,  # noqa: F811
    session: aiohttp.ClientSession,
    registry: RegistryClient,
) -> None:
    repo = _repo()
    await ImagePusher(session, htpasswd_registry.url, basic()).push_image(repo, "1.0", LABELS)
    await aim_client.create(SECRET, pull_secret("pull", namespace, htpasswd_registry), namespace)
    name = f"cm-{uuid.uuid4().hex[:6]}"
    body = model_body(name, None, imagePullSecrets=[{"name": "pull"}])
    body["spec"]["image"] = f"{htpasswd_registry.host}/{repo}:1.0"
    async with operator(manager_factory, namespace, registry) as op:
        await aim_client.create(CLUSTER_MODEL, body)
        try:
            model = await op.eventually(
                condition_is(
                    aim_client,
                    CLUSTER_MODEL,
                    name,
                    None,
                    "ImageMetadataReady",
                    "True",
                    "ImageMetadataFound",
                )
            )
            assert model["status"]["imageMetadata"]["model"]["canonicalName"] == "Qwen/Qwen3-32B"
            templates = await op.eventually(
                lambda: _cluster_templates(aim_client, name, expected=2)
            )
            assert {t["metadata"]["ownerReferences"][0]["name"] for t in templates} == {name}
        finally:
            for template in await _cluster_templates(aim_client, name, expected=0) or []:
                with contextlib.suppress(NotFoundError):
                    await aim_client.delete(CLUSTER_TEMPLATE, template["metadata"]["name"])
            with contextlib.suppress(NotFoundError):
                await aim_client.delete(CLUSTER_MODEL, name)


async def _cluster_templates(
    client: Client, model: str, *, expected: int
) -> list[RawObject] | None:
    items = (await client.list(CLUSTER_TEMPLATE))["items"]
    mine = [t for t in items if t["spec"].get("modelName") == model]
    return mine if len(mine) >= expected else None


@pytest.mark.parametrize(
    ("case", "secret", "labels", "reason"),
    [
        ("no-secret", False, LABELS, "AuthError"),
        ("unknown-image", True, None, "ImageNotFound"),
        (
            "malformed-labels",
            True,
            {"com.amd.aim.model.recommendedDeployments": "[{not json"},
            "InvalidImageMetadata",
        ),
    ],
)
@pytest.mark.usefixtures("crds")
async def test_registry_failures_degrade_the_model_and_retry(
    aim_client: Client,
    manager_factory: ManagerFactory,
    namespace: str,
    htpasswd_registry: RegistryServer,  # noqa: F811
    session: aiohttp.ClientSession,
    counting: CountingRegistry,
    case: str,
    secret: bool,
    labels: dict[str, str] | None,
    reason: str,
) -> None:
    repo = _repo()
    if case != "unknown-image":
        await ImagePusher(session, htpasswd_registry.url, basic()).push_image(repo, "1.0", labels)
    spec: dict[str, Any] = {}
    if secret:
        await aim_client.create(
            SECRET, pull_secret("pull", namespace, htpasswd_registry), namespace
        )
        spec["imagePullSecrets"] = [{"name": "pull"}]
    body = model_body("broken", namespace, **spec)
    body["spec"]["image"] = f"{htpasswd_registry.host}/{repo}:1.0"
    async with operator(manager_factory, namespace, counting) as op:
        await aim_client.create(MODEL, body, namespace)
        model = await op.eventually(
            condition_is(
                aim_client, MODEL, "broken", namespace, "ImageMetadataReady", "False", reason
            )
        )
        assert conditions(model)["DependenciesReachable"] == ("False", "InfrastructureError")
        assert "imageMetadata" not in model["status"]
        # past the 10 s grace period the model is Degraded; the retries go on, with backoff
        model = await op.eventually(
            lambda: _with_status(aim_client, "broken", namespace, "Degraded")
        )
        assert conditions(model)["ImageMetadataReady"] == ("False", reason)
        seen = counting.inspections
        await op.eventually(lambda: counting.inspections > seen)
        assert (await aim_client.list(TEMPLATE, namespace))["items"] == []


async def _with_status(client: Client, name: str, ns: str, status: str) -> RawObject | None:
    obj = await get_or_none(client, MODEL, name, ns)
    return obj if obj is not None and obj["status"]["status"] == status else None


@pytest.mark.usefixtures("crds")
async def test_missing_pull_secret_fails_the_model(
    aim_client: Client, manager_factory: ManagerFactory, namespace: str, registry: RegistryClient
) -> None:
    body = model_body("nosecret", namespace, imagePullSecrets=[{"name": "absent"}])
    async with operator(manager_factory, namespace, registry) as op:
        await aim_client.create(MODEL, body, namespace)
        model = await op.eventually(
            condition_is(
                aim_client,
                MODEL,
                "nosecret",
                namespace,
                "ConfigValid",
                "False",
                "ReferenceNotFound",
            )
        )
        assert conditions(model)["ImageMetadataReady"] == ("False", "SecretNotFound")
        assert model["status"]["status"] == "Failed"


@pytest.mark.usefixtures("crds")
async def test_unreachable_registry_is_an_infrastructure_error(
    aim_client: Client, manager_factory: ManagerFactory, namespace: str, registry: RegistryClient
) -> None:
    body = model_body("offline", namespace)
    body["spec"]["image"] = "127.0.0.1:9/aim/nothing:1.0"  # discard port: refused
    async with operator(manager_factory, namespace, registry) as op:
        await aim_client.create(MODEL, body, namespace)
        model = await op.eventually(
            condition_is(
                aim_client,
                MODEL,
                "offline",
                namespace,
                "ImageMetadataReady",
                "False",
                "InfrastructureError",
            )
        )
        assert conditions(model)["DependenciesReachable"] == ("False", "InfrastructureError")
        assert conditions(model)["Ready"][0] == "False"


@pytest.mark.usefixtures("crds")
async def test_missing_runtime_config_fails_then_its_creation_recovers_the_model(
    aim_client: Client, manager_factory: ManagerFactory, namespace: str
) -> None:
    body = model_body(
        "rc", namespace, runtimeConfigName="gpu", discovery={"createServiceTemplates": False}
    )
    body["spec"]["imageMetadata"] = {"model": {"canonicalName": "org/model"}}
    async with operator(manager_factory, namespace) as op:
        await aim_client.create(MODEL, body, namespace)
        model = await op.eventually(
            condition_is(
                aim_client, MODEL, "rc", namespace, "RuntimeConfigReady", "False", "ConfigNotFound"
            )
        )
        assert conditions(model)["ConfigValid"] == ("False", "ReferenceNotFound")
        assert model["status"]["status"] == "Failed"
        config = {
            "apiVersion": "aim.eai.amd.com/v1alpha1",
            "kind": "AIMRuntimeConfig",
            "metadata": {"name": "gpu", "namespace": namespace},
            "spec": {},
        }
        await aim_client.create(AIMRuntimeConfig.resource_kind(), config, namespace)
        # the runtime-config watch (index spec.runtimeConfigName) brings the model back
        model = await op.eventually(
            condition_is(aim_client, MODEL, "rc", namespace, "Ready", "True", "AllComponentsReady")
        )
        assert conditions(model)["RuntimeConfigReady"] == ("True", "ConfigFound")
        assert conditions(model)["ServiceTemplatesReady"] == ("True", "NoTemplatesExpected")


@pytest.mark.usefixtures("crds")
async def test_a_template_naming_the_model_counts_and_retriggers_it(
    aim_client: Client, manager_factory: ManagerFactory, namespace: str
) -> None:
    body = model_body("ext", namespace, discovery={"createServiceTemplates": False})
    body["spec"]["imageMetadata"] = {"model": {"canonicalName": "org/model"}}
    async with operator(manager_factory, namespace) as op:
        await aim_client.create(MODEL, body, namespace)
        await op.eventually(
            condition_is(
                aim_client,
                MODEL,
                "ext",
                namespace,
                "ServiceTemplatesReady",
                "True",
                "NoTemplatesExpected",
            )
        )
        template = {
            "apiVersion": "aim.eai.amd.com/v1alpha1",
            "kind": "AIMServiceTemplate",
            "metadata": {"name": "handmade", "namespace": namespace},
            "spec": {"modelName": "ext"},
        }
        await aim_client.create(TEMPLATE, template, namespace)
        await mark_ready(aim_client, TEMPLATE, ["handmade"], namespace)
        model = await op.eventually(
            condition_is(
                aim_client,
                MODEL,
                "ext",
                namespace,
                "ServiceTemplatesReady",
                "True",
                "AllTemplatesReady",
            )
        )
        assert model["status"]["status"] == "Ready"

"""A table of invalid AIM objects: each one is rejected with 422 and a message naming the field.

The expected substrings are what a real kube-apiserver writes (field path plus key words such as
``Unsupported value`` or the CEL rule's message), so the same table runs against the fake and,
with ``--apiserver=envtest``, against a real server.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from kubernetes_asyncio import client

from aim_engine.api.v1alpha1 import GROUP, VERSION
from tests.fakeapi.test_crds_install import (
    KINDS,
    create,
    delete,
    error_message,
    install_crds,
    replace,
    replace_status,
    unique,
)

Body = dict[str, Any]

BASE: dict[str, Body] = {
    "AIMService": {"model": {"name": "qwen3-32b"}},
    "AIMServiceTemplate": {"modelName": "qwen3-32b"},
    "AIMClusterServiceTemplate": {"modelName": "qwen3-32b"},
    "AIMModel": {"image": "amdenterpriseai/aim-qwen-qwen3-32b:0.8.5"},
    "AIMClusterModel": {"image": "amdenterpriseai/aim-qwen-qwen3-32b:0.8.5"},
    "AIMTemplateCache": {"templateName": "t", "templateScope": "Namespace"},
    "AIMArtifact": {"sourceUri": "hf://Qwen/Qwen3-32B"},
    "AIMRuntimeConfig": {},
    "AIMClusterRuntimeConfig": {},
    "AIMClusterModelSource": {"filters": [{"image": "amdenterpriseai/aim-*"}]},
}


def obj(kind: str, spec: Body | None = None) -> Body:
    """A valid object of ``kind`` with ``spec`` keys merged over its base spec."""
    name = "invalid"
    if KINDS[kind].CRD.scope == "Cluster":
        name = unique(name)
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {**copy.deepcopy(BASE[kind]), **(spec or {})},
    }


def without(kind: str, *keys: str) -> Body:
    """A valid object of ``kind`` with top-level spec keys removed."""
    body = obj(kind)
    for key in keys:
        body["spec"].pop(key)
    return body


@dataclass(frozen=True)
class Case:
    """An invalid object and what the rejection must say."""

    id: str
    body: Body
    field: str
    words: str


GPU_BOTH = {"gpu": {"model": "MI300X", "minVram": "192Gi"}}
CUSTOM: Body = {
    "baseImage": "amdenterpriseai/aim-base:0.8.5",
    "modelSources": [{"modelId": "org/model", "sourceUri": "hf://org/model"}],
    "hardware": {"gpu": {"requests": 1}},
}
TEMPLATE_NO_HW = {
    "modelSources": [{"modelId": "org/model", "sourceUri": "hf://org/model"}],
    "customTemplates": [{"name": "a"}],
}


def _svc_custom(**changes: Any) -> Body:
    custom = {**copy.deepcopy(CUSTOM), **changes}
    return obj("AIMService", {"model": {"custom": custom}})


def _custom_without(key: str) -> Body:
    custom = copy.deepcopy(CUSTOM)
    custom.pop(key)
    return obj("AIMService", {"model": {"custom": custom}})


def _metric(**changes: Any) -> Body:
    metric: Body = {
        "type": "PodMetric",
        "podmetric": {
            "metric": {"backend": "opentelemetry", "query": "q"},
            "target": {"type": "Value", "value": "1"},
        },
    }
    for path, value in changes.items():
        node = metric
        *parents, last = path.split("__")
        for parent in parents:
            node = node[parent]
        node[last] = value
    return obj("AIMService", {"autoScaling": {"metrics": [metric]}})


LONG = "x" * 65
CREATE_CASES = [
    # AIMService: model one-of (CEL), required, types, enums, bounds
    Case("svc-model-empty", obj("AIMService", {"model": {}}), "spec.model", "exactly one of name"),
    Case(
        "svc-model-name-and-image",
        obj("AIMService", {"model": {"name": "a", "image": "b"}}),
        "spec.model",
        "exactly one of name, image, or custom",
    ),
    Case("svc-model-missing", without("AIMService", "model"), "spec.model", "Required value"),
    Case("svc-model-name-empty", obj("AIMService", {"model": {"name": ""}}), "spec.model.name", ""),
    Case(
        "svc-caching-mode",
        obj("AIMService", {"caching": {"mode": "Sometimes"}}),
        "spec.caching.mode",
        "Unsupported value",
    ),
    Case(
        "svc-replicas-type",
        obj("AIMService", {"replicas": "two"}),
        "spec.replicas",
        "must be of type integer",
    ),
    Case(
        "svc-min-replicas",
        obj("AIMService", {"minReplicas": 0}),
        "spec.minReplicas",
        "greater than or equal to 1",
    ),
    Case(
        "svc-max-replicas",
        obj("AIMService", {"maxReplicas": 0}),
        "spec.maxReplicas",
        "greater than or equal to 1",
    ),
    Case("svc-spec-type", {**obj("AIMService"), "spec": "x"}, "spec", "must be of type object"),
    Case(
        "svc-custom-no-sources",
        _svc_custom(modelSources=[]),
        "spec.model.custom.modelSources",
        "",
    ),
    Case(
        "svc-custom-two-sources",
        _svc_custom(modelSources=[CUSTOM["modelSources"][0]] * 2),
        "spec.model.custom.modelSources",
        "Too many",
    ),
    Case(
        "svc-custom-no-hardware",
        _custom_without("hardware"),
        "spec.model.custom.hardware",
        "Required value",
    ),
    Case(
        "svc-custom-no-base-image",
        _custom_without("baseImage"),
        "spec.model.custom.baseImage",
        "Required value",
    ),
    Case(
        "svc-custom-bad-model-id",
        _svc_custom(modelSources=[{"modelId": "no-slash", "sourceUri": "hf://a/b"}]),
        "spec.model.custom.modelSources[0].modelId",
        "should match",
    ),
    Case(
        "svc-overrides-metric",
        obj("AIMService", {"overrides": {"metric": "speed"}}),
        "spec.overrides.metric",
        "Unsupported value",
    ),
    Case(
        "svc-overrides-precision",
        obj("AIMService", {"overrides": {"precision": "fp64"}}),
        "spec.overrides.precision",
        "Unsupported value",
    ),
    Case(
        "svc-overrides-hardware-empty",
        obj("AIMService", {"overrides": {"hardware": {}}}),
        "spec.overrides.hardware",
        "at least one of gpu or cpu must be specified",
    ),
    Case(
        "svc-overrides-gpu-model-and-min-vram",
        obj("AIMService", {"overrides": {"hardware": GPU_BOTH}}),
        "spec.overrides.hardware.gpu",
        "model and minVram are mutually exclusive",
    ),
    Case(
        "svc-routing-timeout",
        obj("AIMService", {"routing": {"requestTimeout": "soon"}}),
        "spec.routing.requestTimeout",
        "should match",
    ),
    Case(
        "svc-routing-gateway-no-name",
        obj("AIMService", {"routing": {"gatewayRef": {"namespace": "gw"}}}),
        "spec.routing.gatewayRef.name",
        "Required value",
    ),
    Case(
        "svc-routing-gateway-port",
        obj("AIMService", {"routing": {"gatewayRef": {"name": "gw", "port": 70000}}}),
        "spec.routing.gatewayRef.port",
        "less than or equal to 65535",
    ),
    Case(
        "svc-routing-enabled-type",
        obj("AIMService", {"routing": {"enabled": "yes"}}),
        "spec.routing.enabled",
        "must be of type boolean",
    ),
    Case(
        "svc-autoscaling-metric-type",
        _metric(type="Resource"),
        "spec.autoScaling.metrics[0].type",
        "Unsupported value",
    ),
    Case(
        "svc-autoscaling-target-type",
        _metric(podmetric__target__type="Percent"),
        "spec.autoScaling.metrics[0].podmetric.target.type",
        "Unsupported value",
    ),
    Case(
        "svc-autoscaling-backend",
        _metric(podmetric__metric__backend="prometheus"),
        "spec.autoScaling.metrics[0].podmetric.metric.backend",
        "Unsupported value",
    ),
    Case(
        "svc-env-no-name",
        obj("AIMService", {"env": [{"value": "x"}]}),
        "spec.env[0].name",
        "Required value",
    ),
    Case(
        "svc-storage-headroom",
        obj("AIMService", {"storage": {"pvcHeadroomPercent": -1}}),
        "spec.storage.pvcHeadroomPercent",
        "greater than or equal to 0",
    ),
    Case(
        "svc-resources-quantity",
        obj("AIMService", {"resources": {"limits": {"memory": "lots"}}}),
        "spec.resources.limits.memory",
        "should match",
    ),
    # templates
    Case(
        "tpl-model-name-missing",
        without("AIMServiceTemplate", "modelName"),
        "spec.modelName",
        "Required value",
    ),
    Case(
        "tpl-model-name-empty", obj("AIMServiceTemplate", {"modelName": ""}), "spec.modelName", ""
    ),
    Case(
        "tpl-gpu-requests-negative",
        obj("AIMServiceTemplate", {"hardware": {"gpu": {"requests": -1}}}),
        "spec.hardware.gpu.requests",
        "greater than or equal to 0",
    ),
    Case(
        "tpl-gpu-model-and-min-vram",
        obj("AIMServiceTemplate", {"hardware": GPU_BOTH}),
        "spec.hardware.gpu",
        "model and minVram are mutually exclusive",
    ),
    Case(
        "tpl-gpu-model-too-long",
        obj("AIMServiceTemplate", {"hardware": {"gpu": {"model": LONG}}}),
        "spec.hardware.gpu.model",
        "Too long",
    ),
    Case(
        "tpl-cpu-no-requests",
        obj("AIMServiceTemplate", {"hardware": {"cpu": {"limits": "2"}}}),
        "spec.hardware.cpu.requests",
        "Required value",
    ),
    Case(
        "tpl-hardware-empty",
        obj("AIMServiceTemplate", {"hardware": {}}),
        "spec.hardware",
        "at least one of gpu or cpu must be specified",
    ),
    Case(
        "tpl-type",
        obj("AIMServiceTemplate", {"type": "best"}),
        "spec.type",
        "Unsupported value",
    ),
    Case(
        "tpl-source-model-id",
        obj("AIMServiceTemplate", {"modelSources": [{"modelId": "nope"}]}),
        "spec.modelSources[0].modelId",
        "should match",
    ),
    Case(
        "tpl-source-uri",
        obj("AIMServiceTemplate", {"modelSources": [{"modelId": "a/b", "sourceUri": "http://x"}]}),
        "spec.modelSources[0].sourceUri",
        "should match",
    ),
    Case(
        "tpl-min-vram-quantity",
        obj("AIMServiceTemplate", {"hardware": {"gpu": {"minVram": "lots"}}}),
        "spec.hardware.gpu.minVram",
        "should match",
    ),
    Case(
        "tpl-caching-enabled-type",
        obj("AIMServiceTemplate", {"caching": {"enabled": "on"}}),
        "spec.caching.enabled",
        "must be of type boolean",
    ),
    Case(
        "cltpl-precision",
        obj("AIMClusterServiceTemplate", {"precision": "fp64"}),
        "spec.precision",
        "Unsupported value",
    ),
    Case(
        "cltpl-gpu-model-and-min-vram",
        obj("AIMClusterServiceTemplate", {"hardware": GPU_BOTH}),
        "spec.hardware.gpu",
        "mutually exclusive",
    ),
    # models
    Case("model-image-missing", without("AIMModel", "image"), "spec.image", "Required value"),
    Case("model-image-empty", obj("AIMModel", {"image": ""}), "spec.image", ""),
    Case(
        "model-two-sources",
        obj("AIMModel", {"modelSources": [{"modelId": "a/b"}, {"modelId": "c/d"}]}),
        "spec.modelSources",
        "Too many",
    ),
    Case(
        "model-sources-without-hardware",
        obj("AIMModel", TEMPLATE_NO_HW),
        "spec",
        "when using modelSources, hardware must be specified",
    ),
    Case(
        "model-too-many-custom-templates",
        obj("AIMModel", {"customTemplates": [{"name": f"t{i}"} for i in range(17)]}),
        "spec.customTemplates",
        "Too many",
    ),
    Case(
        "model-custom-template-name-too-long",
        obj("AIMModel", {"customTemplates": [{"name": "n" * 64}]}),
        "spec.customTemplates[0].name",
        "Too long",
    ),
    Case(
        "model-custom-template-type",
        obj("AIMModel", {"customTemplates": [{"type": "fast"}]}),
        "spec.customTemplates[0].type",
        "Unsupported value",
    ),
    Case(
        "model-discovery-type",
        obj("AIMModel", {"discovery": {"extractMetadata": "yes"}}),
        "spec.discovery.extractMetadata",
        "must be of type boolean",
    ),
    Case(
        "clmodel-image-missing",
        without("AIMClusterModel", "image"),
        "spec.image",
        "Required value",
    ),
    # template caches
    Case(
        "cache-scope-missing",
        without("AIMTemplateCache", "templateScope"),
        "spec.templateScope",
        "Required value",
    ),
    Case(
        "cache-scope",
        obj("AIMTemplateCache", {"templateScope": "Global"}),
        "spec.templateScope",
        "Unsupported value",
    ),
    Case(
        "cache-mode",
        obj("AIMTemplateCache", {"mode": "Private"}),
        "spec.mode",
        "Unsupported value",
    ),
    Case(
        "cache-template-name-empty",
        obj("AIMTemplateCache", {"templateName": ""}),
        "spec.templateName",
        "",
    ),
    # artifacts
    Case(
        "artifact-source-missing",
        without("AIMArtifact", "sourceUri"),
        "spec.sourceUri",
        "Required value",
    ),
    Case(
        "artifact-source-scheme",
        obj("AIMArtifact", {"sourceUri": "ftp://host/model"}),
        "spec.sourceUri",
        "should match",
    ),
    Case(
        "artifact-model-id",
        obj("AIMArtifact", {"modelId": "just-a-name"}),
        "spec.modelId",
        "should match",
    ),
    Case(
        "artifact-size",
        obj("AIMArtifact", {"size": "big"}),
        "spec.size",
        "should match",
    ),
    # runtime configs
    Case(
        "rc-headroom",
        obj("AIMRuntimeConfig", {"storage": {"pvcHeadroomPercent": -5}}),
        "spec.storage.pvcHeadroomPercent",
        "greater than or equal to 0",
    ),
    Case(
        "rc-label-propagation-type",
        obj("AIMRuntimeConfig", {"labelPropagation": {"enabled": "sure"}}),
        "spec.labelPropagation.enabled",
        "must be of type boolean",
    ),
    Case(
        "clrc-gateway-kind-empty",
        obj("AIMClusterRuntimeConfig", {"routing": {"gatewayRef": {"name": "g", "kind": ""}}}),
        "spec.routing.gatewayRef.kind",
        "",
    ),
    # model sources
    Case(
        "source-filters-missing",
        without("AIMClusterModelSource", "filters"),
        "spec.filters",
        "Required value",
    ),
    Case("source-filters-empty", obj("AIMClusterModelSource", {"filters": []}), "spec.filters", ""),
    Case(
        "source-max-models-low",
        obj("AIMClusterModelSource", {"maxModels": 0}),
        "spec.maxModels",
        "greater than or equal to 1",
    ),
    Case(
        "source-max-models-high",
        obj("AIMClusterModelSource", {"maxModels": 20000}),
        "spec.maxModels",
        "less than or equal to 10000",
    ),
    Case(
        "source-filter-image-too-long",
        obj("AIMClusterModelSource", {"filters": [{"image": "i" * 513}]}),
        "spec.filters[0].image",
        "Too long",
    ),
    Case(
        "source-sync-interval",
        obj("AIMClusterModelSource", {"syncInterval": "hourly"}),
        "spec.syncInterval",
        "should match",
    ),
]


@dataclass(frozen=True)
class UpdateCase:
    """A valid object and a change to it that the server must refuse."""

    id: str
    body: Body
    change: Callable[[Body], None]
    field: str
    words: str


def _set(path: str, value: Any) -> Callable[[Body], None]:
    def change(body: Body) -> None:
        node = body
        *parents, last = path.split(".")
        for parent in parents:
            node = node.setdefault(parent, {})
        node[last] = value

    return change


TPL = obj(
    "AIMServiceTemplate",
    {"metric": "latency", "precision": "fp8", "hardware": {"gpu": {"requests": 1}}},
)
UPDATE_CASES = [
    UpdateCase(
        "svc-model-immutable",
        obj("AIMService"),
        _set("spec.model.name", "other"),
        "spec.model",
        "model selection is immutable after creation",
    ),
    UpdateCase(
        "svc-template-immutable",
        obj("AIMService", {"template": {"name": "a"}}),
        _set("spec.template.name", "b"),
        "spec.template",
        "template selection is immutable after creation",
    ),
    UpdateCase(
        "svc-caching-immutable",
        obj("AIMService", {"caching": {"mode": "Shared"}}),
        _set("spec.caching.mode", "Dedicated"),
        "spec.caching",
        "caching mode is immutable after creation",
    ),
    UpdateCase(
        "svc-overrides-metric-immutable",
        obj("AIMService", {"overrides": {"metric": "latency"}}),
        _set("spec.overrides.metric", "throughput"),
        "spec.overrides.metric",
        "metric is immutable",
    ),
    UpdateCase(
        "tpl-metric-immutable", TPL, _set("spec.metric", "throughput"), "spec.metric", "immutable"
    ),
    UpdateCase(
        "tpl-precision-immutable",
        TPL,
        _set("spec.precision", "fp16"),
        "spec.precision",
        "precision is immutable",
    ),
    UpdateCase(
        "tpl-hardware-immutable",
        TPL,
        _set("spec.hardware.gpu.requests", 2),
        "spec.hardware",
        "hardware is immutable",
    ),
    UpdateCase(
        "tpl-model-name-immutable",
        TPL,
        _set("spec.modelName", "other"),
        "spec.modelName",
        "model name is immutable",
    ),
    UpdateCase(
        "artifact-source-immutable",
        obj("AIMArtifact"),
        _set("spec.sourceUri", "hf://other/model"),
        "spec.sourceUri",
        "sourceUri is immutable",
    ),
]


@pytest.fixture
async def crds(api_client: Any) -> None:
    """All AIM CRDs installed."""
    await install_crds(api_client)


def test_the_table_is_big_enough() -> None:
    assert len(CREATE_CASES) + len(UPDATE_CASES) >= 40
    assert len({c.id for c in CREATE_CASES} | {c.id for c in UPDATE_CASES}) == len(
        CREATE_CASES
    ) + len(UPDATE_CASES)


def _assert_rejected(exc: client.ApiException, field: str, words: str) -> None:
    assert exc.status == 422, exc.body
    message = error_message(exc)
    assert field in message, message
    assert words in message, message


@pytest.mark.usefixtures("crds")
@pytest.mark.parametrize("case", CREATE_CASES, ids=[c.id for c in CREATE_CASES])
async def test_invalid_object_is_rejected(api_client: Any, namespace: str, case: Case) -> None:
    body = copy.deepcopy(case.body)
    try:
        with pytest.raises(client.ApiException) as caught:
            await create(api_client, body, namespace)
    finally:
        await delete(api_client, body, namespace)
    _assert_rejected(caught.value, case.field, case.words)


@pytest.mark.usefixtures("crds")
@pytest.mark.parametrize("case", UPDATE_CASES, ids=[c.id for c in UPDATE_CASES])
async def test_changing_an_immutable_field_is_rejected(
    api_client: Any, namespace: str, case: UpdateCase
) -> None:
    created = await create(api_client, copy.deepcopy(case.body), namespace)
    try:
        changed = copy.deepcopy(created)
        case.change(changed)
        with pytest.raises(client.ApiException) as caught:
            await replace(api_client, changed, namespace)
        _assert_rejected(caught.value, case.field, case.words)
    finally:
        await delete(api_client, created, namespace)


@pytest.mark.usefixtures("crds")
async def test_service_status_rejects_not_available(api_client: Any, namespace: str) -> None:
    created = await create(api_client, obj("AIMService"), namespace)
    created["status"] = {"status": "NotAvailable"}
    with pytest.raises(client.ApiException) as caught:
        await replace_status(api_client, created, namespace)
    _assert_rejected(caught.value, "status.status", "Unsupported value")


@pytest.mark.usefixtures("crds")
async def test_condition_needs_a_reason(api_client: Any, namespace: str) -> None:
    created = await create(api_client, obj("AIMArtifact"), namespace)
    created["status"] = {
        "conditions": [
            {"type": "Ready", "status": "Maybe", "lastTransitionTime": "2026-01-01T00:00:00Z"}
        ]
    }
    with pytest.raises(client.ApiException) as caught:
        await replace_status(api_client, created, namespace)
    _assert_rejected(caught.value, "status.conditions[0].status", "Unsupported value")
    assert "status.conditions[0].reason" in error_message(caught.value)


@pytest.mark.usefixtures("crds")
async def test_unchanged_immutable_fields_pass(api_client: Any, namespace: str) -> None:
    created = await create(api_client, copy.deepcopy(TPL), namespace)
    created["metadata"].setdefault("labels", {})["touched"] = "yes"
    updated = await replace(api_client, created, namespace)
    assert updated["metadata"]["labels"]["touched"] == "yes"

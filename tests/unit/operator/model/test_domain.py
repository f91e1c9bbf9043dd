"""The model domain's steps and watch mappings, without an API server."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from aim_engine.api.v1alpha1 import AIMStatus
from aim_engine.api.v1alpha1.image_metadata import ImageMetadata
from aim_engine.api.v1alpha1.model import AIMClusterModel, AIMModel, AIMModelSpec
from aim_engine.api.v1alpha1.runtime_config import AIMRuntimeConfigSpec
from aim_engine.clock import SystemClock
from aim_engine.controller import Request
from aim_engine.errors import NotFoundError, ServerError
from aim_engine.kinds import ResourceKind
from aim_engine.objects import RawObject
from controllers.engine import (
    ConditionManager,
    ErrorCategory,
    FetchContext,
    Fetched,
    StatusDraft,
    resolve_health,
)
from controllers.model.domain import ModelDomain, ModelReads, runtime_config_health
from controllers.model.inspection import MetadataInspector
from controllers.model.scope import CLUSTER, NAMESPACED, Model, ModelScope
from controllers.model.watches import (
    MODEL_NAME_INDEX,
    model_runtime_config_values,
    template_model,
    template_model_values,
)
from controllers.oci import RegistryAuthError, RegistryClient
from controllers.runtimeconfig import RuntimeConfigResolution

IMAGE = "ghcr.io/amd/aim-qwen:1.0"
DEPLOYMENT = {"gpuModel": "MI300X", "gpuCount": 1, "metric": "latency", "precision": "fp8"}
METADATA = ImageMetadata.model_validate(
    {"model": {"canonicalName": "Qwen/Qwen3-32B", "recommendedDeployments": [DEPLOYMENT]}}
)


class StubInspector(MetadataInspector):
    def __init__(self, result: ImageMetadata | Exception) -> None:
        super().__init__(cast(RegistryClient, None))
        self.result = result
        self.calls: list[tuple[str, str]] = []

    async def inspect(
        self, client: Any, spec: AIMModelSpec, secret_namespace: str
    ) -> ImageMetadata:
        self.calls.append((spec.image, secret_namespace))
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


class StubReader:
    """Nothing but the given templates (listed by the model-name index)."""

    def __init__(self, templates: list[RawObject]) -> None:
        self.templates = templates
        self.lists: list[tuple[str, str | None, tuple[str, str] | None]] = []

    def get(self, kind: ResourceKind, name: str, namespace: str | None = None) -> RawObject:
        raise NotFoundError(404, "NotFound", f"{kind.kind} {name} not found")

    def list(
        self, kind: ResourceKind, namespace: str | None = None, *, index: Any = None, **_: Any
    ) -> list[RawObject]:
        self.lists.append((kind.kind, namespace, index))
        return list(self.templates)


def model(scope: ModelScope, status: dict[str, Any] | None = None, **spec: Any) -> Model:
    metadata: dict[str, Any] = {"name": "qwen"}
    if scope.namespaced:
        metadata["namespace"] = "team"
    body: dict[str, Any] = {"metadata": metadata, "spec": {"image": IMAGE, **spec}}
    if status is not None:
        body["status"] = status
    return scope.model.model_validate(body)


def context(reader: StubReader) -> FetchContext:
    return FetchContext(reader=cast(Any, reader), client=cast(Any, None), clock=SystemClock())


@pytest.mark.parametrize(
    ("scope", "secret_ns", "template_kind", "list_ns"),
    [
        (NAMESPACED, "team", "AIMServiceTemplate", "team"),
        (CLUSTER, "aim-system", "AIMClusterServiceTemplate", None),
    ],
)
async def test_fetch_inspects_with_the_scope_secret_namespace_and_lists_by_index(
    scope: ModelScope, secret_ns: str, template_kind: str, list_ns: str | None
) -> None:
    inspector = StubInspector(METADATA)
    reader = StubReader([{"status": {"status": "Ready"}}])
    domain = ModelDomain(scope, inspector, operator_namespace="aim-system")
    reads = await domain.fetch(context(reader), model(scope))
    assert inspector.calls == [(IMAGE, secret_ns)]
    assert reads.metadata == Fetched(METADATA)
    assert reader.lists == [(template_kind, list_ns, (MODEL_NAME_INDEX, "qwen"))]
    assert reads.runtime_config.value is not None
    assert reads.runtime_config.value.name == "default"


@pytest.mark.parametrize(
    ("status", "spec"),
    [
        ({"imageMetadata": METADATA.to_wire()}, {}),
        (None, {"imageMetadata": METADATA.to_wire()}),
        (None, {"discovery": {"extractMetadata": False}}),
        (None, {"modelSources": [{"modelId": "org/m", "sourceUri": "hf://org/m"}]}),
    ],
    ids=["cached-in-status", "in-spec", "extraction-off", "custom-model"],
)
async def test_fetch_leaves_the_registry_alone_when_metadata_is_not_needed(
    status: dict[str, Any] | None, spec: dict[str, Any]
) -> None:
    inspector = StubInspector(RuntimeError("must not be called"))
    domain = ModelDomain(NAMESPACED, inspector, operator_namespace="aim-system")
    reads = await domain.fetch(context(StubReader([])), model(NAMESPACED, status, **spec))
    assert inspector.calls == []
    assert reads.metadata == Fetched()


async def test_fetch_captures_registry_errors() -> None:
    error = RegistryAuthError("401", status=401)
    domain = ModelDomain(NAMESPACED, StubInspector(error), operator_namespace="aim-system")
    reads = await domain.fetch(context(StubReader([])), model(NAMESPACED))
    assert reads.metadata.error is error


def reads(
    metadata: Fetched[ImageMetadata] | None = None,
    templates: Fetched[list[RawObject]] | None = None,
    config: RuntimeConfigResolution | None = None,
) -> ModelReads:
    return ModelReads(
        Fetched(config or RuntimeConfigResolution("default", "team", None)),
        metadata or Fetched(),
        templates or Fetched([]),
    )


@pytest.mark.parametrize(
    ("scope", "component"), [(NAMESPACED, "ServiceTemplates"), (CLUSTER, "ClusterServiceTemplates")]
)
def test_health_reports_the_three_components(scope: ModelScope, component: str) -> None:
    domain = ModelDomain(scope, StubInspector(METADATA), operator_namespace="ns")
    obj = model(scope)
    templates: list[RawObject] = [{"status": {"status": "Ready"}}, {"status": {}}]
    obs = domain.compose(obj, reads(Fetched(METADATA), Fetched(templates)))
    assert (obs.metadata, obs.expects, obs.statuses) == (METADATA, True, ("Ready", None))
    resolved = [resolve_health(h) for h in domain.health(obj, obs)]
    assert [(h.component, h.state, h.reason) for h in resolved] == [
        ("RuntimeConfig", AIMStatus.READY, "DefaultConfigNotFound"),
        ("ImageMetadata", AIMStatus.READY, "ImageMetadataFound"),
        (component, AIMStatus.PROGRESSING, "TemplatesProgressing"),
    ]


def test_health_of_failed_reads() -> None:
    domain = ModelDomain(NAMESPACED, StubInspector(METADATA), operator_namespace="ns")
    obj = model(NAMESPACED, runtimeConfigName="gpu")
    broken = ServerError(500, "InternalError", "etcd down")
    obs = domain.compose(
        obj,
        reads(
            Fetched(error=RegistryAuthError("401", status=401)),
            Fetched(error=broken),
            RuntimeConfigResolution("gpu", "team", None),
        ),
    )
    resolved = [resolve_health(h) for h in domain.health(obj, obs)]
    assert [(h.component, h.state, h.reason) for h in resolved] == [
        ("RuntimeConfig", AIMStatus.DEGRADED, "ConfigNotFound"),
        ("ImageMetadata", AIMStatus.DEGRADED, "AuthError"),
        ("ServiceTemplates", AIMStatus.DEGRADED, "ServiceUnavailable"),
    ]
    assert resolved[0].errors[0].category is ErrorCategory.MISSING_UPSTREAM


def test_runtime_config_read_error_is_passed_on() -> None:
    error = ServerError(503, "ServiceUnavailable", "later")
    health = resolve_health(runtime_config_health(Fetched(error=error)))
    assert (health.state, health.reason) == (AIMStatus.DEGRADED, "ServiceUnavailable")


def test_plan_applies_the_templates_with_propagated_labels() -> None:
    domain = ModelDomain(NAMESPACED, StubInspector(METADATA), operator_namespace="ns")
    obj = AIMModel.model_validate(
        {
            "metadata": {
                "name": "qwen",
                "namespace": "team",
                "labels": {"team.io/owner": "a", "x": "y"},
            },
            "spec": {"image": IMAGE},
        }
    )
    config = RuntimeConfigResolution(
        "default",
        "team",
        AIMRuntimeConfigSpec.model_validate(
            {"labelPropagation": {"enabled": True, "match": ["team.io/*"]}}
        ),
        namespace_found=True,
    )
    obs = domain.compose(obj, reads(Fetched(METADATA), config=config))
    plan = domain.plan(obj, obs)
    assert [t["kind"] for t in plan.apply] == ["AIMServiceTemplate"]
    assert dict(plan.labels) == {"team.io/owner": "a"}
    assert plan.requeue_after is None


def test_plan_is_empty_while_metadata_is_unknown() -> None:
    domain = ModelDomain(CLUSTER, StubInspector(METADATA), operator_namespace="ns")
    obj = model(CLUSTER)
    obs = domain.compose(obj, reads())
    assert obs.expects is None
    assert list(domain.plan(obj, obs).apply) == []


def test_decorate_records_fetched_metadata_and_source_type() -> None:
    domain = ModelDomain(NAMESPACED, StubInspector(METADATA), operator_namespace="ns")
    obj = model(NAMESPACED)
    obs = domain.compose(obj, reads(Fetched(METADATA)))
    draft = StatusDraft(
        {}, ConditionManager([], generation=1, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    )
    domain.decorate(obj, obs, draft)
    assert draft.fields == {"sourceType": "Image", "imageMetadata": METADATA.to_wire()}


def test_watch_index_values_and_template_mapping() -> None:
    template = {"metadata": {"name": "t", "namespace": "team"}, "spec": {"modelName": "qwen"}}
    assert template_model_values(template) == ["qwen"]
    assert template_model_values({"spec": {}}) == []
    assert template_model(template) == [Request("team", "qwen")]
    assert template_model({"metadata": {"name": "t", "namespace": "team"}, "spec": {}}) == []
    assert model_runtime_config_values({"spec": {"runtimeConfigName": "gpu"}}) == ["gpu"]
    assert model_runtime_config_values({"spec": {}}) == ["default"]


def test_scopes() -> None:
    assert (NAMESPACED.controller, CLUSTER.controller) == ("model", "cluster-model")
    assert NAMESPACED.namespaced
    assert not CLUSTER.namespaced
    cluster_model = AIMClusterModel.model_validate(
        {"metadata": {"name": "m"}, "spec": {"image": IMAGE}}
    )
    assert CLUSTER.secret_namespace(cluster_model, "ops") == "ops"
    assert CLUSTER.namespace(cluster_model) is None

"""AIMService: a running inference endpoint for a model.

The model is chosen by name, by image, or as a custom model with inline sources (exactly one);
model, template and caching choices are immutable after creation. Replicas are fixed unless any
autoscaling field is set, which hands scaling to KEDA.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from aim_engine.api.v1alpha1.base import AGE_COLUMN, AimBaseModel, AimObject, CrdInfo, PrinterColumn
from aim_engine.api.v1alpha1.conditions import ConditionList
from aim_engine.api.v1alpha1.core import EnvVar, LocalObjectReference, ResourceRequirements
from aim_engine.api.v1alpha1.hardware import (
    AIMHardwareRequirements,
    AIMRuntimeParameters,
    immutable,
)
from aim_engine.api.v1alpha1.references import AIMResolvedReference, NamespacedName
from aim_engine.api.v1alpha1.runtime_config import AIMRoutingConfig, AIMStorageConfig
from aim_engine.api.v1alpha1.sources import AIMModelSource
from aim_engine.api.v1alpha1.status import AIMStatus, ServiceStatusValue

__all__ = [
    "AIMCachingMode",
    "AIMService",
    "AIMServiceAutoScaling",
    "AIMServiceCache",
    "AIMServiceCaching",
    "AIMServiceCustomModel",
    "AIMServiceMetric",
    "AIMServiceMetricTarget",
    "AIMServiceModel",
    "AIMServicePodMetric",
    "AIMServicePodMetricSource",
    "AIMServiceRouting",
    "AIMServiceRoutingStatus",
    "AIMServiceRuntime",
    "AIMServiceSpec",
    "AIMServiceStatus",
    "AIMServiceTemplateRef",
]

_MAP_BY_NAME = {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}
_ATOMIC = {"x-kubernetes-list-type": "atomic"}
_INT32 = 2**31 - 1


class AIMServiceCustomModel(AimBaseModel):
    """A custom model: base image + inline sources + hardware."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "size(self.modelSources) >= 1",
                    "message": "custom model requires at least one model source",
                }
            ]
        }
    )

    base_image: Annotated[str, Field(min_length=1)] = Field(
        description="Runtime image that serves the weights."
    )
    model_sources: Annotated[
        list[AIMModelSource], Field(min_length=1, max_length=1, json_schema_extra=_ATOMIC)
    ] = Field(description="The model weights (exactly one source).")
    hardware: AIMHardwareRequirements = Field(description="Hardware to run on.")


class AIMServiceModel(AimBaseModel):
    """Which model to serve (exactly one of name, image, custom)."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "(has(self.name) ? 1 : 0) + (has(self.image) ? 1 : 0)"
                    " + (has(self.custom) ? 1 : 0) == 1",
                    "message": "exactly one of name, image, or custom must be specified",
                }
            ]
        }
    )

    name: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="AIMModel (namespace first) or AIMClusterModel name."
    )
    image: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="Model image; a model is found or created for it."
    )
    custom: AIMServiceCustomModel | None = Field(
        default=None, description="Custom model with inline sources."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> AIMServiceModel:
        chosen = [v for v in (self.name, self.image, self.custom) if v is not None]
        if len(chosen) != 1:
            raise ValueError("exactly one of name, image, or custom must be specified")
        return self


class AIMServiceTemplateRef(AimBaseModel):
    """Template selection."""

    name: str | None = Field(default=None, description="Explicit template name.")
    allow_unoptimized: bool | None = Field(
        default=None, description="Let auto-selection pick preview/unoptimized templates."
    )


class AIMCachingMode(StrEnum):
    """Cache sharing mode (Always/Auto map to Shared, Never to Dedicated)."""

    DEDICATED = "Dedicated"
    SHARED = "Shared"
    AUTO = "Auto"
    ALWAYS = "Always"
    NEVER = "Never"


class AIMServiceCaching(AimBaseModel):
    """Caching of the model weights."""

    mode: AIMCachingMode = Field(default=AIMCachingMode.SHARED, description="Cache sharing mode.")


class AIMServicePodMetricSource(AimBaseModel):
    """The metric a pod-metric autoscaler watches."""

    backend: Literal["opentelemetry"] = Field(
        default="opentelemetry", description="Metrics backend."
    )
    server_address: str | None = Field(default=None, description="Address of the backend.")
    metric_names: list[str] | None = Field(default=None, description="Metrics to query.")
    query: str | None = Field(default=None, description="Query over the metrics.")
    operation_over_time: str | None = Field(default=None, description="e.g. avg, last_one.")


class AIMServiceMetricTarget(AimBaseModel):
    """The target value of an autoscaling metric."""

    type: Literal["Value", "AverageValue", "Utilization"] = Field(description="Target type.")
    value: str | None = None
    average_value: str | None = None
    average_utilization: Annotated[int, Field(ge=0, le=_INT32)] | None = None


class AIMServicePodMetric(AimBaseModel):
    """A pod metric and its target."""

    metric: AIMServicePodMetricSource = Field(description="What to measure.")
    target: AIMServiceMetricTarget = Field(description="The target value.")


class AIMServiceMetric(AimBaseModel):
    """One autoscaling metric (copied into KServe ``predictor.autoScaling``)."""

    type: Literal["PodMetric"] = Field(description="Metric source type.")
    podmetric: AIMServicePodMetric | None = Field(
        default=None, alias="podmetric", description="Pod metric settings."
    )


class AIMServiceAutoScaling(AimBaseModel):
    """KEDA autoscaling metrics."""

    metrics: list[AIMServiceMetric] | None = Field(default=None, description="Metrics.")


class AIMServiceRouting(AIMRoutingConfig):
    """Per-service routing overrides (``annotations`` is ignored; only the config's apply)."""


class AIMServiceSpec(AimBaseModel):
    """Spec of an AIMService."""

    model: AIMServiceModel = Field(
        description="The model to serve.",
        json_schema_extra=immutable("model selection is immutable after creation"),
    )
    template: AIMServiceTemplateRef | None = Field(
        default=None,
        description="Template selection (auto when absent).",
        json_schema_extra=immutable("template selection is immutable after creation"),
    )
    caching: AIMServiceCaching | None = Field(
        default=None,
        description="Cache mode.",
        json_schema_extra=immutable("caching mode is immutable after creation"),
    )
    cache_model: bool | None = Field(default=None, description="Deprecated; ignored.")
    replicas: Annotated[int, Field(ge=0, le=_INT32)] = Field(
        default=1, description="Fixed replicas when no autoscaling field is set."
    )
    min_replicas: Annotated[int, Field(ge=1, le=_INT32)] | None = Field(
        default=None, description="Enables KEDA autoscaling."
    )
    max_replicas: Annotated[int, Field(ge=1, le=_INT32)] | None = Field(
        default=None, description="Enables KEDA autoscaling."
    )
    auto_scaling: AIMServiceAutoScaling | None = Field(
        default=None, description="KEDA autoscaling metrics."
    )
    runtime_config_name: str | None = Field(
        default=None, description="Runtime config to use (empty ⇒ default)."
    )
    storage: AIMStorageConfig | None = Field(
        default=None, description="Storage overrides (only the storage class is honoured)."
    )
    routing: AIMServiceRouting | None = Field(
        default=None, description="Per-field override of runtime-config routing."
    )
    env: Annotated[list[EnvVar], Field(json_schema_extra=_MAP_BY_NAME)] | None = Field(
        default=None, description="Env of the inference container (highest precedence)."
    )
    resources: ResourceRequirements | None = Field(
        default=None, description="Resource overrides (highest precedence)."
    )
    overrides: AIMRuntimeParameters | None = Field(
        default=None, description="Metric/precision/hardware filter and derived template."
    )
    image_pull_secrets: (
        Annotated[list[LocalObjectReference], Field(json_schema_extra=_ATOMIC)] | None
    ) = Field(default=None, description="Pull secrets of the inference pod.")
    service_account_name: str | None = Field(
        default=None, description="Service account of the inference pod."
    )


class AIMServiceCache(AimBaseModel):
    """The template cache a service uses."""

    template_cache_ref: NamespacedName | None = None
    retry_attempts: int | None = None


class AIMServiceRuntime(AimBaseModel):
    """Replica counts of the running inference service."""

    current_replicas: int | None = None
    desired_replicas: int | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None
    replicas: int | None = None


class AIMServiceRoutingStatus(AimBaseModel):
    """Routing status (``path`` is declared but never filled by the original)."""

    path: str | None = None


class AIMServiceStatus(AimBaseModel):
    """Observed state of a service."""

    observed_generation: int | None = None
    status: ServiceStatusValue = Field(default=AIMStatus.PENDING, description="Overall status.")
    conditions: ConditionList | None = None
    resolved_model: AIMResolvedReference | None = None
    resolved_template: AIMResolvedReference | None = None
    resolved_runtime_config: AIMResolvedReference | None = None
    cache: AIMServiceCache | None = None
    runtime: AIMServiceRuntime | None = None
    routing: AIMServiceRoutingStatus | None = None


class AIMService(AimObject):
    """An inference endpoint for a model."""

    CRD = CrdInfo(
        plural="aimservices",
        scope="Namespaced",
        short_names=("aimsvc",),
        printer_columns=(
            PrinterColumn("Status", "string", ".status.status"),
            PrinterColumn("Model", "string", ".status.resolvedModel.name"),
            PrinterColumn("Template", "string", ".status.resolvedTemplate.name"),
            PrinterColumn("Replicas", "integer", ".status.runtime.replicas"),
            AGE_COLUMN,
        ),
        description="An inference endpoint for a model.",
    )

    kind: Literal["AIMService"] = "AIMService"
    spec: AIMServiceSpec
    status: AIMServiceStatus | None = None

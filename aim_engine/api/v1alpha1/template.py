"""AIMServiceTemplate (namespaced) and AIMClusterServiceTemplate (cluster-scoped).

A template is one runnable configuration of a model: metric, precision and hardware (immutable),
plus env and resources. Its controller runs a discovery Job (or uses inline ``modelSources``) to
resolve the runtime profile and the weights to cache.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aim_engine.api.v1alpha1.base import (
    AimBaseModel,
    AimObject,
    CrdInfo,
    FreeForm,
    PrinterColumn,
    Time,
)
from aim_engine.api.v1alpha1.conditions import ConditionList
from aim_engine.api.v1alpha1.core import EnvVar, LocalObjectReference, ResourceRequirements
from aim_engine.api.v1alpha1.hardware import (
    AIMHardwareRequirements,
    AIMProfileType,
    AIMRuntimeParameters,
    immutable,
)
from aim_engine.api.v1alpha1.image_metadata import AIMProfile
from aim_engine.api.v1alpha1.references import AIMResolvedReference, NamespacedName
from aim_engine.api.v1alpha1.sources import AIMModelSource
from aim_engine.api.v1alpha1.status import AIMStatus, TemplateStatusValue

__all__ = [
    "AIMClusterServiceTemplate",
    "AIMClusterServiceTemplateSpec",
    "AIMDiscoveryState",
    "AIMServiceTemplate",
    "AIMServiceTemplateCaching",
    "AIMServiceTemplateSpec",
    "AIMServiceTemplateSpecCommon",
    "AIMServiceTemplateStatus",
]

_MAP_BY_NAME = {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}
_ATOMIC = {"x-kubernetes-list-type": "atomic"}


class AIMServiceTemplateSpecCommon(AIMRuntimeParameters):
    """Spec fields shared by both template kinds (runtime parameters are inlined)."""

    model_name: Annotated[str, Field(min_length=1)] = Field(
        description="Name of the AIMModel (namespaced) or AIMClusterModel (cluster) to run.",
        json_schema_extra=immutable("model name is immutable"),
    )
    runtime_config_name: str | None = Field(
        default=None, description="Runtime config to use (empty ⇒ default)."
    )
    image_pull_secrets: (
        Annotated[list[LocalObjectReference], Field(json_schema_extra=_ATOMIC)] | None
    ) = Field(default=None, description="Declared pull secrets (the model's are used).")
    service_account_name: str | None = Field(
        default=None, description="Declared service account (not used)."
    )
    resources: ResourceRequirements | None = Field(
        default=None, description="Resources merged into the inference container."
    )
    model_sources: Annotated[list[AIMModelSource], Field(json_schema_extra=_ATOMIC)] | None = Field(
        default=None, description="Inline sources: skip discovery."
    )
    profile_id: str | None = Field(
        default=None, description="Profile passed to discovery and inference as AIM_PROFILE_ID."
    )
    type: AIMProfileType | None = Field(
        default=None, description="Profile type when the profile is synthesized from the spec."
    )
    env: Annotated[list[EnvVar], Field(json_schema_extra=_MAP_BY_NAME)] | None = Field(
        default=None, description="Env for the discovery Job and the inference container."
    )


class AIMServiceTemplateCaching(AimBaseModel):
    """Template-owned caching of a namespaced template."""

    enabled: bool = Field(default=False, description="Create a template cache for this template.")
    env: Annotated[list[EnvVar], Field(json_schema_extra=_MAP_BY_NAME)] | None = Field(
        default=None, description="Env for the cache's download Jobs."
    )


class AIMServiceTemplateSpec(AIMServiceTemplateSpecCommon):
    """Spec of an AIMServiceTemplate."""

    caching: AIMServiceTemplateCaching | None = Field(
        default=None, description="Template-owned caching."
    )


class AIMClusterServiceTemplateSpec(AIMServiceTemplateSpecCommon):
    """Spec of an AIMClusterServiceTemplate."""


class AIMDiscoveryState(AimBaseModel):
    """Circuit-breaker state of discovery."""

    attempts: int | None = Field(default=None, description="Failed attempts so far.")
    last_attempt_time: Time | None = Field(default=None, description="When the last one failed.")
    last_failure_reason: str | None = None
    spec_hash: str | None = Field(default=None, description="Hash of the discovery inputs.")


class AIMServiceTemplateStatus(AimBaseModel):
    """Observed state of a template (both kinds)."""

    observed_generation: int | None = None
    status: TemplateStatusValue = Field(default=AIMStatus.PENDING, description="Overall status.")
    conditions: ConditionList | None = None
    resolved_model: AIMResolvedReference | None = None
    resolved_runtime_config: AIMResolvedReference | None = None
    resolved_cache: AIMResolvedReference | None = None
    resolved_hardware: AIMHardwareRequirements | None = Field(
        default=None, description="Hardware actually used by services."
    )
    resolved_node_affinity: FreeForm | None = Field(
        default=None, description="Node affinity on amd.com/gpu.device-id."
    )
    hardware_summary: str | None = Field(default=None, description="e.g. '2 x MI300X' or 'CPU'.")
    model_sources: list[AIMModelSource] | None = Field(
        default=None, description="Weights from inline spec or discovery."
    )
    profile: AIMProfile | None = None
    discovery_job: NamespacedName | None = None
    discovery: AIMDiscoveryState | None = None


_TEMPLATE_COLUMNS = (
    PrinterColumn("Model", "string", ".spec.modelName"),
    PrinterColumn("Status", "string", ".status.status"),
    PrinterColumn("Hardware", "string", ".status.hardwareSummary"),
    PrinterColumn("Metric", "string", ".status.profile.metadata.metric"),
    PrinterColumn("Precision", "string", ".status.profile.metadata.precision"),
)


class AIMServiceTemplate(AimObject):
    """A runnable configuration of an AIMModel in the same namespace."""

    CRD = CrdInfo(
        plural="aimservicetemplates",
        scope="Namespaced",
        short_names=("aimtpl",),
        printer_columns=_TEMPLATE_COLUMNS,
        description="A runnable configuration of an AIMModel in the same namespace.",
    )

    kind: Literal["AIMServiceTemplate"] = "AIMServiceTemplate"
    spec: AIMServiceTemplateSpec
    status: AIMServiceTemplateStatus | None = None


class AIMClusterServiceTemplate(AimObject):
    """A runnable configuration of an AIMClusterModel."""

    CRD = CrdInfo(
        plural="aimclusterservicetemplates",
        scope="Cluster",
        short_names=("aimcltpl",),
        printer_columns=_TEMPLATE_COLUMNS,
        description="A runnable configuration of an AIMClusterModel.",
    )

    kind: Literal["AIMClusterServiceTemplate"] = "AIMClusterServiceTemplate"
    spec: AIMClusterServiceTemplateSpec
    status: AIMServiceTemplateStatus | None = None

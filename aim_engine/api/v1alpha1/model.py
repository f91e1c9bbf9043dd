"""AIMModel (namespaced) and AIMClusterModel (cluster-scoped): a model container image.

A model either points at an image whose labels describe recommended deployments (one template
is generated per deployment), or is a *custom* model: a base runtime image plus inline
``modelSources`` and custom templates.
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
    AIMMetric,
    AIMPrecision,
    AIMProfileType,
)
from aim_engine.api.v1alpha1.image_metadata import ImageMetadata
from aim_engine.api.v1alpha1.references import AIMResolvedReference
from aim_engine.api.v1alpha1.sources import AIMModelSource
from aim_engine.api.v1alpha1.status import AIMStatus, ModelStatusValue

__all__ = [
    "AIMClusterModel",
    "AIMCustomModelDefaults",
    "AIMCustomTemplate",
    "AIMCustomTemplateProfile",
    "AIMModel",
    "AIMModelDiscovery",
    "AIMModelSourceType",
    "AIMModelSpec",
    "AIMModelStatus",
]

_MAP_BY_NAME = {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}
_ATOMIC = {"x-kubernetes-list-type": "atomic"}


class AIMModelDiscovery(AimBaseModel):
    """What the model controller does with the image."""

    extract_metadata: bool = Field(
        default=True, description="Inspect the image's registry labels; false never contacts it."
    )
    create_service_templates: bool = Field(
        default=True, description="Create templates from the recommended deployments."
    )


class AIMCustomModelDefaults(AimBaseModel):
    """Defaults that custom templates inherit."""

    hardware: AIMHardwareRequirements | None = Field(
        default=None, description="Default hardware of custom templates."
    )
    type: AIMProfileType | None = Field(
        default=None, description="Default profile type of custom templates (unoptimized)."
    )


class AIMCustomTemplateProfile(AimBaseModel):
    """Metric and precision of a custom template."""

    metric: AIMMetric | None = None
    precision: AIMPrecision | None = None


class AIMCustomTemplate(AimBaseModel):
    """An explicit template of a model (additive to discovered ones for image models)."""

    name: Annotated[str, Field(max_length=63)] | None = Field(
        default=None, description="Alias of the template (label template.alias)."
    )
    type: AIMProfileType = Field(
        default=AIMProfileType.UNOPTIMIZED, description="Profile type of the template."
    )
    env: Annotated[list[EnvVar], Field(max_length=64, json_schema_extra=_MAP_BY_NAME)] | None = (
        Field(default=None, description="Environment of the template.")
    )
    hardware: AIMHardwareRequirements | None = Field(
        default=None, description="Hardware; merged over custom.hardware."
    )
    profile: AIMCustomTemplateProfile | None = Field(
        default=None, description="Metric and precision."
    )


class AIMModelSpec(AimBaseModel):
    """Spec shared by AIMModel and AIMClusterModel."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "!has(self.modelSources) || size(self.modelSources) == 0"
                    " || (has(self.custom) && has(self.custom.hardware))"
                    " || !has(self.customTemplates) || size(self.customTemplates) == 0"
                    " || self.customTemplates.all(t, has(t.hardware))",
                    "message": "when using modelSources, hardware must be specified: set"
                    " custom.hardware (inherited by all templates) or set hardware on each"
                    " template individually",
                }
            ]
        }
    )

    image: Annotated[str, Field(min_length=1)] = Field(
        description="Model container image (the base runtime image for custom models)."
    )
    discovery: AIMModelDiscovery | None = Field(
        default=None, description="Registry inspection and template generation switches."
    )
    default_service_template: str | None = Field(
        default=None, description="Declared default template (not read by any controller)."
    )
    custom: AIMCustomModelDefaults | None = Field(
        default=None, description="Defaults for custom templates."
    )
    custom_templates: (
        Annotated[list[AIMCustomTemplate], Field(max_length=16, json_schema_extra=_ATOMIC)] | None
    ) = Field(default=None, description="Explicit templates.")
    model_sources: (
        Annotated[list[AIMModelSource], Field(max_length=1, json_schema_extra=_ATOMIC)] | None
    ) = Field(default=None, description="Inline weights; their presence makes a custom model.")
    runtime_config_name: str | None = Field(
        default=None, description="Runtime config to use (empty ⇒ default)."
    )
    image_pull_secrets: (
        Annotated[list[LocalObjectReference], Field(json_schema_extra=_ATOMIC)] | None
    ) = Field(default=None, description="Secrets for registry inspection and discovery Jobs.")
    env: Annotated[list[EnvVar], Field(json_schema_extra=_MAP_BY_NAME)] | None = Field(
        default=None, description="Env merged into generated custom templates."
    )
    service_account_name: str | None = Field(
        default=None, description="Service account of discovery Jobs."
    )
    resources: ResourceRequirements | None = Field(
        default=None, description="Declared baseline resources (not used)."
    )
    image_metadata: ImageMetadata | None = Field(
        default=None, description="User-supplied metadata; suppresses the registry fetch."
    )

    @model_validator(mode="after")
    def _custom_models_need_hardware(self) -> AIMModelSpec:
        if not self.model_sources or not self.custom_templates:
            return self
        if self.custom is not None and self.custom.hardware is not None:
            return self
        if all(t.hardware is not None for t in self.custom_templates):
            return self
        raise ValueError(
            "when using modelSources, hardware must be specified: set custom.hardware"
            " (inherited by all templates) or set hardware on each template individually"
        )


class AIMModelSourceType(StrEnum):
    """Whether a model comes from image labels or inline sources."""

    IMAGE = "Image"
    CUSTOM = "Custom"


class AIMModelStatus(AimBaseModel):
    """Observed state of a model."""

    observed_generation: int | None = None
    status: ModelStatusValue = Field(default=AIMStatus.PENDING, description="Overall status.")
    conditions: ConditionList | None = None
    resolved_runtime_config: AIMResolvedReference | None = None
    image_metadata: ImageMetadata | None = Field(
        default=None, description="Metadata fetched from the registry or copied from spec."
    )
    source_type: AIMModelSourceType | None = Field(default=None, description="Image or Custom.")


_MODEL_COLUMNS = (
    PrinterColumn("Status", "string", ".status.status"),
    PrinterColumn("Source", "string", ".status.sourceType"),
    PrinterColumn("Image", "string", ".spec.image"),
    PrinterColumn("Model", "string", ".status.imageMetadata.model.canonicalName"),
    AGE_COLUMN,
)


class AIMModel(AimObject):
    """A model image in a namespace."""

    CRD = CrdInfo(
        plural="aimmodels",
        scope="Namespaced",
        short_names=("aimmdl",),
        printer_columns=_MODEL_COLUMNS,
        description="A model container image in a namespace.",
    )

    kind: Literal["AIMModel"] = "AIMModel"
    spec: AIMModelSpec
    status: AIMModelStatus | None = None


class AIMClusterModel(AimObject):
    """A model image available to every namespace."""

    CRD = CrdInfo(
        plural="aimclustermodels",
        scope="Cluster",
        short_names=("aimclmdl",),
        printer_columns=_MODEL_COLUMNS,
        description="A model container image available to every namespace.",
    )

    kind: Literal["AIMClusterModel"] = "AIMClusterModel"
    spec: AIMModelSpec
    status: AIMModelStatus | None = None

"""AIMTemplateCache: the cached weights of one template, as a set of AIMArtifacts.

``Shared`` caches reuse unowned artifacts in the namespace; ``Dedicated`` caches own their
artifacts. The artifacts are made from the template's *status* ``modelSources``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from aim_engine.api.v1alpha1.base import AGE_COLUMN, AimBaseModel, AimObject, CrdInfo, PrinterColumn
from aim_engine.api.v1alpha1.conditions import ConditionList
from aim_engine.api.v1alpha1.core import EnvVar, LocalObjectReference
from aim_engine.api.v1alpha1.references import AIMResolvedReference
from aim_engine.api.v1alpha1.sources import AIMModelSource
from aim_engine.api.v1alpha1.status import AIMStatus, TemplateCacheStatusValue

__all__ = [
    "AIMCacheMode",
    "AIMTemplateCache",
    "AIMTemplateCacheArtifact",
    "AIMTemplateCacheSpec",
    "AIMTemplateCacheStatus",
    "AIMTemplateScope",
]

_MAP_BY_NAME = {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}
_ATOMIC = {"x-kubernetes-list-type": "atomic"}


class AIMTemplateScope(StrEnum):
    """Which template kind a cache looks up (Unknown: namespace first, then cluster)."""

    NAMESPACE = "Namespace"
    CLUSTER = "Cluster"
    UNKNOWN = "Unknown"


class AIMCacheMode(StrEnum):
    """Artifact ownership of a cache."""

    DEDICATED = "Dedicated"
    SHARED = "Shared"


class AIMTemplateCacheSpec(AimBaseModel):
    """Spec of an AIMTemplateCache."""

    template_name: Annotated[str, Field(min_length=1)] = Field(description="Template to cache.")
    template_scope: AIMTemplateScope = Field(description="Namespace, Cluster or Unknown.")
    env: Annotated[list[EnvVar], Field(json_schema_extra=_MAP_BY_NAME)] | None = Field(
        default=None, description="Base env of the artifacts it creates."
    )
    image_pull_secrets: (
        Annotated[list[LocalObjectReference], Field(json_schema_extra=_ATOMIC)] | None
    ) = Field(default=None, description="Declared (not propagated to artifacts).")
    storage_class_name: str | None = Field(
        default=None, description="StorageClass artifacts must use (empty = any)."
    )
    download_image: str | None = Field(
        default=None, description="Declared (not propagated to artifacts)."
    )
    model_sources: Annotated[list[AIMModelSource], Field(json_schema_extra=_ATOMIC)] | None = Field(
        default=None, description="Declared (sources come from the template status)."
    )
    runtime_config_name: str | None = Field(
        default=None, description="Runtime config copied to created artifacts."
    )
    mode: AIMCacheMode = Field(default=AIMCacheMode.SHARED, description="Artifact ownership.")


class AIMTemplateCacheArtifact(AimBaseModel):
    """One artifact of a cache, keyed by artifact name in ``status.artifacts``."""

    uid: str | None = None
    name: str | None = None
    model: str | None = Field(default=None, description="The source's modelId.")
    status: str | None = Field(default=None, description="Status of the artifact.")
    persistent_volume_claim: str | None = Field(default=None, description="PVC of the artifact.")
    mount_point: str | None = Field(default=None, description="Declared (never set).")


class AIMTemplateCacheStatus(AimBaseModel):
    """Observed state of a template cache."""

    observed_generation: int | None = None
    status: TemplateCacheStatusValue = Field(
        default=AIMStatus.PENDING, description="Overall status."
    )
    conditions: ConditionList | None = None
    artifacts: dict[str, AIMTemplateCacheArtifact] | None = Field(
        default=None, description="Best artifact per source, keyed by artifact name."
    )
    resolved_template_kind: str | None = None
    resolved_runtime_config: AIMResolvedReference | None = None


class AIMTemplateCache(AimObject):
    """Cached model weights of one template."""

    CRD = CrdInfo(
        plural="aimtemplatecaches",
        scope="Namespaced",
        short_names=("aimtc",),
        printer_columns=(
            PrinterColumn("Template", "string", ".spec.templateName"),
            PrinterColumn("Mode", "string", ".spec.mode"),
            PrinterColumn("Status", "string", ".status.status"),
            PrinterColumn("Kind", "string", ".status.resolvedTemplateKind"),
            AGE_COLUMN,
        ),
        description="Cached model weights of one template.",
    )

    kind: Literal["AIMTemplateCache"] = "AIMTemplateCache"
    spec: AIMTemplateCacheSpec
    status: AIMTemplateCacheStatus | None = None

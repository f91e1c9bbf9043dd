"""AIMClusterModelSource: a registry scan that creates one AIMClusterModel per matching image.

Filters select repositories (``*`` wildcards) and tags (semver constraints); the source is
append-only and re-syncs every ``syncInterval``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aim_engine.api.v1alpha1.base import (
    AGE_COLUMN,
    AimBaseModel,
    AimObject,
    CrdInfo,
    PrinterColumn,
    Time,
)
from aim_engine.api.v1alpha1.conditions import ConditionList
from aim_engine.api.v1alpha1.core import LocalObjectReference
from aim_engine.api.v1alpha1.defaults import FieldDefaults
from aim_engine.api.v1alpha1.runtime_config import Duration
from aim_engine.api.v1alpha1.status import ModelSourceStatusValue

__all__ = [
    "AIMClusterModelSource",
    "AIMClusterModelSourceSpec",
    "AIMClusterModelSourceStatus",
    "AIMModelSourceFilter",
]

_ATOMIC = {"x-kubernetes-list-type": "atomic"}


class AIMModelSourceFilter(AimBaseModel):
    """Images to import: a repository pattern, exclusions and version constraints."""

    image: Annotated[str, Field(min_length=1, max_length=512)] = Field(
        description="Repository pattern with * wildcards, or an exact image reference."
    )
    exclude: list[str] | None = Field(default=None, description="Exact repository names to skip.")
    versions: list[str] | None = Field(
        default=None, description="Semver constraints (override spec.versions)."
    )


class AIMClusterModelSourceSpec(AimBaseModel):
    """Spec of an AIMClusterModelSource."""

    registry: str = Field(default="docker.io", description="Registry to scan.")
    image_pull_secrets: (
        Annotated[list[LocalObjectReference], Field(json_schema_extra=_ATOMIC)] | None
    ) = Field(default=None, description="Secrets in the operator namespace.")
    filters: Annotated[
        list[AIMModelSourceFilter], Field(min_length=1, max_length=100, json_schema_extra=_ATOMIC)
    ] = Field(description="Image filters.")
    sync_interval: Duration = Field(
        default=FieldDefaults.MODEL_SOURCE_SYNC_INTERVAL, description="Re-scan period."
    )
    versions: list[str] | None = Field(default=None, description="Global semver constraints.")
    max_models: Annotated[int, Field(ge=1, le=10000)] = Field(
        default=FieldDefaults.MODEL_SOURCE_MAX_MODELS, description="Cap on created models."
    )


class AIMClusterModelSourceStatus(AimBaseModel):
    """Observed state of a model source."""

    observed_generation: int | None = None
    status: ModelSourceStatusValue | None = Field(default=None, description="Overall status.")
    last_sync_time: Time | None = None
    discovered_models: int | None = None
    available_models: int | None = None
    models_limit_reached: bool | None = None
    conditions: ConditionList | None = None


class AIMClusterModelSource(AimObject):
    """A registry scan that creates AIMClusterModels."""

    CRD = CrdInfo(
        plural="aimclustermodelsources",
        scope="Cluster",
        short_names=("aimclsrc",),
        printer_columns=(
            PrinterColumn("Status", "string", ".status.status"),
            PrinterColumn("Models", "integer", ".status.discoveredModels"),
            PrinterColumn("LastSync", "date", ".status.lastSyncTime"),
            AGE_COLUMN,
        ),
        description="A registry scan that creates one AIMClusterModel per matching image.",
    )

    kind: Literal["AIMClusterModelSource"] = "AIMClusterModelSource"
    spec: AIMClusterModelSourceSpec
    status: AIMClusterModelSourceStatus | None = None

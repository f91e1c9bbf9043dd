"""AIMArtifact: one set of model weights downloaded into a PVC.

The artifact controller sizes the weights (check-size Job) when ``size`` is unknown, creates a
ReadWriteMany PVC with headroom, and runs a download Job whose pod patches ``status.progress``
and ``status.download`` itself.
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
    Quantity,
    Time,
)
from aim_engine.api.v1alpha1.cache import AIMCacheMode
from aim_engine.api.v1alpha1.conditions import ConditionList
from aim_engine.api.v1alpha1.core import EnvVar, LocalObjectReference
from aim_engine.api.v1alpha1.defaults import FieldDefaults
from aim_engine.api.v1alpha1.hardware import immutable
from aim_engine.api.v1alpha1.sources import MODEL_ID_PATTERN, SOURCE_URI_PATTERN
from aim_engine.api.v1alpha1.status import AIMStatus, ArtifactStatusValue

__all__ = [
    "AIMArtifact",
    "AIMArtifactDownload",
    "AIMArtifactProgress",
    "AIMArtifactSpec",
    "AIMArtifactStatus",
]

_MAP_BY_NAME = {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}
_ATOMIC = {"x-kubernetes-list-type": "atomic"}


class AIMArtifactSpec(AimBaseModel):
    """Spec of an AIMArtifact."""

    source_uri: Annotated[str, Field(min_length=1, pattern=SOURCE_URI_PATTERN)] = Field(
        description="hf://org/model or s3://bucket/path.",
        json_schema_extra=immutable("sourceUri is immutable"),
    )
    model_id: Annotated[str, Field(pattern=MODEL_ID_PATTERN)] | None = Field(
        default=None, description="Model identifier (informational)."
    )
    storage_class_name: str | None = Field(
        default=None, description="StorageClass of the PVC (empty ⇒ runtime config ⇒ default)."
    )
    size: Quantity | None = Field(
        default=None, description="Size of the weights; absent ⇒ a check-size Job."
    )
    env: Annotated[list[EnvVar], Field(json_schema_extra=_MAP_BY_NAME)] | None = Field(
        default=None, description="Env of the download/check-size Jobs (highest precedence)."
    )
    model_download_image: str = Field(
        default=FieldDefaults.DOWNLOADER_IMAGE, description="Downloader image."
    )
    image_pull_secrets: (
        Annotated[list[LocalObjectReference], Field(json_schema_extra=_ATOMIC)] | None
    ) = Field(default=None, description="Pull secrets of the Job pods.")
    runtime_config_name: str | None = Field(
        default=None, description="Runtime config to use (empty ⇒ default)."
    )


class AIMArtifactProgress(AimBaseModel):
    """Download progress (patched by the downloader pod)."""

    total_bytes: int | None = None
    downloaded_bytes: int | None = None
    percentage: Annotated[int, Field(ge=0, le=100)] | None = None
    display_percentage: str | None = Field(default=None, description="e.g. '42 %'.")


class AIMArtifactDownload(AimBaseModel):
    """Download attempt state (patched by the downloader pod)."""

    protocol: str | None = Field(default=None, description="XET, HF_TRANSFER or HTTP.")
    attempt: int | None = None
    total_attempts: int | None = None
    protocol_sequence: str | None = None
    message: str | None = None


class AIMArtifactStatus(AimBaseModel):
    """Observed state of an artifact."""

    observed_generation: int | None = None
    status: ArtifactStatusValue = Field(default=AIMStatus.PENDING, description="Overall status.")
    conditions: ConditionList | None = None
    progress: AIMArtifactProgress | None = None
    download: AIMArtifactDownload | None = None
    display_size: str | None = Field(default=None, description="Human-readable size.")
    last_used: Time | None = Field(default=None, description="Declared (never written).")
    persistent_volume_claim: str | None = None
    mode: AIMCacheMode | None = Field(default=None, description="Dedicated if owned, else Shared.")
    discovered_size_bytes: int | None = None
    allocated_size: Quantity | None = Field(default=None, description="PVC request.")
    headroom_percent: int | None = None


class AIMArtifact(AimObject):
    """Model weights downloaded into a PVC."""

    CRD = CrdInfo(
        plural="aimartifacts",
        scope="Namespaced",
        short_names=("aimart",),
        printer_columns=(
            PrinterColumn("Status", "string", ".status.status"),
            PrinterColumn("Mode", "string", ".status.mode"),
            PrinterColumn("Model Size", "string", ".status.displaySize"),
            PrinterColumn("Progress", "string", ".status.progress.displayPercentage"),
            PrinterColumn("Protocol", "string", ".status.download.protocol", priority=1),
            PrinterColumn("Attempt", "integer", ".status.download.attempt", priority=1),
            AGE_COLUMN,
        ),
        description="Model weights downloaded into a PVC.",
    )

    kind: Literal["AIMArtifact"] = "AIMArtifact"
    spec: AIMArtifactSpec
    status: AIMArtifactStatus | None = None

"""Image metadata of model images (OCI labels and AMD ``com.amd.aim.*`` labels) and profiles."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, JsonValue, WithJsonSchema

from aim_engine.api.v1alpha1.base import AimBaseModel

__all__ = [
    "AIMProfile",
    "AIMProfileMetadata",
    "ImageMetadata",
    "ModelMetadata",
    "OciMetadata",
    "RecommendedDeployment",
]

AnyJson = Annotated[JsonValue, WithJsonSchema({"x-kubernetes-preserve-unknown-fields": True})]


class RecommendedDeployment(AimBaseModel):
    """A deployment the image recommends; each one becomes a generated template."""

    gpu_model: str | None = Field(default=None, description="GPU model, e.g. MI300X.")
    gpu_count: int | None = Field(default=None, description="GPUs per replica.")
    precision: str | None = Field(default=None, description="Precision, e.g. fp8.")
    metric: str | None = Field(default=None, description="latency or throughput.")
    profile_id: str | None = Field(default=None, description="Profile identifier.")
    description: str | None = Field(default=None, description="Free text.")


class ModelMetadata(AimBaseModel):
    """AMD model labels of an image."""

    canonical_name: str | None = Field(default=None, description="e.g. Qwen/Qwen3-32B.")
    source: str | None = Field(default=None, description="Where the weights come from.")
    tags: list[str] | None = None
    versions: list[str] | None = None
    variants: list[str] | None = None
    hf_token_required: bool | None = Field(
        default=None, description="Whether a Hugging Face token is needed."
    )
    title: str | None = None
    description_full: str | None = None
    release_notes: str | None = None
    recommended_deployments: list[RecommendedDeployment] | None = Field(
        default=None, description="Deployments to generate templates for."
    )


class OciMetadata(AimBaseModel):
    """Standard ``org.opencontainers.image.*`` labels."""

    title: str | None = None
    description: str | None = None
    licenses: str | None = None
    vendor: str | None = None
    authors: str | None = None
    source: str | None = None
    documentation: str | None = None
    created: str | None = None
    revision: str | None = None
    version: str | None = None


class ImageMetadata(AimBaseModel):
    """Metadata read from (or supplied instead of) a model image's labels."""

    model: ModelMetadata | None = Field(default=None, description="AMD model labels.")
    oci: OciMetadata | None = Field(default=None, description="OCI labels.")
    original_labels: dict[str, str] | None = Field(default=None, description="All raw labels.")


class AIMProfileMetadata(AimBaseModel):
    """What a discovered profile is for."""

    engine: str | None = None
    gpu: str | None = None
    gpu_count: int | None = None
    metric: str | None = None
    precision: str | None = None
    type: str | None = None


class AIMProfile(AimBaseModel):
    """The runtime profile a template resolved (from discovery or synthesized from its spec).

    ``engine_args`` and ``env_vars`` keep their snake_case wire names, as in the original.
    """

    engine_args: AnyJson | None = Field(
        default=None, alias="engine_args", description="Engine arguments (free JSON)."
    )
    env_vars: dict[str, str] | None = Field(
        default=None, alias="env_vars", description="Environment of the profile."
    )
    metadata: AIMProfileMetadata | None = None
    original_discovery_output: AnyJson | None = Field(
        default=None, description="Raw discovery output (free JSON)."
    )

"""Hardware requirements and runtime parameters (metric, precision, GPU/CPU, profile type).

The CEL rules of the original are attached here: hardware needs a GPU or a CPU block, a GPU
block cannot name both a model and a minimum VRAM, and metric, precision and hardware cannot be
changed once set (transition rules with ``oldSelf``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from aim_engine.api.v1alpha1.base import AimBaseModel, Quantity
from aim_engine.api.v1alpha1.defaults import FieldDefaults

__all__ = [
    "AIMCpuRequirements",
    "AIMGpuRequirements",
    "AIMHardwareRequirements",
    "AIMMetric",
    "AIMPrecision",
    "AIMProfileType",
    "AIMRuntimeParameters",
    "immutable",
]


def immutable(message: str) -> JsonDict:
    """``json_schema_extra`` of a field that cannot change once set."""
    return {"x-kubernetes-validations": [{"rule": "self == oldSelf", "message": message}]}


class AIMMetric(StrEnum):
    """What a profile optimises for."""

    LATENCY = "latency"
    THROUGHPUT = "throughput"


class AIMPrecision(StrEnum):
    """Numeric precision of a profile."""

    AUTO = "auto"
    FP4 = "fp4"
    FP8 = "fp8"
    FP16 = "fp16"
    FP32 = "fp32"
    BF16 = "bf16"
    INT4 = "int4"
    INT8 = "int8"


class AIMProfileType(StrEnum):
    """How well a profile has been tuned."""

    OPTIMIZED = "optimized"
    PREVIEW = "preview"
    UNOPTIMIZED = "unoptimized"


class AIMGpuRequirements(AimBaseModel):
    """GPU needs of a deployment."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "!(has(self.model) && size(self.model) > 0 && has(self.minVram))",
                    "message": "model and minVram are mutually exclusive",
                }
            ]
        }
    )

    requests: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = Field(
        default=None,
        description="GPUs per replica; 0 targets GPU nodes without consuming GPUs.",
    )
    model: Annotated[str, Field(max_length=64)] | None = Field(
        default=None, description="GPU model, e.g. MI300X."
    )
    min_vram: Quantity | None = Field(
        default=None, description="Minimum VRAM per GPU (exclusive with model)."
    )
    resource_name: str = Field(
        default=FieldDefaults.GPU_RESOURCE_NAME, description="Extended resource name of the GPU."
    )

    @model_validator(mode="after")
    def _model_xor_min_vram(self) -> AIMGpuRequirements:
        if self.model and self.min_vram is not None:
            raise ValueError("model and minVram are mutually exclusive")
        return self


class AIMCpuRequirements(AimBaseModel):
    """CPU needs of a CPU-only deployment."""

    requests: Quantity = Field(description="CPU request.")
    limits: Quantity | None = Field(default=None, description="CPU limit.")


class AIMHardwareRequirements(AimBaseModel):
    """GPU and/or CPU requirements (at least one)."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "has(self.gpu) || has(self.cpu)",
                    "message": "at least one of gpu or cpu must be specified",
                }
            ]
        }
    )

    gpu: AIMGpuRequirements | None = Field(default=None, description="GPU requirements.")
    cpu: AIMCpuRequirements | None = Field(default=None, description="CPU requirements.")

    @model_validator(mode="after")
    def _gpu_or_cpu(self) -> AIMHardwareRequirements:
        if self.gpu is None and self.cpu is None:
            raise ValueError("at least one of gpu or cpu must be specified")
        return self


class AIMRuntimeParameters(AimBaseModel):
    """Metric, precision and hardware: inlined in template specs, ``overrides`` of a service."""

    metric: AIMMetric | None = Field(
        default=None,
        description="Optimisation target.",
        json_schema_extra=immutable("metric is immutable"),
    )
    precision: AIMPrecision | None = Field(
        default=None,
        description="Numeric precision.",
        json_schema_extra=immutable("precision is immutable"),
    )
    hardware: AIMHardwareRequirements | None = Field(
        default=None,
        description="GPU/CPU requirements.",
        json_schema_extra=immutable("hardware is immutable"),
    )

"""``AIMModelSource``: where a model's weights come from (Hugging Face or S3)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from aim_engine.api.v1alpha1.base import AimBaseModel, Quantity
from aim_engine.api.v1alpha1.core import EnvList

__all__ = ["MODEL_ID_PATTERN", "SOURCE_URI_PATTERN", "AIMModelSource"]

MODEL_ID_PATTERN = r"^[a-zA-Z0-9_-]+/[a-zA-Z0-9._-]+$"
SOURCE_URI_PATTERN = r"^(hf|s3)://[^ \t\r\n]+$"


class AIMModelSource(AimBaseModel):
    """One set of model weights; the mount path is ``/workspace/cache/<modelId>``."""

    model_id: Annotated[str, Field(pattern=MODEL_ID_PATTERN)] = Field(
        description="Model identifier in org/name form, e.g. Qwen/Qwen3-32B."
    )
    source_uri: Annotated[str, Field(pattern=SOURCE_URI_PATTERN)] | None = Field(
        default=None, description="hf://org/model or s3://bucket/path."
    )
    size: Quantity | None = Field(
        default=None, description="Size of the weights; absent ⇒ a check-size Job measures it."
    )
    env: EnvList | None = Field(
        default=None, description="Per-source credentials; override cache-level env."
    )

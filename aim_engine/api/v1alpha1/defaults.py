"""Defaults of AIM API fields: the values the CRD schemas carry when a field is left out.

Only what the types themselves need is here; the operator's own defaults and limits (ports, Job
TTLs, discovery backoff, ...) are in :mod:`controllers.defaults`.
"""

from __future__ import annotations

from typing import Final

__all__ = ["FieldDefaults"]


class FieldDefaults:
    """Defaults of API fields (exact values of the original)."""

    GPU_RESOURCE_NAME: Final = "amd.com/gpu"
    DOWNLOADER_IMAGE: Final = "ghcr.io/silogen/aim-artifact-downloader:0.2.0"
    PVC_HEADROOM_PERCENT: Final = 10
    MODEL_SOURCE_SYNC_INTERVAL: Final = "1h"
    MODEL_SOURCE_MAX_MODELS: Final = 100

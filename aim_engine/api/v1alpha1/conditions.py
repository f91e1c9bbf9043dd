"""``metav1.Condition`` and the condition types AIM objects carry.

The condition list of every AIM status is a list map keyed by ``type``. Condition *types* are
here; condition *reasons* live in :mod:`aim_engine.api.v1alpha1.constants`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from aim_engine.api.v1alpha1.base import AimBaseModel, Time
from aim_engine.conditions import ConditionStatus

__all__ = [
    "Condition",
    "ConditionList",
    "ConditionStatus",
    "ConditionType",
]


class Condition(AimBaseModel):
    """One observation of an aspect of an object (``metav1.Condition``)."""

    type: Annotated[
        str,
        Field(
            max_length=316,
            pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
            r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
            description="Type of condition in CamelCase, e.g. Ready.",
        ),
    ]
    status: ConditionStatus = Field(description="True, False or Unknown.")
    observed_generation: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="The .metadata.generation the condition was set for."
    )
    last_transition_time: Time = Field(description="Last time the status or reason changed.")
    reason: Annotated[
        str,
        Field(
            min_length=1,
            max_length=1024,
            pattern=r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
            description="Machine-readable CamelCase reason of the last transition.",
        ),
    ]
    message: Annotated[str, Field(max_length=32768)] = Field(description="Human-readable details.")


ConditionList = Annotated[
    list[Condition],
    Field(
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]}
    ),
]
"""Conditions keyed by type."""


class ConditionType(StrEnum):
    """Condition types written by the AIM controllers (exact strings of the original)."""

    READY = "Ready"
    DEPENDENCIES_REACHABLE = "DependenciesReachable"
    AUTH_VALID = "AuthValid"
    CONFIG_VALID = "ConfigValid"
    RUNTIME_CONFIG_READY = "RuntimeConfigReady"
    # AIMService
    MODEL_READY = "ModelReady"
    TEMPLATE_READY = "TemplateReady"
    INFERENCE_SERVICE_READY = "InferenceServiceReady"
    INFERENCE_SERVICE_PODS_READY = "InferenceServicePodsReady"
    CACHE_READY = "CacheReady"
    HTTP_ROUTE_READY = "HTTPRouteReady"
    HPA_READY = "HPAReady"
    # AIMModel / AIMClusterModel
    IMAGE_METADATA_READY = "ImageMetadataReady"
    SERVICE_TEMPLATES_READY = "ServiceTemplatesReady"
    CLUSTER_SERVICE_TEMPLATES_READY = "ClusterServiceTemplatesReady"
    # AIMServiceTemplate / AIMClusterServiceTemplate
    CLUSTER_MODEL_READY = "ClusterModelReady"
    DISCOVERY_JOB_READY = "DiscoveryJobReady"
    DISCOVERY_PODS_READY = "DiscoveryPodsReady"
    GPU_READY = "GPUReady"
    DISCOVERED = "Discovered"
    # AIMTemplateCache
    SERVICE_TEMPLATE_READY = "ServiceTemplateReady"
    ARTIFACTS_READY = "ArtifactsReady"
    # AIMArtifact
    CHECK_SIZE_JOB_READY = "CheckSizeJobReady"
    CHECK_SIZE_JOB_PODS_READY = "CheckSizeJobPodsReady"
    CHECK_SIZE_OUTPUT_READY = "CheckSizeOutputReady"
    CACHE_PVC_READY = "CachePvcReady"
    DOWNLOAD_JOB_READY = "DownloadJobReady"
    DOWNLOAD_JOB_PODS_READY = "DownloadJobPodsReady"
    DOWNLOAD_COMPLETE = "DownloadComplete"
    # AIMClusterModelSource
    EXISTING_MODELS_READY = "ExistingModelsReady"
    FILTERS_READY = "FiltersReady"
    MAX_MODELS_LIMIT_REACHED = "MaxModelsLimitReached"

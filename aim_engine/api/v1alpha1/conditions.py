"""``metav1.Condition``, and the condition types and reasons AIM objects carry.

The condition list of every AIM status is a list map keyed by ``type``. :class:`ConditionStatus`
is the framework's (:mod:`aim_engine.conditions`), re-exported here for the models. Reason strings
are exact copies of the original operator's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final

from pydantic import Field

from aim_engine.api.v1alpha1.base import AimBaseModel, Time
from aim_engine.conditions import ConditionStatus

__all__ = [
    "Condition",
    "ConditionList",
    "ConditionStatus",
    "ConditionType",
    "Reasons",
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


class Reasons:
    """Condition reasons (exact strings)."""

    # framework
    REACHABLE: Final = "Reachable"
    INFRASTRUCTURE_ERROR: Final = "InfrastructureError"
    AUTHENTICATION_VALID: Final = "AuthenticationValid"
    AUTH_ERROR: Final = "AuthError"
    CONFIGURATION_VALID: Final = "ConfigurationValid"
    INVALID_SPEC: Final = "InvalidSpec"
    REFERENCE_NOT_FOUND: Final = "ReferenceNotFound"
    ALL_COMPONENTS_READY: Final = "AllComponentsReady"
    COMPONENTS_NOT_READY: Final = "ComponentsNotReady"
    PROGRESSING: Final = "Progressing"
    READY: Final = "Ready"
    RESOURCE_NOT_READY: Final = "ResourceNotReady"
    # service
    MODEL_RESOLVED: Final = "ModelResolved"
    MODEL_NOT_FOUND: Final = "ModelNotFound"
    MODEL_NOT_READY: Final = "ModelNotReady"
    CREATING_MODEL: Final = "CreatingModel"
    INVALID_IMAGE_REFERENCE: Final = "InvalidImageReference"
    RESOLVED: Final = "Resolved"
    TEMPLATE_NOT_FOUND: Final = "TemplateNotFound"
    TEMPLATE_NOT_READY: Final = "TemplateNotReady"
    RUNTIME_CONFIG_RESOLVED: Final = "RuntimeConfigResolved"
    CREATING_RUNTIME: Final = "CreatingRuntime"
    RUNTIME_READY: Final = "RuntimeReady"
    FETCH_ERROR: Final = "FetchError"
    SERVERLESS_MODE_REJECTED: Final = "ServerlessModeRejected"
    INTERNAL_ERROR: Final = "InternalError"
    CACHE_READY: Final = "CacheReady"
    CACHE_NOT_READY: Final = "CacheNotReady"
    CACHE_FAILED: Final = "CacheFailed"
    CACHE_CREATING: Final = "CacheCreating"
    CACHE_LOST: Final = "CacheLost"
    GATEWAY_NOT_CONFIGURED: Final = "GatewayNotConfigured"
    HTTP_ROUTE_CREATING: Final = "HTTPRouteCreating"
    HTTP_ROUTE_FETCH_ERROR: Final = "HTTPRouteFetchError"
    HTTP_ROUTE_ACCEPTED: Final = "HTTPRouteAccepted"
    HTTP_ROUTE_PENDING: Final = "HTTPRoutePending"
    HPA_NOT_FOUND: Final = "HPANotFound"
    HPA_FETCH_ERROR: Final = "HPAFetchError"
    WAITING_FOR_METRICS: Final = "WaitingForMetrics"
    METRICS_FAILED: Final = "MetricsFailed"
    SCALE_TARGET_NOT_READY: Final = "ScaleTargetNotReady"
    HPA_OPERATIONAL: Final = "HPAOperational"
    # pods / jobs / PVCs
    NO_PODS: Final = "NoPods"
    IMAGE_PULL_AUTH_FAILURE: Final = "ImagePullAuthFailure"
    IMAGE_NOT_FOUND: Final = "ImageNotFound"
    IMAGE_PULL_BACK_OFF: Final = "ImagePullBackOff"
    PODS_READY: Final = "PodsReady"
    PODS_STARTING: Final = "PodsStarting"
    PODS_PENDING: Final = "PodsPending"
    PODS_PROGRESSING: Final = "PodsProgressing"
    FAILED_SCHEDULING: Final = "FailedScheduling"
    FAILED_MOUNT: Final = "FailedMount"
    FAILED_ATTACH_VOLUME: Final = "FailedAttachVolume"
    FAILED_CREATE_POD_SANDBOX: Final = "FailedCreatePodSandBox"
    PULLING: Final = "Pulling"
    STORAGE_FULL: Final = "StorageFull"
    SOURCE_NOT_FOUND: Final = "SourceNotFound"
    POD_OOM_KILLED: Final = "PodOOMKilled"
    POD_FAILED: Final = "PodFailed"
    POD_DEADLINE_EXCEEDED: Final = "PodDeadlineExceeded"
    POD_EVICTED: Final = "PodEvicted"
    JOB_NOT_FOUND: Final = "JobNotFound"
    JOB_RUNNING: Final = "JobRunning"
    JOB_BACKOFF_LIMIT_EXCEEDED: Final = "JobBackoffLimitExceeded"
    JOB_DEADLINE_EXCEEDED: Final = "JobDeadlineExceeded"
    JOB_EVICTED: Final = "JobEvicted"
    JOB_FAILED: Final = "JobFailed"
    JOB_NOT_CREATED: Final = "JobNotCreated"
    PVC_NOT_FOUND: Final = "PvcNotFound"
    PVC_LOST: Final = "PvcLost"
    PVC_PROVISIONING_FAILED: Final = "PvcProvisioningFailed"
    PVC_PENDING: Final = "PvcPending"
    # templates
    INLINE_MODEL_SOURCES: Final = "InlineModelSources"
    DISCOVERY_COMPLETE: Final = "DiscoveryComplete"
    AWAITING_DISCOVERY: Final = "AwaitingDiscovery"
    GPU_AVAILABLE: Final = "GPUAvailable"
    GPU_NOT_AVAILABLE: Final = "GPUNotAvailable"
    VRAM_NOT_AVAILABLE: Final = "VRAMNotAvailable"
    GPU_CHECK_FAILED: Final = "GPUCheckFailed"
    MODEL_FOUND: Final = "ModelFound"
    MODEL_FAILED: Final = "ModelFailed"
    CLUSTER_MODEL_FOUND: Final = "ClusterModelFound"
    CLUSTER_MODEL_FAILED: Final = "ClusterModelFailed"
    IMAGE_NOT_SPECIFIED: Final = "ImageNotSpecified"
    CONFIG_FOUND: Final = "ConfigFound"
    DEFAULT_CONFIG_NOT_FOUND: Final = "DefaultConfigNotFound"
    CONFIG_NOT_FOUND: Final = "ConfigNotFound"
    # models
    IMAGE_METADATA_FOUND: Final = "ImageMetadataFound"
    IMAGE_FOUND: Final = "ImageFound"
    SECRET_NOT_FOUND: Final = "SecretNotFound"
    SECRET_ACCESS_FAILED: Final = "SecretAccessFailed"
    AWAITING_METADATA: Final = "AwaitingMetadata"
    CREATING_TEMPLATES: Final = "CreatingTemplates"
    NO_TEMPLATES_EXPECTED: Final = "NoTemplatesExpected"
    ALL_TEMPLATES_READY: Final = "AllTemplatesReady"
    ALL_TEMPLATES_FAILED: Final = "AllTemplatesFailed"
    NO_TEMPLATES_AVAILABLE: Final = "NoTemplatesAvailable"
    SOME_TEMPLATES_DEGRADED: Final = "SomeTemplatesDegraded"
    TEMPLATES_PROGRESSING: Final = "TemplatesProgressing"
    SOME_TEMPLATES_READY: Final = "SomeTemplatesReady"
    # template caches
    CREATING_CACHES: Final = "CreatingCaches"
    ALL_CACHES_READY: Final = "AllCachesReady"
    CACHES_NOT_READY: Final = "CachesNotReady"
    NO_CACHES: Final = "NoCaches"
    RESOURCE_FOUND: Final = "ResourceFound"
    # artifacts
    INVALID_SIZE_OUTPUT: Final = "InvalidSizeOutput"
    DOWNLOADING: Final = "Downloading"
    VERIFYING: Final = "Verifying"
    VERIFIED: Final = "Verified"
    VERIFICATION_FAILED: Final = "VerificationFailed"
    # model sources
    LISTED: Final = "Listed"
    NO_FILTERS: Final = "NoFilters"
    ALL_FILTERS_SUCCEEDED: Final = "AllFiltersSucceeded"
    SOME_FILTERS_FAILED: Final = "SomeFiltersFailed"
    ALL_FILTERS_FAILED: Final = "AllFiltersFailed"
    LIMIT_REACHED: Final = "LimitReached"
    WITHIN_LIMIT: Final = "WithinLimit"

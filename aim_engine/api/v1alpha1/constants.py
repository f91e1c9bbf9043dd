"""Every constant of the original operator in one place: label keys, label values, annotations,
finalizers, condition reasons, env var names and defaults.

Strings are exact (the e2e suites and users' selectors depend on them). Controllers import them
from here; nothing else in the code base spells an ``aim.eai.amd.com/`` key.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "LABEL_PREFIX",
    "Annotations",
    "Defaults",
    "EnvVars",
    "Finalizers",
    "LabelValues",
    "Labels",
    "Reasons",
    "controller_name_label",
    "discovery_backoff_seconds",
    "managed_by_value",
]

LABEL_PREFIX: Final = "aim.eai.amd.com/"


def controller_name_label(controller: str) -> str:
    """The owner label a controller puts on what it applies: ``aim.eai.amd.com/<ctrl>.name``."""
    return f"{LABEL_PREFIX}{controller}.name"


def managed_by_value(controller: str) -> str:
    """The ``app.kubernetes.io/managed-by`` value of a controller: ``aim-<ctrl>-controller``."""
    return f"aim-{controller}-controller"


class Labels:
    """Label keys."""

    SERVICE: Final = "aim.eai.amd.com/service"
    TEMPLATE: Final = "aim.eai.amd.com/template"
    MODEL: Final = "aim.eai.amd.com/model"
    METRIC: Final = "aim.eai.amd.com/metric"
    PRECISION: Final = "aim.eai.amd.com/precision"
    ORIGIN: Final = "aim.eai.amd.com/origin"
    CUSTOM_MODEL: Final = "aim.eai.amd.com/custom-model"
    TEMPLATE_ALIAS: Final = "aim.eai.amd.com/template.alias"
    MODEL_SOURCE: Final = "aim.eai.amd.com/model-source"
    TEMPLATE_CACHE_NAME: Final = "aim.eai.amd.com/template-cache.name"
    TEMPLATE_NAME: Final = "aim.eai.amd.com/template.name"
    TEMPLATE_SCOPE: Final = "aim.eai.amd.com/template.scope"
    TEMPLATE_INDEX: Final = "aim.eai.amd.com/template.index"
    TEMPLATE_CREATED: Final = "template-created"
    CACHE_NAME: Final = "aim.eai.amd.com/cache.name"
    CACHE_TYPE: Final = "aim.eai.amd.com/cache.type"
    COMPONENT: Final = "aim.eai.amd.com/component"
    SOURCE_MODEL: Final = "aim.eai.amd.com/source-model"
    K8S_MANAGED_BY: Final = "app.kubernetes.io/managed-by"
    K8S_COMPONENT: Final = "app.kubernetes.io/component"
    K8S_NAME: Final = "app.kubernetes.io/name"
    KSERVE_INFERENCE_SERVICE: Final = "serving.kserve.io/inferenceservice"
    JOB_NAME: Final = "job-name"
    GPU_DEVICE_ID: Final = "amd.com/gpu.device-id"
    GPU_DEVICE_ID_BETA: Final = "beta.amd.com/gpu.device-id"
    GPU_FAMILY: Final = "amd.com/gpu.family"
    GPU_FAMILY_BETA: Final = "beta.amd.com/gpu.family"
    GPU_VRAM: Final = "amd.com/gpu.vram"
    GPU_VRAM_BETA: Final = "beta.amd.com/gpu.vram"


class LabelValues:
    """Label values."""

    ORIGIN_AUTO_GENERATED: Final = "auto-generated"
    ORIGIN_DERIVED: Final = "derived"
    TRUE: Final = "true"
    MANAGED_BY_ENGINE: Final = "aim-engine"
    MANAGED_BY_DISCOVERY: Final = "aim-controller"
    COMPONENT_INFERENCE: Final = "inference"
    COMPONENT_ROUTING: Final = "routing"
    COMPONENT_DISCOVERY: Final = "discovery"
    NAME_DISCOVERY: Final = "aim-discovery"
    CACHE_TYPE_ARTIFACT: Final = "artifact"
    CACHE_TYPE_TEMPLATE_CACHE: Final = "template-cache"
    COMPONENT_DOWNLOAD: Final = "download"
    COMPONENT_CHECK_SIZE: Final = "check-size"
    SCOPE_NAMESPACE: Final = "Namespace"
    SCOPE_CLUSTER: Final = "Cluster"


class Annotations:
    """Annotation keys."""

    RECONCILIATION_PAUSED: Final = "aim.eai.amd.com/reconciliation-paused"
    SOURCE_REGISTRY: Final = "aim.eai.amd.com/source-registry"
    SOURCE_REPOSITORY: Final = "aim.eai.amd.com/source-repository"
    SOURCE_TAG: Final = "aim.eai.amd.com/source-tag"
    KSERVE_AUTOSCALER_CLASS: Final = "serving.kserve.io/autoscalerClass"
    OTEL_INJECT: Final = "sidecar.opentelemetry.io/inject"
    PROMETHEUS_PORT: Final = "prometheus.kserve.io/port"


class Finalizers:
    """Finalizers."""

    TEMPLATE_CACHE_CLEANUP: Final = "aim.eai.amd.com/template-cache-cleanup"
    ARTIFACT_CLEANUP: Final = "aim.eai.amd.com/artifactcleanup"


class EnvVars:
    """Environment variable names the operator sets or reads."""

    AIM_CACHE_PATH: Final = "AIM_CACHE_PATH"
    VLLM_ENABLE_METRICS: Final = "VLLM_ENABLE_METRICS"
    AIM_PROFILE_ID: Final = "AIM_PROFILE_ID"
    AIM_METRIC: Final = "AIM_METRIC"
    AIM_PRECISION: Final = "AIM_PRECISION"
    AIM_MODEL_ID: Final = "AIM_MODEL_ID"
    AIM_ENGINE_ARGS: Final = "AIM_ENGINE_ARGS"
    AIM_GPU_MODEL: Final = "AIM_GPU_MODEL"
    AIM_GPU_COUNT: Final = "AIM_GPU_COUNT"
    AIM_LOG_LEVEL_ROOT: Final = "AIM_LOG_LEVEL_ROOT"
    AIM_LOG_LEVEL: Final = "AIM_LOG_LEVEL"
    AIM_DOWNLOADER_PROTOCOL: Final = "AIM_DOWNLOADER_PROTOCOL"
    TMPDIR: Final = "TMPDIR"
    HF_HOME: Final = "HF_HOME"
    EXPECTED_SIZE_BYTES: Final = "EXPECTED_SIZE_BYTES"
    MOUNT_PATH: Final = "MOUNT_PATH"
    ARTIFACT_NAME: Final = "ARTIFACT_NAME"
    ARTIFACT_NAMESPACE: Final = "ARTIFACT_NAMESPACE"
    STALL_TIMEOUT: Final = "STALL_TIMEOUT"
    TARGET_DIR: Final = "TARGET_DIR"
    AWS_ENDPOINT_URL: Final = "AWS_ENDPOINT_URL"
    AIM_SYSTEM_NAMESPACE: Final = "AIM_SYSTEM_NAMESPACE"
    POD_NAME: Final = "POD_NAME"


class Defaults:
    """Default values and limits of the original."""

    OPERATOR_NAMESPACE: Final = "aim-system"
    RUNTIME_CONFIG_NAME: Final = "default"
    GPU_RESOURCE_NAME: Final = "amd.com/gpu"
    INFERENCE_PORT: Final = 8000
    INFERENCE_PORT_NAME: Final = "http"
    INFERENCE_CONTAINER: Final = "kserve-container"
    GATEWAY_BACKEND_PORT: Final = 80
    CACHE_BASE_PATH: Final = "/workspace/cache"
    SHM_VOLUME: Final = "dshm"
    SHM_MOUNT_PATH: Final = "/dev/shm"
    SHM_SIZE: Final = "8Gi"
    DOWNLOADER_IMAGE: Final = "ghcr.io/silogen/aim-artifact-downloader:0.2.0"
    DOWNLOADER_PROTOCOLS: Final = "XET,HF_TRANSFER"
    DOWNLOAD_MOUNT_PATH: Final = "/cache"
    DOWNLOAD_STALL_TIMEOUT_SECONDS: Final = 120
    PVC_HEADROOM_PERCENT: Final = 10
    DISCOVERY_BACKOFF_BASE_SECONDS: Final = 60.0
    DISCOVERY_BACKOFF_MAX_SECONDS: Final = 3600.0
    MAX_CONCURRENT_DISCOVERY_JOBS: Final = 10
    DISCOVERY_CONCURRENCY_REQUEUE_SECONDS: Final = 5.0
    DISCOVERY_LOCK_NAME: Final = "aim-discovery-lock"
    DISCOVERY_LOCK_WAIT_SECONDS: Final = 30.0
    DISCOVERY_LOCK_LEASE_SECONDS: Final = 30
    DISCOVERY_LOCK_POLL_SECONDS: Final = 0.1
    DISCOVERY_LOCK_RETRY_SECONDS: Final = 2.0
    DISCOVERY_JOB_TTL_SECONDS: Final = 60
    DISCOVERY_JOB_BACKOFF_LIMIT: Final = 0
    DISCOVERY_RUN_AS_USER: Final = 65532
    CHECK_SIZE_JOB_TTL_SECONDS: Final = 300
    CHECK_SIZE_JOB_BACKOFF_LIMIT: Final = 2
    DOWNLOAD_JOB_TTL_SECONDS: Final = 600
    DOWNLOAD_JOB_BACKOFF_LIMIT: Final = 2
    DOWNLOADER_RUN_AS_USER: Final = 1000
    ARTIFACT_POLL_SECONDS: Final = 10.0
    INFRA_ERROR_GRACE_SECONDS: Final = 10.0
    MODEL_SOURCE_SYNC_INTERVAL: Final = "1h"
    MODEL_SOURCE_SYNC_SECONDS: Final = 3600.0
    MODEL_SOURCE_MAX_MODELS: Final = 100
    LEADER_ELECTION_ID: Final = "3be10d2f.eai.amd.com"
    POD_LOG_TAIL_LINES: Final = 50
    ARTIFACT_STATUS_UPDATER: Final = "aim-engine-artifact-status-updater"
    CPU_PER_GPU: Final = 4
    MEMORY_REQUEST_PER_GPU: Final = "32Gi"
    MEMORY_LIMIT_PER_GPU: Final = "48Gi"
    ISVC_NAME_RESERVED: Final = 11


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


def discovery_backoff_seconds(attempts: int) -> float:
    """Wait before the next discovery attempt: ``min(60 s · 2^(attempts-1), 3600 s)``; 0 → 0."""
    if attempts <= 0:
        return 0.0
    factor = float(1 << min(attempts - 1, 16))
    return min(
        Defaults.DISCOVERY_BACKOFF_BASE_SECONDS * factor, Defaults.DISCOVERY_BACKOFF_MAX_SECONDS
    )

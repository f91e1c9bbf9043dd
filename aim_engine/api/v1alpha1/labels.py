"""Well-known label keys, label values and annotation keys of AIM objects and what they own.

Strings are exact: the e2e suites and users' selectors depend on them. They are part of the API
contract (a selector written against one release must keep working), so they live next to the
types; nothing else in the code base spells an ``aim.eai.amd.com/`` key.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "LABEL_PREFIX",
    "Annotations",
    "LabelValues",
    "Labels",
    "controller_name_label",
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

"""AIMRuntimeConfig (namespaced) and AIMClusterRuntimeConfig (cluster-scoped).

Runtime configs are read-only inputs (no controller): storage defaults, routing defaults, env and
label propagation. Every consumer merges ``<namespace>/<name>`` over the cluster config of the same
name (empty name ⇒ ``default``). The storage and routing blocks are shared with AIMService.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aim_engine.api.v1alpha1.base import AimBaseModel, AimObject, CrdInfo
from aim_engine.api.v1alpha1.conditions import ConditionList
from aim_engine.api.v1alpha1.core import EnvVar, ParentReference
from aim_engine.api.v1alpha1.defaults import FieldDefaults

__all__ = [
    "DURATION_PATTERN",
    "AIMClusterRuntimeConfig",
    "AIMLabelPropagation",
    "AIMRoutingConfig",
    "AIMRuntimeConfig",
    "AIMRuntimeConfigModel",
    "AIMRuntimeConfigSpec",
    "AIMRuntimeConfigStatus",
    "AIMStorageConfig",
    "Duration",
]

DURATION_PATTERN = r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"

Duration = Annotated[str, Field(pattern=DURATION_PATTERN)]
"""A Go duration string (``90s``, ``1h30m``)."""

_MAP_BY_NAME = {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}


class AIMStorageConfig(AimBaseModel):
    """Storage defaults for model caches."""

    default_storage_class_name: str | None = Field(
        default=None, description="StorageClass of cache PVCs (empty ⇒ cluster default)."
    )
    pvc_headroom_percent: Annotated[int, Field(ge=0)] = Field(
        default=FieldDefaults.PVC_HEADROOM_PERCENT,
        description="Extra PVC space over the model size, in percent.",
    )


class AIMRoutingConfig(AimBaseModel):
    """HTTPRoute settings (Gateway API)."""

    enabled: bool | None = Field(default=None, description="Create an HTTPRoute.")
    gateway_ref: ParentReference | None = Field(
        default=None, description="Gateway the route attaches to."
    )
    path_template: str | None = Field(
        default=None,
        description="Route path with {jsonpath} placeholders (default /<namespace>/<uid>).",
    )
    request_timeout: Duration | None = Field(
        default=None, description="Request timeout of the route, e.g. 120s."
    )
    annotations: dict[str, str] | None = Field(
        default=None, description="Annotations copied onto the HTTPRoute."
    )


class AIMLabelPropagation(AimBaseModel):
    """Copying of parent labels onto the objects a controller creates."""

    enabled: bool = Field(default=False, description="Propagate matching labels.")
    match: list[str] | None = Field(
        default=None, description="Label-key patterns (Go filepath.Match syntax)."
    )


class AIMRuntimeConfigModel(AimBaseModel):
    """Model settings of a runtime config."""

    auto_discovery: bool | None = Field(default=None, description="Declared (not used).")


class AIMRuntimeConfigSpec(AimBaseModel):
    """Spec shared by both runtime config kinds."""

    storage: AIMStorageConfig | None = Field(default=None, description="Storage defaults.")
    routing: AIMRoutingConfig | None = Field(default=None, description="Routing defaults.")
    env: Annotated[list[EnvVar], Field(json_schema_extra=_MAP_BY_NAME)] | None = Field(
        default=None, description="Env for inference containers and download Jobs."
    )
    model: AIMRuntimeConfigModel | None = None
    label_propagation: AIMLabelPropagation | None = Field(
        default=None, description="Label propagation to children."
    )
    default_storage_class_name: str | None = Field(
        default=None, description="Deprecated: use storage.defaultStorageClassName."
    )
    pvc_headroom_percent: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Deprecated: use storage.pvcHeadroomPercent."
    )


class AIMRuntimeConfigStatus(AimBaseModel):
    """Status of a runtime config (never written by the operator)."""

    observed_generation: int | None = None
    conditions: ConditionList | None = None


class AIMRuntimeConfig(AimObject):
    """Runtime defaults for one namespace."""

    CRD = CrdInfo(
        plural="aimruntimeconfigs",
        scope="Namespaced",
        short_names=("aimrc",),
        description="Runtime defaults for the AIM objects of one namespace.",
    )

    kind: Literal["AIMRuntimeConfig"] = "AIMRuntimeConfig"
    spec: AIMRuntimeConfigSpec = Field(default_factory=AIMRuntimeConfigSpec)
    status: AIMRuntimeConfigStatus | None = None


class AIMClusterRuntimeConfig(AimObject):
    """Cluster-wide runtime defaults."""

    CRD = CrdInfo(
        plural="aimclusterruntimeconfigs",
        scope="Cluster",
        short_names=("aimclrc",),
        description="Cluster-wide runtime defaults for AIM objects.",
    )

    kind: Literal["AIMClusterRuntimeConfig"] = "AIMClusterRuntimeConfig"
    spec: AIMRuntimeConfigSpec = Field(default_factory=AIMRuntimeConfigSpec)
    status: AIMRuntimeConfigStatus | None = None

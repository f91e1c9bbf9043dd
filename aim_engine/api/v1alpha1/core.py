"""Kubernetes core types that AIM specs embed (env vars, pull secrets, resources, Gateway refs).

Only the shape the operator needs is modelled; parts it passes through untouched
(``env[].valueFrom``, node affinity) are free-form JSON that round-trips verbatim.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from aim_engine.api.v1alpha1.base import AimBaseModel, FreeForm, Quantity

__all__ = [
    "EnvList",
    "EnvVar",
    "LocalObjectReference",
    "ParentReference",
    "ResourceClaim",
    "ResourceRequirements",
]


class EnvVar(AimBaseModel):
    """An environment variable of a container (``corev1.EnvVar``)."""

    name: Annotated[str, Field(min_length=1, description="Name of the variable.")]
    value: str | None = Field(default=None, description="Literal value.")
    value_from: FreeForm | None = Field(
        default=None, description="Source for the value (secretKeyRef, configMapKeyRef...)."
    )


EnvList = Annotated[
    list[EnvVar],
    Field(
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}
    ),
]
"""A list of env vars keyed by name (a later apply merges by name)."""


class LocalObjectReference(AimBaseModel):
    """A reference to an object in the same namespace (image pull secrets)."""

    name: str = Field(default="", description="Name of the referent.")


class ResourceClaim(AimBaseModel):
    """A dynamic resource claim used by a container."""

    name: str
    request: str | None = None


class ResourceRequirements(AimBaseModel):
    """Compute resources of a container (``corev1.ResourceRequirements``)."""

    limits: dict[str, Quantity] | None = Field(default=None, description="Maximum resources.")
    requests: dict[str, Quantity] | None = Field(default=None, description="Minimum resources.")
    claims: (
        Annotated[
            list[ResourceClaim],
            Field(
                json_schema_extra={
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                }
            ),
        ]
        | None
    ) = None


class ParentReference(AimBaseModel):
    """A Gateway API ``ParentReference``: the Gateway an HTTPRoute attaches to."""

    group: Annotated[str, Field(max_length=253)] = Field(
        default="gateway.networking.k8s.io", description="API group of the parent."
    )
    kind: Annotated[str, Field(min_length=1, max_length=63)] = Field(
        default="Gateway", description="Kind of the parent."
    )
    name: Annotated[str, Field(min_length=1, max_length=253, description="Name of the parent.")]
    namespace: Annotated[str, Field(min_length=1, max_length=63)] | None = Field(
        default=None, description="Namespace of the parent (defaults to the route's)."
    )
    section_name: Annotated[str, Field(min_length=1, max_length=253)] | None = Field(
        default=None, description="Listener name within the Gateway."
    )
    port: Annotated[int, Field(ge=1, le=65535)] | None = Field(
        default=None, description="Listener port within the Gateway."
    )

"""References that statuses use to point at the objects they resolved."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from aim_engine.api.v1alpha1.base import AimBaseModel

__all__ = ["AIMResolutionScope", "AIMResolvedReference", "NamespacedName"]


class AIMResolutionScope(StrEnum):
    """Where a referenced object was found."""

    NAMESPACE = "Namespace"
    CLUSTER = "Cluster"
    MERGED = "Merged"
    UNKNOWN = "Unknown"


class AIMResolvedReference(AimBaseModel):
    """An object an AIM object resolved and locked in (``status.resolvedModel`` etc.)."""

    name: str = Field(description="Name of the resolved object.")
    namespace: str | None = Field(
        default=None, description="Namespace of the object; empty for cluster-scoped objects."
    )
    scope: AIMResolutionScope | None = Field(
        default=None, description="Whether a namespaced or a cluster-scoped object was used."
    )
    kind: str | None = Field(default=None, description="Kind of the resolved object.")
    uid: str | None = Field(default=None, description="UID of the resolved object.")


class NamespacedName(AimBaseModel):
    """A plain name and namespace (discovery Job, template cache reference)."""

    name: str = Field(description="Name of the object.")
    namespace: str | None = Field(default=None, description="Namespace of the object.")
    uid: str | None = Field(default=None, description="UID of the object, when recorded.")

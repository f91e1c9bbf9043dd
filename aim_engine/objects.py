"""Raw Kubernetes objects as the framework handles them: decoded JSON, never model classes.

The cache, the client and the queue all pass objects around as plain ``dict`` trees (the JSON
boundary, see ``docs/contributing.md``, "Typing"); pydantic validation happens once per reconcile,
in the reconciler. This module names that type, the key of an object, and the few metadata
accessors every layer needs (each accessor exists only here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = [
    "ObjectKey",
    "RawObject",
    "key_of",
    "meta",
    "name_of",
    "namespace_of",
    "resource_version_of",
    "uid_of",
]

RawObject: TypeAlias = dict[str, Any]
"""A decoded Kubernetes object (``apiVersion``, ``kind``, ``metadata``, ...)."""


@dataclass(frozen=True, slots=True, order=True)
class ObjectKey:
    """Namespace and name of an object; ``namespace`` is ``""`` for cluster-scoped objects.

    It is also the key a reconcile receives: :data:`aim_engine.controller.Request` is this class
    (controller-runtime's ``reconcile.Request`` is a ``NamespacedName`` too).
    """

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


def meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """The object's ``metadata`` mapping (empty if absent)."""
    m = obj.get("metadata")
    return m if isinstance(m, Mapping) else {}


def name_of(obj: Mapping[str, Any]) -> str:
    """``metadata.name``."""
    return str(meta(obj).get("name", ""))


def namespace_of(obj: Mapping[str, Any]) -> str:
    """``metadata.namespace`` (``""`` for cluster-scoped objects)."""
    return str(meta(obj).get("namespace") or "")


def resource_version_of(obj: Mapping[str, Any]) -> str:
    """``metadata.resourceVersion`` (``""`` when absent)."""
    return str(meta(obj).get("resourceVersion") or "")


def uid_of(obj: Mapping[str, Any]) -> str:
    """``metadata.uid``."""
    return str(meta(obj).get("uid", ""))


def key_of(obj: Mapping[str, Any]) -> ObjectKey:
    """The :class:`ObjectKey` of an object."""
    return ObjectKey(namespace_of(obj), name_of(obj))

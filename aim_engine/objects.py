"""Raw Kubernetes objects as the framework handles them: decoded JSON, never model classes.

The cache, the client and the queue all pass objects around as plain ``dict`` trees (the JSON
boundary, see style guide B4); pydantic validation happens once per reconcile in the pipeline.
This module names that type and the few accessors every layer needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = ["ObjectKey", "RawObject", "key_of", "meta", "name_of", "namespace_of", "uid_of"]

RawObject: TypeAlias = dict[str, Any]
"""A decoded Kubernetes object (``apiVersion``, ``kind``, ``metadata``, ...)."""


@dataclass(frozen=True, slots=True, order=True)
class ObjectKey:
    """Namespace and name of an object; ``namespace`` is ``""`` for cluster-scoped objects."""

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


def uid_of(obj: Mapping[str, Any]) -> str:
    """``metadata.uid``."""
    return str(meta(obj).get("uid", ""))


def key_of(obj: Mapping[str, Any]) -> ObjectKey:
    """The :class:`ObjectKey` of an object."""
    return ObjectKey(namespace_of(obj), name_of(obj))

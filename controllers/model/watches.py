"""What retriggers a model reconcile (spec §6), through cache indexes (never a full scan).

Indexes:

* :data:`MODEL_NAME_INDEX` (``spec.modelName``) on both template kinds: the templates of a
  model are listed with it (fetch) and a template event maps to its model. The template
  controllers register an index of the same name and meaning; whichever registers first wins.
* :data:`RUNTIME_CONFIG_INDEX` (``spec.runtimeConfigName``, empty ⇒ ``default``) on both model
  kinds. Unlike the original, models relying on the implicit ``default`` are indexed too, so
  creating or changing the ``default`` config re-evaluates their ``RuntimeConfigReady``.

Mappings: a template ⇒ the model ``<template namespace>/<spec.modelName>`` (namespaced models
only; cluster models are retriggered by the templates they own, as in the original); a runtime
config ⇒ the models naming it (in its namespace; all namespaces for a cluster config; a
cluster model sees only cluster configs).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from aim_engine import CacheNotSyncedError, Informer, RawObject, Reader, ResourceKind, meta
from aim_engine.controller import Request
from aim_engine.errors import ConfigurationError
from controllers.runtimeconfig import runtime_config_name

__all__ = [
    "MODEL_NAME_INDEX",
    "RUNTIME_CONFIG_INDEX",
    "add_index",
    "by_index",
    "model_runtime_config_values",
    "template_model",
    "template_model_values",
]

MODEL_NAME_INDEX = "spec.modelName"
RUNTIME_CONFIG_INDEX = "spec.runtimeConfigName"


def _spec(obj: RawObject) -> Mapping[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def template_model_values(obj: RawObject) -> list[str]:
    """Index values of :data:`MODEL_NAME_INDEX` on a template."""
    name = _spec(obj).get("modelName")
    return [name] if isinstance(name, str) and name else []


def model_runtime_config_values(obj: RawObject) -> list[str]:
    """Index values of :data:`RUNTIME_CONFIG_INDEX` on a model (empty ⇒ ``default``)."""
    name = _spec(obj).get("runtimeConfigName")
    return [runtime_config_name(name if isinstance(name, str) else None)]


def add_index(informer: Informer, name: str, func: Any) -> None:
    """Add an index unless one of that name is already there (another controller's)."""
    with contextlib.suppress(ConfigurationError):
        informer.add_indexer(name, func)


def by_index(
    reader: Reader, kind: ResourceKind, index: str, value: str, namespace: str | None = None
) -> list[Request]:
    """Requests for the objects of ``kind`` whose ``index`` holds ``value``.

    Before the kind's informer has synced there is nothing to map: its own initial list
    enqueues every object anyway.
    """
    try:
        objects = reader.list(kind, namespace, index=(index, value))
    except CacheNotSyncedError:
        return []
    return [Request(meta(o).get("namespace") or "", meta(o)["name"]) for o in objects]


def template_model(obj: RawObject) -> list[Request]:
    """A namespaced template ⇒ the AIMModel ``<namespace>/<spec.modelName>``."""
    namespace = meta(obj).get("namespace") or ""
    return [Request(namespace, name) for name in template_model_values(obj)]

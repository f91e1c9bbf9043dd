"""Runtime configuration of an AIM object: find it, migrate it, merge it (spec §10.1, §14.7).

An object names a runtime config (empty ⇒ ``default``). The namespaced ``AIMRuntimeConfig`` of
that name is merged over the ``AIMClusterRuntimeConfig`` of that name; cluster-scoped consumers
(empty namespace) see only the cluster config. Finding neither is fine for ``default`` (the
operator's built-in defaults apply) and an error for any other name.

The module is split so that nearly all of it is pure: :func:`merge_runtime_config_specs` and
:func:`resolve_runtime_config` work on values; :func:`fetch_runtime_config` is the thin I/O part
and accepts any reader with ``get(kind, name, namespace)`` returning an object (the cache's
``Reader``) or an awaitable of one (the API client).

Merge rules (namespace over cluster, field by field, recursively):

* ``env`` merges by name (:func:`controllers.env.merge_env`, ``AIM_ENGINE_ARGS`` deep-merged);
  maps merge key-wise; other lists are replaced when the namespace list is non-empty.
* An empty string never overrides, nor does a zero value equal to the field's default
  (``labelPropagation.enabled`` is defaulted to ``false`` by the API server, so a ``false`` there
  cannot be told from "not set").
* Choice [QUIRK in the original]: any other zero value the namespace config sets explicitly
  overrides — a namespace ``routing.enabled: false`` switches off a cluster
  ``routing.enabled: true``, and ``storage.pvcHeadroomPercent: 0`` means no headroom. The
  original lets zero values never override, which leaves namespace admins no way to opt out.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from aim_engine.api.v1alpha1.conditions import Reasons
from aim_engine.api.v1alpha1.references import AIMResolutionScope
from aim_engine.api.v1alpha1.runtime_config import (
    AIMClusterRuntimeConfig,
    AIMRuntimeConfig,
    AIMRuntimeConfigSpec,
    AIMStorageConfig,
)
from aim_engine.errors import InvalidSpecError, NotFoundError
from aim_engine.kinds import ResourceKind
from controllers.defaults import Defaults
from controllers.env import merge_env

__all__ = [
    "ObjectGetter",
    "RuntimeConfigHealth",
    "RuntimeConfigResolution",
    "fetch_runtime_config",
    "merge_runtime_config_specs",
    "migrate_deprecated_fields",
    "resolve_runtime_config",
    "runtime_config_name",
]

_M = TypeVar("_M", bound=BaseModel)


class ObjectGetter(Protocol):
    """Anything that reads one object by kind and name (cache ``Reader`` or API client)."""

    def get(
        self, kind: ResourceKind, name: str, namespace: str | None = None
    ) -> Mapping[str, Any] | Awaitable[Mapping[str, Any]]:
        """The object; raises ``NotFoundError`` when it does not exist."""
        ...


def runtime_config_name(name: str | None) -> str:
    """The config an object uses: its ``runtimeConfigName``, or ``default`` when empty."""
    return name.strip() if name and name.strip() else Defaults.RUNTIME_CONFIG_NAME


def migrate_deprecated_fields(spec: AIMRuntimeConfigSpec) -> AIMRuntimeConfigSpec:
    """Move the deprecated top-level storage fields into ``storage`` where that is unset."""
    storage = spec.storage
    updates: dict[str, Any] = {}
    fields_set = set(storage.model_fields_set) if storage is not None else set()
    if spec.default_storage_class_name and (
        storage is None or storage.default_storage_class_name is None
    ):
        updates["default_storage_class_name"] = spec.default_storage_class_name
    if spec.pvc_headroom_percent is not None and "pvc_headroom_percent" not in fields_set:
        updates["pvc_headroom_percent"] = spec.pvc_headroom_percent
    if not updates:
        return spec
    base = storage.model_dump() if storage is not None else {}
    migrated = AIMStorageConfig.model_construct(
        _fields_set=fields_set | set(updates), **{**base, **updates}
    )
    return spec.model_copy(update={"storage": migrated})


def _overrides(value: object, default: object) -> bool:
    """Whether a value the namespace config sets replaces the cluster value.

    Empty strings and collections never do. A zero value (``false``, ``0``) does only when it
    differs from the field's default, i.e. when it cannot be the API server's defaulting.
    """
    if value is None or value == "" or value == [] or value == {}:
        return False
    return bool(value) or value != default


def _merge_models(base: _M, overlay: _M) -> _M:
    """``overlay`` over ``base`` field by field (see the module docstring)."""
    values: dict[str, Any] = {}
    for name, info in type(base).model_fields.items():
        old, new = getattr(base, name), getattr(overlay, name)
        if name not in overlay.model_fields_set:
            values[name] = old
        elif isinstance(old, BaseModel) and isinstance(new, BaseModel):
            values[name] = _merge_models(old, new)
        elif name == "env" and new:
            values[name] = merge_env(old, new)
        elif isinstance(old, dict) and isinstance(new, dict):
            values[name] = {**old, **new}
        else:
            values[name] = new if _overrides(new, info.default) else old
    fields_set = base.model_fields_set | {
        name for name in overlay.model_fields_set if values[name] is not None
    }
    return type(base).model_construct(_fields_set=fields_set, **values)


def merge_runtime_config_specs(
    cluster: AIMRuntimeConfigSpec | None, namespace: AIMRuntimeConfigSpec | None
) -> AIMRuntimeConfigSpec | None:
    """The effective config: ``namespace`` merged over ``cluster``, each migrated first.

    Returns ``None`` when neither exists.
    """
    if cluster is not None:
        cluster = migrate_deprecated_fields(cluster)
    if namespace is not None:
        namespace = migrate_deprecated_fields(namespace)
    if cluster is None or namespace is None:
        return cluster or namespace
    return _merge_models(cluster, namespace)


@dataclass(frozen=True, slots=True)
class RuntimeConfigHealth:
    """The ``RuntimeConfigReady`` component of a consumer.

    Attributes:
        ready: the consumer can go on (a config was found, or ``default`` is absent).
        reason: ``ConfigFound``, ``DefaultConfigNotFound`` or ``ConfigNotFound``.
        message: human-readable detail.
        missing_reference: a named config is missing: a MissingUpstream error, so the
            consumer is Failed with ``ConfigValid=False`` reason ``ReferenceNotFound``.
    """

    ready: bool
    reason: str
    message: str
    missing_reference: bool = False


@dataclass(frozen=True, slots=True)
class RuntimeConfigResolution:
    """What :func:`resolve_runtime_config` found.

    Attributes:
        name: the config name looked up (``default`` for an empty name).
        namespace: the consumer's namespace (``""`` for cluster-scoped consumers).
        spec: the merged spec, ``None`` when no config exists.
        namespace_found: an ``AIMRuntimeConfig`` exists in the namespace.
        cluster_found: an ``AIMClusterRuntimeConfig`` exists.
    """

    name: str
    namespace: str
    spec: AIMRuntimeConfigSpec | None
    namespace_found: bool = False
    cluster_found: bool = False

    @property
    def found(self) -> bool:
        """Whether any config of that name exists."""
        return self.namespace_found or self.cluster_found

    @property
    def scope(self) -> AIMResolutionScope | None:
        """``Namespace``, ``Cluster`` or ``Merged`` (both); ``None`` when nothing was found."""
        if self.namespace_found and self.cluster_found:
            return AIMResolutionScope.MERGED
        if self.namespace_found:
            return AIMResolutionScope.NAMESPACE
        if self.cluster_found:
            return AIMResolutionScope.CLUSTER
        return None

    def health(self) -> RuntimeConfigHealth:
        """The ``RuntimeConfigReady`` condition this resolution gives its consumer."""
        if self.found:
            return RuntimeConfigHealth(
                True, Reasons.CONFIG_FOUND, f"RuntimeConfig {self.name} found"
            )
        if self.name == Defaults.RUNTIME_CONFIG_NAME:
            return RuntimeConfigHealth(
                True,
                Reasons.DEFAULT_CONFIG_NOT_FOUND,
                f"RuntimeConfig {self.name} not found, using built-in defaults",
            )
        return RuntimeConfigHealth(
            False,
            Reasons.CONFIG_NOT_FOUND,
            f"RuntimeConfig {self.name} not found",
            missing_reference=True,
        )


def _spec_of(
    obj: Mapping[str, Any] | None, model: type[AIMRuntimeConfig | AIMClusterRuntimeConfig]
) -> AIMRuntimeConfigSpec | None:
    if obj is None:
        return None
    try:
        return model.model_validate(obj).spec
    except ValidationError as exc:
        name = (obj.get("metadata") or {}).get("name")
        raise InvalidSpecError(f"{model.__name__} {name} is invalid: {exc}") from exc


def resolve_runtime_config(
    name: str | None,
    namespace: str | None,
    namespace_config: Mapping[str, Any] | None,
    cluster_config: Mapping[str, Any] | None,
) -> RuntimeConfigResolution:
    """Merge the raw configs a consumer found (``None`` where absent) into a resolution.

    Raises:
        InvalidSpecError: a config does not validate against the API model.
    """
    ns_spec = _spec_of(namespace_config, AIMRuntimeConfig)
    cl_spec = _spec_of(cluster_config, AIMClusterRuntimeConfig)
    return RuntimeConfigResolution(
        name=runtime_config_name(name),
        namespace=namespace or "",
        spec=merge_runtime_config_specs(cl_spec, ns_spec),
        namespace_found=ns_spec is not None,
        cluster_found=cl_spec is not None,
    )


async def _get_or_none(
    reader: ObjectGetter, kind: ResourceKind, name: str, namespace: str | None
) -> Mapping[str, Any] | None:
    try:
        result = reader.get(kind, name, namespace)
        if inspect.isawaitable(result):
            return await result
        return result
    except NotFoundError:
        return None


async def fetch_runtime_config(
    reader: ObjectGetter, name: str | None, namespace: str | None
) -> RuntimeConfigResolution:
    """``FetchMergedRuntimeConfig``: read both configs and resolve them.

    Args:
        reader: cache ``Reader`` or API client.
        name: the consumer's ``runtimeConfigName`` (empty ⇒ ``default``).
        namespace: the consumer's namespace; empty or ``None`` for cluster-scoped consumers,
            which only see the cluster config.

    Raises:
        ApiError: any read error other than NotFound (and whatever else the reader raises).
        InvalidSpecError: a config does not validate against the API model.
    """
    config = runtime_config_name(name)
    ns_obj = None
    if namespace:
        ns_obj = await _get_or_none(reader, AIMRuntimeConfig.resource_kind(), config, namespace)
    cl_obj = await _get_or_none(reader, AIMClusterRuntimeConfig.resource_kind(), config, None)
    return resolve_runtime_config(config, namespace, ns_obj, cl_obj)

"""The model and cluster-model controllers as a :class:`~controllers.engine.Domain` (spec §5.3).

* **fetch**: the merged runtime config (§10.1; a cluster model sees only the cluster config),
  the image metadata when it must be learnt
  (:func:`~controllers.model.health.metadata_fetch_needed`: not when ``spec.imageMetadata``
  is given, extraction is off, or status already holds it), and
  the templates naming the model (cache index ``spec.modelName``);
* **compose**: the metadata in force, whether templates are expected, the templates' statuses;
* **health**: ``RuntimeConfig``, ``ImageMetadata`` and ``ServiceTemplates`` /
  ``ClusterServiceTemplates``;
* **plan**: the owned templates (:func:`~controllers.model.templates.plan_templates`), with the
  labels the runtime config propagates;
* **decorate**: ``sourceType`` and ``imageMetadata``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from aim_engine import RawObject
from aim_engine.api.v1alpha1.image_metadata import ImageMetadata
from aim_engine.errors import AimEngineError
from controllers.engine import (
    CategorizedError,
    ComponentHealth,
    DependencyType,
    ErrorCategory,
    FetchContext,
    Fetched,
    Plan,
    StatusDraft,
    fetch,
    propagated_labels,
)
from controllers.model.health import (
    effective_metadata,
    expects_templates,
    image_metadata_health,
    metadata_fetch_needed,
    templates_health,
)
from controllers.model.inspection import MetadataInspector
from controllers.model.scope import Model, ModelScope
from controllers.model.templates import plan_templates, status_decoration
from controllers.model.watches import MODEL_NAME_INDEX
from controllers.runtimeconfig import RuntimeConfigResolution, fetch_runtime_config

__all__ = ["ModelDomain", "ModelReads", "Observation"]

RUNTIME_CONFIG = "RuntimeConfig"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ModelReads:
    """What one reconcile read.

    Attributes:
        runtime_config: the merged runtime config.
        metadata: the metadata read from the registry this time (value ``None``: not needed).
        templates: the templates whose ``spec.modelName`` is the model.
    """

    runtime_config: Fetched[RuntimeConfigResolution]
    metadata: Fetched[ImageMetadata]
    templates: Fetched[list[RawObject]]


@dataclass(frozen=True, slots=True)
class Observation:
    """The reads, interpreted.

    Attributes:
        reads: the raw reads.
        metadata: the metadata in force (fetched, else spec, else status).
        expects: ``ExpectsTemplates`` (``None``: not known yet).
        statuses: ``status.status`` of each template (``None`` where it has none).
    """

    reads: ModelReads
    metadata: ImageMetadata | None
    expects: bool | None
    statuses: tuple[str | None, ...]


async def _captured(read: Awaitable[T]) -> Fetched[T]:
    try:
        return Fetched(await read)
    except AimEngineError as exc:
        return Fetched(error=exc)


def _status_of(obj: RawObject) -> str | None:
    value = (obj.get("status") or {}).get("status")
    return value if isinstance(value, str) and value else None


class ModelDomain:
    """The domain of one model scope (module docstring).

    Args:
        scope: namespaced or cluster.
        inspector: reads image metadata from registries.
        operator_namespace: where a cluster model's pull secrets are read.
    """

    def __init__(
        self, scope: ModelScope, inspector: MetadataInspector, *, operator_namespace: str
    ) -> None:
        self._scope = scope
        self._inspector = inspector
        self._operator_namespace = operator_namespace

    async def fetch(self, ctx: FetchContext, obj: Model) -> ModelReads:
        """The three reads; the registry only when the metadata is not known yet."""
        scope, namespace = self._scope, self._scope.namespace(obj)
        runtime_config = await _captured(
            fetch_runtime_config(ctx.reader, obj.spec.runtime_config_name, namespace)
        )
        metadata: Fetched[ImageMetadata] = Fetched()
        if metadata_fetch_needed(obj.spec, obj.status):
            secrets_ns = scope.secret_namespace(obj, self._operator_namespace)
            metadata = await _captured(self._inspector.inspect(ctx.client, obj.spec, secrets_ns))
        kind = scope.template.resource_kind()
        name = obj.metadata.name or ""
        templates = fetch(lambda: ctx.reader.list(kind, namespace, index=(MODEL_NAME_INDEX, name)))
        return ModelReads(runtime_config, metadata, templates)

    def compose(self, obj: Model, fetched: ModelReads) -> Observation:
        """The metadata in force, ``ExpectsTemplates`` and the templates' statuses."""
        metadata = effective_metadata(obj.spec, obj.status, fetched.metadata.value)
        statuses = tuple(_status_of(t) for t in fetched.templates.value or ())
        return Observation(fetched, metadata, expects_templates(obj.spec, metadata), statuses)

    def health(self, obj: Model, observation: Observation) -> Sequence[ComponentHealth]:
        """``RuntimeConfig``, ``ImageMetadata`` and the templates' aggregate."""
        del obj
        reads = observation.reads
        component = self._scope.templates_component
        if reads.templates.error is not None:
            templates = ComponentHealth(component, errors=(reads.templates.error,))
        else:
            templates = templates_health(component, observation.statuses, observation.expects)
        return [
            runtime_config_health(reads.runtime_config),
            image_metadata_health(observation.metadata, reads.metadata.error),
            templates,
        ]

    def plan(self, obj: Model, observation: Observation) -> Plan:
        """The owned templates, with the labels the runtime config propagates."""
        config = observation.reads.runtime_config.value
        propagation = config.spec.label_propagation if config and config.spec else None
        labels = propagated_labels(
            obj.metadata.labels,
            propagation.match if propagation else None,
            enabled=bool(propagation and propagation.enabled),
        )
        return Plan(apply=plan_templates(obj, observation.metadata), labels=labels)

    def decorate(self, obj: Model, observation: Observation, status: StatusDraft) -> None:
        """``sourceType``, and ``imageMetadata`` when fetched or given in the spec."""
        fields: dict[str, Any] = status_decoration(obj.spec, observation.reads.metadata.value)
        status.fields.update(fields)


def runtime_config_health(fetched: Fetched[RuntimeConfigResolution]) -> ComponentHealth:
    """``RuntimeConfigReady``: found, ``default`` absent (fine), or a named config missing."""
    upstream = DependencyType.UPSTREAM
    if fetched.value is None:
        errors = (fetched.error,) if fetched.error is not None else ()
        return ComponentHealth(RUNTIME_CONFIG, errors=errors, dependency=upstream)
    health = fetched.value.health()
    if health.missing_reference:
        error = CategorizedError(ErrorCategory.MISSING_UPSTREAM, health.reason, health.message)
        return ComponentHealth(RUNTIME_CONFIG, errors=(error,), dependency=upstream)
    return ComponentHealth(
        RUNTIME_CONFIG, reason=health.reason, message=health.message, dependency=upstream
    )

"""The AIMServiceTemplate and AIMClusterServiceTemplate controllers (spec §5.2, §6).

:class:`TemplateReconciler` wraps the generic :class:`~controllers.engine.Pipeline` around a
:class:`~controllers.template.domain.TemplateDomain`. A reconcile reads the template from the
cache (gone ⇒ done) and runs the pipeline; when the reconcile may create a discovery Job (judged
from the cache, as the domain will judge it) it first takes the discovery lock (spec §5.2.6),
and when the lock cannot be had within 30 s it requeues after 2 s. Unlike the original, only
reconciles that may create a Job take the lock (it protects "count, then create"), so a
reconcile that finds nothing to change sends no request at all, not even to the Lease; and an
error inside the lock keeps the framework's exponential backoff (the original turns it into a
2 s requeue [QUIRK]).

:func:`setup_template_controllers` registers both controllers, sharing one lock, with their
watches (spec §6): the template; owned Jobs and AIMTemplateCaches; runtime configs; Nodes;
models; discovery pods (see :mod:`~controllers.template.watches`).
"""

from __future__ import annotations

from pydantic import ValidationError

from aim_engine import JOB, NODE, POD, NotFoundError, RawObject
from aim_engine.api.v1alpha1 import AIMClusterRuntimeConfig, AIMRuntimeConfig
from aim_engine.api.v1alpha1.cache import AIMTemplateCache
from aim_engine.api.v1alpha1.labels import Labels
from aim_engine.client import ApiPodLogReader, PodLogReader
from aim_engine.controller import Request, Result, builder
from aim_engine.manager import Manager
from controllers.config import OperatorConfig
from controllers.defaults import Defaults
from controllers.engine import Pipeline, PipelineOptions
from controllers.template.domain import TemplateDomain
from controllers.template.lock import DiscoveryLock
from controllers.template.observation import Observation, Template, TemplateReads
from controllers.template.scope import CLUSTER, NAMESPACED, TemplateScope
from controllers.template.watches import (
    GPU_INDEX,
    MODEL_NAME_INDEX,
    RUNTIME_CONFIG_INDEX,
    by_index,
    discovery_pod_changed,
    gpu_node_changed,
    pod_owner_template,
    register_template_indexes,
)

__all__ = ["TemplateReconciler", "setup_template_controllers"]


class TemplateReconciler:
    """One template controller (module docstring).

    Args:
        scope: namespaced or cluster.
        manager: provides the cache, client and clock.
        config: the operator configuration.
        lock: the discovery lock (share one between the two scopes).
        log_reader: reads discovery pods' logs.
        reporting_instance: the Event ``reportingInstance`` (default: the host name).
    """

    def __init__(
        self,
        scope: TemplateScope,
        manager: Manager,
        config: OperatorConfig,
        *,
        lock: DiscoveryLock,
        log_reader: PodLogReader,
        reporting_instance: str | None = None,
    ) -> None:
        self._scope = scope
        self._reader = manager.cache
        self._clock = manager.clock
        self._lock = lock
        self._kind = scope.template.resource_kind()
        self._domain = TemplateDomain(
            scope,
            operator_namespace=config.namespace,
            log_reader=log_reader,
            lock_held=lock.held,
        )
        options: PipelineOptions[Template] = PipelineOptions(
            controller=scope.controller, model=scope.template
        )
        self._pipeline: Pipeline[Template, TemplateReads, Observation] = Pipeline.for_manager(
            manager, self._domain, options, reporting_instance=reporting_instance
        )

    @property
    def scope(self) -> TemplateScope:
        """The template scope."""
        return self._scope

    @property
    def pipeline(self) -> Pipeline[Template, TemplateReads, Observation]:
        """The underlying pipeline."""
        return self._pipeline

    async def _may_create_job(self, obj: RawObject) -> bool:
        try:
            typed = self._scope.template.model_validate(obj)
        except ValidationError:
            return False  # the pipeline reports it
        return await self._domain.may_create_job(self._reader, self._clock, typed)

    async def reconcile(self, request: Request) -> Result:
        """Reconcile one template (module docstring).

        Raises:
            aim_engine.errors.AimEngineError: as :meth:`Pipeline.run`.
        """
        try:
            obj = self._reader.get(self._kind, request.name, request.namespace or None)
        except NotFoundError:
            return Result()
        if not await self._may_create_job(obj):
            return await self._pipeline.run(obj)
        async with self._lock.hold() as held:
            if not held:
                return Result(requeue_after=Defaults.DISCOVERY_LOCK_RETRY_SECONDS)
            return await self._pipeline.run(obj)

    def register(self, manager: Manager, config: OperatorConfig) -> None:
        """Register the controller and its watches (spec §6) on ``manager``."""
        scope, reader = self._scope, manager.cache
        kind = self._kind
        operator_ns = None if scope.namespaced else config.namespace

        def configs(obj: RawObject) -> list[Request]:
            return by_index(
                reader,
                kind,
                RUNTIME_CONFIG_INDEX,
                obj["metadata"]["name"],
                obj["metadata"].get("namespace") if scope.namespaced else None,
            )

        def ns_configs(obj: RawObject) -> list[Request]:
            namespace = obj["metadata"].get("namespace")
            if operator_ns is not None and namespace != operator_ns:
                return []
            return configs(obj)

        def models(obj: RawObject) -> list[Request]:
            return by_index(
                reader,
                kind,
                MODEL_NAME_INDEX,
                obj["metadata"]["name"],
                obj["metadata"].get("namespace") if scope.namespaced else None,
            )

        def gpu_templates(obj: RawObject) -> list[Request]:
            del obj
            return by_index(reader, kind, GPU_INDEX, "true")

        b = (
            builder(manager)
            .named(scope.controller)
            .for_(kind)
            .owns(JOB)
            .watches(AIMRuntimeConfig.resource_kind(), ns_configs)
            .watches(AIMClusterRuntimeConfig.resource_kind(), configs)
            .watches(NODE, gpu_templates, predicates=[gpu_node_changed])
            .watches(scope.model.resource_kind(), models)
            .watches(
                POD,
                pod_owner_template(reader, kind.kind, operator_ns),
                predicates=[discovery_pod_changed],
                label_selector=Labels.TEMPLATE,
            )
        )
        if scope.namespaced:
            b = b.owns(AIMTemplateCache.resource_kind())
        b.complete(self)
        register_template_indexes(manager.cache.informer(kind))


def setup_template_controllers(
    manager: Manager,
    config: OperatorConfig,
    *,
    log_reader: PodLogReader | None = None,
    reporting_instance: str | None = None,
) -> tuple[TemplateReconciler, TemplateReconciler]:
    """Register the ``service-template`` and ``cluster-service-template`` controllers.

    Args:
        manager: the manager.
        config: the operator configuration.
        log_reader: where pod logs come from (default: the API server through the manager's
            client).
        reporting_instance: the Event ``reportingInstance`` (default: the host name).

    Returns:
        The namespaced and the cluster reconciler.
    """
    lock = DiscoveryLock(
        manager.client, manager.clock, namespace=config.namespace, identity=config.identity
    )
    reader = log_reader if log_reader is not None else ApiPodLogReader(manager.client)
    out = []
    for scope in (NAMESPACED, CLUSTER):
        reconciler = TemplateReconciler(
            scope,
            manager,
            config,
            lock=lock,
            log_reader=reader,
            reporting_instance=reporting_instance,
        )
        reconciler.register(manager, config)
        out.append(reconciler)
    return out[0], out[1]

"""The template reconciler's :class:`~controllers.engine.Domain`, for both scopes (spec §5.2).

``fetch`` reads, from the cache unless said otherwise: the merged runtime config, the model,
the Nodes (GPU templates), the template's discovery Jobs and their pods (while discovery is
checked), the discovery log of a succeeded pod and the log tail of a failed one (through the
injected :class:`~aim_engine.client.PodLogReader`), the template caches it owns (namespaced
templates with caching), and, only while the discovery lock is held and a new Job is wanted,
the live count of active discovery Jobs cluster-wide (a live list: the count must include Jobs
created a moment ago by this or another replica, which the cache may not show yet). Active
means neither complete, failed nor being deleted.

``compose`` (:mod:`~controllers.template.observation`), ``health``
(:mod:`~controllers.template.health`) and ``plan`` (:mod:`~controllers.template.plan`) are
pure; ``decorate`` writes ``resolvedModel``, ``discoveryJob``, the resolved fields after
discovery or from inline sources (spec §5.2.5), the circuit-breaker state and ``Discovered``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence

from aim_engine import (
    JOB,
    NODE,
    POD,
    ApiError,
    Clock,
    RawObject,
    Reader,
    TransportError,
    is_deleting,
    meta,
)
from aim_engine.api.v1alpha1 import AIMServiceTemplate
from aim_engine.api.v1alpha1.cache import AIMTemplateCache
from aim_engine.api.v1alpha1.labels import Labels
from aim_engine.client import PodLogReader
from aim_engine.errors import InvalidSpecError
from controllers.defaults import Defaults
from controllers.engine import ComponentHealth, FetchContext, Fetched, Plan, StatusDraft, fetch
from controllers.gpu import requires_gpu
from controllers.runtimeconfig import RuntimeConfigResolution, fetch_runtime_config
from controllers.template.discovery import (
    DISCOVERY_CONTAINER,
    DISCOVERY_JOB_LABELS,
    discovery_template_label,
)
from controllers.template.health import template_health
from controllers.template.observation import (
    Observation,
    Template,
    TemplateReads,
    checks_discovery,
    compose,
    job_finished,
)
from controllers.template.plan import template_plan
from controllers.template.scope import TemplateScope
from controllers.template.status import decorate_template
from controllers.workload_health import failed_container, pods_of_job

__all__ = ["TemplateDomain"]

logger = logging.getLogger(__name__)

_READ_ERRORS = (ApiError, TransportError, InvalidSpecError)


def _owned_by(obj: RawObject, uid: str) -> bool:
    return any(o.get("uid") == uid for o in meta(obj).get("ownerReferences") or ())


def _phase(pod: RawObject) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


class TemplateDomain:
    """Fetch, compose, health, plan and decorate of one template scope (module docstring).

    Args:
        scope: namespaced or cluster.
        operator_namespace: where cluster templates run their Jobs.
        log_reader: reads container logs.
        lock_held: tells whether the calling reconcile holds the discovery lock.
    """

    def __init__(
        self,
        scope: TemplateScope,
        *,
        operator_namespace: str,
        log_reader: PodLogReader,
        lock_held: Callable[[], bool],
    ) -> None:
        self._scope = scope
        self._operator_namespace = operator_namespace
        self._logs = log_reader
        self._lock_held = lock_held

    @property
    def scope(self) -> TemplateScope:
        """The template scope."""
        return self._scope

    # -- reads ------------------------------------------------------------------------------

    def job_namespace(self, template: Template) -> str:
        """Where the template's discovery Jobs run."""
        return self._scope.job_namespace(template.metadata.namespace, self._operator_namespace)

    def _jobs(self, reader: Reader, template: Template) -> list[RawObject]:
        label = discovery_template_label(template.metadata.name or "")
        jobs = reader.list(
            JOB, self.job_namespace(template), label_selector={Labels.TEMPLATE: label}
        )
        return [j for j in jobs if _owned_by(j, template.metadata.uid or "")]

    def _pods(self, reader: Reader, template: Template) -> list[RawObject]:
        label = discovery_template_label(template.metadata.name or "")
        return reader.list(
            POD, self.job_namespace(template), label_selector={Labels.TEMPLATE: label}
        )

    def _caches(self, reader: Reader, template: Template) -> list[RawObject]:
        caches = reader.list(AIMTemplateCache.resource_kind(), template.metadata.namespace)
        return [c for c in caches if _owned_by(c, template.metadata.uid or "")]

    def read_cached(self, reader: Reader, clock: Clock, template: Template) -> TemplateReads:
        """The cache reads of a reconcile (all but the runtime config, logs and Job count).

        Raises:
            aim_engine.CacheNotSyncedError: an informer has not synced yet (a retryable
                error: the framework retries the reconcile with backoff).
        """
        namespace = template.metadata.namespace if self._scope.namespaced else None
        model_kind = self._scope.model.resource_kind()
        spec = template.spec
        checking = checks_discovery(template)
        caching = isinstance(template, AIMServiceTemplate) and bool(
            template.spec.caching and template.spec.caching.enabled
        )
        return TemplateReads(
            now=clock.now(),
            runtime_config=Fetched(),
            model=fetch(lambda: reader.get(model_kind, spec.model_name, namespace)),
            nodes=fetch(lambda: reader.list(NODE)) if requires_gpu(spec.hardware) else None,
            jobs=fetch(lambda: self._jobs(reader, template)) if checking else None,
            pods=(fetch(lambda: self._pods(reader, template)).value or []) if checking else [],
            caches=fetch(lambda: self._caches(reader, template)) if caching else None,
        )

    async def _runtime_config(
        self, reader: Reader, template: Template
    ) -> Fetched[RuntimeConfigResolution]:
        namespace = template.metadata.namespace if self._scope.namespaced else None
        try:
            name = template.spec.runtime_config_name
            return Fetched(await fetch_runtime_config(reader, name, namespace))
        except _READ_ERRORS as exc:
            return Fetched(error=exc)

    async def may_create_job(self, reader: Reader, clock: Clock, template: Template) -> bool:
        """Whether a reconcile now would create a discovery Job (so it must take the lock).

        Judged from the cache exactly as :meth:`fetch` and :func:`compose` will judge it.
        """
        reads = self.read_cached(reader, clock, template)
        config = await self._runtime_config(reader, template)
        return compose(template, dataclasses.replace(reads, runtime_config=config)).wants_job

    async def fetch(self, ctx: FetchContext, obj: Template) -> TemplateReads:
        """All reads of a reconcile (module docstring); errors are captured."""
        reads = self.read_cached(ctx.reader, ctx.clock, obj)
        config = await self._runtime_config(ctx.reader, obj)
        reads = dataclasses.replace(reads, runtime_config=config)
        first = compose(obj, reads)
        held = self._lock_held()
        active = None
        if first.wants_job and held:
            active = await self._count_active(ctx)
        log, failure_logs, pods = await self._logs_of(ctx, obj, first)
        return dataclasses.replace(
            reads,
            pods=pods,
            log=log,
            failure_logs=failure_logs,
            active_jobs=active,
            lock_held=held,
        )

    async def _count_active(self, ctx: FetchContext) -> Fetched[int]:
        try:
            listed = await ctx.client.list(
                JOB,
                None,
                label_selector=",".join(f"{k}={v}" for k, v in DISCOVERY_JOB_LABELS.items()),
            )
        except (ApiError, TransportError) as exc:
            return Fetched(error=exc)
        items = listed.get("items") or ()
        return Fetched(sum(1 for j in items if not job_finished(j) and not is_deleting(j)))

    async def _logs_of(
        self, ctx: FetchContext, template: Template, obs: Observation
    ) -> tuple[Fetched[str] | None, dict[str, str], Sequence[RawObject]]:
        """The discovery log of a complete Job, the log tails of failed pods, and the pods."""
        pods: Sequence[RawObject] = obs.reads.pods
        if obs.job is None or obs.outcome is None:
            return None, {}, pods
        namespace = self.job_namespace(template)
        mine = obs.pods
        if obs.outcome.complete and not any(_phase(p) == "Succeeded" for p in mine):
            # The pod informer may lag the Job's: ask the server before calling it a failure.
            try:
                listed = await ctx.client.list(
                    POD, namespace, label_selector=f"{Labels.JOB_NAME}={obs.job_name}"
                )
            except (ApiError, TransportError) as exc:
                return Fetched(error=exc), {}, pods
            mine = pods_of_job(listed.get("items") or [], obs.job)
            pods = [*pods, *mine]
        log: Fetched[str] | None = None
        succeeded = next((p for p in mine if _phase(p) == "Succeeded"), None)
        if obs.outcome.complete and succeeded is not None:
            try:
                text = await self._logs.read(
                    namespace, meta(succeeded)["name"], DISCOVERY_CONTAINER
                )
                log = Fetched(text)
            except (ApiError, TransportError) as exc:
                log = Fetched(error=exc)
        failure_logs: dict[str, str] = {}
        for pod in mine:
            if _phase(pod) != "Failed":
                continue
            failed = failed_container(pod)
            if not failed.wants_log:
                continue
            try:
                failure_logs[failed.pod] = await self._logs.read(
                    namespace, failed.pod, failed.container, tail_lines=Defaults.POD_LOG_TAIL_LINES
                )
            except (ApiError, TransportError) as exc:  # an explanation is optional
                logger.debug("cannot read a failed pod's log", extra={"error": str(exc)})
            break
        return log, failure_logs, pods

    # -- pure steps -------------------------------------------------------------------------

    def compose(self, obj: Template, fetched: TemplateReads) -> Observation:
        """Interpret the reads."""
        return compose(obj, fetched)

    def health(self, obj: Template, observation: Observation) -> list[ComponentHealth]:
        """The template's components."""
        return template_health(self._scope, obj, observation)

    def plan(self, obj: Template, observation: Observation) -> Plan:
        """Jobs and caches to create or delete."""
        return template_plan(obj, observation, operator_namespace=self._operator_namespace)

    def decorate(self, obj: Template, observation: Observation, status: StatusDraft) -> None:
        """Status fields and ``Discovered`` (module docstring)."""
        decorate_template(self._scope, obj, observation, status, self._operator_namespace)

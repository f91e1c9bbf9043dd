"""What a template reconcile creates or deletes (spec §5.2.4, §5.2.7), from an Observation.

In order: nothing without a usable model or the GPUs the template needs; for inline sources
or a template already Ready, its AIMTemplateCache (namespaced templates with
``caching.enabled``, when no cache owned by the template exists); otherwise discovery:

* finished Jobs of an older spec are deleted;
* no current Job: wait for the backoff (``requeue_after`` = the remaining seconds, so progress
  never depends on a status write), else, holding the discovery lock, create the Job unless
  :data:`~controllers.defaults.Defaults.MAX_CONCURRENT_DISCOVERY_JOBS` are active (then retry
  in 5 s); without the lock retry in 2 s;
* a current Job that failed (or succeeded with unreadable output): wait for the backoff, then
  delete it so the next attempt (same name) can be created;
* a running Job needs nothing: its own events bring the next reconcile.
"""

from __future__ import annotations

from typing import Any

from aim_engine import RawObject, meta
from aim_engine.api.v1alpha1 import AIMServiceTemplate
from aim_engine.api.v1alpha1.cache import AIMTemplateCache, AIMTemplateScope
from aim_engine.api.v1alpha1.status import AIMStatus
from controllers.defaults import Defaults
from controllers.engine import ObjectRef, Plan
from controllers.template.discovery import build_discovery_job
from controllers.template.observation import Observation, Template, previous_status

__all__ = ["template_cache", "template_plan"]


def template_cache(template: AIMServiceTemplate) -> RawObject:
    """The AIMTemplateCache a namespaced template with ``caching.enabled`` owns (§5.2.7).

    Named like the template, in its namespace; ``mode`` is left to the API default (Shared).
    """
    spec = template.spec
    cache_spec: dict[str, Any] = {
        "templateName": template.metadata.name,
        "templateScope": str(AIMTemplateScope.NAMESPACE),
    }
    env = spec.caching.env if spec.caching is not None else None
    if env:
        cache_spec["env"] = [e.to_wire() for e in env]
    if spec.runtime_config_name:
        cache_spec["runtimeConfigName"] = spec.runtime_config_name
    return {
        "apiVersion": AIMTemplateCache.resource_kind().api_version,
        "kind": AIMTemplateCache.kind_name(),
        "metadata": {"name": template.metadata.name, "namespace": template.metadata.namespace},
        "spec": cache_spec,
    }


def _cache_plan(template: Template, obs: Observation) -> Plan:
    if not isinstance(template, AIMServiceTemplate):
        return Plan()
    caching = template.spec.caching
    if caching is None or not caching.enabled:
        return Plan()
    caches = obs.reads.caches
    if caches is None or not caches.ok or caches.value:
        return Plan()  # unknown (read failed: the error is reported) or already there
    return Plan(apply=[template_cache(template)])


def _job_ref(job: RawObject) -> ObjectRef:
    return ObjectRef("batch/v1", "Job", str(meta(job).get("namespace") or ""), meta(job)["name"])


def _has_sources(template: Template) -> bool:
    return template.status is not None and bool(template.status.model_sources)


def template_plan(template: Template, obs: Observation, *, operator_namespace: str) -> Plan:
    """The template's plan (module docstring).

    Args:
        template: the template (``status`` is the previous one, spec §14.1).
        obs: the observation.
        operator_namespace: where cluster templates run discovery Jobs.
    """
    if obs.model is None or not obs.image or not obs.gpu_ok:
        return Plan()
    if obs.inline:
        return _cache_plan(template, obs)
    if previous_status(template) == AIMStatus.READY:
        return _cache_plan(template, obs) if _has_sources(template) else Plan()
    if not obs.checks_discovery:
        return Plan()
    stale = [_job_ref(j) for j in obs.stale_jobs]
    if obs.job is None:
        if obs.backoff > 0:
            return Plan(delete=stale, requeue_after=obs.backoff)
        if not obs.wants_job:
            return Plan(delete=stale)
        if not obs.reads.lock_held:
            return Plan(delete=stale, requeue_after=Defaults.DISCOVERY_LOCK_RETRY_SECONDS)
        active = obs.reads.active_jobs
        if active is None or active.value is None:
            return Plan(delete=stale)  # the count failed: reported as an error
        if active.value >= Defaults.MAX_CONCURRENT_DISCOVERY_JOBS:
            return Plan(delete=stale, requeue_after=Defaults.DISCOVERY_CONCURRENCY_REQUEUE_SECONDS)
        job = build_discovery_job(template, obs.model, operator_namespace=operator_namespace)
        return Plan(apply=[job], delete=stale)
    if obs.failure is not None:
        if obs.backoff > 0:
            return Plan(delete=stale, requeue_after=obs.backoff)
        return Plan(delete=[*stale, _job_ref(obs.job)])
    return Plan(delete=stale)

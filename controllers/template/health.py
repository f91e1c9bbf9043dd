"""The components of a template's status (spec §5.2.3), from an :class:`Observation`.

``RuntimeConfigReady`` always; ``ModelReady`` / ``ClusterModelReady``; ``GPUReady`` when the
template needs a GPU; ``DiscoveryJobReady`` and ``DiscoveryPodsReady`` (when pods exist) while
discovery is checked.

Choice: a failed discovery Job (or one whose output cannot be read) is reported as a Failed
``DiscoveryJobReady`` *without* an error category. The original files it under InvalidSpec
(``ConfigValid=False``, no apply, no requeue), which would stop the circuit breaker's retry;
here the breaker owns the failure: the Job's reason and message are on the condition, the
attempt is counted, and the retry is scheduled. For the same reason a failed pod of a failed
Job is reported without a category (its log excerpt still explains what went wrong).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from aim_engine.api.v1alpha1 import AIMStatus
from aim_engine.api.v1alpha1.conditions import Reasons
from controllers.defaults import Defaults, discovery_backoff_seconds
from controllers.engine import (
    CategorizedError,
    ComponentHealth,
    DependencyType,
    ErrorCategory,
    resolve_health,
    upstream_health,
)
from controllers.engine.conditions import format_time
from controllers.template.observation import Observation, Template
from controllers.template.scope import TemplateScope
from controllers.workload_health import pod_list_health

__all__ = [
    "DISCOVERY_JOB",
    "DISCOVERY_PODS",
    "GPU",
    "RUNTIME_CONFIG",
    "discovery_job_health",
    "gpu_health",
    "model_health",
    "runtime_config_health",
    "template_health",
]

RUNTIME_CONFIG = "RuntimeConfig"
GPU = "GPU"
DISCOVERY_JOB = "DiscoveryJob"
DISCOVERY_PODS = "DiscoveryPods"

_JOB_FAILURE_REASONS: Mapping[str, str] = {
    "BackoffLimitExceeded": Reasons.JOB_BACKOFF_LIMIT_EXCEEDED,
    "DeadlineExceeded": Reasons.JOB_DEADLINE_EXCEEDED,
    "Evicted": Reasons.JOB_EVICTED,
}
_ERROR_STATES = frozenset({str(AIMStatus.FAILED), str(AIMStatus.DEGRADED)})
_DOWN = DependencyType.DOWNSTREAM
_UP = DependencyType.UPSTREAM


def runtime_config_health(obs: Observation) -> ComponentHealth:
    """``RuntimeConfigReady``: found, default absent (fine) or a named config missing."""
    fetched = obs.reads.runtime_config
    if fetched.value is None:
        return ComponentHealth(RUNTIME_CONFIG, errors=(fetched.error,) if fetched.error else ())
    health = fetched.value.health()
    if health.missing_reference:
        error = CategorizedError(ErrorCategory.MISSING_UPSTREAM, health.reason, health.message)
        return ComponentHealth(RUNTIME_CONFIG, errors=(error,), dependency=_UP)
    return ComponentHealth(RUNTIME_CONFIG, reason=health.reason, message=health.message)


def _false_component_conditions(model: Mapping[str, Any], ignored: str) -> bool:
    for cond in (model.get("status") or {}).get("conditions") or ():
        kind = str(cond.get("type") or "")
        ready_kind = kind.endswith("Ready") and kind not in ("Ready", ignored)
        if ready_kind and cond.get("status") == "False":
            return True
    return False


def model_health(scope: TemplateScope, obs: Observation) -> ComponentHealth:
    """``ModelReady`` / ``ClusterModelReady`` (upstream).

    Missing ⇒ ``ReferenceNotFound``; no image ⇒ Failed ``ImageNotSpecified``; a Failed or
    Degraded model with a False component of its own (not its templates' aggregate) ⇒ that
    state, ``ModelFailed``; else Ready ``ModelFound``.
    """
    component = scope.model_component
    fetched = obs.reads.model
    if not fetched.ok:
        return upstream_health(component, fetched)
    if obs.model_error is not None:
        return ComponentHealth(component, errors=(obs.model_error,), dependency=_UP)
    raw = obs.model_raw or {}
    name = (raw.get("metadata") or {}).get("name") or ""
    if not obs.image:
        message = f"{scope.model.__name__} {name} has no image"
        return ComponentHealth(
            component, AIMStatus.FAILED, Reasons.IMAGE_NOT_SPECIFIED, message, (), _UP
        )
    status = str((raw.get("status") or {}).get("status") or "")
    if status in _ERROR_STATES and _false_component_conditions(
        raw, scope.model_templates_condition
    ):
        message = f"{scope.model.__name__} {name} is {status}"
        return ComponentHealth(component, AIMStatus(status), scope.model_failed, message, (), _UP)
    message = f"{scope.model.__name__} {name} found"
    return ComponentHealth(component, reason=scope.model_found, message=message, dependency=_UP)


def gpu_health(obs: Observation) -> ComponentHealth:
    """``GPUReady``: the node list failed ⇒ Degraded ``GPUCheckFailed``; else the check."""
    nodes = obs.reads.nodes
    if nodes is not None and nodes.error is not None:
        error = CategorizedError(
            ErrorCategory.INFRASTRUCTURE,
            Reasons.GPU_CHECK_FAILED,
            f"Cannot list nodes: {nodes.error}",
            nodes.error,
        )
        return ComponentHealth(GPU, AIMStatus.DEGRADED, Reasons.GPU_CHECK_FAILED, errors=(error,))
    if obs.gpu_error is not None:
        return ComponentHealth(GPU, errors=(obs.gpu_error,))
    check = obs.gpu_check
    if check is None:  # requests > 0 with no hardware.gpu cannot happen; be safe
        return ComponentHealth(GPU, reason=Reasons.GPU_AVAILABLE)
    if check.available:
        return ComponentHealth(GPU, reason=check.reason, message=check.message)
    return ComponentHealth(GPU, AIMStatus.NOT_AVAILABLE, check.reason, check.message)


def _retry_note(obs: Observation) -> str:
    state = obs.state
    if obs.backoff <= 0 or state is None or not state.attempts or state.last_attempt_time is None:
        return ""
    at = state.last_attempt_time + timedelta(seconds=discovery_backoff_seconds(state.attempts))
    return f"; retrying at {format_time(at)} (attempt {state.attempts} failed)"


def discovery_job_health(obs: Observation) -> ComponentHealth:
    """``DiscoveryJobReady`` (module docstring for failures)."""
    if obs.reads.jobs is not None and obs.reads.jobs.error is not None:
        return ComponentHealth(DISCOVERY_JOB, errors=(obs.reads.jobs.error,), dependency=_DOWN)
    active = obs.reads.active_jobs
    if active is not None and active.error is not None:
        return ComponentHealth(DISCOVERY_JOB, errors=(active.error,), dependency=_DOWN)
    job, outcome = obs.job, obs.outcome
    if job is None:
        message = "Discovery Job not created yet" + _retry_note(obs)
        if active is not None and (active.value or 0) >= Defaults.MAX_CONCURRENT_DISCOVERY_JOBS:
            message += f"; waiting for a free slot ({active.value} discovery Jobs running)"
        return ComponentHealth(
            DISCOVERY_JOB, AIMStatus.PENDING, Reasons.JOB_NOT_CREATED, message, (), _DOWN
        )
    if outcome is None:
        return ComponentHealth(
            DISCOVERY_JOB,
            AIMStatus.PROGRESSING,
            Reasons.JOB_RUNNING,
            "Discovery Job running",
            (),
            _DOWN,
        )
    if obs.failure is None and outcome.complete:
        if obs.succeeded is None:  # the log is being read, or the read failed
            log = obs.reads.log
            errors = (log.error,) if log is not None and log.error is not None else ()
            return ComponentHealth(
                DISCOVERY_JOB,
                AIMStatus.PROGRESSING,
                Reasons.JOB_RUNNING,
                "Discovery Job complete; reading its output",
                errors,
                _DOWN,
            )
        return ComponentHealth(DISCOVERY_JOB, reason=Reasons.READY, dependency=_DOWN)
    if outcome.complete:
        reason = Reasons.JOB_FAILED
    else:
        reason = _JOB_FAILURE_REASONS.get(outcome.reason, Reasons.JOB_FAILED)
    message = (obs.failure or "Unknown failure") + _retry_note(obs)
    return ComponentHealth(DISCOVERY_JOB, AIMStatus.FAILED, reason, message, (), _DOWN)


def _pods_health(obs: Observation) -> ComponentHealth:
    health = pod_list_health(DISCOVERY_PODS, obs.pods, obs.reads.failure_logs)
    failed_pod = any((p.get("status") or {}).get("phase") == "Failed" for p in obs.pods)
    if obs.outcome is None and not failed_pod:
        return health
    # The Job finished, or its only pod failed (backoffLimit 0: the Job fails next): the
    # circuit breaker handles the failure, so report it without an error category.
    resolved = resolve_health(health)
    return ComponentHealth(
        DISCOVERY_PODS, resolved.state, resolved.reason, resolved.message, (), _DOWN
    )


def template_health(
    scope: TemplateScope, template: Template, obs: Observation
) -> list[ComponentHealth]:
    """Every component of the template, in condition order."""
    del template  # everything needed is in the observation
    components = [runtime_config_health(obs), model_health(scope, obs)]
    if obs.gpu_required:
        components.append(gpu_health(obs))
    if obs.checks_discovery and obs.model is not None and obs.gpu_ok:
        components.append(discovery_job_health(obs))
        if obs.pods:
            components.append(_pods_health(obs))
    return components

"""The discovery Job of a template (spec §5.2.5) and the retry state around it (§5.2.4).

A template whose model sources are not given inline runs the model image once with
``dry-run --format=json``; the image prints the runtime profile and the weights it would use
(parsed by :mod:`controllers.template.discovery_output`). This module builds that Job as a plain
apply body, names it, hashes the spec for the circuit breaker, and computes the breaker's state.

Choices (see ``docs/operator/naming-and-gpus.md``):

* Pull secrets and service account: the original uses only the model's, although the template
  declares its own [CODE≠DOC]. We use the template's service account when it sets one (else the
  model's), and the model's pull secrets followed by the template's — what the template
  documentation promises, and harmless when the template sets nothing.
* The ``aim.eai.amd.com/template`` label carries the raw template name as in the original, unless
  the name is not a valid label value (longer than 63 characters): then the sanitised form is used
  so the Job can be created at all (list Jobs by :func:`discovery_template_label` as well).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Any

from aim_engine.api.v1alpha1.core import EnvVar, LocalObjectReference
from aim_engine.api.v1alpha1.labels import Labels, LabelValues
from aim_engine.api.v1alpha1.model import AIMModelSpec
from aim_engine.api.v1alpha1.template import (
    AIMClusterServiceTemplate,
    AIMDiscoveryState,
    AIMServiceTemplate,
    AIMServiceTemplateSpecCommon,
)
from controllers.defaults import Defaults, discovery_backoff_seconds
from controllers.environment import EnvVars
from controllers.naming import sanitize_label_value
from controllers.object_names import discovery_job_name

__all__ = [
    "DISCOVERY_ARGS",
    "DISCOVERY_CONTAINER",
    "DISCOVERY_JOB_LABELS",
    "build_discovery_job",
    "discovery_backoff_remaining",
    "discovery_env",
    "discovery_job_digest",
    "discovery_spec_hash",
    "discovery_template_label",
    "record_discovery_failure",
]

DISCOVERY_CONTAINER = "discovery"
DISCOVERY_ARGS = ("dry-run", "--format=json")
DISCOVERY_JOB_LABELS: dict[str, str] = {
    Labels.K8S_NAME: LabelValues.NAME_DISCOVERY,
    Labels.K8S_COMPONENT: LabelValues.COMPONENT_DISCOVERY,
    Labels.K8S_MANAGED_BY: LabelValues.MANAGED_BY_DISCOVERY,
}
"""Labels of every discovery Job (the cluster-wide count of active Jobs selects on them)."""

_LOG_LEVEL = "CRITICAL"
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

Template = AIMServiceTemplate | AIMClusterServiceTemplate


def discovery_template_label(template_name: str) -> str:
    """Value of ``aim.eai.amd.com/template`` on a template's discovery Jobs and pods."""
    if len(template_name) <= 63 and _LABEL_VALUE.match(template_name):
        return template_name
    return sanitize_label_value(template_name)


def _gpu_part(spec: AIMServiceTemplateSpecCommon) -> str:
    gpu = spec.hardware.gpu if spec.hardware is not None else None
    return f"{gpu.model or ''}{gpu.requests or 0}" if gpu is not None else ""


def discovery_spec_hash(spec: AIMServiceTemplateSpecCommon, image: str) -> str:
    """``discovery.specHash``: 16 hex chars over the inputs that change what discovery finds.

    SHA-256 over ``modelName + image + metric + precision + gpuModel + gpuRequests + profileId``
    (absent fields contribute nothing; the GPU part only when ``hardware.gpu`` is set).
    """
    text = spec.model_name + image + (spec.metric or "") + (spec.precision or "")
    text += _gpu_part(spec) + (spec.profile_id or "")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _effective_identity(
    template: Template, model: AIMModelSpec
) -> tuple[str, list[LocalObjectReference]]:
    """Service account and pull secrets of the Job (template's over/after the model's)."""
    account = template.spec.service_account_name or model.service_account_name or ""
    secrets = list(model.image_pull_secrets or ())
    names = {s.name for s in secrets}
    secrets += [s for s in template.spec.image_pull_secrets or () if s.name not in names]
    return account, secrets


def discovery_env(template: Template) -> list[EnvVar]:
    """The Job's env, in the original's order.

    Log levels, the template's env (namespaced templates only), then ``AIM_METRIC``,
    ``AIM_PRECISION``, ``AIM_GPU_MODEL``, ``AIM_GPU_COUNT`` (> 0 only) and ``AIM_PROFILE_ID``
    for what the spec sets.
    """
    spec = template.spec
    env = [
        EnvVar(name=EnvVars.AIM_LOG_LEVEL_ROOT, value=_LOG_LEVEL),
        EnvVar(name=EnvVars.AIM_LOG_LEVEL, value=_LOG_LEVEL),
    ]
    if isinstance(template, AIMServiceTemplate):
        env += spec.env or []
    gpu = spec.hardware.gpu if spec.hardware is not None else None
    optional = (
        (EnvVars.AIM_METRIC, spec.metric),
        (EnvVars.AIM_PRECISION, spec.precision),
        (EnvVars.AIM_GPU_MODEL, gpu.model if gpu else None),
        (EnvVars.AIM_GPU_COUNT, str(gpu.requests) if gpu and (gpu.requests or 0) > 0 else None),
        (EnvVars.AIM_PROFILE_ID, spec.profile_id),
    )
    env += [EnvVar(name=name, value=str(value)) for name, value in optional if value]
    return env


def discovery_job_digest(template: Template, model: AIMModelSpec) -> str:
    """Hex SHA-256 over what the Job runs with, whose first 8 chars end the Job name.

    The plain concatenation ``modelName + image + serviceAccount + Σ(name+value of env) +
    Σ(pull secret names) + metric + precision + gpuModel + gpuRequests + profileId``.
    """
    spec = template.spec
    account, secrets = _effective_identity(template, model)
    env = (template.spec.env or []) if isinstance(template, AIMServiceTemplate) else []
    text = spec.model_name + model.image + account
    text += "".join(e.name + (e.value or "") for e in env)
    text += "".join(s.name for s in secrets)
    text += (spec.metric or "") + (spec.precision or "") + _gpu_part(spec) + (spec.profile_id or "")
    return hashlib.sha256(text.encode()).hexdigest()


def build_discovery_job(
    template: Template, model: AIMModelSpec, *, operator_namespace: str
) -> dict[str, Any]:
    """The discovery Job of a template, as an apply body (``batch/v1``).

    Args:
        template: the template (its metadata must carry name and uid).
        model: spec of the template's model (image, pull secrets, service account).
        operator_namespace: where cluster templates run their Jobs.

    Returns:
        The Job, owned by the template (``controller`` and ``blockOwnerDeletion``).
    """
    meta = template.metadata
    name = meta.name or ""
    namespace = (
        operator_namespace if isinstance(template, AIMClusterServiceTemplate) else meta.namespace
    )
    account, secrets = _effective_identity(template, model)
    label = discovery_template_label(name)
    container: dict[str, Any] = {
        "name": DISCOVERY_CONTAINER,
        "image": model.image,
        "args": list(DISCOVERY_ARGS),
        "env": [e.to_wire() for e in discovery_env(template)],
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    pod_spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": Defaults.DISCOVERY_RUN_AS_USER,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
    }
    if account:
        pod_spec["serviceAccountName"] = account
    if secrets:
        pod_spec["imagePullSecrets"] = [{"name": s.name} for s in secrets]
    owner = {
        "apiVersion": template.api_version,
        "kind": template.kind_name(),
        "name": name,
        "uid": meta.uid or "",
        "controller": True,
        "blockOwnerDeletion": True,
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": discovery_job_name(name, discovery_job_digest(template, model)),
            "namespace": namespace,
            "labels": {**DISCOVERY_JOB_LABELS, Labels.TEMPLATE: label},
            "ownerReferences": [owner],
        },
        "spec": {
            "backoffLimit": Defaults.DISCOVERY_JOB_BACKOFF_LIMIT,
            "ttlSecondsAfterFinished": Defaults.DISCOVERY_JOB_TTL_SECONDS,
            "template": {"metadata": {"labels": {Labels.TEMPLATE: label}}, "spec": pod_spec},
        },
    }


def discovery_backoff_remaining(
    state: AIMDiscoveryState | None, spec_hash: str, now: datetime
) -> float:
    """Seconds until another discovery Job may start (0: now).

    No state, no failed attempt, or a changed spec hash allow a Job at once; otherwise the
    wait is ``min(60 s · 2^(attempts-1), 1 h)`` after the last failed attempt.
    """
    if state is None or not state.attempts or state.spec_hash != spec_hash:
        return 0.0
    if state.last_attempt_time is None:
        return 0.0
    ready_at = state.last_attempt_time + timedelta(
        seconds=discovery_backoff_seconds(state.attempts)
    )
    return max((ready_at - now).total_seconds(), 0.0)


def record_discovery_failure(
    state: AIMDiscoveryState | None, spec_hash: str, now: datetime, reason: str
) -> AIMDiscoveryState:
    """The breaker state after a failed Job: one more attempt (reset first if the spec changed).

    ``reason`` is the Job's Failed condition message, else its reason, else ``"Unknown failure"``
    (the caller passes what it has; an empty string becomes ``"Unknown failure"``).
    """
    same_spec = state is not None and state.spec_hash == spec_hash
    attempts = (state.attempts or 0) if state is not None and same_spec else 0
    return AIMDiscoveryState(
        attempts=attempts + 1,
        last_attempt_time=now,
        last_failure_reason=reason or "Unknown failure",
        spec_hash=spec_hash,
    )

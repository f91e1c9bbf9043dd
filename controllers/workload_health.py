"""Health of the Jobs and Pods the operator runs (spec §5.8), as pure functions over raw objects.

:func:`job_outcome` reads a Job's terminal condition. :func:`pod_list_health` turns the pods
of a Job into one :class:`~controllers.engine.ComponentHealth`, first match wins:

1. no pods ⇒ MissingDownstream ``NoPods``;
2. a container waiting in ``ImagePullBackOff``/``ErrImagePull``: auth words in the message ⇒
   Auth ``ImagePullAuthFailure``; not-found words ⇒ MissingUpstream ``ImageNotFound``; else
   Infrastructure ``ImagePullBackOff``;
3. a ``Failed`` pod: the first terminated container with a non-zero exit (its log tail, when
   the caller read one, is matched against not-found, auth and storage patterns, in that order),
   else the reason: ``OOMKilled`` ⇒ ResourceExhaustion ``PodOOMKilled``, ``DeadlineExceeded`` ⇒
   ``PodDeadlineExceeded``, ``Evicted`` ⇒ Infrastructure ``PodEvicted``, anything else ⇒
   InvalidSpec ``PodFailed``;
4. a pod ``Succeeded``, or ``Running`` and ready ⇒ Ready ``PodsReady``;
5. a pod ``Running`` but not ready ⇒ Progressing ``PodsStarting``;
6. a pod ``Pending`` ⇒ Pending ``PodsPending``, with the waiting reason of a container stuck in
   ``CreateContainerConfigError``/``CreateContainerError`` in the message (the original
   reads pod Events here; we report what the pod itself says, spec §14.6);
7. otherwise Progressing ``PodsProgressing``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aim_engine import RawObject
from aim_engine.api.v1alpha1 import AIMStatus
from aim_engine.api.v1alpha1.conditions import Reasons
from controllers.engine import CategorizedError, ComponentHealth, DependencyType, ErrorCategory

__all__ = [
    "FailedContainer",
    "JobOutcome",
    "failed_container",
    "job_outcome",
    "pod_list_health",
    "pods_of_job",
]

_PULL_WAITING = frozenset({"ImagePullBackOff", "ErrImagePull"})
_CREATE_WAITING = frozenset({"CreateContainerConfigError", "CreateContainerError"})
_AUTH_WORDS = re.compile(
    r"unauthorized|authentication required|access denied|denied|forbidden|\b401\b|\b403\b", re.I
)
_NOT_FOUND_WORDS = re.compile(
    r"not found|manifest unknown|does not exist|name unknown|\b404\b", re.I
)
_INFRA_LOG = [r"RBAC:.*not found", r"clusterrole.*not found", r"forbidden.*cannot.*resource"]
_INFRA_LOG += [r"serviceaccount.*cannot"]
_NOT_FOUND_LOG = [r"Repository Not Found", r"RepositoryNotFoundError", r"404.*not.*found"]
_NOT_FOUND_LOG += [r"not.*found.*404", r"NoSuchKey", r"NoSuchBucket", r"model.*not.*found"]
_NOT_FOUND_LOG += [r"file.*not.*found", r"s3.*404"]
_AUTH_LOG = [r"access.*denied.*s3", r"s3.*403", r"InvalidAccessKeyId", r"SignatureDoesNotMatch"]
_AUTH_LOG += [r"s3.*unauthorized", r"aws.*credentials.*not.*found", r"NoCredentialProviders"]
_AUTH_LOG += [r"Access to model .* is restricted", r"Cannot access gated repo"]
_AUTH_LOG += [r"Invalid.*token.*huggingface", r"huggingface.*authentication.*failed"]
_AUTH_LOG += [r"401.*Unauthorized.*hf\.co", r"403.*Forbidden.*hf\.co"]
_STORAGE_LOG = [r"no space left on device", r"disk.*full", r"ENOSPC", r"quota.*exceeded"]
_STORAGE_LOG += [r"storage.*full"]


def _compile(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


_LOG_CLASSES: tuple[tuple[re.Pattern[str], ErrorCategory | None, str], ...] = (
    (_compile(_INFRA_LOG), None, ""),
    (_compile(_NOT_FOUND_LOG), ErrorCategory.INVALID_SPEC, Reasons.SOURCE_NOT_FOUND),
    (_compile(_AUTH_LOG), ErrorCategory.AUTH, Reasons.AUTH_ERROR),
    (_compile(_STORAGE_LOG), ErrorCategory.RESOURCE_EXHAUSTION, Reasons.STORAGE_FULL),
)
_BY_REASON: Mapping[str, tuple[ErrorCategory, str]] = {
    "OOMKilled": (ErrorCategory.RESOURCE_EXHAUSTION, Reasons.POD_OOM_KILLED),
    "DeadlineExceeded": (ErrorCategory.INVALID_SPEC, Reasons.POD_DEADLINE_EXCEEDED),
    "Evicted": (ErrorCategory.INFRASTRUCTURE, Reasons.POD_EVICTED),
}


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """A finished Job: ``Complete`` or ``Failed``, with the condition's reason and message."""

    complete: bool
    reason: str
    message: str


def job_outcome(job: Mapping[str, Any]) -> JobOutcome | None:
    """The Job's terminal condition (``Complete`` or ``Failed`` True), ``None`` while it runs."""
    for cond in (job.get("status") or {}).get("conditions") or ():
        if cond.get("status") != "True":
            continue
        if cond.get("type") in ("Complete", "Failed"):
            complete = cond["type"] == "Complete"
            return JobOutcome(
                complete, str(cond.get("reason") or ""), str(cond.get("message") or "")
            )
    return None


def pods_of_job(pods: Iterable[RawObject], job: Mapping[str, Any]) -> list[RawObject]:
    """The pods a Job controls (by owner UID, so a same-named older Job's pods do not count)."""
    uid = (job.get("metadata") or {}).get("uid")
    return [
        p
        for p in pods
        if any(o.get("uid") == uid for o in (p.get("metadata") or {}).get("ownerReferences") or ())
    ]


@dataclass(frozen=True, slots=True)
class FailedContainer:
    """The container that explains a failed pod.

    Attributes:
        pod: pod name.
        container: container name (empty when only the pod's own reason is known).
        exit_code: its exit code (0 when unknown).
        reason: the termination reason (``Error``, ``OOMKilled``...) or the pod's reason.
        message: the termination message.
    """

    pod: str
    container: str
    exit_code: int
    reason: str
    message: str

    @property
    def wants_log(self) -> bool:
        """Whether its log tail may explain the failure (non-zero exit, not OOM-killed)."""
        return bool(self.container) and self.exit_code != 0 and self.reason != "OOMKilled"


def _statuses(pod: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return list((pod.get("status") or {}).get(key) or ())


def _phase(pod: Mapping[str, Any]) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def failed_container(pod: Mapping[str, Any]) -> FailedContainer:
    """What explains a ``Failed`` pod: its first terminated container, else init container."""
    name = str((pod.get("metadata") or {}).get("name") or "")
    for key in ("containerStatuses", "initContainerStatuses"):
        for status in _statuses(pod, key):
            term = (status.get("state") or {}).get("terminated")
            if term:
                return FailedContainer(
                    name,
                    str(status.get("name") or ""),
                    int(term.get("exitCode") or 0),
                    str(term.get("reason") or ""),
                    str(term.get("message") or ""),
                )
    pod_status = pod.get("status") or {}
    return FailedContainer(
        name, "", 0, str(pod_status.get("reason") or ""), str(pod_status.get("message") or "")
    )


def _health(component: str, category: ErrorCategory, reason: str, message: str) -> ComponentHealth:
    error = CategorizedError(category, reason, message)
    return ComponentHealth(component, errors=(error,), dependency=DependencyType.DOWNSTREAM)


def _failed_pod_health(component: str, failed: FailedContainer, log: str | None) -> ComponentHealth:
    what = failed.container or failed.pod
    message = f"Container {what} failed with exit code {failed.exit_code}"
    if failed.message:
        message += f": {failed.message}"
    lines = [line for line in (log or "").splitlines() if line.strip()]
    if lines and failed.wants_log:
        for pattern, category, reason in _LOG_CLASSES:
            hit = next((line for line in lines if pattern.search(line)), None)
            if hit is None:
                continue
            if category is None:
                break  # an infrastructure message: decide by the reason
            return _health(component, category, reason, f"{message}\n\nLog excerpt:\n{hit}")
        message += "\n\nLog excerpt:\n" + "\n".join(lines[-3:])
    category, reason = _BY_REASON.get(failed.reason, (ErrorCategory.INVALID_SPEC, ""))
    return _health(component, category, reason or Reasons.POD_FAILED, message)


def _image_pull_health(component: str, pods: Sequence[RawObject]) -> ComponentHealth | None:
    for pod in pods:
        for status in _statuses(pod, "initContainerStatuses") + _statuses(pod, "containerStatuses"):
            waiting = (status.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") not in _PULL_WAITING:
                continue
            text = str(waiting.get("message") or waiting.get("reason"))
            message = f"Container {status.get('name')}: {text}"
            if _AUTH_WORDS.search(text):
                return _health(
                    component, ErrorCategory.AUTH, Reasons.IMAGE_PULL_AUTH_FAILURE, message
                )
            if _NOT_FOUND_WORDS.search(text):
                return _health(
                    component, ErrorCategory.MISSING_UPSTREAM, Reasons.IMAGE_NOT_FOUND, message
                )
            return _health(
                component, ErrorCategory.INFRASTRUCTURE, Reasons.IMAGE_PULL_BACK_OFF, message
            )
    return None


def _ready(pod: Mapping[str, Any]) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or ()
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _pending_message(pods: Sequence[RawObject]) -> str:
    for pod in pods:
        for status in _statuses(pod, "initContainerStatuses") + _statuses(pod, "containerStatuses"):
            waiting = (status.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") in _CREATE_WAITING:
                detail = waiting.get("message") or ""
                return f"Container {status.get('name')}: {waiting['reason']} {detail}".strip()
    return "Pods are pending"


def pod_list_health(
    component: str, pods: Sequence[RawObject], logs: Mapping[str, str] | None = None
) -> ComponentHealth:
    """The health of a Job's pods (module docstring).

    Args:
        component: the component name (``DiscoveryPods``...).
        pods: the pods.
        logs: log tails of failed pods' containers by pod name (what the caller could read).
    """
    down = DependencyType.DOWNSTREAM
    if not pods:
        return _health(component, ErrorCategory.MISSING_DOWNSTREAM, Reasons.NO_PODS, "No pods")
    pulled = _image_pull_health(component, pods)
    if pulled is not None:
        return pulled
    for pod in pods:
        if _phase(pod) == "Failed":
            failed = failed_container(pod)
            return _failed_pod_health(component, failed, (logs or {}).get(failed.pod))
    phases = [_phase(p) for p in pods]
    if "Succeeded" in phases or any(_phase(p) == "Running" and _ready(p) for p in pods):
        return ComponentHealth(component, reason=Reasons.PODS_READY, dependency=down)
    if "Running" in phases:
        return ComponentHealth(
            component, AIMStatus.PROGRESSING, Reasons.PODS_STARTING, "Pods are starting", (), down
        )
    if "Pending" in phases:
        message = _pending_message(pods)
        return ComponentHealth(
            component, AIMStatus.PENDING, Reasons.PODS_PENDING, message, (), down
        )
    return ComponentHealth(
        component, AIMStatus.PROGRESSING, Reasons.PODS_PROGRESSING, "Pods are progressing", (), down
    )

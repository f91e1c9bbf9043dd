"""What a simulated Job does, and the objects and status bodies that tell it (pure functions).

:class:`JobOutcome` is the script a test hands the simulator for one Job: the log its pod prints,
whether it succeeds, the exit code and reason of the container, how long it runs, or whether it
hangs or vanishes. The functions below build the pod and the status bodies the way the real Job
controller (Kubernetes 1.34) writes them, in the order kube-apiserver's status validation
accepts: a finished Job needs ``startTime`` and no active, ready or terminating pods;
``Complete=True`` needs ``SuccessCriteriaMet=True`` and a ``completionTime``; ``Failed=True``
needs ``FailureTarget=True``. So the simulator first counts the pod and sets the interim
condition, then adds the terminal one.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aim_engine.objects import RawObject, meta, name_of, namespace_of, uid_of

__all__ = [
    "JOB_NAME_LABELS",
    "JobOutcome",
    "finished",
    "job_condition",
    "owned_by",
    "pod_for",
    "pod_name",
    "pod_running_status",
    "pod_terminated_status",
]

JOB_NAME_LABELS = ("job-name", "batch.kubernetes.io/job-name")
"""Labels carrying the Job's name on its pods."""
_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")
_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet of generateName suffixes


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """How one simulated Job ends.

    Attributes:
        log: what the pod prints: one text for the first container, or text by container name.
        succeed: the pod exits 0 and the Job completes (``True``), or the pod fails and the Job
            fails with ``BackoffLimitExceeded``.
        exit_code: the container's exit code (default 0 on success, 1 on failure).
        reason: the container's terminated reason (default ``Completed`` / ``Error``).
        message: the container's terminated message (``terminationMessagePath``'s content).
        delay: seconds (on the manager's clock) the pod runs before it ends.
        hang: the pod runs forever; the Job never finishes.
        vanish: the Job is deleted instead of run (its pods with it, as ``Background``).
    """

    log: str | Mapping[str, str] = ""
    succeed: bool = True
    exit_code: int | None = None
    reason: str | None = None
    message: str = ""
    delay: float = 0.0
    hang: bool = False
    vanish: bool = False

    def logs_for(self, containers: list[str]) -> dict[str, str]:
        """The log of each container (a plain text goes to the first one)."""
        if isinstance(self.log, str):
            return {containers[0]: self.log} if containers and self.log else {}
        return {c: text for c, text in self.log.items() if c in containers}


def pod_name(job: Mapping[str, Any], rng: random.Random) -> str:
    """``<job>-<5 random chars>``, as the Job controller's ``generateName`` yields."""
    return f"{name_of(job)[:57]}-" + "".join(rng.choice(_NAME_CHARS) for _ in range(5))


def pod_for(job: Mapping[str, Any], name: str, node_name: str | None) -> RawObject:
    """The pod the Job controller creates for ``job``: template, job labels, owner reference."""
    template = (job.get("spec") or {}).get("template") or {}
    tmeta = template.get("metadata") or {}
    labels = dict(tmeta.get("labels") or {})
    for key in JOB_NAME_LABELS:
        labels.setdefault(key, name_of(job))
    for key in _UID_LABELS:
        labels.setdefault(key, uid_of(job))
    spec = dict(template.get("spec") or {})
    if node_name:
        spec["nodeName"] = node_name
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": namespace_of(job),
        "labels": labels,
        "ownerReferences": [
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "name": name_of(job),
                "uid": uid_of(job),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ],
    }
    if tmeta.get("annotations"):
        metadata["annotations"] = dict(tmeta["annotations"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def _containers(pod: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((pod.get("spec") or {}).get("containers") or ())


def _pod_condition(kind: str, status: str, now: str, reason: str | None = None) -> dict[str, Any]:
    cond: dict[str, Any] = {"type": kind, "status": status, "lastTransitionTime": now}
    if reason:
        cond["reason"] = reason
    return cond


def pod_running_status(pod: Mapping[str, Any], now: str) -> dict[str, Any]:
    """``status`` of a pod whose containers all started and are ready."""
    return {
        "phase": "Running",
        "startTime": now,
        "conditions": [
            _pod_condition(t, "True", now)
            for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")
        ],
        "containerStatuses": [
            {
                "name": c.get("name"),
                "image": c.get("image", ""),
                "imageID": "",
                "ready": True,
                "started": True,
                "restartCount": 0,
                "state": {"running": {"startedAt": now}},
            }
            for c in _containers(pod)
        ],
    }


def pod_terminated_status(pod: Mapping[str, Any], outcome: JobOutcome, now: str) -> dict[str, Any]:
    """``status`` of the pod once its containers exited as ``outcome`` says."""
    running = dict(pod.get("status") or {})
    started = str(running.get("startTime") or now)
    code = outcome.exit_code if outcome.exit_code is not None else (0 if outcome.succeed else 1)
    reason = outcome.reason or ("Completed" if outcome.succeed else "Error")
    statuses = []
    for c in _containers(pod):
        terminated: dict[str, Any] = {
            "exitCode": code,
            "reason": reason,
            "startedAt": started,
            "finishedAt": now,
        }
        if outcome.message:
            terminated["message"] = outcome.message
        statuses.append(
            {
                "name": c.get("name"),
                "image": c.get("image", ""),
                "imageID": "",
                "ready": False,
                "started": False,
                "restartCount": 0,
                "state": {"terminated": terminated},
            }
        )
    ready_reason = "PodCompleted" if outcome.succeed else "PodFailed"
    return {
        "phase": "Succeeded" if outcome.succeed else "Failed",
        "startTime": started,
        "conditions": [
            _pod_condition("PodScheduled", "True", now),
            _pod_condition("Initialized", "True", now),
            _pod_condition("ContainersReady", "False", now, ready_reason),
            _pod_condition("Ready", "False", now, ready_reason),
        ],
        "containerStatuses": statuses,
    }


def job_condition(kind: str, reason: str, message: str, now: str) -> dict[str, Any]:
    """One Job condition, ``status: "True"``."""
    return {
        "type": kind,
        "status": "True",
        "reason": reason,
        "message": message,
        "lastProbeTime": now,
        "lastTransitionTime": now,
    }


def finished(job: Mapping[str, Any]) -> bool:
    """Whether the Job has a ``Complete`` or ``Failed`` condition that is true."""
    return any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        for c in (job.get("status") or {}).get("conditions") or ()
    )


def owned_by(pod: Mapping[str, Any], job_uid: str) -> bool:
    """Whether ``pod`` is controlled by the Job with ``job_uid``."""
    return any(
        ref.get("uid") == job_uid and ref.get("controller")
        for ref in meta(pod).get("ownerReferences") or ()
    )

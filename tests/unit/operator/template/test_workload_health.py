"""Job outcome and pod-list health (spec §5.8) as tables."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.api.v1alpha1 import AIMStatus
from controllers.engine import ErrorCategory, resolve_health
from controllers.workload_health import job_outcome, pod_list_health, pods_of_job


def pod(
    phase: str,
    *,
    waiting: str = "",
    message: str = "",
    terminated: dict[str, Any] | None = None,
    ready: bool = False,
    name: str = "p",
) -> dict[str, Any]:
    state: dict[str, Any] = {}
    if waiting:
        state["waiting"] = {"reason": waiting, "message": message}
    if terminated is not None:
        state["terminated"] = terminated
    status: dict[str, Any] = {
        "phase": phase,
        "containerStatuses": [{"name": "discovery", "state": state}],
        "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
    }
    return {"metadata": {"name": name, "ownerReferences": [{"uid": "job-uid"}]}, "status": status}


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([], None),
        (
            [{"type": "Complete", "status": "True", "reason": "CompletionsReached"}],
            (True, "CompletionsReached"),
        ),
        ([{"type": "SuccessCriteriaMet", "status": "True"}], None),
        (
            [
                {
                    "type": "Failed",
                    "status": "True",
                    "reason": "BackoffLimitExceeded",
                    "message": "m",
                }
            ],
            (False, "BackoffLimitExceeded"),
        ),
        ([{"type": "Failed", "status": "False"}], None),
    ],
)
def test_job_outcome(conditions: list[dict[str, str]], expected: tuple[bool, str] | None) -> None:
    outcome = job_outcome({"status": {"conditions": conditions}})
    assert (None if outcome is None else (outcome.complete, outcome.reason)) == expected


def test_pods_of_job_go_by_owner_uid() -> None:
    mine, other = pod("Running"), pod("Running", name="q")
    other["metadata"]["ownerReferences"] = [{"uid": "older-job"}]
    assert pods_of_job([mine, other], {"metadata": {"uid": "job-uid"}}) == [mine]


FAILED_ERROR = {"exitCode": 1, "reason": "Error"}


@pytest.mark.parametrize(
    ("pods", "logs", "state", "reason", "category"),
    [
        ([], None, AIMStatus.PROGRESSING, "NoPods", ErrorCategory.MISSING_DOWNSTREAM),
        (
            [pod("Pending", waiting="ErrImagePull", message="pull access denied, unauthorized")],
            None,
            AIMStatus.FAILED,
            "ImagePullAuthFailure",
            ErrorCategory.AUTH,
        ),
        (
            [pod("Pending", waiting="ImagePullBackOff", message="manifest unknown")],
            None,
            AIMStatus.DEGRADED,
            "ImageNotFound",
            ErrorCategory.MISSING_UPSTREAM,
        ),
        (
            [pod("Pending", waiting="ImagePullBackOff", message="i/o timeout")],
            None,
            AIMStatus.DEGRADED,
            "ImagePullBackOff",
            ErrorCategory.INFRASTRUCTURE,
        ),
        (
            [pod("Failed", terminated=FAILED_ERROR)],
            None,
            AIMStatus.FAILED,
            "PodFailed",
            ErrorCategory.INVALID_SPEC,
        ),
        (
            [pod("Failed", terminated={"exitCode": 137, "reason": "OOMKilled"})],
            None,
            AIMStatus.FAILED,
            "PodOOMKilled",
            ErrorCategory.RESOURCE_EXHAUSTION,
        ),
        (
            [pod("Failed", terminated=FAILED_ERROR)],
            {"p": "x\nRepository Not Found for url\n"},
            AIMStatus.FAILED,
            "SourceNotFound",
            ErrorCategory.INVALID_SPEC,
        ),
        (
            [pod("Failed", terminated=FAILED_ERROR)],
            {"p": "Cannot access gated repo org/m\n"},
            AIMStatus.FAILED,
            "AuthError",
            ErrorCategory.AUTH,
        ),
        (
            [pod("Failed", terminated=FAILED_ERROR)],
            {"p": "OSError: No space left on device\n"},
            AIMStatus.FAILED,
            "StorageFull",
            ErrorCategory.RESOURCE_EXHAUSTION,
        ),
        ([pod("Succeeded")], None, AIMStatus.READY, "PodsReady", None),
        ([pod("Running", ready=True)], None, AIMStatus.READY, "PodsReady", None),
        ([pod("Running")], None, AIMStatus.PROGRESSING, "PodsStarting", None),
        ([pod("Pending")], None, AIMStatus.PENDING, "PodsPending", None),
        ([pod("Unknown")], None, AIMStatus.PROGRESSING, "PodsProgressing", None),
    ],
)
def test_pod_list_health(
    pods: list[dict[str, Any]],
    logs: dict[str, str] | None,
    state: AIMStatus,
    reason: str,
    category: ErrorCategory | None,
) -> None:
    health = resolve_health(pod_list_health("DiscoveryPods", pods, logs))
    assert (health.state, health.reason) == (state, reason)
    assert [e.category for e in health.errors] == ([category] if category else [])


def test_failed_pod_message_carries_the_log_excerpt() -> None:
    failed = pod("Failed", terminated=FAILED_ERROR)
    health = resolve_health(pod_list_health("DiscoveryPods", [failed], {"p": "a\nb\nc\nd\n"}))
    assert health.message == "Container discovery failed with exit code 1\n\nLog excerpt:\nb\nc\nd"


def test_pending_pod_names_a_container_config_error() -> None:
    stuck = pod("Pending", waiting="CreateContainerConfigError", message='secret "hf" not found')
    health = resolve_health(pod_list_health("DiscoveryPods", [stuck]))
    assert health.message == 'Container discovery: CreateContainerConfigError secret "hf" not found'

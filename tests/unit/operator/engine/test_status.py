"""Overall status: priority order, component votes, the Ready verdict, per-kind spelling."""

from __future__ import annotations

import datetime as dt

import pytest

from aim_engine.api.v1alpha1 import AIMStatus, ConditionStatus, status_priority, worst_status
from controllers.engine import (
    CategorizedError,
    ComponentHealth,
    ConditionManager,
    DependencyType,
    ErrorCategory,
    Level,
    identity_status,
    overall_status,
    resolve_health,
    service_status,
)
from controllers.engine.status import component_vote, is_component_condition

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
S = AIMStatus


def test_priority_order_of_the_original_code() -> None:
    ranked = sorted(S, key=lambda s: s.priority, reverse=True)
    assert ranked == [
        S.RUNNING,
        S.READY,
        S.PROGRESSING,
        S.STARTING,
        S.PENDING,
        S.DEGRADED,
        S.NOT_AVAILABLE,
        S.FAILED,
    ]
    assert status_priority("") == status_priority("Bogus") == S.FAILED.priority == 0


@pytest.mark.parametrize(
    ("values", "worst"),
    [
        ([S.READY, S.PROGRESSING], S.PROGRESSING),
        ([S.DEGRADED, S.NOT_AVAILABLE], S.NOT_AVAILABLE),  # NotAvailable ranks below Degraded
        ([S.PENDING, S.PROGRESSING, S.READY], S.PENDING),
        ([S.FAILED, S.NOT_AVAILABLE], S.FAILED),
        ([S.STARTING, S.PENDING], S.PENDING),
    ],
)
def test_worst_of(values: list[AIMStatus], worst: AIMStatus) -> None:
    assert worst_status(values) is worst


@pytest.mark.parametrize(
    ("type_", "component"),
    [
        ("ModelReady", True),
        ("HPAReady", True),
        ("Ready", False),
        ("DependenciesReachable", False),
        ("AuthValid", False),
        ("ConfigValid", False),
        ("Discovered", False),
        ("DownloadComplete", False),
    ],
)
def test_component_conditions(type_: str, component: bool) -> None:
    assert is_component_condition(type_) is component


def _health(
    state: AIMStatus | None = None, dependency: DependencyType = DependencyType.UNSPECIFIED
) -> ComponentHealth:
    return ComponentHealth("X", state=state, dependency=dependency)


@pytest.mark.parametrize(
    ("status", "health", "vote"),
    [
        ("True", None, S.READY),
        ("True", _health(S.FAILED), S.READY),  # the condition decides (grace period)
        ("False", _health(S.FAILED), S.FAILED),
        ("False", _health(S.DEGRADED), S.DEGRADED),
        ("False", _health(S.NOT_AVAILABLE), S.NOT_AVAILABLE),
        ("False", _health(S.PENDING), S.PENDING),
        ("False", _health(S.PROGRESSING, DependencyType.UPSTREAM), S.PENDING),
        ("False", _health(S.PROGRESSING, DependencyType.DOWNSTREAM), S.PROGRESSING),
        ("False", _health(S.STARTING), S.PROGRESSING),
        ("Unknown", _health(S.PROGRESSING), S.PROGRESSING),
        ("False", None, S.PROGRESSING),  # decorated or not reported: unspecified
    ],
)
def test_component_vote(status: str, health: ComponentHealth | None, vote: AIMStatus) -> None:
    resolved = resolve_health(health) if health is not None else None
    assert component_vote(status, resolved) is vote


def _manager(*conds: tuple[str, str, str, str]) -> ConditionManager:
    manager = ConditionManager([], generation=None, now=NOW)
    for type_, status, reason, message in conds:
        manager.set(type_, ConditionStatus(status), reason, message)
    return manager


def _err(category: ErrorCategory) -> CategorizedError:
    return CategorizedError(category, "R", "m")


@pytest.mark.parametrize(
    ("errors", "reason", "message"),
    [
        ([_err(ErrorCategory.AUTH)], "AuthError", "Authentication or authorization failure"),
        ([_err(ErrorCategory.INVALID_SPEC)], "InvalidSpec", "Configuration validation failed"),
        (
            [_err(ErrorCategory.MISSING_UPSTREAM)],
            "ReferenceNotFound",
            "Referenced resource not found",
        ),
        # priority: Auth, then InvalidSpec, then MissingUpstream
        (
            [_err(ErrorCategory.MISSING_UPSTREAM), _err(ErrorCategory.INVALID_SPEC)],
            "InvalidSpec",
            None,
        ),
        ([_err(ErrorCategory.INVALID_SPEC), _err(ErrorCategory.AUTH)], "AuthError", None),
        # infrastructure does not lift Failed to Degraded in this branch
        ([_err(ErrorCategory.INFRASTRUCTURE), _err(ErrorCategory.AUTH)], "AuthError", None),
    ],
)
def test_blocking_errors_fail_the_object(
    errors: list[CategorizedError], reason: str, message: str | None
) -> None:
    verdict = overall_status(_manager(("AReady", "True", "Ready", "")), {}, errors)
    assert verdict.status is S.FAILED
    assert (verdict.ready, verdict.reason, verdict.level) == (
        ConditionStatus.FALSE,
        reason,
        Level.ERROR,
    )
    if message is not None:
        assert verdict.message == message


def test_all_ready() -> None:
    verdict = overall_status(
        _manager(("AReady", "True", "Ready", ""), ("BReady", "True", "R", "")), {}, []
    )
    assert (verdict.status, verdict.ready, verdict.reason, verdict.message) == (
        S.READY,
        ConditionStatus.TRUE,
        "AllComponentsReady",
        "All components are ready",
    )


def test_no_components_is_ready() -> None:
    assert overall_status(_manager(), {}, []).status is S.READY


def test_first_error_component_in_list_order_names_the_reason() -> None:
    manager = _manager(
        ("AReady", "False", "Waiting", "a waits"),
        ("BReady", "False", "ImagePullBackOff", "cannot pull"),
        ("CReady", "False", "Broken", "c broken"),
    )
    reported = {
        "AReady": resolve_health(ComponentHealth("A", state=S.PROGRESSING)),
        "BReady": resolve_health(ComponentHealth("B", state=S.DEGRADED)),
        "CReady": resolve_health(ComponentHealth("C", state=S.FAILED)),
    }
    verdict = overall_status(manager, reported, [])
    assert verdict.status is S.FAILED
    assert verdict.reason == "ImagePullBackOff"
    assert verdict.message == "Component B is not ready: cannot pull"
    assert verdict.level is Level.ERROR


def test_progressing_without_errors() -> None:
    manager = _manager(("AReady", "True", "Ready", ""), ("JobReady", "False", "JobRunning", ""))
    reported = {"JobReady": resolve_health(ComponentHealth("Job", state=S.PROGRESSING))}
    verdict = overall_status(manager, reported, [])
    assert (verdict.status, verdict.reason, verdict.level) == (
        S.PROGRESSING,
        "Progressing",
        Level.INFO,
    )
    assert verdict.message == "Waiting for components to become ready"


def test_upstream_waits_are_pending() -> None:
    manager = _manager(("ModelReady", "False", "ModelNotReady", ""))
    reported = {
        "ModelReady": resolve_health(
            ComponentHealth("Model", state=S.PROGRESSING, dependency=DependencyType.UPSTREAM)
        )
    }
    assert overall_status(manager, reported, []).status is S.PENDING


def test_infrastructure_errors_degrade_a_non_ready_object() -> None:
    manager = _manager(("JobReady", "False", "JobRunning", ""))
    reported = {"JobReady": resolve_health(ComponentHealth("Job", state=S.PROGRESSING))}
    verdict = overall_status(manager, reported, [_err(ErrorCategory.UNKNOWN)])
    assert verdict.status is S.DEGRADED
    assert (verdict.reason, verdict.message) == (
        "InfrastructureError",
        "Infrastructure error - waiting for retry",
    )


def test_infrastructure_errors_leave_an_all_true_object_ready() -> None:
    verdict = overall_status(
        _manager(("AReady", "True", "R", "")), {}, [_err(ErrorCategory.INFRASTRUCTURE)]
    )
    assert verdict.status is S.READY


@pytest.mark.parametrize(
    ("overall", "service"),
    [
        (S.PROGRESSING, S.STARTING),
        (S.READY, S.RUNNING),
        (S.NOT_AVAILABLE, S.PENDING),  # not in AIMService's enum (spec §14.2)
        (S.PENDING, S.PENDING),
        (S.DEGRADED, S.DEGRADED),
        (S.FAILED, S.FAILED),
    ],
)
def test_service_spelling(overall: AIMStatus, service: AIMStatus) -> None:
    assert service_status(overall) is service
    assert identity_status(overall) is overall

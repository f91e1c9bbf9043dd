"""Overall status and the ``Ready`` condition (spec §2.1 priorities, §4.3 step 7).

:func:`overall_status` is the worst-of rule:

* any Auth / InvalidSpec / MissingUpstream error ⇒ ``Failed``, with ``Ready=False`` and reason
  ``AuthError`` / ``InvalidSpec`` / ``ReferenceNotFound`` (that priority order);
* otherwise every component condition (type ending in ``Ready``, other than ``Ready`` itself)
  votes: True ⇒ ``Ready``; False/Unknown ⇒ the component's reported state if it is an error
  state or ``Pending``, else ``Pending`` for an upstream component and ``Progressing`` for a
  downstream or unspecified one. The worst vote wins (``NotAvailable`` ranks below
  ``Degraded``, as in the original's code). ``Ready`` is True only when all votes are Ready;
  otherwise its reason is the first error-state component's (in condition-list order), else
  ``InfrastructureError`` when infrastructure errors are present, else ``Progressing``;
* in that second branch, infrastructure errors turn any non-Ready result into ``Degraded``.

AIMService spells two values differently and has no ``NotAvailable``:
:func:`service_status` maps ``Progressing → Starting``, ``Ready → Running`` and
``NotAvailable → Pending`` (the original wrote ``NotAvailable`` and had the status write rejected
by the CRD enum, spec §14.2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aim_engine.api.v1alpha1 import AIMStatus, ConditionStatus, ConditionType, worst_status
from aim_engine.api.v1alpha1.conditions import Reasons
from controllers.engine.conditions import ConditionManager, Level
from controllers.engine.health import (
    ERROR_STATES,
    CategorizedError,
    DependencyType,
    ErrorCategory,
    ResolvedHealth,
)

__all__ = [
    "FRAMEWORK_CONDITIONS",
    "Verdict",
    "component_vote",
    "identity_status",
    "is_component_condition",
    "overall_status",
    "service_status",
]

FRAMEWORK_CONDITIONS = frozenset(
    {
        ConditionType.READY,
        ConditionType.DEPENDENCIES_REACHABLE,
        ConditionType.AUTH_VALID,
        ConditionType.CONFIG_VALID,
    }
)
"""Conditions the engine owns; never counted as components."""

_BLOCKING = (
    (ErrorCategory.AUTH, Reasons.AUTH_ERROR, "Authentication or authorization failure"),
    (ErrorCategory.INVALID_SPEC, Reasons.INVALID_SPEC, "Configuration validation failed"),
    (ErrorCategory.MISSING_UPSTREAM, Reasons.REFERENCE_NOT_FOUND, "Referenced resource not found"),
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The overall status and the ``Ready`` condition to write.

    Attributes:
        status: the overall :class:`AIMStatus` (before any per-kind mapping).
        ready: the ``Ready`` condition's status.
        reason: its reason.
        message: its message.
        level: how ``Ready`` is reported (ERROR when an error made it False).
    """

    status: AIMStatus
    ready: ConditionStatus
    reason: str
    message: str
    level: Level


def is_component_condition(type_: str) -> bool:
    """Whether a condition type is a component's (``<X>Ready`` but not a framework one)."""
    return type_.endswith("Ready") and type_ not in FRAMEWORK_CONDITIONS


def component_vote(status: str, reported: ResolvedHealth | None) -> AIMStatus:
    """What one component condition contributes to the overall status (module docstring)."""
    if status == ConditionStatus.TRUE:
        return AIMStatus.READY
    if reported is not None and (
        reported.state in ERROR_STATES or reported.state is AIMStatus.PENDING
    ):
        return reported.state
    if reported is not None and reported.dependency is DependencyType.UPSTREAM:
        return AIMStatus.PENDING
    return AIMStatus.PROGRESSING


def overall_status(
    conditions: ConditionManager,
    reported: Mapping[str, ResolvedHealth],
    errors: Sequence[CategorizedError],
) -> Verdict:
    """The overall status and ``Ready`` (module docstring).

    Args:
        conditions: the conditions as edited so far (component conditions set, decorate run).
        reported: this reconcile's components by condition type.
        errors: every categorized error of this reconcile.
    """
    categories = {e.category for e in errors}
    for category, reason, message in _BLOCKING:
        if category in categories:
            return Verdict(AIMStatus.FAILED, ConditionStatus.FALSE, reason, message, Level.ERROR)
    votes: list[tuple[str, AIMStatus, str]] = []
    for cond in conditions.conditions():
        type_ = str(cond.get("type"))
        if is_component_condition(type_):
            vote = component_vote(str(cond.get("status")), reported.get(type_))
            votes.append((type_, vote, str(cond.get("message") or cond.get("reason") or "")))
    overall = worst_status(v for _, v, _ in votes) or AIMStatus.READY
    infra = any(c.is_infrastructure for c in categories)
    if overall is AIMStatus.READY:
        return Verdict(
            AIMStatus.READY,
            ConditionStatus.TRUE,
            Reasons.ALL_COMPONENTS_READY,
            "All components are ready",
            Level.INFO,
        )
    if infra:
        overall = AIMStatus.DEGRADED
    for type_, vote, detail in votes:
        if vote in ERROR_STATES:
            failing = conditions.get(type_)
            failing_reason = failing.get("reason") if failing is not None else None
            return Verdict(
                overall,
                ConditionStatus.FALSE,
                str(failing_reason or Reasons.COMPONENTS_NOT_READY),
                f"Component {type_.removesuffix('Ready')} is not ready: {detail}",
                Level.ERROR,
            )
    if infra:
        return Verdict(
            overall,
            ConditionStatus.FALSE,
            Reasons.INFRASTRUCTURE_ERROR,
            "Infrastructure error - waiting for retry",
            Level.ERROR,
        )
    return Verdict(
        overall,
        ConditionStatus.FALSE,
        Reasons.PROGRESSING,
        "Waiting for components to become ready",
        Level.INFO,
    )


def identity_status(status: AIMStatus) -> AIMStatus:
    """The overall status as is (every kind but AIMService)."""
    return status


def service_status(status: AIMStatus) -> AIMStatus:
    """AIMService's spelling: ``Progressing → Starting``, ``Ready → Running``,
    ``NotAvailable → Pending``; others unchanged."""
    return {
        AIMStatus.PROGRESSING: AIMStatus.STARTING,
        AIMStatus.READY: AIMStatus.RUNNING,
        AIMStatus.NOT_AVAILABLE: AIMStatus.PENDING,
    }.get(status, status)

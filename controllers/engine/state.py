"""The state engine (spec §4.3): component health in, conditions, status and a decision out.

:func:`evaluate` is pure: it takes the conditions the object had, this reconcile's component
health and pipeline-level errors, and the time, and returns the new condition list, the overall
:class:`~controllers.engine.status.Verdict`, the records that drive events and logs, and the
apply/requeue :class:`~controllers.engine.decision.Decision`. The steps, in order:

1. resolve every component (blank state/reason/message filled, errors categorized); a component
   with an empty name is skipped;
2. ``DependenciesReachable``: False/``InfrastructureError`` with infrastructure errors (message
   "Failed to apply resources: ..." when the apply failed), True/``Reachable`` once they clear.
   Like ``AuthValid`` and ``ConfigValid`` it is *lazy*: created the first time it goes False,
   never removed;
3. grace period: while ``DependenciesReachable`` has been False for less than
   :data:`~controllers.engine.timing.INFRA_ERROR_GRACE` seconds, a component that carries an
   infrastructure error and already has a condition keeps that condition's status (with the new
   reason and message), so a blip does not flap it;
4. ``<Component>Ready`` per component: True iff its state is ``Ready`` (never Unknown);
   error states are reported at ERROR level;
5. ``AuthValid`` (``AuthError``/``AuthenticationValid``) and ``ConfigValid``
   (``InvalidSpec``, else ``ReferenceNotFound``/``ConfigurationValid``);
6. the domain's ``decorate`` callback (extra conditions; status fields are the pipeline's);
7. component conditions that were neither reported nor decorated in this reconcile are removed
   (the original kept them forever, so a leftover False ``HPAReady`` could pin an object below
   Ready, spec §14.1), then ``Ready`` and the overall status (:func:`overall_status`). An
   apply that keeps failing past the grace period makes an otherwise Ready object ``Degraded``
   (no component carries that error, so in the original it stayed Ready).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from aim_engine.api.v1alpha1 import AIMStatus, ConditionStatus, ConditionType
from aim_engine.api.v1alpha1.conditions import Reasons
from controllers.engine.conditions import ConditionManager, ConditionRecord, Level, parse_time
from controllers.engine.decision import Decision, decide
from controllers.engine.health import (
    ERROR_STATES,
    CategorizedError,
    ComponentHealth,
    ErrorCategory,
    ResolvedHealth,
    resolve_health,
)
from controllers.engine.status import Verdict, is_component_condition, overall_status
from controllers.engine.timing import INFRA_ERROR_GRACE

__all__ = ["Decorate", "Evaluation", "evaluate"]

Decorate = Callable[[ConditionManager], None]
"""The domain's status decoration, called at step 6 with the condition manager."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything the state engine decided.

    Attributes:
        conditions: the new condition list.
        verdict: the overall status and ``Ready``.
        records: the conditions set in this reconcile (for events and logs).
        decision: apply or not, and the error to raise.
        errors: every categorized error considered.
        components: the resolved component health.
    """

    conditions: list[dict[str, Any]]
    verdict: Verdict
    records: list[ConditionRecord]
    decision: Decision
    errors: tuple[CategorizedError, ...]
    components: tuple[ResolvedHealth, ...]


def _in_grace(conditions: ConditionManager, grace: float) -> bool:
    cond = conditions.get(ConditionType.DEPENDENCIES_REACHABLE)
    if cond is None or cond.get("status") != ConditionStatus.FALSE:
        return False
    since = parse_time(cond.get("lastTransitionTime"))
    return since is not None and (conditions.now - since).total_seconds() < grace


def _set_reachable(
    conditions: ConditionManager,
    infra: Sequence[CategorizedError],
    apply_error: CategorizedError | None,
) -> None:
    dep = ConditionType.DEPENDENCIES_REACHABLE
    if apply_error is not None:
        message = f"Failed to apply resources: {apply_error.message}"
        conditions.set(
            dep, ConditionStatus.FALSE, Reasons.INFRASTRUCTURE_ERROR, message, level=Level.ERROR
        )
    elif infra:
        message = f"Cannot reach dependencies: {infra[0].message}"
        conditions.set(
            dep, ConditionStatus.FALSE, Reasons.INFRASTRUCTURE_ERROR, message, level=Level.ERROR
        )
    elif conditions.get(dep) is not None:
        conditions.set(dep, ConditionStatus.TRUE, Reasons.REACHABLE, "Dependencies are reachable")


def _set_component(conditions: ConditionManager, health: ResolvedHealth, grace: bool) -> None:
    status = ConditionStatus.TRUE if health.state is AIMStatus.READY else ConditionStatus.FALSE
    previous = conditions.get(health.condition_type)
    if grace and previous is not None and any(e.category.is_infrastructure for e in health.errors):
        status = {
            ConditionStatus.TRUE: ConditionStatus.TRUE,
            ConditionStatus.UNKNOWN: ConditionStatus.UNKNOWN,
        }.get(ConditionStatus(str(previous.get("status"))), ConditionStatus.FALSE)
    level = Level.ERROR if health.state in ERROR_STATES else Level.INFO
    conditions.set(health.condition_type, status, health.reason, health.message, level=level)


def _set_lazy(
    conditions: ConditionManager,
    type_: str,
    failure: CategorizedError | None,
    failure_reason: str,
    valid_reason: str,
    valid_message: str,
) -> None:
    if failure is not None:
        conditions.set(
            type_, ConditionStatus.FALSE, failure_reason, failure.message, level=Level.ERROR
        )
    elif conditions.get(type_) is not None:
        conditions.set(type_, ConditionStatus.TRUE, valid_reason, valid_message)


def _first(errors: Sequence[CategorizedError], category: ErrorCategory) -> CategorizedError | None:
    return next((e for e in errors if e.category is category), None)


def evaluate(
    old_conditions: Sequence[Mapping[str, Any]] | None,
    components: Sequence[ComponentHealth],
    *,
    now: dt.datetime,
    generation: int | None = None,
    errors: Sequence[CategorizedError] = (),
    apply_error: CategorizedError | None = None,
    decorate: Decorate | None = None,
    grace: float = INFRA_ERROR_GRACE,
) -> Evaluation:
    """Run the state engine (module docstring).

    Args:
        old_conditions: ``status.conditions`` at the start of the reconcile.
        components: this reconcile's component health.
        now: the reconcile's time (``clock.now()``).
        generation: ``metadata.generation`` (each set condition's ``observedGeneration``).
        errors: categorized errors outside any component (a failed fetch, an invalid object).
        apply_error: the failure of this reconcile's apply, when re-evaluating after it.
        decorate: the domain's decoration (step 6).
        grace: the infrastructure-error grace period in seconds.
    """
    if apply_error is not None:  # whatever the server said, a failed apply is infrastructure
        apply_error = replace(apply_error, category=ErrorCategory.INFRASTRUCTURE)
    resolved = tuple(resolve_health(c) for c in components if c.component)
    all_errors = (*(e for r in resolved for e in r.errors), *errors)
    infra = [e for e in all_errors if e.category.is_infrastructure]
    conditions = ConditionManager(old_conditions, generation=generation, now=now)
    _set_reachable(conditions, infra, apply_error)
    in_grace = bool(infra or apply_error) and _in_grace(conditions, grace)
    for health in resolved:
        _set_component(conditions, health, in_grace)
    _set_lazy(
        conditions,
        ConditionType.AUTH_VALID,
        _first(all_errors, ErrorCategory.AUTH),
        Reasons.AUTH_ERROR,
        Reasons.AUTHENTICATION_VALID,
        "Authentication is valid",
    )
    invalid = _first(all_errors, ErrorCategory.INVALID_SPEC)
    missing = _first(all_errors, ErrorCategory.MISSING_UPSTREAM)
    _set_lazy(
        conditions,
        ConditionType.CONFIG_VALID,
        invalid or missing,
        Reasons.INVALID_SPEC if invalid is not None else Reasons.REFERENCE_NOT_FOUND,
        Reasons.CONFIGURATION_VALID,
        "Configuration is valid",
    )
    if decorate is not None:
        decorate(conditions)
    conditions.remove_where(is_component_condition)
    considered = (*all_errors, apply_error) if apply_error is not None else all_errors
    verdict = overall_status(conditions, {r.condition_type: r for r in resolved}, considered)
    if apply_error is not None and not in_grace and verdict.status is AIMStatus.READY:
        # No component carries an apply failure, so worst-of alone would stay Ready forever.
        verdict = Verdict(
            AIMStatus.DEGRADED,
            ConditionStatus.FALSE,
            Reasons.INFRASTRUCTURE_ERROR,
            f"Failed to apply resources: {apply_error.message}",
            Level.ERROR,
        )
    conditions.set(
        ConditionType.READY, verdict.ready, verdict.reason, verdict.message, level=verdict.level
    )
    decision = decide(all_errors)
    if apply_error is not None:
        decision = Decision(False, decide((apply_error,)).error)
    return Evaluation(
        conditions.conditions(), verdict, conditions.records(), decision, considered, resolved
    )

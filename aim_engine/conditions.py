"""Status conditions (``metav1.Condition``) and "did the status change?".

Conditions are a list of ``{type, status, reason, message, lastTransitionTime,
observedGeneration}`` maps keyed by ``type``. The rules, as in Kubernetes API conventions and
apimachinery's ``meta.SetStatusCondition``:

* ``lastTransitionTime`` moves only when ``status`` changes (a new reason or message alone does
  not make a transition);
* ``observedGeneration`` records the ``metadata.generation`` the condition was computed from;
* setting a condition that is already exactly so changes nothing, so a reconcile that finds the
  world unchanged writes no status (see :func:`status_changed`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal

__all__ = [
    "ConditionStatus",
    "ConditionStatusValue",
    "format_time",
    "get_condition",
    "is_true",
    "remove_condition",
    "set_condition",
    "status_changed",
]


class ConditionStatus(StrEnum):
    """Status of a condition."""

    TRUE = "True"
    FALSE = "False"
    UNKNOWN = "Unknown"


ConditionStatusValue = ConditionStatus | Literal["True", "False", "Unknown"]
"""A :class:`ConditionStatus`, or its string (what :func:`set_condition` accepts)."""


def format_time(when: dt.datetime) -> str:
    """RFC 3339 in UTC with second precision, as ``metav1.Time`` serialises (``...Z``)."""
    if when.tzinfo is None:
        raise ValueError("condition timestamps must be timezone-aware")
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def get_condition(
    conditions: Sequence[Mapping[str, Any]] | None,
    type: str,  # noqa: A002
) -> Mapping[str, Any] | None:
    """The condition of ``type``, or ``None``."""
    for cond in conditions or ():
        if cond.get("type") == type:
            return cond
    return None


def is_true(conditions: Sequence[Mapping[str, Any]] | None, type: str) -> bool:  # noqa: A002
    """Whether the condition of ``type`` exists with status ``"True"``."""
    cond = get_condition(conditions, type)
    return cond is not None and cond.get("status") == "True"


def set_condition(
    conditions: list[dict[str, Any]],
    type: str,  # noqa: A002
    status: ConditionStatusValue,
    reason: str,
    message: str,
    *,
    observed_generation: int | None,
    now: dt.datetime,
) -> bool:
    """Add or update the condition of ``type`` in place.

    Args:
        conditions: the list to edit (usually ``status["conditions"]``).
        type: the condition type (``Ready``).
        status: ``"True"``, ``"False"`` or ``"Unknown"`` (or the :class:`ConditionStatus`).
        reason: a CamelCase machine-readable reason.
        message: a human-readable message.
        observed_generation: the object's ``metadata.generation`` (``None`` leaves it out).
        now: the current time, used only when the status transitions (or the condition is new).

    Returns:
        Whether anything changed.
    """
    desired: dict[str, Any] = {
        "type": type,
        "status": str(status),  # a plain str: stored objects hold JSON types only
        "reason": reason,
        "message": message,
    }
    if observed_generation is not None:
        desired["observedGeneration"] = observed_generation
    for i, cond in enumerate(conditions):
        if cond.get("type") != type:
            continue
        if cond.get("status") == status and cond.get("lastTransitionTime"):
            desired["lastTransitionTime"] = cond["lastTransitionTime"]
        else:
            desired["lastTransitionTime"] = format_time(now)
        if cond == desired:
            return False
        conditions[i] = desired
        return True
    desired["lastTransitionTime"] = format_time(now)
    conditions.append(desired)
    return True


def remove_condition(conditions: list[dict[str, Any]], type: str) -> bool:  # noqa: A002
    """Remove the condition of ``type`` in place; returns whether it was there."""
    for i, cond in enumerate(conditions):
        if cond.get("type") == type:
            del conditions[i]
            return True
    return False


def status_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Whether writing ``new`` would change the stored ``old`` status.

    A missing status and an empty one are the same. Comparison is by value (JSON equality),
    so key order never matters.
    """
    return dict(old or {}) != dict(new or {})

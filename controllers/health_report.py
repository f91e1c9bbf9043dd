"""What a pure domain function says about one component of an AIM object.

A :class:`HealthReport` is the part of a component's health that the domain decides (state,
reason, message, errors); the reconciler names the component and hands it to the shared
pipeline's component-health record field for field. An empty ``state`` leaves the pipeline to
derive it from ``errors``. The condition a domain sets besides components is a
:class:`ConditionUpdate`, written with :func:`aim_engine.conditions.set_condition`.
"""

from __future__ import annotations

from dataclasses import dataclass

from aim_engine.api.v1alpha1.conditions import ConditionStatus
from aim_engine.api.v1alpha1.status import AIMStatus

__all__ = ["ConditionUpdate", "HealthReport"]


@dataclass(frozen=True, slots=True)
class HealthReport:
    """State, reason and message of one component, or the errors it ran into.

    Attributes:
        state: the component's state; ``None`` ⇒ derived from ``errors`` by the pipeline.
        reason: condition reason (``""`` ⇒ from the first error).
        message: condition message (``""`` ⇒ from the first error).
        errors: what went wrong while observing the component.
    """

    state: AIMStatus | None
    reason: str = ""
    message: str = ""
    errors: tuple[BaseException, ...] = ()


@dataclass(frozen=True, slots=True)
class ConditionUpdate:
    """A condition to set (type, status, reason, message)."""

    type: str
    status: ConditionStatus
    reason: str
    message: str

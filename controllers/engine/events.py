"""Events and logs for condition changes (spec §4.4), decided purely from condition records.

:func:`event_intents` lists the Events one reconcile should record: one per condition that was
set in this reconcile and *transitioned* (new, or status or reason changed), ``Warning`` for
ERROR-level conditions and ``Normal`` otherwise. Event reason = condition reason; note =
condition message, or when empty ``"<Type minus 'Ready'> is ready|is not ready|status unknown:
<reason>"``. The recorder's ``reportingController`` is ``aim-<controller>-controller``.

:func:`log_records` writes the matching log lines (constant messages, data in ``extra`` with the
``condition``, ``status`` and ``reason`` keys): ERROR-level conditions on **every** reconcile,
INFO-level ones on transition only.

Departure from the original: it also re-emitted the Warning *Event* of every error condition on
every reconcile. A reconcile that finds nothing new must write nothing to the API server (an
Event is a write, and under retries it became the event spam of spec §14.1), so recurring
errors are repeated in the logs only; the Event is recorded when the error first appears or
changes reason.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aim_engine.api.v1alpha1 import ConditionStatus
from controllers.engine.conditions import ConditionRecord, Level

__all__ = [
    "EVENT_ACTION",
    "EventIntent",
    "EventType",
    "event_intents",
    "event_note",
    "log_records",
]

EventType = Literal["Normal", "Warning"]
"""The ``type`` of an Event."""

EVENT_ACTION = "Reconcile"
"""The ``action`` of every condition Event (``events.k8s.io/v1`` requires one)."""


@dataclass(frozen=True, slots=True)
class EventIntent:
    """One Event to record on the reconciled object."""

    type: EventType
    reason: str
    note: str


def event_note(record: ConditionRecord) -> str:
    """The Event note of a condition: its message, or a sentence made from type and reason."""
    if record.message:
        return record.message
    subject = record.type.removesuffix("Ready") or record.type
    verb = {
        ConditionStatus.TRUE: "is ready",
        ConditionStatus.FALSE: "is not ready",
    }.get(record.status, "status unknown")
    return f"{subject} {verb}: {record.reason}"


def event_intents(records: Sequence[ConditionRecord]) -> list[EventIntent]:
    """The Events for this reconcile's condition records (module docstring)."""
    return [
        EventIntent("Warning" if r.level is Level.ERROR else "Normal", r.reason, event_note(r))
        for r in records
        if r.transitioned
    ]


def log_records(logger: logging.Logger, records: Sequence[ConditionRecord]) -> None:
    """Log this reconcile's condition records (module docstring)."""
    for r in records:
        extra = {"condition": r.type, "status": str(r.status), "reason": r.reason}
        if r.level is Level.ERROR:
            logger.error("condition reports an error", extra={**extra, "detail": r.message})
        elif r.transitioned:
            logger.info("condition changed", extra={**extra, "detail": r.message})

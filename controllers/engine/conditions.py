"""The condition manager: one reconcile's edits of ``status.conditions``, and what changed.

A :class:`ConditionManager` starts from the conditions the object had when the reconcile began
and records every :meth:`~ConditionManager.set`. The rules:

* a condition's ``lastTransitionTime`` moves only when its **status** changes (Kubernetes API
  conventions, and what makes "nothing changed" compare equal). A new reason alone keeps the
  time but still counts as a transition for events and logs. (The original also moved the time
  on a reason change; we follow the convention so that flapping reasons do not churn status.)
* a condition is compared with the one the object had *before* the reconcile, so setting it
  twice in one reconcile (the state engine does for ``Ready``) never fakes a transition;
* new types are appended, so the list keeps the order in which conditions first appeared (the
  ``Ready`` message names the first component in that order);
* ``observedGeneration`` is written on every condition set in this reconcile (the original
  declared it and never wrote it);
* reasons are made valid for the CRD (``^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$``) and
  messages capped at 32768 characters, so a domain's odd reason can never make the status write
  fail validation in a loop.

Each set carries a :class:`Level`: ``ERROR`` conditions are reported every reconcile in the
logs (Warning event on transition), ``INFO`` conditions only on transition (Normal event).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aim_engine.api.v1alpha1 import ConditionStatus

__all__ = [
    "ConditionManager",
    "ConditionRecord",
    "Level",
    "format_time",
    "parse_time",
    "safe_reason",
]

_REASON_OK = re.compile(r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")
_REASON_BAD_CHARS = re.compile(r"[^A-Za-z0-9_,:]")
_MAX_MESSAGE = 32768


class Level(enum.Enum):
    """How a condition set in this reconcile is reported."""

    INFO = "info"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class ConditionRecord:
    """One condition set in this reconcile.

    Attributes:
        type: the condition type.
        status: ``True``/``False``/``Unknown``.
        reason: its reason.
        message: its message.
        level: how it is reported.
        transitioned: it is new, or its status or reason differs from before the reconcile.
    """

    type: str
    status: ConditionStatus
    reason: str
    message: str
    level: Level
    transitioned: bool


def format_time(when: dt.datetime) -> str:
    """``metav1.Time`` text: RFC 3339 in UTC with second precision (``...Z``)."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def safe_reason(reason: str, fallback: str = "Unknown") -> str:
    """``reason`` made acceptable to the condition schema (``fallback`` if nothing is left)."""
    if _REASON_OK.match(reason):
        return reason
    cleaned = _REASON_BAD_CHARS.sub("", reason).lstrip("0123456789_,:").rstrip(",:")
    return cleaned if cleaned and _REASON_OK.match(cleaned) else fallback


def parse_time(text: object) -> dt.datetime | None:
    """A ``metav1.Time`` string as an aware datetime (``None`` if absent or unparsable)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class ConditionManager:
    """Edits a copy of an object's conditions and remembers what this reconcile set.

    Args:
        old: the conditions at the start of the reconcile (not modified).
        generation: ``metadata.generation``, written as each set condition's
            ``observedGeneration`` (``None`` leaves it out).
        now: the reconcile's time, used for new ``lastTransitionTime`` values.
    """

    def __init__(
        self, old: Sequence[Mapping[str, Any]] | None, *, generation: int | None, now: dt.datetime
    ) -> None:
        # Raw JSON from the server: skip anything that is not a condition object.
        items: Sequence[object] = old or ()
        valid = [c for c in items if isinstance(c, Mapping)]
        self._old: dict[str, Mapping[str, Any]] = {str(c.get("type")): c for c in valid}
        self._conditions: list[dict[str, Any]] = [dict(c) for c in valid]
        self._generation = generation
        self._now = now
        self._records: dict[str, ConditionRecord] = {}

    @property
    def now(self) -> dt.datetime:
        """The reconcile's time."""
        return self._now

    def get(self, type_: str) -> Mapping[str, Any] | None:
        """The current condition of ``type_`` (as edited so far), or ``None``."""
        for cond in self._conditions:
            if cond.get("type") == type_:
                return cond
        return None

    def previous(self, type_: str) -> Mapping[str, Any] | None:
        """The condition of ``type_`` as it was before the reconcile, or ``None``."""
        return self._old.get(type_)

    def set(
        self,
        type_: str,
        status: ConditionStatus,
        reason: str,
        message: str = "",
        *,
        level: Level = Level.INFO,
    ) -> None:
        """Add or update the condition of ``type_`` (see the module docstring for the rules)."""
        reason = safe_reason(reason)
        message = message[:_MAX_MESSAGE]
        before = self._old.get(type_)
        kept_time = before.get("lastTransitionTime") if before is not None else None
        same_status = before is not None and before.get("status") == str(status)
        desired: dict[str, Any] = {
            "type": type_,
            "status": str(status),
            "reason": reason,
            "message": message,
            "lastTransitionTime": (
                kept_time if same_status and kept_time else format_time(self._now)
            ),
        }
        if self._generation is not None:
            desired["observedGeneration"] = self._generation
        for i, cond in enumerate(self._conditions):
            if cond.get("type") == type_:
                self._conditions[i] = desired
                break
        else:
            self._conditions.append(desired)
        transitioned = not same_status or (before is not None and before.get("reason") != reason)
        self._records[type_] = ConditionRecord(type_, status, reason, message, level, transitioned)

    def remove_where(self, predicate: Callable[[str], bool]) -> list[str]:
        """Remove the conditions whose type matches and that were not set in this reconcile.

        Returns:
            The removed types.
        """
        removed = [
            str(c.get("type"))
            for c in self._conditions
            if predicate(str(c.get("type"))) and str(c.get("type")) not in self._records
        ]
        self._conditions = [c for c in self._conditions if str(c.get("type")) not in removed]
        return removed

    def conditions(self) -> list[dict[str, Any]]:
        """The edited list, in order (copies)."""
        return [dict(c) for c in self._conditions]

    def records(self) -> list[ConditionRecord]:
        """The conditions set in this reconcile, in the order of the condition list."""
        order = {str(c.get("type")): i for i, c in enumerate(self._conditions)}
        return sorted(self._records.values(), key=lambda r: order.get(r.type, len(order)))

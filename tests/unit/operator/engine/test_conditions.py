"""The condition manager: transition times, transitions, order, reasons (spec §4.3, §15)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aim_engine.api.v1alpha1 import ConditionStatus
from controllers.engine import ConditionManager, Level
from controllers.engine.conditions import parse_time, safe_reason

T0 = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(minutes=5)
T0_TEXT = "2026-01-01T12:00:00Z"
NOW_TEXT = "2026-01-01T12:05:00Z"
TRUE, FALSE, UNKNOWN = ConditionStatus.TRUE, ConditionStatus.FALSE, ConditionStatus.UNKNOWN


def cond(type_: str, status: str, reason: str = "R", message: str = "") -> dict[str, Any]:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": T0_TEXT,
        "observedGeneration": 1,
    }


@pytest.mark.parametrize(
    ("old", "status", "reason", "message", "time", "transitioned"),
    [
        (None, TRUE, "R", "", NOW_TEXT, True),  # new condition
        (cond("A", "True"), TRUE, "R", "", T0_TEXT, False),  # unchanged
        (cond("A", "True"), TRUE, "R", "other text", T0_TEXT, False),  # message only
        (cond("A", "True"), TRUE, "Other", "", T0_TEXT, True),  # reason: event, same time
        (cond("A", "True"), FALSE, "R", "", NOW_TEXT, True),  # status: new time
        (cond("A", "Unknown"), UNKNOWN, "R", "", T0_TEXT, False),
    ],
)
def test_transition_time_moves_only_with_status(
    old: dict[str, Any] | None,
    status: ConditionStatus,
    reason: str,
    message: str,
    time: str,
    transitioned: bool,
) -> None:
    manager = ConditionManager([old] if old else [], generation=1, now=NOW)
    manager.set("A", status, reason, message)
    (got,) = manager.conditions()
    assert got["lastTransitionTime"] == time
    assert got["message"] == message
    (record,) = manager.records()
    assert record.transitioned is transitioned


def test_unchanged_set_reproduces_the_stored_condition_exactly() -> None:
    stored = [cond("A", "True", "Ready", "fine"), cond("Ready", "True", "AllComponentsReady")]
    manager = ConditionManager(stored, generation=1, now=NOW)
    manager.set("Ready", TRUE, "AllComponentsReady")
    manager.set("A", TRUE, "Ready", "fine")
    assert manager.conditions() == stored


def test_second_set_in_one_reconcile_compares_with_the_stored_condition() -> None:
    manager = ConditionManager([cond("Ready", "True")], generation=1, now=NOW)
    manager.set("Ready", FALSE, "Transient")
    manager.set("Ready", TRUE, "R")
    (got,) = manager.conditions()
    assert got["lastTransitionTime"] == T0_TEXT
    assert [r.transitioned for r in manager.records()] == [False]


def test_new_types_are_appended_in_order_and_records_follow_list_order() -> None:
    manager = ConditionManager([cond("B", "True"), cond("A", "True")], generation=2, now=NOW)
    manager.set("C", TRUE, "R")
    manager.set("A", FALSE, "Broken", level=Level.ERROR)
    assert [c["type"] for c in manager.conditions()] == ["B", "A", "C"]
    assert [r.type for r in manager.records()] == ["A", "C"]
    assert manager.records()[0].level is Level.ERROR


def test_observed_generation_written_on_set_conditions_only() -> None:
    manager = ConditionManager([cond("Old", "True")], generation=7, now=NOW)
    manager.set("New", TRUE, "R")
    by_type = {c["type"]: c for c in manager.conditions()}
    assert by_type["New"]["observedGeneration"] == 7
    assert by_type["Old"]["observedGeneration"] == 1
    unversioned = ConditionManager([], generation=None, now=NOW)
    unversioned.set("X", TRUE, "R")
    assert "observedGeneration" not in unversioned.conditions()[0]


def test_remove_where_spares_conditions_set_in_this_reconcile() -> None:
    manager = ConditionManager(
        [cond("HPAReady", "False"), cond("ModelReady", "True"), cond("Discovered", "True")],
        generation=1,
        now=NOW,
    )
    manager.set("ModelReady", TRUE, "R")
    removed = manager.remove_where(lambda t: t.endswith("Ready"))
    assert removed == ["HPAReady"]
    assert [c["type"] for c in manager.conditions()] == ["ModelReady", "Discovered"]


def test_previous_and_get() -> None:
    manager = ConditionManager([cond("A", "True")], generation=1, now=NOW)
    manager.set("A", FALSE, "R")
    previous = manager.previous("A")
    current = manager.get("A")
    assert previous is not None
    assert previous["status"] == "True"
    assert current is not None
    assert current["status"] == "False"
    assert manager.get("Missing") is None


def test_malformed_stored_conditions_are_skipped() -> None:
    manager = ConditionManager([cond("A", "True"), "junk", 3], generation=1, now=NOW)  # type: ignore[list-item]
    assert [c["type"] for c in manager.conditions()] == ["A"]


def test_message_is_capped() -> None:
    manager = ConditionManager([], generation=None, now=NOW)
    manager.set("A", FALSE, "R", "x" * 40000)
    assert len(manager.conditions()[0]["message"]) == 32768


@pytest.mark.parametrize(
    ("reason", "safe"),
    [
        ("ModelResolved", "ModelResolved"),
        ("Some_Reason:1", "Some_Reason:1"),
        ("has spaces-and.dots", "hasspacesanddots"),
        ("404NotFound", "NotFound"),
        ("", "Unknown"),
        ("!!!", "Unknown"),
        ("Trailing:", "Trailing"),
    ],
)
def test_safe_reason(reason: str, safe: str) -> None:
    assert safe_reason(reason) == safe


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        (T0_TEXT, T0),
        ("2026-01-01T12:00:00.5+00:00", T0 + dt.timedelta(milliseconds=500)),
        ("2026-01-01T12:00:00", T0),
        ("", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_parse_time(text: object, parsed: dt.datetime | None) -> None:
    assert parse_time(text) == parsed

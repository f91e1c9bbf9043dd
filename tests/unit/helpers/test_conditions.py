"""Condition rules: transition time moves only on status change; no-op updates report False."""

from __future__ import annotations

import datetime as dt
import marshal
from typing import Any

import pytest

from aim_engine.api.v1alpha1 import ConditionStatus as ApiConditionStatus
from aim_engine.conditions import (
    ConditionStatus,
    format_time,
    get_condition,
    is_true,
    remove_condition,
    set_condition,
    status_changed,
)

T0 = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(minutes=5)


def test_new_condition_is_added_with_transition_time() -> None:
    conds: list[dict[str, Any]] = []
    assert set_condition(
        conds, "Ready", "False", "Pending", "waiting", observed_generation=1, now=T0
    )
    assert conds == [
        {
            "type": "Ready",
            "status": "False",
            "reason": "Pending",
            "message": "waiting",
            "observedGeneration": 1,
            "lastTransitionTime": "2026-01-01T12:00:00Z",
        }
    ]


def test_same_condition_again_changes_nothing() -> None:
    conds: list[dict[str, Any]] = []
    set_condition(conds, "Ready", "True", "Up", "ok", observed_generation=1, now=T0)
    assert not set_condition(conds, "Ready", "True", "Up", "ok", observed_generation=1, now=T1)
    assert conds[0]["lastTransitionTime"] == "2026-01-01T12:00:00Z"


def test_reason_change_keeps_transition_time() -> None:
    conds: list[dict[str, Any]] = []
    set_condition(conds, "Ready", "False", "A", "a", observed_generation=1, now=T0)
    assert set_condition(conds, "Ready", "False", "B", "b", observed_generation=2, now=T1)
    assert conds[0]["reason"] == "B"
    assert conds[0]["observedGeneration"] == 2
    assert conds[0]["lastTransitionTime"] == "2026-01-01T12:00:00Z"


def test_status_change_moves_transition_time() -> None:
    conds: list[dict[str, Any]] = []
    set_condition(conds, "Ready", "False", "A", "a", observed_generation=1, now=T0)
    assert set_condition(conds, "Ready", "True", "A", "a", observed_generation=1, now=T1)
    assert conds[0]["lastTransitionTime"] == "2026-01-01T12:05:00Z"


def test_other_conditions_untouched_and_lookup() -> None:
    conds: list[dict[str, Any]] = []
    set_condition(conds, "Ready", "True", "Up", "", observed_generation=None, now=T0)
    set_condition(conds, "Degraded", "False", "Fine", "", observed_generation=None, now=T0)
    assert "observedGeneration" not in conds[0]
    assert is_true(conds, "Ready")
    assert not is_true(conds, "Degraded")
    assert not is_true(conds, "Missing")
    assert get_condition(conds, "Degraded") is conds[1]
    assert remove_condition(conds, "Ready")
    assert not remove_condition(conds, "Ready")
    assert [c["type"] for c in conds] == ["Degraded"]


def test_naive_time_rejected() -> None:
    with pytest.raises(ValueError):
        format_time(dt.datetime(2026, 1, 1))


def test_status_changed() -> None:
    assert not status_changed(None, {})
    assert not status_changed({"a": 1, "b": [1]}, {"b": [1], "a": 1})
    assert status_changed({"a": 1}, {"a": 2})
    assert status_changed(None, {"a": 1})


def test_the_status_enum_is_stored_as_its_plain_string() -> None:
    # One ConditionStatus for the framework and the API types; stored conditions hold JSON types
    # only (the cache marshals them, and marshal rejects str subclasses).
    assert ApiConditionStatus is ConditionStatus
    conds: list[dict[str, Any]] = []
    set_condition(conds, "Ready", ConditionStatus.TRUE, "Up", "", observed_generation=1, now=T0)
    assert type(conds[0]["status"]) is str
    assert conds[0]["status"] == "True"
    assert marshal.loads(marshal.dumps(conds)) == conds
    assert not set_condition(conds, "Ready", "True", "Up", "", observed_generation=1, now=T1)

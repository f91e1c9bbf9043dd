"""Events and logs from condition records (spec §4.4)."""

from __future__ import annotations

import logging

import pytest

from aim_engine.api.v1alpha1 import ConditionStatus
from controllers.engine import ConditionRecord, EventIntent, Level, event_intents
from controllers.engine.events import event_note, log_records

T, F, U = ConditionStatus.TRUE, ConditionStatus.FALSE, ConditionStatus.UNKNOWN


def rec(
    type_: str,
    status: ConditionStatus,
    reason: str = "R",
    message: str = "",
    level: Level = Level.INFO,
    transitioned: bool = True,
) -> ConditionRecord:
    return ConditionRecord(type_, status, reason, message, level, transitioned)


@pytest.mark.parametrize(
    ("record", "note"),
    [
        (rec("ModelReady", T, "ModelResolved"), "Model is ready: ModelResolved"),
        (rec("ModelReady", F, "ModelNotFound"), "Model is not ready: ModelNotFound"),
        (rec("ModelReady", U, "Checking"), "Model status unknown: Checking"),
        (rec("Ready", T, "AllComponentsReady"), "Ready is ready: AllComponentsReady"),
        (rec("ModelReady", F, "X", "explicit text"), "explicit text"),
    ],
)
def test_event_note(record: ConditionRecord, note: str) -> None:
    assert event_note(record) == note


def test_events_only_on_transitions_warning_for_errors() -> None:
    records = [
        rec("ModelReady", T, "ModelResolved"),
        rec("TemplateReady", F, "TemplateNotFound", "none", Level.ERROR),
        rec("CacheReady", F, "CacheFailed", "lost", Level.ERROR, transitioned=False),
        rec("Ready", T, "AllComponentsReady", transitioned=False),
    ]
    assert event_intents(records) == [
        EventIntent("Normal", "ModelResolved", "Model is ready: ModelResolved"),
        EventIntent("Warning", "TemplateNotFound", "none"),
    ]


def test_logs_errors_every_time_and_info_on_transition(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.engine.events")
    records = [
        rec("ModelReady", T, "ModelResolved"),
        rec("CacheReady", F, "CacheFailed", "lost", Level.ERROR, transitioned=False),
        rec("Ready", T, "AllComponentsReady", transitioned=False),
    ]
    with caplog.at_level(logging.DEBUG, logger="test.engine.events"):
        log_records(logger, records)
    got = [(r.levelname, r.getMessage(), getattr(r, "condition", None)) for r in caplog.records]
    assert got == [
        ("INFO", "condition changed", "ModelReady"),
        ("ERROR", "condition reports an error", "CacheReady"),
    ]
    assert caplog.records[1].__dict__["reason"] == "CacheFailed"
    assert caplog.records[1].__dict__["status"] == "False"

"""Predicates: a table of events and expected verdicts."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.controller import (
    EventType,
    ObjectEvent,
    Predicate,
    and_,
    annotations_changed,
    generation_changed,
    label_selector,
    labels_changed,
    not_,
    or_,
    resource_version_changed,
)
from aim_engine.errors import ConfigurationError


def obj(gen: int = 1, rv: str = "1", labels: Any = None, annotations: Any = None) -> Any:
    md: dict[str, Any] = {"name": "a", "namespace": "ns", "generation": gen, "resourceVersion": rv}
    if labels is not None:
        md["labels"] = labels
    if annotations is not None:
        md["annotations"] = annotations
    return {"metadata": md}


def upd(old: Any, new: Any) -> ObjectEvent:
    return ObjectEvent(EventType.UPDATE, new, old)


def add(**labels: str) -> ObjectEvent:
    return ObjectEvent(EventType.ADD, obj(labels=labels))


def expr(key: str, op: str, *values: str) -> Predicate:
    return label_selector({"matchExpressions": [{"key": key, "operator": op, "values": values}]})


ADD = ObjectEvent(EventType.ADD, obj())
DELETE = ObjectEvent(EventType.DELETE, obj())

CASES: list[tuple[str, Predicate, ObjectEvent, bool]] = [
    ("gen: add passes", generation_changed, ADD, True),
    ("gen: delete passes", generation_changed, DELETE, True),
    ("gen: same generation", generation_changed, upd(obj(1, "1"), obj(1, "2")), False),
    ("gen: bumped", generation_changed, upd(obj(1, "1"), obj(2, "2")), True),
    ("gen: update without old", generation_changed, ObjectEvent(EventType.UPDATE, obj()), False),
    ("rv: same", resource_version_changed, upd(obj(rv="5"), obj(rv="5")), False),
    ("rv: changed", resource_version_changed, upd(obj(rv="5"), obj(rv="6")), True),
    ("labels: same", labels_changed, upd(obj(labels={"a": "1"}), obj(2, labels={"a": "1"})), False),
    ("labels: changed", labels_changed, upd(obj(labels={"a": "1"}), obj(labels={"a": "2"})), True),
    ("labels: none vs empty", labels_changed, upd(obj(), obj(labels={})), False),
    ("labels: add passes", labels_changed, ADD, True),
    ("ann: changed", annotations_changed, upd(obj(), obj(annotations={"x": "y"})), True),
    (
        "ann: same",
        annotations_changed,
        upd(obj(annotations={"x": "y"}), obj(3, annotations={"x": "y"})),
        False,
    ),
    ("sel: plain match", label_selector({"mirror": "true"}), add(mirror="true"), True),
    ("sel: plain miss", label_selector({"mirror": "true"}), add(mirror="no"), False),
    (
        "sel: no labels",
        label_selector({"mirror": "true"}),
        ObjectEvent(EventType.DELETE, obj()),
        False,
    ),
    ("sel: empty matches", label_selector({}), ADD, True),
    (
        "sel: update judges new",
        label_selector({"a": "1"}),
        upd(obj(labels={"a": "1"}), obj(labels={})),
        False,
    ),
    ("sel: In", expr("t", "In", "x", "y"), add(t="y"), True),
    ("sel: NotIn absent", expr("t", "NotIn", "x"), ADD, True),
    ("sel: NotIn hit", expr("t", "NotIn", "x"), add(t="x"), False),
    ("sel: Exists", expr("t", "Exists"), ADD, False),
    ("sel: DoesNotExist", expr("t", "DoesNotExist"), ADD, True),
    (
        "sel: both parts",
        label_selector(
            {"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]}
        ),
        add(a="1"),
        False,
    ),
    ("and: one fails", and_(generation_changed, labels_changed), upd(obj(1), obj(2)), False),
    ("and: empty", and_(), DELETE, True),
    ("or: one passes", or_(generation_changed, labels_changed), upd(obj(1), obj(2)), True),
    ("or: empty", or_(), ADD, False),
    ("not", not_(generation_changed), upd(obj(1), obj(1)), True),
]


@pytest.mark.parametrize(
    ("case", "predicate", "event", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_predicate(case: str, predicate: Predicate, event: ObjectEvent, expected: bool) -> None:
    assert predicate(event) is expected


@pytest.mark.parametrize(
    "selector",
    [
        {"matchExpressions": [{"key": "a", "operator": "Near"}]},
        {"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
    ],
)
def test_bad_selectors_are_rejected(selector: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        label_selector(selector)

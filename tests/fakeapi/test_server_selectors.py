"""The selector grammar and the Table JSONPath subset of the fake API server (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest

from aim_engine.testing.apiserver import StatusError
from aim_engine.testing.apiserver._http._tables import evaluate_jsonpath, human_age
from aim_engine.testing.apiserver._storage._selectors import (
    parse_field_selector,
    parse_label_selector,
)


def _obj(**labels: str) -> dict[str, object]:
    return {"metadata": {"name": "n", "namespace": "ns", "labels": labels}}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("app=x", {"app": "x"}, True),
        ("app==x", {"app": "y"}, False),
        ("app!=x", {}, True),
        ("tier in (a, b)", {"tier": "b"}, True),
        ("tier notin (a,b)", {"tier": "a"}, False),
        ("tier notin (a,b)", {}, True),
        ("app", {"app": ""}, True),
        ("!app", {"app": "x"}, False),
        ("app=x, !gone ,tier in (a)", {"app": "x", "tier": "a"}, True),
        ("example.com/role=db", {"example.com/role": "db"}, True),
        ("", {}, True),
    ],
)
def test_label_selector_matches(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_label_selector(selector).matches(_obj(**labels)) is expected


@pytest.mark.parametrize(
    "bad", ["app in x", "a=(", "=x", "a,,b", "a b", "in", "app notin (a", "a=b,"]
)
def test_bad_label_selectors_are_400(bad: str) -> None:
    with pytest.raises(StatusError) as err:
        parse_label_selector(bad)
    assert err.value.code == 400
    assert err.value.body["reason"] == "BadRequest"


def test_field_selectors() -> None:
    sel = parse_field_selector("metadata.name=n,metadata.namespace!=other", "configmaps", True)
    assert sel.matches(_obj())
    assert not parse_field_selector("metadata.name==m", "configmaps", True).matches(_obj())
    pod = {"metadata": {"name": "p"}, "status": {"phase": "Running"}}
    assert parse_field_selector("status.phase=Running", "pods", True).matches(pod)
    with pytest.raises(StatusError) as err:
        parse_field_selector("metadata.namespace=x", "namespaces", False)
    assert err.value.code == 400
    assert '"metadata.namespace" is not a known field selector' in err.value.body["message"]


def test_jsonpath_subset() -> None:
    obj = {
        "spec": {"items": [{"b": 1}, {"b": 2}]},
        "status": {"conditions": [{"type": "A", "status": "F"}, {"type": "Ready", "status": "T"}]},
    }
    assert evaluate_jsonpath(obj, ".spec.items[1].b") == [2]
    assert evaluate_jsonpath(obj, "{.spec.items[*].b}") == [1, 2]
    assert evaluate_jsonpath(obj, '.status.conditions[?(@.type=="Ready")].status') == ["T"]
    assert evaluate_jsonpath(obj, ".spec.missing.x") == []


def test_human_age() -> None:
    now = dt.datetime(2026, 1, 2, 0, 0, 0, tzinfo=dt.UTC)
    assert human_age("2026-01-01T23:59:15Z", now) == "45s"
    assert human_age("2026-01-01T23:56:40Z", now) == "3m20s"
    assert human_age("2026-01-01T19:00:00Z", now) == "5h"
    assert human_age("2025-12-30T00:00:00Z", now) == "3d"
    assert human_age("not a time", now) == "<unknown>"

"""CelRule: compile once, evaluate with self/oldSelf, messages, and the Kubernetes extras."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.testing.apiserver._schema._cel_rules import CelRule, RuleOutcome

VALUE = {"name": "ab-cd", "items": [1, 2, 3], "labels": {"a": "1"}}


@pytest.mark.parametrize(
    "rule",
    [
        "has(self.name) && !has(self.missing)",
        "self.name.matches('^[a-z-]+$')",
        "self.items.all(i, i > 0) && self.items.exists_one(i, i == 2)",
        "self.labels.all(k, k == 'a')",
        "self.name.lowerAscii() == self.name && self.name.upperAscii() == 'AB-CD'",
        "self.name.split('-') == ['ab', 'cd'] && ['ab', 'cd'].join('-') == self.name",
        "self.name.substring(0, 2) == 'ab' && self.name.charAt(1) == 'b'",
        "self.name.indexOf('-') == 2 && self.name.lastIndexOf('d') == 4",
        "self.name.replace('-', '') == 'abcd' && ' x '.trim() == 'x'",
        "self.items.isSorted() && self.items.sum() == 6",
        "self.items.min() == 1 && self.items.max() == 3 && self.items.indexOf(2) == 1",
        "duration('1m') > duration('30s')",
    ],
)
def test_rules_that_hold(rule: str) -> None:
    assert CelRule({"rule": rule}).evaluate(VALUE) is None


def test_failure_message_precedence() -> None:
    failing: dict[str, Any] = {"rule": "size(self.items) > 5"}
    assert CelRule(failing).evaluate(VALUE) == RuleOutcome(
        "", "FieldValueInvalid", "failed rule: size(self.items) > 5"
    )
    with_expr = {**failing, "messageExpression": "'only ' + string(size(self.items))"}
    assert CelRule(with_expr).evaluate(VALUE) == RuleOutcome("", "FieldValueInvalid", "only 3")
    with_both = {**with_expr, "message": "fixed", "reason": "FieldValueRequired", "fieldPath": ".x"}
    assert CelRule(with_both).evaluate(VALUE) == RuleOutcome(".x", "FieldValueRequired", "fixed")


def test_runtime_error_fails_the_rule() -> None:
    outcome = CelRule({"rule": "self.missing == 1"}).evaluate(VALUE)
    assert outcome is not None
    assert outcome.message == "no such key: missing"


def test_transition_detection_and_applicability() -> None:
    plain = CelRule({"rule": "self.name != ''"})
    transition = CelRule({"rule": "self == oldSelf"})
    optional = CelRule(
        {"rule": "!oldSelf.hasValue() || self == oldSelf.value()", "optionalOldSelf": True}
    )
    assert not plain.is_transition
    assert transition.is_transition
    assert plain.applies(has_old=False)
    assert not transition.applies(has_old=False)
    assert transition.applies(has_old=True)
    assert optional.applies(has_old=False)
    assert optional.evaluate("a") is None
    assert optional.evaluate("a", "a") is None
    assert optional.evaluate("a", "b") is not None
    assert transition.evaluate({"a": [1]}, {"a": [1]}) is None
    assert transition.evaluate({"a": [1]}, {"a": [2]}) is not None

"""Label selectors: parsing and matching (the Kubernetes string grammar and mappings)."""

from __future__ import annotations

import pytest

from aim_engine.cache import LabelSelector


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("", {"a": "1"}, True),
        ("app=web", {"app": "web"}, True),
        ("app==web", {"app": "db"}, False),
        ("app!=web", {}, True),
        ("app!=web", {"app": "web"}, False),
        ("app in (web, db)", {"app": "db"}, True),
        ("app in (web,db)", {"app": "cache"}, False),
        ("app notin (web)", {"app": "db"}, True),
        ("app notin (web)", {}, True),
        ("app", {"app": ""}, True),
        ("!app", {"app": "x"}, False),
        ("!app", {}, True),
        ("tier=fe,app in (web,db), !legacy", {"tier": "fe", "app": "web"}, True),
        ("tier=fe,app in (web,db), !legacy", {"tier": "fe", "app": "web", "legacy": "1"}, False),
        ("replicas>2", {"replicas": "3"}, True),
        ("replicas<2", {"replicas": "3"}, False),
        ("replicas>2", {"replicas": "many"}, False),
        ("example.com/role=x", {"example.com/role": "x"}, True),
    ],
)
def test_string_selectors(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert LabelSelector.parse(selector).matches(labels) is expected


def test_mapping_selector_is_equalities() -> None:
    sel = LabelSelector.parse({"app": "web", "tier": "fe"})
    assert sel.matches({"app": "web", "tier": "fe", "x": "y"})
    assert not sel.matches({"app": "web"})


def test_none_and_empty_match_everything() -> None:
    assert LabelSelector.parse(None).empty
    assert LabelSelector.parse({}).matches({})


@pytest.mark.parametrize("bad", ["a in b", "=x", "a>", "a b"])
def test_rejects_garbage(bad: str) -> None:
    with pytest.raises(ValueError):
        LabelSelector.parse(bad)

"""The object walks behind server-side apply: field sets, comparison, merge, removal."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.testing.apiserver._patches._fieldpath import FieldSet
from aim_engine.testing.apiserver._patches._ssa_merge import (
    ListShape,
    apply_merge,
    compare,
    remove_paths,
    to_field_set,
)

SHAPES: dict[tuple[str, ...], ListShape] = {
    ("items",): ListShape("map", ("name",)),
    ("ports",): ListShape("map", ("port", "protocol"), {"protocol": "TCP"}),
    ("tags",): ListShape("set"),
    ("sel",): ListShape(atomic_object=True),
}


def lt(names: tuple[str, ...]) -> ListShape:
    return SHAPES.get(names, ListShape())


K_A = 'k:{"name":"a"}'
K_B = 'k:{"name":"b"}'


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"x": 1, "o": {"y": 2}}, {("f:x",), ("f:o", "f:y")}),
        ({"o": {}}, {("f:o",)}),
        ({"args": [1, 2]}, {("f:args",)}),
        ({"tags": ["a"]}, {("f:tags", 'v:"a"')}),
        ({"items": [{"name": "a"}]}, {("f:items", K_A), ("f:items", K_A, "f:name")}),
        (
            {"ports": [{"port": 80}]},
            {
                ("f:ports", 'k:{"port":80,"protocol":"TCP"}'),
                ("f:ports", 'k:{"port":80,"protocol":"TCP"}', "f:port"),
            },
        ),
        ({"sel": {"a": "1"}}, {("f:sel",)}),
        ({"x": None}, set()),
    ],
)
def test_to_field_set(config: dict[str, Any], expected: set[tuple[str, ...]]) -> None:
    assert to_field_set(config, lt) == expected


def test_compare_added_modified_removed() -> None:
    old = {"a": 1, "b": {"c": 1}, "items": [{"name": "a", "v": 1}, {"name": "b"}], "tags": ["x"]}
    new = {"a": 2, "d": {"e": 1}, "items": [{"name": "a", "v": 2}], "tags": ["x", "y"]}
    diff = compare(old, new, lt)
    assert diff.modified == {("f:a",), ("f:items", K_A, "f:v")}
    assert diff.added == {("f:d",), ("f:d", "f:e"), ("f:tags", 'v:"y"')}
    assert diff.removed == {("f:b",), ("f:b", "f:c"), ("f:items", K_B), ("f:items", K_B, "f:name")}


def test_compare_atomic_object_is_one_leaf() -> None:
    diff = compare({"sel": {"a": "1"}}, {"sel": {"b": "2"}}, lt)
    assert diff.modified == {("f:sel",)}
    assert diff.added == diff.removed == set()


def test_apply_merge_semantics() -> None:
    live = {"a": 1, "items": [{"name": "a", "v": 1}], "tags": ["x"], "args": [1], "sel": {"a": "1"}}
    config = {
        "items": [{"name": "b"}, {"name": "a", "w": 2}],
        "tags": ["y", "x"],
        "args": [2],
        "sel": {"b": "2"},
        "n": None,
    }
    assert apply_merge(live, config, lt) == {
        "a": 1,
        "items": [{"name": "b"}, {"name": "a", "v": 1, "w": 2}],
        "tags": ["y", "x"],
        "args": [2],
        "sel": {"b": "2"},
    }


def test_remove_paths_items_values_and_emptied_objects() -> None:
    obj = {
        "metadata": {"labels": {"a": "1"}},
        "o": {"x": 1},
        "items": [{"name": "a"}, {"name": "b", "v": 1}],
        "tags": ["x", "y"],
    }
    paths = {
        ("f:metadata", "f:labels", "f:a"),
        ("f:o", "f:x"),
        ("f:items", K_A),
        ("f:items", K_A, "f:name"),
        ("f:items", K_B, "f:v"),
        ("f:tags", 'v:"x"'),
    }
    assert remove_paths(obj, paths, lt) == {
        "metadata": {},
        "items": [{"name": "b"}],
        "tags": ["y"],
    }


def test_field_set_operations() -> None:
    a = FieldSet({("f:a",), ("f:b", "f:c")})
    assert a.has_prefix(("f:b",))
    assert not a.has_prefix(("f:c",))
    assert a.without_prefixes({("f:b",)}) == FieldSet({("f:a",)})
    assert a.union([("f:d",)]).difference({("f:a",)}) == FieldSet({("f:b", "f:c"), ("f:d",)})
    assert len(a.intersection({("f:a",), ("f:z",)})) == 1


@pytest.mark.parametrize(
    ("live", "config", "expected"),
    [
        (["a", "b"], ["b", "c"], ["a", "b", "c"]),
        (["a", "b"], ["b", "a"], ["b", "a"]),
        (["a", "b"], ["c", "a"], ["c", "a", "b"]),
        (["a", "b", "c"], ["c", "x", "a"], ["b", "c", "x", "a"]),
        ([], ["a"], ["a"]),
        (["a"], [], ["a"]),
    ],
)
def test_keyed_list_merge_order(live: list[str], config: list[str], expected: list[str]) -> None:
    assert apply_merge({"tags": live}, {"tags": config}, lt) == {"tags": expected}

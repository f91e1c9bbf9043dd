"""Env merging by name with the AIM_ENGINE_ARGS deep merge (§14.7)."""

from __future__ import annotations

import json

import pytest
from pydantic import JsonValue

from aim_engine.api.v1alpha1.core import EnvVar
from controllers.env import deep_merge_json, merge_env, merge_env_layers


def env(**values: str) -> list[EnvVar]:
    return [EnvVar(name=k, value=v) for k, v in values.items()]


def pairs(env_list: list[EnvVar]) -> list[tuple[str, str | None]]:
    return [(e.name, e.value) for e in env_list]


@pytest.mark.parametrize(
    ("base", "overlay", "expected"),
    [
        ({"a": 1}, {"b": 2}, {"a": 1, "b": 2}),
        ({"a": {"x": 1, "y": 2}}, {"a": {"y": 3}}, {"a": {"x": 1, "y": 3}}),
        (
            {"a": {"x": {"deep": 1}}},
            {"a": {"x": {"deeper": 2}}},
            {"a": {"x": {"deep": 1, "deeper": 2}}},
        ),
        ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),  # lists replace
        ({"a": {"x": 1}}, {"a": 5}, {"a": 5}),
        ({"a": 1}, None, None),
        (None, {"a": 1}, {"a": 1}),
    ],
)
def test_deep_merge_json(base: JsonValue, overlay: JsonValue, expected: JsonValue) -> None:
    assert deep_merge_json(base, overlay) == expected


def test_merge_env_keeps_order_replaces_in_place_and_appends() -> None:
    merged = merge_env(env(A="1", B="2", C="3"), env(B="20", D="4"))
    assert pairs(merged) == [("A", "1"), ("B", "20"), ("C", "3"), ("D", "4")]


def test_merge_env_with_nothing() -> None:
    assert merge_env(None, None) == []
    assert pairs(merge_env(env(A="1"), None)) == [("A", "1")]
    assert pairs(merge_env(None, env(A="1"))) == [("A", "1")]


def test_merge_env_duplicate_keeps_first_position_and_last_value() -> None:
    assert pairs(merge_env(env(A="1", B="2") + env(A="3"), None)) == [("A", "3"), ("B", "2")]


def test_merge_env_replaces_value_with_value_from() -> None:
    secret = EnvVar(name="HF_TOKEN", value_from={"secretKeyRef": {"name": "s", "key": "k"}})
    merged = merge_env(env(HF_TOKEN="plain"), [secret])
    assert merged == [secret]


@pytest.mark.parametrize(
    ("base", "overlay", "expected"),
    [
        (
            '{"a": 1, "n": {"x": 1}}',
            '{"b": 2, "n": {"y": 2}}',
            {"a": 1, "b": 2, "n": {"x": 1, "y": 2}},
        ),
        ('{"a": 1}', '{"a": 2}', {"a": 2}),
        ('{"a": 1}', "not json", "not json"),  # overlay wins when either side is not an object
        ("[1]", '{"a": 1}', {"a": 1}),
        ("", '{"a": 1}', {"a": 1}),
    ],
)
def test_engine_args_are_deep_merged(base: str, overlay: str, expected: object) -> None:
    merged = merge_env(env(AIM_ENGINE_ARGS=base), env(AIM_ENGINE_ARGS=overlay))
    assert len(merged) == 1
    value = merged[0].value
    assert value is not None
    if isinstance(expected, str):
        assert value == expected
    else:
        assert json.loads(value) == expected


def test_engine_args_merge_is_compact_and_sorted() -> None:
    merged = merge_env(env(AIM_ENGINE_ARGS='{"z": 1}'), env(AIM_ENGINE_ARGS='{"a": "<&>"}'))
    assert merged[0].value == '{"a":"<&>","z":1}'


def test_merge_env_layers_applies_in_order() -> None:
    layers = [env(A="config", B="config"), None, env(B="template"), env(C="service", A="service")]
    assert pairs(merge_env_layers(layers)) == [
        ("A", "service"),
        ("B", "template"),
        ("C", "service"),
    ]

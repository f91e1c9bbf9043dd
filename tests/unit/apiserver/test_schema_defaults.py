"""Structural schemas shaping objects before validation: defaulting, null dropping, pruning."""

from __future__ import annotations

from typing import Any

from aim_engine.testing.apiserver._schema._compiled import CompiledSchema


def test_defaults_applied_recursively_in_items_and_maps() -> None:
    schema = CompiledSchema.compile(
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "default": {},
                    "properties": {
                        "replicas": {"type": "integer", "default": 1},
                        "note": {"type": "string", "nullable": True, "default": "n"},
                        "mode": {"type": "string", "default": "auto"},
                        "items": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"port": {"type": "integer", "default": 80}},
                            },
                        },
                        "byName": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "properties": {"on": {"type": "boolean", "default": True}},
                            },
                        },
                    },
                }
            },
        }
    )
    obj: dict[str, Any] = {"metadata": {}}
    schema.apply_defaults(obj)
    assert obj["spec"] == {"replicas": 1, "note": "n", "mode": "auto"}

    obj = {
        "spec": {
            "replicas": 3,
            "note": None,
            "mode": None,
            "items": [{}, {"port": 1}],
            "byName": {"a": {}},
        }
    }
    schema.apply_defaults(obj)
    assert obj["spec"] == {
        "replicas": 3,
        "note": None,  # nullable null is kept
        "mode": "auto",  # non-nullable null is defaulted
        "items": [{"port": 80}, {"port": 1}],
        "byName": {"a": {"on": True}},
    }


def test_non_nullable_null_without_default_is_dropped() -> None:
    schema = CompiledSchema.compile(
        {
            "type": "object",
            "properties": {"spec": {"type": "object", "properties": {"x": {"type": "string"}}}},
        }
    )
    obj: dict[str, Any] = {"spec": {"x": None}}
    schema.apply_defaults(obj)
    assert obj == {"spec": {}}


def test_prune_unknown_fields() -> None:
    schema = CompiledSchema.compile(
        {
            "type": "object",
            "properties": {
                "metadata": {"type": "object"},
                "spec": {
                    "type": "object",
                    "properties": {
                        "known": {"type": "string"},
                        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                        "map": {"type": "object", "additionalProperties": {"type": "string"}},
                        "list": {
                            "type": "array",
                            "items": {"type": "object", "properties": {"a": {"type": "string"}}},
                        },
                        "embedded": {
                            "type": "object",
                            "x-kubernetes-embedded-resource": True,
                            "properties": {"spec": {"type": "object"}},
                        },
                    },
                },
            },
        }
    )
    obj: dict[str, Any] = {
        "apiVersion": "x/v1",
        "kind": "W",
        "metadata": {"name": "n", "labels": {"a": "b"}, "bogus": 1},
        "spec": {
            "known": "k",
            "unknown": 1,
            "free": {"anything": {"deep": 1}},
            "map": {"k": "v"},
            "list": [{"a": "1", "b": "2"}],
            "embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "x": 1},
        },
        "status": {"dropped": True},
    }
    schema.prune(obj)
    assert obj == {
        "apiVersion": "x/v1",
        "kind": "W",
        "metadata": {"name": "n", "labels": {"a": "b"}},
        "spec": {
            "known": "k",
            "free": {"anything": {"deep": 1}},
            "map": {"k": "v"},
            "list": [{"a": "1"}],
            "embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}},
        },
    }

"""Structural schema validation: messages worded like kube-apiserver, list types, ratcheting."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.testing.apiserver._schema._compiled import (
    CompiledSchema,
    FieldError,
    invalid_status,
)

SPEC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "replicas": {"type": "integer", "minimum": 0, "maximum": 10},
        "ratio": {"type": "number", "exclusiveMinimum": True, "minimum": 0},
        "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 10, "minLength": 2},
        "mode": {"type": "string", "enum": ["a", "b"]},
        "size": {"type": "integer", "enum": [1, 2]},
        "enabled": {"type": "boolean"},
        "port": {"x-kubernetes-int-or-string": True},
        "when": {"type": "string", "format": "date-time"},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
        "sources": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "set": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        "items": {
            "type": "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "value": {"type": "integer"}},
            },
        },
        "labels": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "maxProperties": 2,
        },
        "note": {"type": "string", "nullable": True},
    },
}


SCHEMA = CompiledSchema.compile(
    {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": SPEC_SCHEMA,
        },
    }
)


def errors_for(spec: dict[str, Any]) -> list[FieldError]:
    return SCHEMA.validate({"apiVersion": "x/v1", "kind": "W", "metadata": {}, "spec": spec})


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            {"replicas": "string"},
            FieldError(
                "spec.replicas",
                "FieldValueTypeInvalid",
                'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
            ),
            id="type-integer",
        ),
        pytest.param(
            {"replicas": 1.5},
            FieldError(
                "spec.replicas",
                "FieldValueTypeInvalid",
                'Invalid value: "number": spec.replicas in body must be of type integer: "number"',
            ),
            id="type-integer-vs-number",
        ),
        pytest.param(
            {"enabled": "yes"},
            FieldError(
                "spec.enabled",
                "FieldValueTypeInvalid",
                'Invalid value: "string": spec.enabled in body must be of type boolean: "string"',
            ),
            id="type-boolean",
        ),
        pytest.param(
            {"tags": {"a": 1}},
            FieldError(
                "spec.tags",
                "FieldValueTypeInvalid",
                'Invalid value: "object": spec.tags in body must be of type array: "object"',
            ),
            id="type-array",
        ),
        pytest.param(
            {"replicas": -1},
            FieldError(
                "spec.replicas",
                "FieldValueInvalid",
                "Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
            ),
            id="minimum",
        ),
        pytest.param(
            {"replicas": 11},
            FieldError(
                "spec.replicas",
                "FieldValueInvalid",
                "Invalid value: 11: spec.replicas in body should be less than or equal to 10",
            ),
            id="maximum",
        ),
        pytest.param(
            {"ratio": 0},
            FieldError(
                "spec.ratio",
                "FieldValueInvalid",
                "Invalid value: 0: spec.ratio in body should be greater than 0",
            ),
            id="exclusive-minimum",
        ),
        pytest.param(
            {"name": "ABC"},
            FieldError(
                "spec.name",
                "FieldValueInvalid",
                "Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'",
            ),
            id="pattern",
        ),
        pytest.param(
            {"name": "abcdefghijk"},
            FieldError("spec.name", "FieldValueTooLong", "Too long: may not be more than 10 bytes"),
            id="max-length",
        ),
        pytest.param(
            {"name": "a"},
            FieldError(
                "spec.name",
                "FieldValueInvalid",
                'Invalid value: "a": spec.name in body should be at least 2 chars long',
            ),
            id="min-length",
        ),
        pytest.param(
            {"mode": "x"},
            FieldError(
                "spec.mode",
                "FieldValueNotSupported",
                'Unsupported value: "x": supported values: "a", "b"',
            ),
            id="enum-string",
        ),
        pytest.param(
            {"size": 3},
            FieldError(
                "spec.size",
                "FieldValueNotSupported",
                'Unsupported value: 3: supported values: "1", "2"',
            ),
            id="enum-integer",
        ),
        pytest.param(
            {"tags": ["a", "b", "c"]},
            FieldError("spec.tags", "FieldValueTooMany", "Too many: 3: must have at most 2 items"),
            id="max-items",
        ),
        pytest.param(
            {"sources": []},
            FieldError(
                "spec.sources",
                "FieldValueInvalid",
                "Invalid value: 0: spec.sources in body should have at least 1 items",
            ),
            id="min-items",
        ),
        pytest.param(
            {"labels": {"a": "1", "b": "2", "c": "3"}},
            FieldError(
                "spec.labels", "FieldValueTooMany", "Too many: 3: must have at most 2 items"
            ),
            id="max-properties",
        ),
        pytest.param(
            {"labels": {"a": 1}},
            FieldError(
                "spec.labels.a",
                "FieldValueTypeInvalid",
                'Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
            ),
            id="additional-properties-schema",
        ),
        pytest.param(
            {"items": [{"value": 1}]},
            FieldError("spec.items[0].name", "FieldValueRequired", "Required value"),
            id="required-in-array-item",
        ),
        pytest.param(
            {"items": [{"name": "a"}, {"name": "a"}]},
            FieldError(
                "spec.items[1]",
                "FieldValueDuplicate",
                'Duplicate value: map[string]interface {}{"name":"a"}',
            ),
            id="list-map-duplicate-key",
        ),
        pytest.param(
            {"set": ["x", "x"]},
            FieldError("spec.set[1]", "FieldValueDuplicate", 'Duplicate value: "x"'),
            id="list-set-duplicate",
        ),
        pytest.param(
            {"when": "yesterday"},
            FieldError(
                "spec.when",
                "FieldValueTypeInvalid",
                'Invalid value: "yesterday": spec.when in body must be of type date-time: '
                '"yesterday"',
            ),
            id="format-date-time",
        ),
        pytest.param(
            {"port": True},
            FieldError(
                "spec.port",
                "FieldValueTypeInvalid",
                'Invalid value: "boolean": spec.port in body must be of type integer,string: '
                '"boolean"',
            ),
            id="int-or-string",
        ),
        pytest.param(
            {"mode": None},
            FieldError(
                "spec.mode",
                "FieldValueTypeInvalid",
                'Invalid value: "null": spec.mode in body must be of type string: "null"',
            ),
            id="null-not-nullable",
        ),
    ],
)
def test_schema_error_messages(spec: dict[str, Any], expected: FieldError) -> None:
    assert errors_for(spec) == [expected]


@pytest.mark.parametrize(
    "spec",
    [
        {"replicas": 0, "ratio": 0.5, "name": "ab", "mode": "a", "size": 2, "enabled": False},
        {"port": 80},
        {"port": "http"},
        {"when": "2024-01-02T03:04:05Z"},
        {"note": None},
        {"replicas": 2.0},
        {"items": [{"name": "a"}, {"name": "b", "value": 2}]},
        {"labels": {"x": "y"}},
    ],
)
def test_valid_specs_have_no_errors(spec: dict[str, Any]) -> None:
    assert errors_for(spec) == []


def test_missing_required_top_level_field() -> None:
    schema = CompiledSchema.compile(
        {"type": "object", "required": ["spec"], "properties": {"spec": {"type": "object"}}}
    )
    assert schema.validate({"metadata": {"name": "x"}}) == [
        FieldError("spec", "FieldValueRequired", "Required value")
    ]


def test_list_type_at() -> None:
    assert SCHEMA.list_type_at(("spec", "items")) == ("map", ("name",))
    assert SCHEMA.list_type_at(("spec", "set")) == ("set", ())
    assert SCHEMA.list_type_at(("spec", "tags")) == ("atomic", ())
    assert SCHEMA.list_type_at(("spec", "replicas")) is None
    assert SCHEMA.list_type_at(("spec", "nothing")) is None


def test_ratcheting_keeps_unchanged_invalid_values() -> None:
    old = errors_for({"replicas": -1})
    assert old
    obj = {"spec": {"replicas": -1, "name": "ok"}}
    assert SCHEMA.validate(obj, {"spec": {"replicas": -1}}) == []
    changed = {"spec": {"replicas": -2}}
    assert [e.field for e in SCHEMA.validate(changed, {"spec": {"replicas": -1}})] == [
        "spec.replicas"
    ]


@pytest.mark.parametrize(
    ("maximum", "text"),
    [(1, "must have at most 1 item"), (2, "must have at most 2 items")],
)
def test_too_many_singular(maximum: int, text: str) -> None:
    schema = CompiledSchema.compile({"type": "array", "maxItems": maximum})
    [error] = schema.validate([1, 2, 3])  # type: ignore[arg-type]
    assert error.message == f"Too many: 3: {text}"


def test_too_long_singular() -> None:
    schema = CompiledSchema.compile(
        {"type": "object", "properties": {"s": {"type": "string", "maxLength": 1}}}
    )
    assert schema.validate({"s": "ab"})[0].message == "Too long: may not be more than 1 byte"


def test_invalid_status_body_single_and_many() -> None:
    one = [FieldError("spec.replicas", "FieldValueRequired", "Required value")]
    body = invalid_status("Widget", "example.com", "w1", one)
    assert body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'Widget.example.com "w1" is invalid: spec.replicas: Required value',
        "reason": "Invalid",
        "details": {
            "name": "w1",
            "group": "example.com",
            "kind": "Widget",
            "causes": [
                {
                    "reason": "FieldValueRequired",
                    "message": "Required value",
                    "field": "spec.replicas",
                }
            ],
        },
        "code": 422,
    }
    many = [*one, FieldError("spec.name", "FieldValueInvalid", 'Invalid value: "": bad')]
    body = invalid_status("ConfigMap", "", "c", many)
    assert body["message"] == (
        'ConfigMap "c" is invalid: '
        '[spec.replicas: Required value, spec.name: Invalid value: "": bad]'
    )
    assert "group" not in body["details"]
    assert len(body["details"]["causes"]) == 2


def test_unknown_fields_under_preserve_are_not_validated() -> None:
    schema = CompiledSchema.compile(
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": True,
                    "properties": {"known": {"type": "integer"}},
                }
            },
        }
    )
    assert schema.validate({"spec": {"anything": {"x": [1, "a"]}, "known": 1}}) == []
    assert [e.field for e in schema.validate({"spec": {"known": "x"}})] == ["spec.known"]


def test_combinators() -> None:
    schema = CompiledSchema.compile(
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                    "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
                    "not": {"required": ["c"]},
                }
            },
        }
    )
    assert schema.validate({"spec": {"a": "x"}}) == []
    assert schema.validate({"spec": {"a": "x", "b": "y"}}) == [
        FieldError(
            "spec",
            "FieldValueInvalid",
            'Invalid value: "object": spec in body must validate one and only one schema (oneOf)',
        )
    ]
    assert [e.message for e in schema.validate({"spec": {"a": "x", "c": 1}})] == [
        'Invalid value: "object": spec in body must not validate the schema (not)'
    ]

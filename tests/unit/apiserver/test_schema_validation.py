"""Structural schema validation: messages worded like kube-apiserver, CEL rules, ratcheting."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.testing.apiserver._schema._cel_rules import CelRuleError
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


def test_list_type_at() -> None:
    assert SCHEMA.list_type_at(("spec", "items")) == ("map", ("name",))
    assert SCHEMA.list_type_at(("spec", "set")) == ("set", ())
    assert SCHEMA.list_type_at(("spec", "tags")) == ("atomic", ())
    assert SCHEMA.list_type_at(("spec", "replicas")) is None
    assert SCHEMA.list_type_at(("spec", "nothing")) is None


# --------------------------------------------------------------------------- CEL rules

AIM_SCHEMA = CompiledSchema.compile(
    {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "x-kubernetes-validations": [
                    {"rule": "has(self.gpu) || has(self.cpu)", "message": "gpu or cpu is required"},
                    {
                        "rule": "!(has(self.model) && size(self.model) > 0 && has(self.minVram))",
                        "message": "minVram cannot be set with model",
                    },
                    {
                        "rule": "(has(self.name) ? 1 : 0) + (has(self.image) ? 1 : 0) "
                        "+ (has(self.custom) ? 1 : 0) == 1",
                    },
                ],
                "properties": {
                    "gpu": {"type": "string"},
                    "cpu": {"type": "integer"},
                    "model": {"type": "string"},
                    "minVram": {"type": "string"},
                    "name": {"type": "string"},
                    "image": {"type": "string"},
                    "custom": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                    "modelId": {
                        "type": "string",
                        "x-kubernetes-validations": [
                            {"rule": "self == oldSelf", "message": "modelId is immutable"}
                        ],
                    },
                    "sources": {
                        "type": "array",
                        "items": {"type": "string"},
                        "x-kubernetes-validations": [
                            {
                                "rule": "size(self) >= 1",
                                "messageExpression": "'need sources, got ' + string(size(self))",
                            }
                        ],
                    },
                    "replicas": {
                        "type": "integer",
                        "x-kubernetes-validations": [
                            {
                                "rule": "self <= 5",
                                "reason": "FieldValueForbidden",
                                "message": "too many",
                            }
                        ],
                    },
                    "ratio": {
                        "type": "number",
                        "x-kubernetes-validations": [{"rule": "self < 1.0"}],
                    },
                },
            }
        },
    }
)


def aim(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "aim.amd.com/v1alpha1", "kind": "AIMModel", "spec": spec}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"gpu": "MI300X", "name": "m"}, [], id="gpu-ok"),
        pytest.param({"cpu": 4, "image": "i"}, [], id="cpu-ok"),
        pytest.param(
            {"name": "m"},
            [
                FieldError(
                    "spec", "FieldValueInvalid", 'Invalid value: "object": gpu or cpu is required'
                )
            ],
            id="gpu-or-cpu",
        ),
        pytest.param(
            {"gpu": "g", "name": "m", "model": "llama", "minVram": "80Gi"},
            [
                FieldError(
                    "spec",
                    "FieldValueInvalid",
                    'Invalid value: "object": minVram cannot be set with model',
                )
            ],
            id="model-excludes-minvram",
        ),
        pytest.param(
            {"gpu": "g", "name": "m", "model": "", "minVram": "8Gi"}, [], id="empty-model-ok"
        ),
        pytest.param(
            {"gpu": "g", "name": "m", "image": "i"},
            [
                FieldError(
                    "spec",
                    "FieldValueInvalid",
                    'Invalid value: "object": failed rule: (has(self.name) ? 1 : 0) + '
                    "(has(self.image) ? 1 : 0) + (has(self.custom) ? 1 : 0) == 1",
                )
            ],
            id="exactly-one-of",
        ),
        pytest.param(
            {"gpu": "g", "name": "m", "sources": []},
            [
                FieldError(
                    "spec.sources",
                    "FieldValueInvalid",
                    'Invalid value: "array": need sources, got 0',
                )
            ],
            id="message-expression",
        ),
        pytest.param(
            {"gpu": "g", "name": "m", "replicas": 6},
            [FieldError("spec.replicas", "FieldValueForbidden", "Forbidden: too many")],
            id="reason-forbidden",
        ),
        pytest.param({"gpu": "g", "name": "m", "ratio": 0}, [], id="number-int-as-double"),
    ],
)
def test_cel_rules(spec: dict[str, Any], expected: list[FieldError]) -> None:
    assert AIM_SCHEMA.validate(aim(spec)) == expected


def test_transition_rule_skipped_on_create_and_checked_on_update() -> None:
    new = aim({"gpu": "g", "name": "m", "modelId": "b"})
    assert AIM_SCHEMA.validate(new) == []
    assert AIM_SCHEMA.validate(new, aim({"gpu": "g", "name": "m", "modelId": "b"})) == []
    assert AIM_SCHEMA.validate(new, aim({"gpu": "g", "name": "m", "modelId": "a"})) == [
        FieldError(
            "spec.modelId", "FieldValueInvalid", 'Invalid value: "string": modelId is immutable'
        )
    ]
    # the old object lacks the field: the transition rule is not evaluated
    assert AIM_SCHEMA.validate(new, aim({"gpu": "g", "name": "m"})) == []


def test_ratcheting_keeps_unchanged_invalid_values() -> None:
    old = errors_for({"replicas": -1})
    assert old
    obj = {"spec": {"replicas": -1, "name": "ok"}}
    assert SCHEMA.validate(obj, {"spec": {"replicas": -1}}) == []
    changed = {"spec": {"replicas": -2}}
    assert [e.field for e in SCHEMA.validate(changed, {"spec": {"replicas": -1}})] == [
        "spec.replicas"
    ]


def test_cel_not_run_after_enum_errors() -> None:
    schema = CompiledSchema.compile(
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {"mode": {"type": "string", "enum": ["a"]}},
                    "x-kubernetes-validations": [{"rule": "false"}],
                }
            },
        }
    )
    assert [e.field for e in schema.validate({"spec": {"mode": "b"}})] == ["spec.mode", "<nil>"]
    assert [e.message for e in schema.validate({"spec": {"mode": "a"}})] == [
        'Invalid value: "object": failed rule: false'
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


def test_cel_not_run_after_type_errors() -> None:
    errors = AIM_SCHEMA.validate(aim({"cpu": "four"}))
    assert [e.field for e in errors] == ["spec.cpu", "<nil>"]
    assert "some validation rules were not checked" in errors[1].message


def test_cel_rule_compile_error() -> None:
    with pytest.raises(CelRuleError):
        CompiledSchema.compile(
            {"type": "object", "x-kubernetes-validations": [{"rule": "self.x >"}]}
        )


def test_cel_rule_with_field_path() -> None:
    schema = CompiledSchema.compile(
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                    "x-kubernetes-validations": [
                        {"rule": "self.a <= self.b", "message": "a > b", "fieldPath": ".a"}
                    ],
                }
            },
        }
    )
    assert schema.validate({"spec": {"a": 2, "b": 1}}) == [
        FieldError("spec.a", "FieldValueInvalid", 'Invalid value: "object": a > b')
    ]


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


LIST_SCHEMA = CompiledSchema.compile(
    {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "sources": {
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name"],
                        "items": {
                            "type": "object",
                            "properties": {"name": {"type": "string"}, "uri": {"type": "string"}},
                            "x-kubernetes-validations": [
                                {"rule": "self.uri == oldSelf.uri", "message": "uri is immutable"},
                                {"rule": "self.uri.startsWith('s3://')", "message": "need s3"},
                            ],
                        },
                    },
                    "names": {
                        "type": "array",
                        "items": {
                            "type": "string",
                            "x-kubernetes-validations": [
                                {"rule": "self == oldSelf", "message": "never checked"}
                            ],
                        },
                    },
                    "phase": {
                        "type": "string",
                        "x-kubernetes-validations": [
                            {
                                "rule": "!oldSelf.hasValue() || oldSelf.value() != 'Done' "
                                "|| self == 'Done'",
                                "optionalOldSelf": True,
                                "message": "Done is final",
                            },
                            {
                                "rule": "oldSelf.hasValue() || self == 'New'",
                                "optionalOldSelf": True,
                                "message": "must start New",
                            },
                        ],
                    },
                },
            }
        },
    }
)


def test_transition_rules_correlate_map_list_items_by_key() -> None:
    old = {"spec": {"sources": [{"name": "a", "uri": "s3://a"}]}}
    moved = {"spec": {"sources": [{"name": "b", "uri": "s3://b"}, {"name": "a", "uri": "s3://x"}]}}
    assert LIST_SCHEMA.validate(moved, old) == [
        FieldError(
            "spec.sources[1]", "FieldValueInvalid", 'Invalid value: "object": uri is immutable'
        )
    ]


def test_rules_on_list_items_report_item_paths() -> None:
    errors = LIST_SCHEMA.validate({"spec": {"sources": [{"name": "a", "uri": "http://x"}]}})
    assert errors == [
        FieldError("spec.sources[0]", "FieldValueInvalid", 'Invalid value: "object": need s3')
    ]


def test_transition_rules_on_atomic_list_items_never_run() -> None:
    assert LIST_SCHEMA.validate({"spec": {"names": ["b"]}}, {"spec": {"names": ["a"]}}) == []


def test_optional_old_self_runs_on_create_and_update() -> None:
    assert LIST_SCHEMA.validate({"spec": {"phase": "New"}}) == []
    assert [e.message for e in LIST_SCHEMA.validate({"spec": {"phase": "Done"}})] == [
        'Invalid value: "string": must start New'
    ]
    assert [
        e.message
        for e in LIST_SCHEMA.validate({"spec": {"phase": "New"}}, {"spec": {"phase": "Done"}})
    ] == ['Invalid value: "string": Done is final']


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


def test_cel_error_path_of_map_value_uses_key_syntax() -> None:
    schema = CompiledSchema.compile(
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "string",
                        "x-kubernetes-validations": [{"rule": "self != ''", "message": "empty"}],
                    },
                }
            },
        }
    )
    assert schema.validate({"spec": {"a": ""}}) == [
        FieldError("spec[a]", "FieldValueInvalid", 'Invalid value: "string": empty')
    ]

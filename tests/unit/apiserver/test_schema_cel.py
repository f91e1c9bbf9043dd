"""CEL rules of ``x-kubernetes-validations``: messages, transition rules, list items, skipping."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.testing.apiserver._schema._cel_rules import CelRuleError
from aim_engine.testing.apiserver._schema._compiled import CompiledSchema, FieldError

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

"""Decoding built-in kinds like kube-apiserver: quantities, Go type names, unknown fields.

The end-to-end messages are checked against a real server in
``tests/fakeapi/test_server_builtin_validation.py``; these cover the pieces and the shipped data.
"""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.kinds import BUILTIN_KINDS
from aim_engine.testing.apiserver._http._warning_headers import warning_headers
from aim_engine.testing.apiserver._schema._builtin_decode import (
    decode_errors,
    kind_error,
    quantity_error,
)
from aim_engine.testing.apiserver._schema._builtin_schema_gen import build_data, trim_schema
from aim_engine.testing.apiserver._schema._builtin_schemas import BuiltinSchemas
from aim_engine.testing.apiserver._schema._size_limits import data_size_errors

FORMAT = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
SUFFIX = "unable to parse quantity's suffix"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("1", None),
        ("0", None),
        ("100m", None),
        ("1.5Gi", None),
        ("-2", None),
        ("1e3", None),
        ("2E-2", None),
        ("1E", None),  # exa
        ("", FORMAT),
        ("abc", FORMAT),
        ("1x", FORMAT),
        ("1.2.3", FORMAT),
        ("1ki", SUFFIX),
        ("1e", SUFFIX),
        ("1Gb", FORMAT),
    ],
)
def test_quantity_grammar(text: str, error: str | None) -> None:
    assert quantity_error(text) == error


def test_the_shipped_data_covers_every_builtin_kind() -> None:
    schemas = BuiltinSchemas()
    for kind in BUILTIN_KINDS:
        api_version = f"{kind.group}/{kind.version}" if kind.group else kind.version
        root = schemas.root(api_version, kind.kind)
        assert root is not None, kind
        assert root in schemas.definitions
    assert "v1/Secret" in schemas.registered
    assert schemas.source.startswith("kube-apiserver v1.")


def _decode(api_version: str, kind: str, obj: dict[str, Any]) -> tuple[str | None, list[str]]:
    return decode_errors(BuiltinSchemas(), api_version, kind, obj)


def test_go_type_names_in_type_errors() -> None:
    pod = {"spec": {"volumes": [{"name": "v", "configMap": {"items": "x"}}]}}
    error, _ = _decode("v1", "Pod", pod)
    assert error == (
        "json: cannot unmarshal string into Go struct field "
        "ConfigMapVolumeSource.spec.volumes.configMap.items of type []v1.KeyToPath"
    )
    error, _ = _decode("v1", "ConfigMap", {"binaryData": {"a": 5}})
    assert error == (
        "json: cannot unmarshal number into Go struct field ConfigMap.binaryData of type []uint8"
    )
    error, _ = _decode("v1", "Namespace", {"metadata": {"annotations": []}})
    assert error == (
        "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.annotations of "
        "type map[string]string"
    )


def test_the_first_type_error_wins_but_a_custom_decoder_failure_stops_decoding() -> None:
    pod = {
        "spec": {
            "containers": [
                {"name": 1, "resources": {"limits": {"cpu": "bad"}}},
            ]
        }
    }
    error, _ = _decode("v1", "Pod", pod)
    assert error == FORMAT
    error, _ = _decode("v1", "Pod", {"spec": {"hostname": 1, "subdomain": 2}})
    assert error == (
        "json: cannot unmarshal number into Go struct field PodSpec.spec.hostname of type string"
    )


def test_null_and_raw_json_fields_are_accepted() -> None:
    crd = {
        "spec": {
            "group": None,
            "versions": [
                {
                    "name": "v1",
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "default": {"any": ["thing", 1]},
                            "additionalProperties": True,
                            "items": [{"type": "string"}],
                        }
                    },
                }
            ],
        }
    }
    assert _decode("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd) == (None, [])


def test_unknown_fields_are_removed_and_named_with_map_keys_and_positions() -> None:
    obj = {
        "metadata": {"name": "n", "bogus": 1},
        "spec": {"containers": [{"name": "c", "env": [{"name": "a", "extra": True}]}]},
        "top": {},
    }
    error, unknown = _decode("v1", "Pod", obj)
    assert error is None
    assert unknown == ["metadata.bogus", "spec.containers[0].env[0].extra", "top"]
    assert obj == {
        "metadata": {"name": "n"},
        "spec": {"containers": [{"name": "c", "env": [{"name": "a"}]}]},
    }


def test_kind_errors() -> None:
    schemas = BuiltinSchemas()
    same = {"apiVersion": "v1", "kind": "ConfigMap"}
    assert kind_error(schemas, "", "v1", "ConfigMap", same) is None
    assert kind_error(schemas, "", "v1", "ConfigMap", {}) is None
    assert kind_error(schemas, "batch", "v1", "Job", {"kind": "CronJob"}) == (
        'CronJob in version "v1" cannot be handled as a Job: converting (v1.CronJob) to '
        "(batch.Job): unknown conversion"
    )


def test_warning_headers_quote_like_the_server() -> None:
    assert warning_headers([]) is None
    headers = warning_headers(['unknown field "a"', "b\\c"])
    assert headers is not None
    assert headers.getall("Warning") == ['299 - "unknown field \\"a\\""', '299 - "b\\\\c"']


def test_data_size_counts_decoded_bytes_and_utf8() -> None:
    two_byte = "é" * (512 * 1024 + 1)  # 1 MiB + 2 bytes in UTF-8
    assert data_size_errors(("", "configmaps"), {"data": {"a": two_byte}})
    assert not data_size_errors(("", "configmaps"), {"data": {"a": "é" * (512 * 1024)}})
    assert not data_size_errors(("", "pods"), {"data": {"a": two_byte}})
    replaced = {"data": {"a": "eA==" * 400_000}, "stringData": {"a": "x"}}
    assert not data_size_errors(("", "secrets"), replaced)


def test_trimming_keeps_what_the_fake_reads() -> None:
    node = {
        "description": "d",
        "type": "object",
        "properties": {
            "description": {"type": "string", "description": "a field named description"},
            "ref": {"allOf": [{"$ref": "#/components/schemas/x.Y"}], "default": {}},
        },
        "x-kubernetes-list-type": "map",
    }
    assert trim_schema(node) == {
        "type": "object",
        "properties": {"description": {"type": "string"}, "ref": {"$ref": "x.Y"}},
        "x-kubernetes-list-type": "map",
    }


def test_build_data_follows_references() -> None:
    def doc(schemas: dict[str, Any]) -> dict[str, Any]:
        return {"components": {"schemas": schemas}}

    def kind_schema(group: str, version: str, kind: str) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"spec": {"$ref": "#/components/schemas/shared.Spec"}},
            "x-kubernetes-group-version-kind": [{"group": group, "version": version, "kind": kind}],
        }

    def fetch(path: str) -> dict[str, Any]:
        parts = path.split("/")
        group, version = ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2])
        schemas: dict[str, Any] = {"shared.Spec": {"type": "object", "properties": {}}}
        for k in BUILTIN_KINDS:
            if (k.group, k.version) == (group, version):
                schemas[f"{group or 'core'}.{k.kind}"] = kind_schema(group, version, k.kind)
        return doc(schemas)

    data = build_data(fetch, "test")
    assert data["kinds"]["v1/ConfigMap"] == "core.ConfigMap"
    assert data["kinds"]["apps/v1/Deployment"] == "apps.Deployment"
    assert data["definitions"]["shared.Spec"] == {"type": "object", "properties": {}}
    assert "apps/v1/Deployment" in data["registered"]

"""The real AIM CRDs compile, accept their samples, and reject what their CEL rules forbid."""

from __future__ import annotations

import copy
import pathlib
from typing import Any

import pytest
import yaml

from aim_engine.testing.apiserver._schema._compiled import CompiledSchema

ROOT = pathlib.Path(__file__).resolve().parents[3] / "manifests"


def _schemas() -> dict[tuple[str, str], CompiledSchema]:
    out: dict[tuple[str, str], CompiledSchema] = {}
    for path in sorted((ROOT / "crds").glob("aim*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            for version in doc["spec"]["versions"]:
                schema = CompiledSchema.compile(version["schema"]["openAPIV3Schema"])
                out[(doc["spec"]["names"]["kind"], version["name"])] = schema
    return out


def _samples() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((ROOT / "samples").glob("aim*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


SCHEMAS = _schemas() if (ROOT / "crds").is_dir() else {}
SAMPLES = _samples() if (ROOT / "samples").is_dir() else []

pytestmark = pytest.mark.skipif(not SCHEMAS, reason="no CRD manifests in this checkout")


def _schema_of(obj: dict[str, Any]) -> CompiledSchema:
    return SCHEMAS[(obj["kind"], obj["apiVersion"].split("/")[-1])]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: f"{s['kind']}-{s['metadata']['name']}")
def test_samples_are_valid_and_keep_their_fields(sample: dict[str, Any]) -> None:
    schema = _schema_of(sample)
    obj = copy.deepcopy(sample)
    schema.prune(obj)
    assert obj == sample
    schema.apply_defaults(obj)
    assert schema.validate(obj) == []
    assert schema.validate(obj, copy.deepcopy(obj)) == []


def test_service_needs_exactly_one_model_selector() -> None:
    service = next(s for s in SAMPLES if s["kind"] == "AIMService")
    obj = copy.deepcopy(service)
    obj["spec"]["model"] = {"name": "a", "image": "b"}
    assert [(e.field, e.message) for e in _schema_of(obj).validate(obj)] == [
        (
            "spec.model",
            'Invalid value: "object": exactly one of name, image, or custom must be specified',
        )
    ]


def test_model_name_is_immutable_on_aimservice() -> None:
    service = next(
        s for s in SAMPLES if s["kind"] == "AIMService" and "name" in s["spec"].get("model", {})
    )
    old = copy.deepcopy(service)
    new = copy.deepcopy(service)
    new["spec"]["model"]["name"] = new["spec"]["model"]["name"] + "-other"
    assert [(e.field, e.message) for e in _schema_of(new).validate(new, old)] == [
        ("spec.model", 'Invalid value: "object": model selection is immutable after creation')
    ]

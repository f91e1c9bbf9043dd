"""The committed CRDs match the models, are structural, and carry the original's metadata."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
import yaml

from aim_engine.api import crdgen
from aim_engine.api.structural import structural_problems
from aim_engine.api.v1alpha1 import ALL_KINDS, AimObject

ROOT = pathlib.Path(__file__).resolve().parents[3]
CRDS = ROOT / "manifests" / "crds"


def _schema(kind: type[AimObject]) -> dict[str, Any]:
    version = crdgen.crd_for(kind)["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]
    assert isinstance(schema, dict)
    return schema


def _node(schema: dict[str, Any], path: str) -> dict[str, Any]:
    node = schema
    for part in path.split("."):
        node = node["items"] if part == "[]" else node["properties"][part]
    return node


def test_committed_crds_match_the_models() -> None:
    generated = crdgen.render_all()
    committed = {p.name: p.read_text(encoding="utf-8") for p in CRDS.glob("*.yaml")}
    assert committed == generated, "run: python -m aim_engine.api.crdgen --out manifests/crds"


def test_check_mode_reports_drift(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert crdgen.main(["--out", str(tmp_path), "--check"]) == 1
    assert crdgen.main(["--out", str(tmp_path)]) == 0
    assert crdgen.main(["--out", str(tmp_path), "--check"]) == 0
    victim = tmp_path / "aim.eai.amd.com_aimservices.yaml"
    victim.write_text(victim.read_text().replace("aimsvc", "svc"))
    (tmp_path / "stray.yaml").write_text("{}")
    assert crdgen.main(["--out", str(tmp_path), "--check"]) == 1
    err = capsys.readouterr().err
    assert "stale file" in err
    assert "unexpected file" in err
    assert "+    - aimsvc" in err


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.kind_name())
def test_crd_is_structural(kind: type[AimObject]) -> None:
    assert structural_problems(_schema(kind)) == []


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.kind_name())
def test_crd_names_scope_and_subresources(kind: type[AimObject]) -> None:
    crd = yaml.safe_load((CRDS / crdgen.crd_file_name(kind)).read_text())
    assert crd["metadata"]["name"] == f"{kind.CRD.plural}.aim.eai.amd.com"
    assert crd["spec"]["names"]["categories"] == ["aim", "all"]
    assert crd["spec"]["names"]["kind"] == kind.kind_name()
    version = crd["spec"]["versions"][0]
    assert version["subresources"] == {"status": {}}
    assert (version["served"], version["storage"]) == (True, True)


@pytest.mark.parametrize(
    ("kind", "scope", "short", "columns"),
    [
        ("AIMService", "Namespaced", "aimsvc", ["Status", "Model", "Template", "Replicas", "Age"]),
        ("AIMModel", "Namespaced", "aimmdl", ["Status", "Source", "Image", "Model", "Age"]),
        ("AIMClusterModel", "Cluster", "aimclmdl", ["Status", "Source", "Image", "Model", "Age"]),
        (
            "AIMServiceTemplate",
            "Namespaced",
            "aimtpl",
            ["Model", "Status", "Hardware", "Metric", "Precision"],
        ),
        (
            "AIMClusterServiceTemplate",
            "Cluster",
            "aimcltpl",
            ["Model", "Status", "Hardware", "Metric", "Precision"],
        ),
        ("AIMTemplateCache", "Namespaced", "aimtc", ["Template", "Mode", "Status", "Kind", "Age"]),
        (
            "AIMArtifact",
            "Namespaced",
            "aimart",
            ["Status", "Mode", "Model Size", "Progress", "Protocol", "Attempt", "Age"],
        ),
        ("AIMRuntimeConfig", "Namespaced", "aimrc", []),
        ("AIMClusterRuntimeConfig", "Cluster", "aimclrc", []),
        ("AIMClusterModelSource", "Cluster", "aimclsrc", ["Status", "Models", "LastSync", "Age"]),
    ],
)
def test_the_originals_names_and_columns(
    kind: str, scope: str, short: str, columns: list[str]
) -> None:
    model = next(k for k in ALL_KINDS if k.kind_name() == kind)
    crd = crdgen.crd_for(model)
    assert crd["spec"]["scope"] == scope
    assert crd["spec"]["names"]["shortNames"] == [short]
    version = crd["spec"]["versions"][0]
    assert [c["name"] for c in version.get("additionalPrinterColumns", [])] == columns


def test_artifact_protocol_and_attempt_are_wide_only() -> None:
    model = next(k for k in ALL_KINDS if k.kind_name() == "AIMArtifact")
    columns = crdgen.crd_for(model)["spec"]["versions"][0]["additionalPrinterColumns"]
    wide = {c["name"] for c in columns if c.get("priority") == 1}
    assert wide == {"Protocol", "Attempt"}


@pytest.mark.parametrize(
    ("kind", "path", "message"),
    [
        ("AIMService", "spec.model", "exactly one of name, image, or custom must be specified"),
        ("AIMService", "spec.model", "model selection is immutable after creation"),
        ("AIMService", "spec.template", "template selection is immutable after creation"),
        ("AIMService", "spec.caching", "caching mode is immutable after creation"),
        ("AIMService", "spec.overrides.hardware.gpu", "model and minVram are mutually exclusive"),
        ("AIMServiceTemplate", "spec.metric", "metric is immutable"),
        ("AIMServiceTemplate", "spec.precision", "precision is immutable"),
        ("AIMServiceTemplate", "spec.hardware", "hardware is immutable"),
        ("AIMServiceTemplate", "spec.hardware", "at least one of gpu or cpu must be specified"),
        ("AIMClusterServiceTemplate", "spec.modelName", "model name is immutable"),
        ("AIMArtifact", "spec.sourceUri", "sourceUri is immutable"),
        ("AIMModel", "spec", "when using modelSources, hardware must be specified"),
    ],
)
def test_cel_rules(kind: str, path: str, message: str) -> None:
    model = next(k for k in ALL_KINDS if k.kind_name() == kind)
    rules = _node(_schema(model), path).get("x-kubernetes-validations", [])
    assert any(message in r["message"] for r in rules), rules


def test_defaults_and_list_types() -> None:
    service = next(k for k in ALL_KINDS if k.kind_name() == "AIMService")
    schema = _schema(service)
    assert _node(schema, "spec.replicas")["default"] == 1
    assert _node(schema, "spec.caching.mode")["default"] == "Shared"
    assert _node(schema, "spec.env")["x-kubernetes-list-map-keys"] == ["name"]
    assert _node(schema, "status.conditions")["x-kubernetes-list-map-keys"] == ["type"]
    assert _node(schema, "status.status")["enum"] == [
        "Pending",
        "Starting",
        "Running",
        "Degraded",
        "Failed",
    ]
    assert schema["required"] == ["spec"]

"""The committed reference pages match the models."""

from __future__ import annotations

import pathlib

from aim_engine.api import docgen
from aim_engine.api.v1alpha1 import ALL_KINDS

ROOT = pathlib.Path(__file__).resolve().parents[3]
PAGES = ROOT / "docs" / "reference" / "crds"


def test_committed_pages_match_the_models() -> None:
    committed = {p.name: p.read_text(encoding="utf-8") for p in PAGES.glob("*.md")}
    assert committed == docgen.render_all(), "run: python -m aim_engine.api.docgen"


def test_one_page_per_kind_with_fields_and_rules() -> None:
    pages = docgen.render_all()
    assert len(pages) == len(ALL_KINDS) + 1
    service = pages["aimservice.md"]
    assert "| `spec.replicas` | integer | `1` |" in service
    assert "exactly one of name, image, or custom must be specified" in service
    assert "| Replicas | `.status.runtime.replicas` | integer |  |" in service
    assert "`spec.model.custom.modelSources[].modelId`" in service
    model = pages["aimmodel.md"]
    assert "Rules on the whole `spec`:" in model


def test_check_mode(tmp_path: pathlib.Path) -> None:
    assert docgen.main(["--out", str(tmp_path), "--check"]) == 1
    assert docgen.main(["--out", str(tmp_path)]) == 0
    assert docgen.main(["--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "aimservice.md").write_text("stale")
    assert docgen.main(["--out", str(tmp_path), "--check"]) == 1

"""Which kubectl the pytest plugin hands to tests on a real control plane."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from aim_engine.testing.pytest_plugin import kubectl_for_plane


@dataclass
class _Plane:
    kubectl_path: Path | None


def _binary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def path_kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kubectl on PATH (like the machine's older /usr/bin/kubectl); AIM_TEST_KUBECTL unset."""
    found = _binary(tmp_path / "bin" / "kubectl")
    monkeypatch.setenv("PATH", str(found.parent))
    monkeypatch.delenv("AIM_TEST_KUBECTL", raising=False)
    return found


def test_the_planes_own_kubectl_beats_path(tmp_path: Path, path_kubectl: Path) -> None:
    own = _binary(tmp_path / "assets" / "kubectl")
    assert kubectl_for_plane(_Plane(own)) == own


def test_aim_test_kubectl_still_wins(
    tmp_path: Path, path_kubectl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explicit = _binary(tmp_path / "explicit" / "kubectl")
    monkeypatch.setenv("AIM_TEST_KUBECTL", str(explicit))
    own = _binary(tmp_path / "assets" / "kubectl")
    assert kubectl_for_plane(_Plane(own)) == explicit


def test_path_when_the_plane_has_none(path_kubectl: Path) -> None:
    assert kubectl_for_plane(_Plane(None)) == path_kubectl

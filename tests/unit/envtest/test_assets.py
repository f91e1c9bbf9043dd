"""Where binaries are looked for: KUBEBUILDER_ASSETS, the per-version cache, PATH for kubectl."""

from __future__ import annotations

from pathlib import Path

import pytest

from aim_engine.testing.envtest.assets import (
    Versions,
    cache_root,
    find_assets,
    find_kubectl,
    normalize_version,
    version_dir,
)


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def _control_plane(directory: Path) -> Path:
    _executable(directory / "kube-apiserver")
    _executable(directory / "etcd")
    return directory


@pytest.mark.parametrize(("given", "want"), [("1.34.4", "1.34.4"), ("v1.35.0", "1.35.0")])
def test_normalize_version(given: str, want: str) -> None:
    assert normalize_version(given) == want


@pytest.mark.parametrize("bad", ["1.34", "latest", "1.34.4-rc.1", ""])
def test_normalize_version_rejects_non_releases(bad: str) -> None:
    with pytest.raises(ValueError, match=r"X\.Y\.Z"):
        normalize_version(bad)


def test_staging_tag_follows_the_kubernetes_version() -> None:
    assert Versions("1.34.4", "3.6.13").staging == "v0.34.4"
    assert Versions("1.34.4", "3.6.13").expected("etcd") == "3.6.13"
    assert Versions("1.34.4", "3.6.13").expected("kubectl") == "1.34.4"


def test_cache_root_prefers_xdg_cache_home(tmp_path: Path) -> None:
    assert cache_root({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "aim-engine" / "envtest"
    assert cache_root({"HOME": "/home/u"}) == Path("/home/u/.cache/aim-engine/envtest")
    assert version_dir("v1.34.4", {"HOME": "/h"}) == Path("/h/.cache/aim-engine/envtest/1.34.4")


def test_find_assets_prefers_a_populated_kubebuilder_assets(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "KUBEBUILDER_ASSETS": str(tmp_path / "kb")}
    _control_plane(version_dir("1.34.4", env))
    assert find_assets("1.34.4", env) == version_dir("1.34.4", env)  # KUBEBUILDER_ASSETS empty
    _control_plane(tmp_path / "kb")
    assert find_assets("1.34.4", env) == tmp_path / "kb"


def test_find_assets_needs_both_binaries(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    assert find_assets("1.34.4", env) is None
    _executable(version_dir("1.34.4", env) / "kube-apiserver")
    assert find_assets("1.34.4", env) is None
    (version_dir("1.34.4", env) / "etcd").write_text("not executable")
    assert find_assets("1.34.4", env) is None
    (version_dir("1.34.4", env) / "etcd").chmod(0o755)
    assert find_assets("1.34.4", env) == version_dir("1.34.4", env)


def test_find_kubectl_order_env_then_path_then_cache(tmp_path: Path) -> None:
    env = {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PATH": str(tmp_path / "bin"),
        "AIM_TEST_KUBECTL": str(tmp_path / "explicit" / "kubectl"),
    }
    assert find_kubectl("1.34.4", env) is None
    cached = _executable(version_dir("1.34.4", env) / "kubectl")
    assert find_kubectl("1.34.4", env) == cached
    on_path = _executable(tmp_path / "bin" / "kubectl")
    assert find_kubectl("1.34.4", env) == on_path
    explicit = _executable(tmp_path / "explicit" / "kubectl")
    assert find_kubectl("1.34.4", env) == explicit

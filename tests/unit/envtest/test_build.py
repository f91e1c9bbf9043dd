"""The Go build: staging replaces, version stamping, idempotency, and errors naming the cause.

A stand-in ``go`` (a small Python script on PATH) records its arguments and "builds" scripts that
report the requested version, so the whole install flow runs without a Go toolchain.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from aim_engine.testing.envtest.__main__ import main
from aim_engine.testing.envtest.assets import Versions
from aim_engine.testing.envtest.build import (
    install,
    missing_binaries,
    staging_replacements,
    version_ldflags,
)
from aim_engine.testing.envtest.errors import BuildError, GoNotFoundError

VERSIONS = Versions("1.34.4", "3.6.13")

KUBERNETES_GOMOD = {
    "Module": {"Path": "k8s.io/kubernetes"},
    "Require": [
        {"Path": "k8s.io/api", "Version": "v0.0.0"},
        {"Path": "k8s.io/client-go", "Version": "v0.0.0"},
        {"Path": "k8s.io/klog/v2", "Version": "v2.130.1"},
        {"Path": "github.com/spf13/cobra", "Version": "v0.0.0"},
        {"Path": "k8s.io/apimachinery", "Version": "v0.0.0", "Indirect": True},
    ],
}

FAKE_GO = r'''#!{python}
"""A stand-in for `go`: logs its arguments, answers the few commands the installer uses."""
import json, os, sys, pathlib, re
args = sys.argv[1:]
with open(os.environ["FAKE_GO_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
if os.environ.get("FAKE_GO_FAIL") and args[0] == os.environ["FAKE_GO_FAIL"]:
    sys.stderr.write("go: fake failure of " + args[0] + "\n")
    sys.exit(1)
if args[:3] == ["mod", "download", "-json"]:
    gomod = pathlib.Path("k8s.gomod.json")
    gomod.write_text(os.environ["FAKE_GOMOD"])
    print(json.dumps({"GoMod": str(gomod.resolve())}))
elif args[:3] == ["mod", "edit", "-json"]:
    print(pathlib.Path(args[3]).read_text())
elif args[0] == "build":
    out = pathlib.Path(args[args.index("-o") + 1])
    name = out.name
    ldflags = [a for a in args if a.startswith("-ldflags=")][0]
    found = re.search(r"component-base/version.gitVersion=v(\S+)", ldflags)
    version = found.group(1) if found else os.environ["FAKE_ETCD_VERSION"]
    if name == "kubectl":
        text = "Client Version: v" + version
    elif name == "etcd":
        text = "etcd Version: " + version
    else:
        text = "Kubernetes v" + version
    out.write_text("#!/bin/sh\necho '" + text + "'\n")
    out.chmod(0o755)
'''


@pytest.fixture
def fake_go(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH has only the fake `go`; FAKE_GO_LOG lists its calls."""
    bin_dir = tmp_path / "gobin"
    bin_dir.mkdir()
    go = bin_dir / "go"
    go.write_text(FAKE_GO.replace("{python}", sys.executable))
    go.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}/bin{os.pathsep}/usr/bin",
        "HOME": str(tmp_path),
        "FAKE_GO_LOG": str(tmp_path / "go-calls.jsonl"),
        "FAKE_GOMOD": json.dumps(KUBERNETES_GOMOD),
        "FAKE_ETCD_VERSION": VERSIONS.etcd,
    }


def _calls(env: dict[str, str]) -> list[list[str]]:
    log = Path(env["FAKE_GO_LOG"])
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_staging_replacements_pick_k8s_modules_at_v0_0_0() -> None:
    assert staging_replacements(KUBERNETES_GOMOD, "v0.34.4") == [
        "-replace=k8s.io/api=k8s.io/api@v0.34.4",
        "-replace=k8s.io/apimachinery=k8s.io/apimachinery@v0.34.4",
        "-replace=k8s.io/client-go=k8s.io/client-go@v0.34.4",
    ]
    assert staging_replacements({}, "v0.34.4") == []


def test_version_ldflags_stamp_both_version_packages() -> None:
    flags = version_ldflags("1.34.4").split(" -X ")
    for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        assert f"{package}.gitVersion=v1.34.4" in flags
        assert f"{package}.gitMajor=1" in flags
        assert f"{package}.gitMinor=34" in flags


def test_install_builds_all_three_then_is_a_no_op(tmp_path: Path, fake_go: dict[str, str]) -> None:
    target = tmp_path / "assets"
    lines: list[str] = []
    assert install(target, VERSIONS, environ=fake_go, progress=lines.append) == target
    assert missing_binaries(target, VERSIONS) == []
    calls = _calls(fake_go)
    edit = next(c for c in calls if c[:2] == ["mod", "edit"] and "-json" not in c)
    assert "-require=k8s.io/kubernetes@v1.34.4" in edit
    assert "-replace=k8s.io/api=k8s.io/api@v0.34.4" in edit
    assert ["get", "go.etcd.io/etcd/server/v3@v3.6.13"] in calls
    built = [c[c.index("-o") + 1] for c in calls if c[0] == "build"]
    assert [Path(b).name for b in built] == ["kube-apiserver", "kubectl", "etcd"]
    assert all(Path(b).is_relative_to(target / ".build") for b in built)
    tools = (target / ".build" / "kubernetes" / "tools.go").read_text()
    assert '_ "k8s.io/kubernetes/cmd/kube-apiserver"' in tools
    assert any("installed" in line for line in lines)

    Path(fake_go["FAKE_GO_LOG"]).unlink()
    lines.clear()
    install(target, VERSIONS, environ=fake_go, progress=lines.append)
    assert _calls(fake_go) == []
    assert lines == [f"binaries for Kubernetes v1.34.4 already installed in {target}"]


def test_install_rebuilds_only_a_binary_with_the_wrong_version(
    tmp_path: Path, fake_go: dict[str, str]
) -> None:
    target = tmp_path / "assets"
    install(target, VERSIONS, environ=fake_go)
    (target / "etcd").write_text("#!/bin/sh\necho 'etcd Version: 3.5.1'\n")
    Path(fake_go["FAKE_GO_LOG"]).unlink()
    install(target, VERSIONS, environ=fake_go)
    built = [Path(c[c.index("-o") + 1]).name for c in _calls(fake_go) if c[0] == "build"]
    assert built == ["etcd"]
    assert missing_binaries(target, VERSIONS) == []


def test_missing_go_is_named(tmp_path: Path) -> None:
    with pytest.raises(GoNotFoundError, match=r"`go`"):
        install(tmp_path / "assets", VERSIONS, environ={"PATH": str(tmp_path)})
    assert not (tmp_path / "assets").exists()


def test_failed_go_command_reports_its_output(tmp_path: Path, fake_go: dict[str, str]) -> None:
    env = {**fake_go, "FAKE_GO_FAIL": "get"}
    with pytest.raises(BuildError, match="fake failure of get") as info:
        install(tmp_path / "assets", VERSIONS, environ=env)
    assert "go get go.etcd.io/etcd/server/v3@v3.6.13" in str(info.value)
    assert not (tmp_path / "assets" / "etcd").exists()


def test_cli_install_without_go_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("KUBEBUILDER_ASSETS", raising=False)
    assert main(["install", "--dir", str(tmp_path / "assets")]) == 2
    assert "`go`" in capsys.readouterr().err


def test_cli_install_reuses_populated_kubebuilder_assets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("kube-apiserver", "etcd"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    monkeypatch.setenv("KUBEBUILDER_ASSETS", str(tmp_path))
    assert main(["install"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)


def test_cli_path_without_binaries_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("KUBEBUILDER_ASSETS", raising=False)
    assert main(["path", "--version", "1.33.1"]) == 1
    captured = capsys.readouterr()
    assert captured.out.strip() == str(tmp_path / "aim-engine" / "envtest" / "1.33.1")
    assert "install --version 1.33.1" in captured.err

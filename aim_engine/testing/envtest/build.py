"""Build kube-apiserver, kubectl and etcd from published Go modules into a cache directory.

No package of kube-apiserver exists on PyPI, Debian or npm, but the Go module proxy serves
``k8s.io/kubernetes`` and ``go.etcd.io/etcd/server/v3``. ``k8s.io/kubernetes``' own go.mod
requires its staging modules (``k8s.io/api``, ``k8s.io/client-go`` …) at ``v0.0.0`` with
``replace`` directives into its source tree, which a consumer cannot use; so the build module
maps each of them to its published tag ``v0.<minor>.<patch>``, read from the downloaded go.mod
(generating the list avoids drift between Kubernetes minors). etcd is built in a second module of
its own, so its dependencies are exactly the ones etcd itself selects.

Everything happens in ``<install dir>/.build/`` (never inside the repository). Binaries are built
to a staging path and renamed into place, so an interrupted build never leaves a half-written
binary that a later run would take for a good one. A second ``install`` checks each binary's
``--version`` and returns at once when all match.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aim_engine.testing.envtest.assets import (
    APISERVER,
    ETCD,
    KUBECTL,
    Versions,
    binary_version,
    install_lock,
)
from aim_engine.testing.envtest.errors import BuildError, GoNotFoundError

__all__ = [
    "BUILD_DIR_NAME",
    "Progress",
    "install",
    "missing_binaries",
    "staging_replacements",
    "version_ldflags",
]

BUILD_DIR_NAME = ".build"
"""Sub-directory of the install directory holding the Go build modules and the build log."""

Progress = Callable[[str], None]
"""Receives one human-readable progress line per build step."""

_KUBERNETES_MODULE = "k8s.io/kubernetes"
_ETCD_MODULE = "go.etcd.io/etcd/server/v3"
_PACKAGES = {
    APISERVER: "k8s.io/kubernetes/cmd/kube-apiserver",
    KUBECTL: "k8s.io/kubernetes/cmd/kubectl",
}
_LOG_TAIL_LINES = 40


@dataclass(frozen=True, slots=True)
class _Go:
    """How to run ``go``: the binary, the environment and the log file its output goes to."""

    binary: str
    env: Mapping[str, str]
    log: Path

    def run(self, args: Sequence[str], cwd: Path) -> str:
        """Run ``go args`` in ``cwd``; return its stdout, append its stderr to the log.

        Raises:
            BuildError: the command failed (the message holds the tail of the log).
        """
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"$ go {' '.join(args)}\n")
            log.flush()
            done = subprocess.run(
                [self.binary, *args],
                cwd=cwd,
                env=dict(self.env),
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                check=False,
            )
        if done.returncode != 0:
            raise BuildError(
                f"`go {' '.join(args)}` failed with exit code {done.returncode} (log: {self.log})",
                _tail(self.log),
            )
        return done.stdout


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def staging_replacements(kubernetes_gomod: Mapping[str, object], staging_tag: str) -> list[str]:
    """Compute the ``-replace`` arguments that map Kubernetes' staging modules to published tags.

    Args:
        kubernetes_gomod: ``k8s.io/kubernetes``' go.mod as printed by ``go mod edit -json``.
        staging_tag: the published tag of the staging modules, e.g. ``v0.34.4``.

    Returns:
        ``["-replace=k8s.io/api=k8s.io/api@v0.34.4", ...]``, sorted: one per ``k8s.io/*``
        requirement at ``v0.0.0`` (that version marks a staging module).
    """
    requires = kubernetes_gomod.get("Require") or []
    if not isinstance(requires, list):
        return []
    modules = sorted(
        str(req["Path"])
        for req in requires
        if isinstance(req, dict)
        and str(req.get("Path", "")).startswith("k8s.io/")
        and req.get("Version") == "v0.0.0"
    )
    return [f"-replace={m}={m}@{staging_tag}" for m in modules]


def version_ldflags(kubernetes_version: str) -> str:
    """Linker flags that stamp the Kubernetes version into the binaries.

    Built from modules, kube-apiserver and kubectl would otherwise report
    ``v0.0.0-master+$Format:%H$``, in ``--version`` and in the server's ``/version``.
    """
    major, minor, _patch = kubernetes_version.split(".")
    values = {
        "gitVersion": f"v{kubernetes_version}",
        "gitMajor": major,
        "gitMinor": minor,
        "gitTreeState": "clean",
        "buildDate": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    stamps = [
        f"-X {package}.{name}={value}"
        for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
        for name, value in values.items()
    ]
    return " ".join(["-s", "-w", *stamps])


def missing_binaries(directory: Path, versions: Versions) -> list[str]:
    """The binaries of ``directory`` that are absent or report another version than pinned."""
    missing = []
    for name in (APISERVER, KUBECTL, ETCD):
        path = directory / name
        if not path.is_file() or binary_version(path) != versions.expected(name):
            missing.append(name)
    return missing


def _go_environment(go_binary: str, environ: Mapping[str, str]) -> dict[str, str]:
    env = dict(environ)
    env["CGO_ENABLED"] = "0"
    env["GOWORK"] = "off"
    env["GOFLAGS"] = " ".join(f for f in (env.get("GOFLAGS", ""), "-mod=mod") if f)
    env.setdefault("GOTOOLCHAIN", "local")
    env["PATH"] = os.pathsep.join([str(Path(go_binary).parent), env.get("PATH", "")])
    return env


def _fresh_module(path: Path, go: _Go, name: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for stale in ("go.mod", "go.sum", "tools.go"):
        (path / stale).unlink(missing_ok=True)
    go.run(["mod", "init", name], path)


def _build_kubernetes(
    names: list[str], versions: Versions, build: Path, go: _Go, progress: Progress
) -> dict[str, Path]:
    module = build / "kubernetes"
    _fresh_module(module, go, "example.local/aim-envtest/kubernetes")
    progress(f"resolving {_KUBERNETES_MODULE} v{versions.kubernetes} and its staging modules")
    info = json.loads(
        go.run(["mod", "download", "-json", f"{_KUBERNETES_MODULE}@v{versions.kubernetes}"], module)
    )
    gomod = json.loads(go.run(["mod", "edit", "-json", str(info["GoMod"])], module))
    replaces = staging_replacements(gomod, versions.staging)
    go.run(
        ["mod", "edit", f"-require={_KUBERNETES_MODULE}@v{versions.kubernetes}", *replaces], module
    )
    imports = "\n".join(f'\t_ "{_PACKAGES[n]}"' for n in names)
    (module / "tools.go").write_text(
        f"//go:build tools\n\npackage tools\n\nimport (\n{imports}\n)\n"
    )
    progress(f"downloading modules ({len(replaces)} staging modules pinned to {versions.staging})")
    go.run(["mod", "tidy"], module)
    built = {}
    for name in names:
        progress(f"building {name} v{versions.kubernetes} (minutes on a cold Go build cache)")
        ldflags = version_ldflags(versions.kubernetes)
        built[name] = _go_build(go, module, _PACKAGES[name], name, ldflags, progress)
    return built


def _build_etcd(versions: Versions, build: Path, go: _Go, progress: Progress) -> Path:
    module = build / "etcd"
    _fresh_module(module, go, "example.local/aim-envtest/etcd")
    progress(f"resolving {_ETCD_MODULE} v{versions.etcd}")
    # etcd's go.mod has replace directives, so `go install module@version` refuses it; as a
    # dependency of a module of our own it builds fine.
    go.run(["get", f"{_ETCD_MODULE}@v{versions.etcd}"], module)
    progress(f"building etcd v{versions.etcd}")
    return _go_build(go, module, _ETCD_MODULE, ETCD, "-s -w", progress)


def _go_build(
    go: _Go, module: Path, package: str, name: str, ldflags: str, progress: Progress
) -> Path:
    out = module / "bin" / name
    out.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    go.run(["build", "-trimpath", f"-ldflags={ldflags}", "-o", str(out), package], module)
    progress(f"built {name} in {_duration(time.monotonic() - started)}")
    return out


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def install(
    directory: Path,
    versions: Versions | None = None,
    *,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
    progress: Progress = lambda _line: None,
) -> Path:
    """Build the pinned binaries into ``directory`` unless they are already there.

    Args:
        directory: where kube-apiserver, etcd and kubectl end up (flat, as KUBEBUILDER_ASSETS).
        versions: the Kubernetes and etcd versions to build (default: the pinned defaults).
        force: rebuild even when the binaries report the pinned versions.
        environ: environment of the ``go`` commands (default ``os.environ``).
        progress: called with one line per step.

    Returns:
        ``directory``.

    Raises:
        GoNotFoundError: a build is needed and ``go`` is not on PATH.
        BuildError: a ``go`` command failed.
    """
    env = dict(os.environ if environ is None else environ)
    versions = versions or Versions()
    needed = [APISERVER, KUBECTL, ETCD] if force else missing_binaries(directory, versions)
    if not needed:
        progress(f"binaries for Kubernetes v{versions.kubernetes} already installed in {directory}")
        return directory
    go_binary = shutil.which("go", path=env.get("PATH", ""))
    if go_binary is None:
        raise GoNotFoundError(
            "the Go toolchain (`go`) is not on PATH: it is needed to build "
            f"{', '.join(needed)} (Kubernetes v{versions.kubernetes}, etcd v{versions.etcd}); "
            "install Go >= 1.24, or point KUBEBUILDER_ASSETS at a directory that already "
            "holds the binaries"
        )
    with install_lock(directory):
        if not force:
            needed = missing_binaries(directory, versions)  # another process may have built them
            if not needed:
                progress(f"binaries installed meanwhile in {directory}")
                return directory
        build = directory / BUILD_DIR_NAME
        build.mkdir(parents=True, exist_ok=True)
        go = _Go(go_binary, _go_environment(go_binary, env), build / "build.log")
        go.log.write_text("")
        progress(f"building {', '.join(needed)} in {build} (go output: {go.log})")
        started = time.monotonic()
        built: dict[str, Path] = {}
        kubernetes_binaries = [n for n in (APISERVER, KUBECTL) if n in needed]
        if kubernetes_binaries:
            built.update(_build_kubernetes(kubernetes_binaries, versions, build, go, progress))
        if ETCD in needed:
            built[ETCD] = _build_etcd(versions, build, go, progress)
        for name, path in built.items():
            os.replace(path, directory / name)
        elapsed = _duration(time.monotonic() - started)
        progress(f"installed {', '.join(built)} into {directory} in {elapsed}")
    return directory

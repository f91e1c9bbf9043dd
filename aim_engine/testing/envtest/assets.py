"""Where the control-plane binaries live and how to find them.

The binaries (``kube-apiserver``, ``etcd``, ``kubectl``) sit flat in one directory, the layout
controller-runtime's envtest expects in ``KUBEBUILDER_ASSETS``. Lookup order, everywhere:

1. ``KUBEBUILDER_ASSETS``, when it is set *and* holds kube-apiserver and etcd;
2. the per-version cache directory ``$XDG_CACHE_HOME/aim-engine/envtest/<version>/``
   (``~/.cache/...`` when ``XDG_CACHE_HOME`` is unset), where ``install`` builds them.

Every function takes the environment as an argument (``None`` means ``os.environ``) so tests can
pass their own mapping instead of patching the process environment.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "APISERVER",
    "DEFAULT_ETCD_VERSION",
    "DEFAULT_KUBERNETES_VERSION",
    "ENV_ASSETS",
    "ENV_KUBECTL",
    "ETCD",
    "KUBECTL",
    "Versions",
    "binary_version",
    "cache_root",
    "find_assets",
    "find_kubectl",
    "has_control_plane",
    "install_lock",
    "normalize_version",
    "version_dir",
]

DEFAULT_KUBERNETES_VERSION = "1.34.4"
"""Kubernetes version built by default: recent, and buildable with Go 1.26 (no Go 1.27 needed)."""

DEFAULT_ETCD_VERSION = "3.6.13"
"""etcd version built by default (the 3.6 line that Kubernetes 1.34 ships with)."""

ENV_ASSETS = "KUBEBUILDER_ASSETS"
"""Directory holding the binaries, as in controller-runtime's envtest."""

ENV_KUBECTL = "AIM_TEST_KUBECTL"
"""Explicit path of the kubectl binary the tests use."""

APISERVER = "kube-apiserver"
ETCD = "etcd"
KUBECTL = "kubectl"

_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")
_REPORTED_VERSION_RE = re.compile(r"v?(\d+\.\d+\.\d+)")


@dataclass(frozen=True, slots=True)
class Versions:
    """The pinned versions of one installation.

    Attributes:
        kubernetes: Kubernetes version without the ``v`` (e.g. ``"1.34.4"``); kube-apiserver and
            kubectl are built from ``k8s.io/kubernetes`` at this tag.
        etcd: etcd version without the ``v`` (e.g. ``"3.6.13"``).
    """

    kubernetes: str = DEFAULT_KUBERNETES_VERSION
    etcd: str = DEFAULT_ETCD_VERSION

    @property
    def staging(self) -> str:
        """The published tag of the staging modules (``k8s.io/api`` …): ``v0.<minor>.<patch>``."""
        _major, minor, patch = self.kubernetes.split(".")
        return f"v0.{minor}.{patch}"

    def expected(self, binary: str) -> str:
        """The version string ``binary_version`` must report for ``binary``."""
        return self.etcd if binary == ETCD else self.kubernetes


@contextmanager
def install_lock(directory: Path) -> Iterator[None]:
    """Serialise installs into one cache directory (two CI jobs on one machine, tox and a shell)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def normalize_version(version: str) -> str:
    """Return ``version`` as ``X.Y.Z`` (a leading ``v`` is accepted and dropped).

    Raises:
        ValueError: ``version`` is not of the form ``[v]X.Y.Z``.
    """
    match = _VERSION_RE.match(version.strip())
    if match is None:
        raise ValueError(f"not a release version (want X.Y.Z, e.g. 1.34.4): {version!r}")
    return ".".join(match.groups())


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    """The directory holding one sub-directory per installed Kubernetes version."""
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg else Path(env.get("HOME") or Path.home()) / ".cache"
    return base / "aim-engine" / "envtest"


def version_dir(
    version: str = DEFAULT_KUBERNETES_VERSION, environ: Mapping[str, str] | None = None
) -> Path:
    """The cache directory ``install`` builds ``version`` into."""
    return cache_root(environ) / normalize_version(version)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def has_control_plane(directory: Path) -> bool:
    """Whether ``directory`` holds executable kube-apiserver and etcd binaries."""
    return all(_is_executable(directory / name) for name in (APISERVER, ETCD))


def find_assets(
    version: str = DEFAULT_KUBERNETES_VERSION, environ: Mapping[str, str] | None = None
) -> Path | None:
    """Find a directory holding kube-apiserver and etcd.

    Args:
        version: the cache directory of this version is searched after ``KUBEBUILDER_ASSETS``.
        environ: the environment to read (default ``os.environ``).

    Returns:
        ``KUBEBUILDER_ASSETS`` if it holds the binaries, else the version's cache directory if
        it does, else ``None``.
    """
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_ASSETS, "")
    if explicit and has_control_plane(Path(explicit)):
        return Path(explicit)
    cached = version_dir(version, env)
    return cached if has_control_plane(cached) else None


def find_kubectl(
    version: str = DEFAULT_KUBERNETES_VERSION, environ: Mapping[str, str] | None = None
) -> Path | None:
    """Find a kubectl binary: ``AIM_TEST_KUBECTL``, then ``PATH``, then the assets directories.

    Returns:
        The path of an executable kubectl, or ``None``.
    """
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_KUBECTL, "")
    if explicit and _is_executable(Path(explicit)):
        return Path(explicit)
    on_path = shutil.which(KUBECTL, path=env.get("PATH", ""))
    if on_path is not None:
        return Path(on_path)
    candidates = [Path(d) for d in (env.get(ENV_ASSETS, ""),) if d] + [version_dir(version, env)]
    for directory in candidates:
        if _is_executable(directory / KUBECTL):
            return directory / KUBECTL
    return None


def binary_version(path: Path) -> str | None:
    """Ask a binary for its version (``X.Y.Z``); ``None`` if it cannot tell.

    kube-apiserver and etcd answer ``--version``; kubectl answers ``version --client``.
    """
    args = [str(path), "version", "--client"] if path.name == KUBECTL else [str(path), "--version"]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    match = _REPORTED_VERSION_RE.search(done.stdout)
    return match.group(1) if match else None

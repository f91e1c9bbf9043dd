"""Build the CNCF distribution registry from its Go module into the aim-engine cache.

The registry tests need a real OCI registry. ``github.com/distribution/distribution/v3`` has no
``replace`` directives, so one ``go install module/cmd/registry@version`` builds it; the binary
goes to ``$XDG_CACHE_HOME/aim-engine/registry/<version>/registry`` (``~/.cache/...``), beside
the envtest control plane's ``aim-engine/envtest/``. As there, the build writes to a staging
directory and renames into place (an interrupted build never leaves a binary a later run would
trust), a lock file serialises concurrent installs, and a second ``install`` returns at once
when the binary reports the pinned version. A cold build takes about 3.5 minutes on 2 busy
cores (module downloads included); with a warm Go cache, seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from aim_engine.testing.envtest.assets import cache_root, install_lock
from aim_engine.testing.envtest.errors import BuildError, GoNotFoundError

__all__ = [
    "DEFAULT_REGISTRY_VERSION",
    "ENV_REGISTRY_BINARY",
    "REGISTRY_MODULE",
    "find_registry",
    "install_registry",
    "registry_dir",
    "registry_version",
]

DEFAULT_REGISTRY_VERSION = "3.1.2"
"""distribution/distribution version built by default (the newest v3.1.x on the module proxy)."""

REGISTRY_MODULE = "github.com/distribution/distribution/v3"
ENV_REGISTRY_BINARY = "AIM_TEST_REGISTRY_BIN"
"""Explicit path of a registry binary (skips the cache and the build)."""

_BINARY = "registry"
_VERSION_RE = re.compile(r"\bv(\d+\.\d+\.\d+)")

Progress = Callable[[str], None]


def registry_dir(
    version: str = DEFAULT_REGISTRY_VERSION, environ: Mapping[str, str] | None = None
) -> Path:
    """The cache directory the registry ``version`` is built into."""
    return cache_root(environ).parent / "registry" / version.removeprefix("v")


def registry_version(path: Path) -> str | None:
    """The ``X.Y.Z`` a registry binary reports with ``--version`` (``None`` if it cannot tell)."""
    try:
        done = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION_RE.search(done.stdout)
    return match.group(1) if done.returncode == 0 and match else None


def find_registry(
    version: str = DEFAULT_REGISTRY_VERSION, environ: Mapping[str, str] | None = None
) -> Path | None:
    """``AIM_TEST_REGISTRY_BIN`` if executable, else the cached binary of ``version``, else None."""
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_REGISTRY_BINARY, "")
    if explicit and os.access(explicit, os.X_OK):
        return Path(explicit)
    cached = registry_dir(version, env) / _BINARY
    return cached if cached.is_file() and os.access(cached, os.X_OK) else None


def install_registry(
    version: str = DEFAULT_REGISTRY_VERSION,
    *,
    directory: Path | None = None,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
    progress: Progress = lambda _line: None,
) -> Path:
    """Build the registry binary unless the cache already holds this version.

    Args:
        version: the distribution version, ``X.Y.Z``.
        directory: where the binary goes (default :func:`registry_dir`).
        force: rebuild even if the binary is there.
        environ: environment of ``go`` (default ``os.environ``).
        progress: receives one line per step.

    Returns:
        The path of the binary.

    Raises:
        GoNotFoundError: a build is needed and ``go`` is not on PATH.
        BuildError: ``go install`` failed (the message holds the tail of its output).
    """
    env = dict(os.environ if environ is None else environ)
    version = version.removeprefix("v")
    target_dir = directory or registry_dir(version, env)
    binary = target_dir / _BINARY
    if not force and binary.is_file() and registry_version(binary) == version:
        progress(f"registry v{version} already installed at {binary}")
        return binary
    go = shutil.which("go", path=env.get("PATH", ""))
    if go is None:
        raise GoNotFoundError(
            f"the Go toolchain (`go`) is not on PATH: it is needed to build the registry "
            f"v{version}; install Go >= 1.26 or set {ENV_REGISTRY_BINARY} to a registry binary"
        )
    with install_lock(target_dir):
        if not force and binary.is_file() and registry_version(binary) == version:
            return binary
        staging = target_dir / ".build"
        staging.mkdir(exist_ok=True)
        env.update(CGO_ENABLED="0", GOWORK="off", GOBIN=str(staging))
        env.setdefault("GOTOOLCHAIN", "local")
        ldflags = f"-s -w -X {REGISTRY_MODULE}/version.version=v{version}"
        command = [go, "install", "-trimpath", f"-ldflags={ldflags}"]
        command.append(f"{REGISTRY_MODULE}/cmd/registry@v{version}")
        progress(f"building registry v{version} with `go install` (minutes on a cold Go cache)")
        started = time.monotonic()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).splitlines()[-40:])
            raise BuildError(f"`go install` of the registry failed ({done.returncode})", tail)
        os.replace(staging / _BINARY, binary)
        progress(f"built registry v{version} in {time.monotonic() - started:.0f} s: {binary}")
    return binary

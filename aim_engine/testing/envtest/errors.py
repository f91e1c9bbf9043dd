"""Errors of the envtest kit (installing and running a real kube-apiserver + etcd).

They hang off :class:`aim_engine.errors.AimEngineError` like every other error of the project::

    AimEngineError
    └── EnvtestError
        ├── GoNotFoundError           ``go`` is not on PATH, so the binaries cannot be built
        ├── BuildError                a ``go`` command failed (``.log_tail`` holds its last lines)
        ├── AssetsNotFoundError       no kube-apiserver/etcd binaries where they were looked for
        └── ControlPlaneStartError    etcd or kube-apiserver died or did not become ready in time
"""

from __future__ import annotations

from aim_engine.errors import AimEngineError

__all__ = [
    "AssetsNotFoundError",
    "BuildError",
    "ControlPlaneStartError",
    "EnvtestError",
    "GoNotFoundError",
]


class EnvtestError(AimEngineError):
    """Base of the envtest errors."""


class GoNotFoundError(EnvtestError):
    """The Go toolchain (``go``) is not on PATH."""


class BuildError(EnvtestError):
    """A ``go`` command of the build failed.

    Attributes:
        log_tail: the last lines of the build log, for the error report.
    """

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(f"{message}\n{log_tail}" if log_tail else message)
        self.log_tail = log_tail


class AssetsNotFoundError(EnvtestError):
    """No kube-apiserver and etcd binaries were found (run the ``install`` command)."""


class ControlPlaneStartError(EnvtestError):
    """etcd or kube-apiserver exited early or did not become ready before the timeout.

    Attributes:
        log_tail: the last lines of the log of the process that failed.
    """

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(f"{message}\n{log_tail}" if log_tail else message)
        self.log_tail = log_tail

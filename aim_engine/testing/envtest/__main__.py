"""Command line of the envtest kit: ``python -m aim_engine.testing.envtest {install,path,run}``.

- ``install [--version X.Y.Z] [--etcd-version X.Y.Z] [--dir DIR] [--force]`` builds the binaries
  (progress on stderr; the directory on stdout, so ``export KUBEBUILDER_ASSETS=$(... install)``
  works). Exit 2 when Go is missing, 1 when the build fails.
- ``path [--version X.Y.Z]`` prints the directory holding the binaries (exit 1 if none does yet).
- ``run --kubeconfig PATH [--assets DIR]`` starts etcd + kube-apiserver, writes a kubeconfig, prints
  the server URL and serves until SIGINT or SIGTERM, then stops both cleanly.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from aim_engine.testing.envtest.assets import (
    DEFAULT_ETCD_VERSION,
    DEFAULT_KUBERNETES_VERSION,
    ENV_ASSETS,
    Versions,
    find_assets,
    has_control_plane,
    normalize_version,
    version_dir,
)
from aim_engine.testing.envtest.build import install
from aim_engine.testing.envtest.controlplane import ControlPlane
from aim_engine.testing.envtest.errors import EnvtestError, GoNotFoundError

__all__ = ["main"]

_EXIT_FAILURE = 1
_EXIT_NO_GO = 2
_ALIVE_CHECK_SECONDS = 1.0


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _err(line: str) -> None:
    sys.stderr.write(f"envtest: {line}\n")
    sys.stderr.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aim_engine.testing.envtest",
        description="Build and run a real kube-apiserver + etcd for tests.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    inst = commands.add_parser("install", help="build kube-apiserver, etcd and kubectl (cached)")
    inst.add_argument("--version", default=DEFAULT_KUBERNETES_VERSION, type=normalize_version)
    inst.add_argument("--etcd-version", default=DEFAULT_ETCD_VERSION, type=normalize_version)
    inst.add_argument("--dir", type=Path, help="install here instead of the cache directory")
    inst.add_argument("--force", action="store_true", help="rebuild even if up to date")
    path = commands.add_parser("path", help="print the directory holding the binaries")
    path.add_argument("--version", default=DEFAULT_KUBERNETES_VERSION, type=normalize_version)
    run = commands.add_parser("run", help="serve a control plane until interrupted")
    run.add_argument("--kubeconfig", type=Path, required=True, help="write the kubeconfig here")
    run.add_argument("--assets", type=Path, help="directory of the binaries (default: found)")
    return parser


def _install(args: argparse.Namespace) -> int:
    versions = Versions(kubernetes=args.version, etcd=args.etcd_version)
    if args.dir is None:
        explicit = os.environ.get(ENV_ASSETS, "")
        if explicit and has_control_plane(Path(explicit)) and not args.force:
            _err(f"{ENV_ASSETS}={explicit} holds the binaries; nothing to build")
            _out(explicit)
            return 0
        if explicit:
            _err(f"{ENV_ASSETS}={explicit} does not hold kube-apiserver and etcd; using the cache")
    directory = args.dir or version_dir(versions.kubernetes)
    try:
        install(directory.resolve(), versions, force=args.force, progress=_err)
    except GoNotFoundError as exc:
        _err(str(exc))
        return _EXIT_NO_GO
    except EnvtestError as exc:
        _err(str(exc))
        return _EXIT_FAILURE
    _out(str(directory.resolve()))
    return 0


def _path(args: argparse.Namespace) -> int:
    found = find_assets(args.version)
    if found is None:
        _err(
            "no binaries yet; run: python -m aim_engine.testing.envtest install "
            f"--version {args.version}"
        )
        _out(str(version_dir(args.version)))
        return _EXIT_FAILURE
    _out(str(found))
    return 0


def _run(args: argparse.Namespace) -> int:
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    # Block the signals before starting, so one that arrives during start-up waits for us.
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        with ControlPlane(args.assets) as plane:
            plane.write_kubeconfig(args.kubeconfig)
            _err(f"kubeconfig written to {args.kubeconfig}; stop with Ctrl-C or SIGTERM")
            _out(plane.url)
            while signal.sigtimedwait(stop_signals, _ALIVE_CHECK_SECONDS) is None:
                if not plane.is_running():
                    _err("a control-plane process exited unexpectedly")
                    return _EXIT_FAILURE
            _err("stopping")
    except EnvtestError as exc:
        _err(str(exc))
        return _EXIT_FAILURE
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = _parser().parse_args(argv)
    handlers = {"install": _install, "path": _path, "run": _run}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

"""Command line of the registry kit: ``python -m aim_engine.testing.registry {build,path,run}``.

- ``build [--version X.Y.Z] [--force]`` builds (or finds cached) the registry binary; progress on
  stderr, the binary's path on stdout. Exit 2 when Go is missing, 1 when the build fails.
- ``path [--version X.Y.Z]`` prints the binary's path (exit 1 if it is not built yet).
- ``run [--user NAME:PASSWORD ...]`` serves a registry on loopback until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from aim_engine.testing.envtest.errors import EnvtestError, GoNotFoundError
from aim_engine.testing.registry.build import (
    DEFAULT_REGISTRY_VERSION,
    find_registry,
    install_registry,
    registry_dir,
)
from aim_engine.testing.registry.server import RegistryServer

__all__ = ["main"]


def _err(line: str) -> None:
    sys.stderr.write(f"registry: {line}\n")
    sys.stderr.flush()


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aim_engine.testing.registry",
        description="Build and run the CNCF distribution registry for tests.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the registry binary (cached)")
    build.add_argument("--version", default=DEFAULT_REGISTRY_VERSION)
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    path = commands.add_parser("path", help="print the path of the binary")
    path.add_argument("--version", default=DEFAULT_REGISTRY_VERSION)
    run = commands.add_parser("run", help="serve a registry until interrupted")
    run.add_argument("--user", action="append", default=[], help="NAME:PASSWORD (htpasswd)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "build":
        try:
            _out(str(install_registry(args.version, force=args.force, progress=_err)))
        except GoNotFoundError as exc:
            _err(str(exc))
            return 2
        except EnvtestError as exc:
            _err(str(exc))
            return 1
        return 0
    if args.command == "path":
        found = find_registry(args.version)
        _out(str(found or registry_dir(args.version)))
        return 0 if found else 1
    users = dict(u.split(":", 1) for u in args.user)
    stop = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)
    try:
        with RegistryServer(users=users) as server:
            _out(server.url)
            signal.sigwait(stop)
    except EnvtestError as exc:
        _err(str(exc))
        return 1
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())

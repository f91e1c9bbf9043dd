"""The ``aim-engine`` command: run the AIM operator's manager.

Flags follow kubebuilder conventions. The manager serves ``/metrics`` and the health probes,
syncs its caches, takes the leader Lease when ``--leader-elect`` is given (Lease
``3be10d2f.eai.amd.com``, as the original operator), and runs every controller registered in
:data:`controllers.registry.SETUPS` with the process's
:class:`~controllers.config.OperatorConfig` (operator namespace: ``POD_NAMESPACE``, else the
service account's namespace, else ``aim-system``; identity: ``POD_NAME``, else the host
name). SIGTERM stops gracefully and exits 0.

Failures end with one line on stderr, never a traceback. Exit status 2 is a usage error: a bad
flag value (argparse, before anything starts) or a bad setup found at start (``ConfigurationError``:
no kubeconfig, one that is not YAML, an unknown context). Exit status 1 is a runtime failure
(another :class:`~aim_engine.errors.AimEngineError`): a bind address in use, caches that did not
sync in time, a lost Lease; Kubernetes restarts the pod. An API server that cannot be reached is
not a failure by itself: the caches and the leader election retry with backoff, logging a warning
per failed attempt, until ``cache_sync_timeout`` (120 s) ends the wait for the caches.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import pathlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from aim_engine.client import Client
from aim_engine.errors import AimEngineError, ConfigurationError
from aim_engine.leader import LeaderElectionConfig, LeaseLostError
from aim_engine.log import ContextFilter, JsonFormatter
from aim_engine.manager import Manager, parse_bind_address
from controllers.config import OperatorConfig
from controllers.defaults import Defaults
from controllers.registry import SETUPS

__all__ = ["bind_address", "build_parser", "main", "seconds"]

LEADER_ELECTION_ID = Defaults.LEADER_ELECTION_ID
SA_NAMESPACE_FILE = pathlib.Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")

logger = logging.getLogger("aim_engine.operator")


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error on one line (the usage itself is in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def bind_address(value: str) -> str:
    """Argument type of the bind-address flags: ``host:port``, port 0-65535, or ``"0"`` (off)."""
    try:
        parse_bind_address(value)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def seconds(value: str) -> float:
    """Argument type of a duration flag: a finite number of seconds, zero or more."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds >= 0")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = _Parser(prog="aim-engine", description=__doc__.splitlines()[0])
    p.add_argument("--kubeconfig", help="kubeconfig path (default: $KUBECONFIG, then in-cluster)")
    p.add_argument(
        "--metrics-bind-address", type=bind_address, default=":8080", help='"0" disables /metrics'
    )
    p.add_argument(
        "--health-probe-bind-address",
        type=bind_address,
        default=":8081",
        help='"0" disables probes',
    )
    p.add_argument("--leader-elect", action="store_true", help="hold a Lease before reconciling")
    p.add_argument("--leader-election-id", default=LEADER_ELECTION_ID)
    p.add_argument(
        "--leader-election-namespace",
        help="namespace of the Lease (default: the pod's namespace)",
    )
    p.add_argument(
        "--graceful-shutdown-timeout",
        type=seconds,
        default=30.0,
        help="seconds running reconciles get to finish on SIGTERM (0: none)",
    )
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def _pod_namespace() -> str | None:
    ns = os.environ.get("POD_NAMESPACE")
    if ns:
        return ns
    try:
        return SA_NAMESPACE_FILE.read_text().strip() or None
    except OSError:
        return None


def _configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


async def run(args: argparse.Namespace) -> int:
    """Build the manager from parsed flags and run it; returns the exit status."""
    leader = None
    if args.leader_elect:
        namespace = args.leader_election_namespace or _pod_namespace()
        if not namespace:
            logger.error("leader election needs --leader-election-namespace outside a pod")
            return 2
        leader = LeaderElectionConfig(name=args.leader_election_id, namespace=namespace)
    async with await Client.auto(kubeconfig=args.kubeconfig) as client:
        manager = Manager(
            client,
            metrics_bind_address=args.metrics_bind_address,
            health_probe_bind_address=args.health_probe_bind_address,
            leader_election=leader,
            graceful_shutdown_timeout=args.graceful_shutdown_timeout,
        )
        config = OperatorConfig.from_environment(os.environ, namespace=_pod_namespace())
        for setup in SETUPS:
            setup(manager, config)
        logger.info("starting manager", extra={"controllers": len(SETUPS)})
        try:
            await manager.run(install_signal_handlers=True)
        except LeaseLostError:
            logger.error("leader lease lost; exiting")
            return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``aim-engine`` console script; returns the exit status.

    0 after a clean stop, 1 for a runtime failure, 2 for a usage error (see the module docstring).
    """
    args = build_parser().parse_args(argv)
    _configure_logging(args.log_level)
    try:
        return asyncio.run(run(args))
    except ConfigurationError as exc:
        logger.error("invalid configuration", extra={"error": str(exc)})
        return 2
    except AimEngineError as exc:
        logger.error("manager failed", extra={"error": str(exc), "error_type": type(exc).__name__})
        return 1
    except KeyboardInterrupt:  # Ctrl-C before the manager's signal handlers were installed
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""The ``aim-engine`` command: run the AIM operator's manager.

Flags follow kubebuilder conventions. The manager serves ``/metrics`` and the health probes,
syncs its caches, takes the leader Lease when ``--leader-elect`` is given (Lease
``3be10d2f.eai.amd.com``, as the original operator), and runs every controller registered in
:data:`controllers.registry.SETUPS` with the process's
:class:`~controllers.config.OperatorConfig` (operator namespace: ``POD_NAMESPACE``, else the
service account's namespace, else ``aim-system``; identity: ``POD_NAME``, else the host
name). Losing the Lease exits with status 1 so Kubernetes restarts the pod cleanly; SIGTERM
stops gracefully and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import pathlib
import sys
from collections.abc import Sequence

from aim_engine.client import Client
from aim_engine.leader import LeaderElectionConfig, LeaseLostError
from aim_engine.log import ContextFilter, JsonFormatter
from aim_engine.manager import Manager
from controllers.config import OperatorConfig
from controllers.defaults import Defaults
from controllers.registry import SETUPS

__all__ = ["build_parser", "main"]

LEADER_ELECTION_ID = Defaults.LEADER_ELECTION_ID
SA_NAMESPACE_FILE = pathlib.Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")

logger = logging.getLogger("aim_engine.operator")


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(prog="aim-engine", description=__doc__.splitlines()[0])
    p.add_argument("--kubeconfig", help="kubeconfig path (default: $KUBECONFIG, then in-cluster)")
    p.add_argument("--metrics-bind-address", default=":8080", help='"0" disables /metrics')
    p.add_argument("--health-probe-bind-address", default=":8081", help='"0" disables probes')
    p.add_argument("--leader-elect", action="store_true", help="hold a Lease before reconciling")
    p.add_argument("--leader-election-id", default=LEADER_ELECTION_ID)
    p.add_argument(
        "--leader-election-namespace",
        help="namespace of the Lease (default: the pod's namespace)",
    )
    p.add_argument("--graceful-shutdown-timeout", type=float, default=30.0)
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
    """Entry point of the ``aim-engine`` console script."""
    args = build_parser().parse_args(argv)
    _configure_logging(args.log_level)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())

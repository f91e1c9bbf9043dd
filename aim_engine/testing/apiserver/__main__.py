"""``python -m aim_engine.testing.apiserver``: run the fake API server standalone.

Starts on 127.0.0.1 (``--port 0`` picks a free port), writes a kubeconfig to ``--kubeconfig``,
prints the URL once on stdout (flushed, so a parent process can read it) and serves until SIGINT
or SIGTERM (exit status 0). A port that cannot be bound exits with status 1 and a message on
stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

from aim_engine.testing.apiserver import FakeApiServer

__all__ = ["main"]


async def _serve(host: str, port: int, kubeconfig: str | None, bookmark_interval: float) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = FakeApiServer(bookmark_interval=bookmark_interval)
    try:
        await server.start(host, port)
    except OSError as exc:
        sys.stderr.write(f"cannot listen on {host}:{port}: {exc}\n")
        return 1
    try:
        if kubeconfig:
            server.write_kubeconfig(kubeconfig)
        sys.stdout.write(server.url + "\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await server.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m aim_engine.testing.apiserver",
        description="Run the aim-engine fake Kubernetes API server.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--kubeconfig", help="write a kubeconfig for the server to this path")
    parser.add_argument(
        "--bookmark-interval",
        type=float,
        default=60.0,
        help="seconds between watch bookmarks (default 60)",
    )
    args = parser.parse_args(argv)
    return asyncio.run(_serve(args.host, args.port, args.kubeconfig, args.bookmark_interval))


if __name__ == "__main__":
    sys.exit(main())

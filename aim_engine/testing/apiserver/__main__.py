"""``python -m aim_engine.testing.apiserver``: run the fake API server standalone.

Starts on 127.0.0.1 (``--port 0`` picks a free port), writes a kubeconfig to ``--kubeconfig``,
prints the URL on one line and serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

from aim_engine.testing.apiserver.server import FakeApiServer

__all__ = ["main"]


async def _serve(host: str, port: int, kubeconfig: str | None, bookmark_interval: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with FakeApiServer(bookmark_interval=bookmark_interval) as server:
        if kubeconfig:
            server.write_kubeconfig(kubeconfig)
        sys.stdout.write(server.url + "\n")
        sys.stdout.flush()
        await stop.wait()


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
    asyncio.run(_serve(args.host, args.port, args.kubeconfig, args.bookmark_interval))
    return 0


if __name__ == "__main__":
    sys.exit(main())

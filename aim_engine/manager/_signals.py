"""SIGTERM/SIGINT handling for :meth:`aim_engine.manager.Manager.run`.

The first signal asks for a graceful stop; a second one while stopping asks for an immediate one
(kubelet sends SIGKILL after ``terminationGracePeriodSeconds`` anyway; an operator at a terminal
pressing Ctrl-C twice wants out now). Handlers are installed on the running loop for the duration
of a ``with`` block and removed afterwards; where the loop cannot install them (not the main
thread, Windows), a warning is logged and nothing else happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterator

__all__ = ["SIGNALS", "signal_handlers"]

logger = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def signal_handlers(stop: Callable[[], None], force: Callable[[], None]) -> Iterator[None]:
    """Call ``stop`` on the first SIGTERM/SIGINT and ``force`` on any later one."""
    loop = asyncio.get_running_loop()
    received = 0

    def on_signal(signum: int) -> None:
        nonlocal received
        received += 1
        logger.info("signal received", extra={"signal": signal.Signals(signum).name})
        if received == 1:
            stop()
        else:
            force()

    installed = []
    for sig in SIGNALS:
        try:
            loop.add_signal_handler(sig, on_signal, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            logger.warning("cannot install signal handler", extra={"signal": sig.name})
        else:
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)

"""What a contender process reports to the harness: one line per reconcile, on stdout.

A line is ``R <name> <seq> <monotonic seconds>``; ``S <monotonic>`` marks that the contender
finished importing and starts its informers. Lines are buffered and flushed every few
milliseconds, the same way for every contender, so reporting costs them all the same.
``time.monotonic`` is CLOCK_MONOTONIC, shared by every process on the machine, so the harness
can subtract its own timestamps from the contender's.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time

FLUSH_INTERVAL = 0.002


class Probe:
    """Buffered reporter of reconciles."""

    def __init__(self) -> None:
        self._buf: list[str] = []
        self._task: asyncio.Task[None] | None = None

    def started(self) -> None:
        """Report that the contender is about to start watching.

        Also arms the orphan guard: the harness holds our stdin open, so end-of-file on stdin
        means the harness is gone and this process must exit too.
        """
        threading.Thread(target=_exit_on_stdin_eof, daemon=True).start()
        sys.stdout.write(f"S {time.monotonic():.6f}\n")
        sys.stdout.flush()

    def reconciled(self, name: str, seq: object) -> None:
        """Report one reconcile of object ``name`` seen at ``spec.seq == seq``."""
        self._buf.append(f"R {name} {seq} {time.monotonic():.6f}\n")
        if len(self._buf) >= 1000:
            self.flush()

    def flush(self) -> None:
        """Write out what is buffered."""
        if self._buf:
            sys.stdout.write("".join(self._buf))
            sys.stdout.flush()
            self._buf.clear()

    async def run(self) -> None:
        """Flush periodically until cancelled."""
        try:
            while True:
                await asyncio.sleep(FLUSH_INTERVAL)
                self.flush()
        finally:
            self.flush()


def _exit_on_stdin_eof() -> None:
    sys.stdin.buffer.read()
    os._exit(0)

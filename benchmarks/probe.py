"""What a contender process reports to the harness: one line per reconcile, on stdout.

A line is ``R <name> <seq> <monotonic seconds>``; ``S <monotonic> <rss bytes> <cpu seconds>``
marks that the contender finished importing and starts its informers (with its resident memory,
after a garbage collection and heap trim, and its CPU time so far, read at that moment: the
harness could not read them before the informers start). Lines are buffered and flushed every few
milliseconds, the same way for every contender, so reporting costs them all the same.
``time.monotonic`` is CLOCK_MONOTONIC, shared by every process on the machine, so the harness
can subtract its own timestamps from the contender's.

Memory readings. Before it reads a contender's resident set size, the harness sends SIGUSR1.
Every contender answers the same way (the handler is installed by :meth:`Probe.started`): a full
``gc.collect()``, then glibc's ``malloc_trim(0)``, which hands freed heap pages back to the
kernel, then a ``G <monotonic>`` line. So the RSS the harness reads next holds what the process
keeps, not the freed-but-not-returned buffers of the last list decode. A contender that can
measure its cache directly (aim-engine) registers a reporter, and its answer is preceded by
``M <bytes>``: the bytes its cache holds, measured in process.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

FLUSH_INTERVAL = 0.002


def _malloc_trim() -> Callable[[], None]:
    """glibc's ``malloc_trim(0)``, or a no-op where there is no glibc."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def call() -> None:
        trim(0)

    return call


class Probe:
    """Buffered reporter of reconciles, and the memory-reading handshake."""

    def __init__(self) -> None:
        self._buf: list[str] = []
        self._task: asyncio.Task[None] | None = None
        self._trim = _malloc_trim()
        self._memory_reporter: Callable[[], int] | None = None

    def report_memory_with(self, reporter: Callable[[], int]) -> None:
        """Answer each memory request also with ``M <reporter()>`` (bytes held by the cache)."""
        self._memory_reporter = reporter

    def started(self) -> None:
        """Report that the contender is about to start watching.

        Also arms the orphan guard (the harness holds our stdin open, so end-of-file on stdin
        means the harness is gone and this process must exit too) and installs the SIGUSR1
        handler of the memory handshake. Must be called with the event loop running.
        """
        threading.Thread(target=_exit_on_stdin_eof, daemon=True).start()
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, self.settle_memory)
        gc.collect()
        self._trim()
        rss = _own_rss()
        sys.stdout.write(f"S {time.monotonic():.6f} {rss} {time.process_time():.6f}\n")
        sys.stdout.flush()

    def settle_memory(self) -> None:
        """Collect garbage, return freed heap to the OS, and tell the harness (``G``/``M``)."""
        self.flush()
        gc.collect()
        self._trim()
        if self._memory_reporter is not None:
            sys.stdout.write(f"M {self._memory_reporter()}\n")
        sys.stdout.write(f"G {time.monotonic():.6f}\n")
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


def _own_rss() -> int:
    """This process's resident set size in bytes (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _exit_on_stdin_eof() -> None:
    sys.stdin.buffer.read()
    os._exit(0)

"""Child processes that cannot outlive the test run.

Each binary runs in a session (and so a process group) of its own, with its output in a log file.
Stopping sends SIGTERM to the group, waits a grace period, then SIGKILLs it. On Linux, when
started from the main thread, the child also gets a parent-death signal (SIGKILL), so it dies
even if the Python process is killed without a chance to clean up; ``ControlPlane`` adds an
``atexit`` hook for ordinary exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["ManagedProcess", "log_tail"]

_PR_SET_PDEATHSIG = 1


def log_tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file ("" if unreadable)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` that asks Linux to SIGKILL the child when its parent thread dies.

    The signal fires when the *thread* that forked exits, so it is used only from the main
    thread (a fixture started in a worker thread would otherwise lose its server early).
    """
    if (
        not sys.platform.startswith("linux")
        or threading.current_thread() is not threading.main_thread()
    ):
        return None
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return None
    libc = ctypes.CDLL(libc_name, use_errno=True)

    def set_pdeathsig() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    return set_pdeathsig


class ManagedProcess:
    """One supervised child process (etcd or kube-apiserver)."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path) -> None:
        """Start ``argv`` in a new session with stdout and stderr appended to ``log_path``.

        Args:
            name: short name for messages (``"etcd"``).
            argv: the command line.
            log_path: the log file (created).
        """
        self.name = name
        self.log_path = log_path
        with log_path.open("ab") as log:
            self._proc = subprocess.Popen(  # the child keeps its own copy of the log fd
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_parent_death_signal(),
            )

    @property
    def pid(self) -> int:
        """The process id (also the process group id)."""
        return self._proc.pid

    def is_running(self) -> bool:
        """Whether the process has not exited yet."""
        return self._proc.poll() is None

    def wait_exit(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` seconds for the process to exit; its exit code or ``None``.

        Also the pause between readiness probes: it returns early if the process dies.
        """
        try:
            return self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace: float) -> None:
        """SIGTERM the process group, then SIGKILL it after ``grace`` seconds; reap the child."""
        if self._proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            if self.wait_exit(grace) is None:
                self._signal_group(signal.SIGKILL)
                self._proc.wait()
        # Anything the child left in its group (none of ours fork, but be thorough).
        self._signal_group(signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the process group at once (a crash, no shutdown) and reap the child."""
        self._signal_group(signal.SIGKILL)
        self._proc.wait()

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signum)

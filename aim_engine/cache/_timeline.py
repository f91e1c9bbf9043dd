"""What every informer of one cache learns together: the API server went back in time.

When a reflector finds the server behind the resourceVersion it holds (504 "Too large resource
version"), the server lost its state, and every other informer on the same server holds versions
from the lost history too. Each would find out by itself only if it asks before the new server's
own writes reach its version again; a test cluster restarted over an empty etcd starts a few
hundred versions in, and the controllers' own writes move it on, so an informer that asks late
passes its check and resumes watching in the wrong history. So the reflector that finds out
announces it on the :class:`ServerTimeline` its cache shares, and every reflector that last
listed before the announcement lists again from scratch.
"""

from __future__ import annotations

import asyncio

__all__ = ["ServerTimeline"]


class ServerTimeline:
    """A counter of the server's trips back in time, shared by the reflectors of one cache."""

    def __init__(self) -> None:
        self._epoch = 0
        self._changed: asyncio.Event | None = None

    @property
    def epoch(self) -> int:
        """How many times the server was found to have gone back in time."""
        return self._epoch

    def went_back(self, listed_at: int) -> None:
        """Announce a trip back in time seen by a reflector that last listed at ``listed_at``.

        Several reflectors usually find out about the same trip; only the first announcement
        after their last list counts (a reflector that listed before an earlier announcement is
        relisting because of it already).
        """
        if listed_at != self._epoch:
            return
        self._epoch += 1
        changed, self._changed = self._changed, None
        if changed is not None:
            changed.set()

    async def wait_past(self, epoch: int) -> None:
        """Wait until :attr:`epoch` is greater than ``epoch``."""
        while self._epoch <= epoch:
            if self._changed is None:
                self._changed = asyncio.Event()
            await self._changed.wait()

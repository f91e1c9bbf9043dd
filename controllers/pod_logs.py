"""Where the template controller reads container logs from (temporary until the framework's).

Same shape as the framework's ``PodLogReader`` (being added to :mod:`aim_engine.client`).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["PodLogReader"]


class PodLogReader(Protocol):
    """Something that returns the log of one container of a pod."""

    async def read(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        *,
        tail_lines: int | None = None,
        limit_bytes: int | None = None,
    ) -> str:
        """The container's log (the last ``tail_lines`` lines, at most ``limit_bytes`` bytes)."""
        ...

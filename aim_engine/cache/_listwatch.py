"""What the reflector needs from the API: one paginated LIST and one WATCH, as a tiny Protocol.

:class:`aim_engine.client.Client` satisfies :class:`ListerWatcher` structurally; unit tests pass
a scripted in-memory implementation instead, so the reflector's state machine is tested without
sockets. Watch events are typed structurally too (:class:`WatchEventLike`), so this package does
not depend on the client's concrete event class.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from aim_engine.kinds import ResourceKind
from aim_engine.objects import RawObject

__all__ = ["ListerWatcher", "WatchEventLike"]


class WatchEventLike(Protocol):
    """One watch event: ``ADDED``, ``MODIFIED``, ``DELETED`` or ``BOOKMARK`` and its object."""

    @property
    def type(self) -> str:
        """The event type."""
        ...

    @property
    def object(self) -> RawObject:
        """The object; for ``BOOKMARK`` only ``metadata.resourceVersion`` is meaningful."""
        ...


class ListerWatcher(Protocol):
    """The two API calls a reflector makes.

    ``list`` returns the raw ``List`` object (``items``, ``metadata.resourceVersion``,
    ``metadata.continue``). ``watch`` returns an async iterator that raises
    :class:`~aim_engine.errors.GoneError` for an expired resourceVersion,
    :class:`~aim_engine.errors.TransportError` for a dropped connection, and simply ends when the
    server closes the stream normally.
    """

    async def list(
        self,
        kind: ResourceKind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_token: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
    ) -> RawObject:
        """List one page of objects."""
        ...

    def watch(
        self,
        kind: ResourceKind,
        namespace: str | None = None,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int | None = None,
        allow_bookmarks: bool = True,
    ) -> AsyncIterator[WatchEventLike]:
        """Open a watch (lazily: the request is made on the first ``__anext__``)."""
        ...

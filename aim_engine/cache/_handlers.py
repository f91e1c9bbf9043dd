"""Resource event handlers and their fan-out: each handler gets its own buffer and its own task.

A :class:`ResourceEventHandler` (client-go's name) receives an informer's raw add/update/delete
callbacks. It is not the controller's :class:`aim_engine.controller.EventHandler`, which maps an
event to the requests to reconcile; a controller plugs one into an informer through an
:class:`aim_engine.controller.InformerBinding`, which is a resource event handler.

A shared informer serves many handlers (several controllers watching the same kind). The
informer never calls a handler directly: it appends a notification to that handler's unbounded
buffer and moves on, and a per-handler task drains the buffer. So a slow handler delays only
itself; the reflector and the other handlers keep going (memory grows instead, as in client-go's
``processorListener``). Handlers are synchronous and must be cheap: a controller's handler just
enqueues a key. A handler that raises is logged and keeps receiving events.

The objects a handler receives are decoded copies, shared by all handlers of one event; mutating
them cannot corrupt the cache, but other handlers would see the change, so don't.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aim_engine.clock import Clock, wait_event
from aim_engine.objects import RawObject

__all__ = ["HandlerRegistration", "ResourceEventHandler", "ResourceEventHandlerFuncs"]

logger = logging.getLogger(__name__)

_BATCH = 128  # notifications delivered before yielding to the event loop


class ResourceEventHandler(Protocol):
    """What an informer tells a handler. All three methods are synchronous and must be cheap.

    Arguments are passed positionally, so implementations may name their parameters freely.
    """

    def on_add(self, obj: RawObject, is_initial_list: bool, /) -> None:
        """An object appeared; ``is_initial_list`` for objects of the first list (and replays)."""
        ...

    def on_update(self, old: RawObject, new: RawObject, is_resync: bool, /) -> None:
        """An object changed; on a periodic resync ``old is new`` and ``is_resync`` is true."""
        ...

    def on_delete(self, obj: RawObject, /) -> None:
        """An object is gone (``obj`` is its last known state)."""
        ...


@dataclass(frozen=True, slots=True)
class ResourceEventHandlerFuncs:
    """A :class:`ResourceEventHandler` from optional callables (missing ones ignore the event)."""

    add: Callable[[RawObject, bool], None] | None = None
    update: Callable[[RawObject, RawObject, bool], None] | None = None
    delete: Callable[[RawObject], None] | None = None

    def on_add(self, obj: RawObject, is_initial_list: bool) -> None:
        """Call ``add`` if set."""
        if self.add is not None:
            self.add(obj, is_initial_list)

    def on_update(self, old: RawObject, new: RawObject, is_resync: bool) -> None:
        """Call ``update`` if set."""
        if self.update is not None:
            self.update(old, new, is_resync)

    def on_delete(self, obj: RawObject) -> None:
        """Call ``delete`` if set."""
        if self.delete is not None:
            self.delete(obj)


_ADD, _UPDATE, _DELETE, _SYNCED = range(4)
_Notification = tuple[int, RawObject | None, RawObject | None, bool]


class Listener:
    """One handler's buffer and delivery loop (internal to the informer)."""

    def __init__(self, handler: ResourceEventHandler, kind: str) -> None:
        self.handler = handler
        self.kind = kind
        self.task: asyncio.Task[None] | None = None
        self.synced = asyncio.Event()
        self._buffer: deque[_Notification] = deque()
        self._wakeup = asyncio.Event()

    @property
    def pending(self) -> int:
        """Notifications not yet delivered."""
        return len(self._buffer)

    def add(self, obj: RawObject, is_initial_list: bool) -> None:
        """Queue an ``on_add``."""
        self._push((_ADD, None, obj, is_initial_list))

    def update(self, old: RawObject, new: RawObject, is_resync: bool) -> None:
        """Queue an ``on_update``."""
        self._push((_UPDATE, old, new, is_resync))

    def delete(self, obj: RawObject) -> None:
        """Queue an ``on_delete``."""
        self._push((_DELETE, obj, None, False))

    def mark_synced(self) -> None:
        """Queue the marker after which the handler has seen the whole initial list."""
        self._push((_SYNCED, None, None, False))

    def _push(self, item: _Notification) -> None:
        self._buffer.append(item)
        self._wakeup.set()

    async def run(self) -> None:
        """Deliver notifications in order until cancelled."""
        buffer = self._buffer
        while True:
            while not buffer:
                self._wakeup.clear()
                await self._wakeup.wait()
            for _ in range(min(_BATCH, len(buffer))):
                self._deliver(buffer.popleft())
            await asyncio.sleep(0)

    def _deliver(self, item: _Notification) -> None:
        op, old, new, flag = item
        try:
            if op == _ADD and new is not None:
                self.handler.on_add(new, flag)
            elif op == _UPDATE and old is not None and new is not None:
                self.handler.on_update(old, new, flag)
            elif op == _DELETE and old is not None:
                self.handler.on_delete(old)
            elif op == _SYNCED:
                self.synced.set()
        except Exception:
            logger.exception(
                "event handler failed",
                extra={"kind": self.kind, "handler": type(self.handler).__name__},
            )


class HandlerRegistration:
    """Returned by :meth:`Informer.add_handler`: the handler's sync state, and its removal."""

    def __init__(self, listener: Listener, clock: Clock, remove: Callable[[], None]) -> None:
        self._listener = listener
        self._clock = clock
        self._remove = remove

    @property
    def handler(self) -> ResourceEventHandler:
        """The registered handler."""
        return self._listener.handler

    @property
    def has_synced(self) -> bool:
        """Whether the handler has been given every object of the initial list (or replay)."""
        return self._listener.synced.is_set()

    @property
    def pending(self) -> int:
        """Notifications buffered for this handler and not yet delivered."""
        return self._listener.pending

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        """Wait (on the clock) until :attr:`has_synced`; ``False`` on timeout."""
        return await wait_event(self._clock, self._listener.synced, timeout)

    def remove(self) -> None:
        """Stop delivering to this handler (undelivered notifications are dropped)."""
        self._remove()

"""One watch request as an async iterator of decoded events.

A watch is a long GET whose body is a stream of JSON lines, one ``{"type", "object"}`` event per
line. :class:`WatchStream` opens the request on the first ``__anext__`` and then yields
:class:`WatchEvent` values (``ADDED``, ``MODIFIED``, ``DELETED`` and ``BOOKMARK``). It does *not*
reconnect: reconnecting, relisting and backoff belong to the informer, which knows what it has
seen. What ends a stream:

* the server closing it normally (``timeoutSeconds`` elapsed): iteration stops;
* an in-stream ``ERROR`` event: the typed :class:`~aim_engine.errors.ApiError` is raised; a too
  old ``resourceVersion`` (HTTP 200 then ``ERROR`` with code 410) raises
  :class:`~aim_engine.errors.GoneError`;
* a dropped connection, a truncated line or a read timeout:
  :class:`~aim_engine.errors.TransportError`.

Closing the iterator early (``aclose()``, ``async with``, or just dropping it after ``break``)
closes the HTTP response at once instead of leaving a socket open until the server's timeout.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, cast

import aiohttp

from aim_engine.client._json import loads
from aim_engine.client._rest import TRANSPORT_ERRORS
from aim_engine.errors import ApiError, TransportError, api_error_from_status
from aim_engine.objects import RawObject

__all__ = ["WatchEvent", "WatchStream", "decode_watch_line"]

EventType = Literal["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]
_EVENT_TYPES = frozenset({"ADDED", "MODIFIED", "DELETED", "BOOKMARK"})


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One decoded watch event.

    Attributes:
        type: ``ADDED``, ``MODIFIED``, ``DELETED`` or ``BOOKMARK``.
        object: the object (for ``BOOKMARK`` only ``kind``, ``apiVersion`` and
            ``metadata.resourceVersion`` are meaningful).
    """

    type: EventType
    object: RawObject


def decode_watch_line(line: bytes) -> WatchEvent | None:
    """Decode one line of a watch body.

    Returns:
        The event, or ``None`` for a blank line (keep-alive).

    Raises:
        ApiError: the line is an ``ERROR`` event (its ``Status`` decides the subclass; HTTP 500
            when it carries no code).
        TransportError: the line is not a well-formed event (a truncated stream).
    """
    line = line.strip()
    if not line:
        return None
    try:
        raw = loads(line)
    except ValueError as exc:
        raise TransportError(f"undecodable watch event: {line[:200]!r}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("object"), dict):
        raise TransportError(f"malformed watch event: {line[:200]!r}")
    kind = raw.get("type")
    obj = cast(RawObject, raw["object"])
    if kind == "ERROR":
        raise api_error_from_status(500, obj)
    if kind not in _EVENT_TYPES:
        raise TransportError(f"unknown watch event type {kind!r}")
    return WatchEvent(cast(EventType, kind), obj)


class WatchStream(AsyncIterator[WatchEvent]):
    """The events of one watch request; see the module docstring for how it ends."""

    def __init__(self, opener: Callable[[], Awaitable[aiohttp.ClientResponse]]) -> None:
        self._opener = opener
        self._resp: aiohttp.ClientResponse | None = None
        self._done = False

    def __aiter__(self) -> WatchStream:
        return self

    async def __anext__(self) -> WatchEvent:
        if self._done:
            raise StopAsyncIteration
        try:
            if self._resp is None:
                self._resp = await self._opener()
            while True:
                line = await self._resp.content.readline()
                if not line:  # the server ended the response
                    self._finish(clean=True)
                    raise StopAsyncIteration
                event = decode_watch_line(line)
                if event is not None:
                    return event
        except (StopAsyncIteration, ApiError, TransportError):
            self._finish(clean=False)
            raise
        except TRANSPORT_ERRORS as exc:
            self._finish(clean=False)
            raise TransportError(f"watch stream failed: {exc!r}") from exc
        except ValueError as exc:  # aiohttp: a line longer than its read buffer
            self._finish(clean=False)
            raise TransportError(f"watch stream failed: {exc}") from exc
        except BaseException:
            self._finish(clean=False)
            raise

    def _finish(self, *, clean: bool) -> None:
        self._done = True
        resp, self._resp = self._resp, None
        if resp is not None:
            if clean:
                resp.release()
            else:
                resp.close()

    async def aclose(self) -> None:
        """Stop watching and close the HTTP response."""
        self._finish(clean=False)

    async def __aenter__(self) -> WatchStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # Dropped after a `break` without aclose(): close the socket now, not at server timeout.
        resp = self._resp
        if resp is not None:
            self._resp = None
            with contextlib.suppress(RuntimeError, OSError):  # the loop may be gone already
                resp.close()

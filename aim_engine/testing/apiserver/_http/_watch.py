"""Watch streams: chunked JSON lines of ADDED/MODIFIED/DELETED/BOOKMARK/ERROR events.

A watch starts from a resourceVersion: ``""``/``"0"``/absent (or ``sendInitialEvents=true``) first
sends a synthetic ADDED for every current object; ``N`` replays the history after ``N``; a version
older than the history gets HTTP 200 and one in-stream ERROR event with a 410 Expired ``Status``,
exactly what the watch cache of kube-apiserver does; a version newer than the server's gets nothing
at all (no events, no bookmarks) until the server catches up, as there. Label and field selectors
are evaluated against the old and the new object, so an object that stops matching is reported as
DELETED (carrying its previous, last matching state under the new resourceVersion) and one that
starts matching as ADDED (carrying the new state). Bookmarks, ``timeoutSeconds`` and the server-side
maximum run on the event loop's clock. :class:`WatchHub` lets tests cut every open stream.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from aim_engine.testing.apiserver._http._tables import table_for
from aim_engine.testing.apiserver._status import expired
from aim_engine.testing.apiserver._storage._resource_table import ServedResource
from aim_engine.testing.apiserver._storage._selectors import Selector
from aim_engine.testing.apiserver._storage._state import ClusterState
from aim_engine.testing.apiserver._storage._store import WatchEvent
from aim_engine.testing.apiserver._verbs._writes import served_copy

__all__ = ["WatchHub", "WatchParams", "serve_watch"]

_log = logging.getLogger(__name__)
_INITIAL_EVENTS_END = "k8s.io/initial-events-end"


@dataclass(eq=False, slots=True)
class _Stream:
    cut: bool = False
    abort: bool = False


@dataclass(slots=True)
class WatchHub:
    """The open watch streams of one server, and the pending forced expiries."""

    streams: set[_Stream] = field(default_factory=set)
    expire_next: int = 0
    _changed: asyncio.Event | None = None

    def add(self, stream: _Stream) -> None:
        """Register an open stream and wake :meth:`wait_open` callers."""
        self.streams.add(stream)
        self._wake()

    def discard(self, stream: _Stream) -> None:
        """Forget a stream that ended and wake :meth:`wait_closed` callers."""
        self.streams.discard(stream)
        self._wake()

    def _wake(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def _wait_until(self, done: Callable[[], bool]) -> None:
        while not done():
            if self._changed is None:
                self._changed = asyncio.Event()
            await self._changed.wait()

    async def wait_open(self, count: int) -> None:
        """Wait until at least ``count`` streams are open."""
        await self._wait_until(lambda: len(self.streams) >= count)

    async def wait_closed(self) -> None:
        """Wait until no stream is open (every handler has returned)."""
        await self._wait_until(lambda: not self.streams)

    def cut_all(self, state: ClusterState, *, abort: bool = False) -> int:
        """End every open watch (cleanly, or by dropping the connection); returns how many."""
        for s in self.streams:
            s.cut, s.abort = True, abort
        state.store.notify()
        return len(self.streams)


@dataclass(frozen=True, slots=True)
class WatchParams:
    """The query parameters of a watch request."""

    resource_version: str = ""
    timeout_seconds: float | None = None
    bookmarks: bool = False
    send_initial_events: bool = False
    table: bool = False
    include_object: str = "Metadata"


def _line(event_type: str, obj: Mapping[str, Any]) -> bytes:
    return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"


def _classify(event: WatchEvent, selector: Selector) -> str | None:
    new_match = selector.matches(event.obj)
    old_match = event.old is not None and selector.matches(event.old)
    if event.type == "DELETED":
        return "DELETED" if (new_match or old_match) else None
    if event.type == "ADDED":
        return "ADDED" if new_match else None
    if new_match and old_match:
        return "MODIFIED"
    if new_match:
        return "ADDED"
    return "DELETED" if old_match else None


def _event_object(sent_type: str, event: WatchEvent) -> Mapping[str, Any]:
    """The object a watcher receives for ``event`` sent as ``sent_type``.

    Like kube-apiserver's watch cache, a DELETED event (a real deletion, or an object leaving the
    selector) carries the previous state of the object, the last one the watcher could have
    seen, under the event's resourceVersion. ADDED and MODIFIED carry the new state.
    """
    if sent_type != "DELETED" or event.old is None:
        return event.obj
    previous = copy.deepcopy(event.old)
    previous["metadata"]["resourceVersion"] = str(event.rv)
    return previous


class _Sender:
    def __init__(
        self,
        resp: web.StreamResponse,
        state: ClusterState,
        res: ServedResource,
        version: str,
        params: WatchParams,
    ) -> None:
        self.resp, self.state, self.res, self.version, self.params = (
            resp,
            state,
            res,
            version,
            params,
        )

    async def event(self, event_type: str, stored: Mapping[str, Any]) -> None:
        obj: Mapping[str, Any] = served_copy(self.res, stored, self.version)
        if self.params.table:
            obj = table_for(
                self.res,
                self.version,
                [obj],
                self.state.clock.now(),
                include_object=self.params.include_object,
            )
        await self.resp.write(_line(event_type, obj))

    async def bookmark(self, rv: int, *, initial_end: bool = False) -> None:
        md: dict[str, Any] = {"resourceVersion": str(rv)}
        if initial_end:
            md["annotations"] = {_INITIAL_EVENTS_END: "true"}
        obj = {
            "kind": self.res.kind,
            "apiVersion": self.res.api_version(self.version),
            "metadata": md,
        }
        await self.resp.write(_line("BOOKMARK", obj))

    async def error(self, status: Mapping[str, Any]) -> None:
        await self.resp.write(_line("ERROR", status))


async def serve_watch(
    request: web.Request,
    state: ClusterState,
    hub: WatchHub,
    res: ServedResource,
    version: str,
    namespace: str | None,
    selector: Selector,
    params: WatchParams,
) -> web.StreamResponse:
    """Stream events of one resource (one namespace or all) until timeout, cut or disconnect."""
    resp = web.StreamResponse(
        status=200,
        headers={"Content-Type": "application/json", "Cache-Control": "no-cache, private"},
    )
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    stream = _Stream()
    hub.add(stream)
    send = _Sender(resp, state, res, version, params)
    try:
        await _run(state, hub, stream, send, res, namespace, selector, params)
        if stream.abort:
            if request.transport is not None:
                request.transport.abort()
            return resp
        await resp.write_eof()
    except (ConnectionError, asyncio.CancelledError) as exc:
        # The client went away (it closed the watch, or the server dropped it): a normal end.
        # aiohttp cancels the handler when it notices; a write to the closed socket may come first.
        _log.debug("watch stream closed by client", extra={"path": request.path})
        if isinstance(exc, asyncio.CancelledError):
            raise
    finally:
        hub.discard(stream)
    return resp


async def _run(
    state: ClusterState,
    hub: WatchHub,
    stream: _Stream,
    send: _Sender,
    res: ServedResource,
    namespace: str | None,
    selector: Selector,
    params: WatchParams,
) -> None:
    loop = asyncio.get_running_loop()
    store = state.store
    rv_text = params.resource_version
    if hub.expire_next > 0:
        hub.expire_next -= 1
        await send.error(expired(int(rv_text) if rv_text.isdigit() else 0, store.rv + 1))
        return
    initial = rv_text in ("", "0") or params.send_initial_events
    if initial:
        last = store.rv
        for obj in store.items(res.group, res.plural, namespace):
            if selector.matches(obj):
                await send.event("ADDED", obj)
        if params.send_initial_events:
            await send.bookmark(last, initial_end=True)
    else:
        try:
            last = int(rv_text)
        except ValueError:
            await send.error(
                expired(0, store.compacted_rv + 1)
                | {
                    "code": 400,
                    "reason": "BadRequest",
                    "message": f'resourceVersion: Invalid value: "{rv_text}": must be a number',
                }
            )
            return
    timeout = (
        params.timeout_seconds
        if params.timeout_seconds is not None
        else state.options.max_watch_seconds
    )
    deadline = loop.time() + timeout
    interval = state.options.bookmark_interval
    next_bookmark = loop.time() + interval
    while not stream.cut:
        changed = store.changed()
        events = store.events_after(last)
        if events is None:
            await send.error(expired(last, store.compacted_rv + 1))
            return
        for ev in events:
            if (
                ev.group == res.group
                and ev.plural == res.plural
                and (namespace is None or ev.namespace == namespace)
            ):
                kind = _classify(ev, selector)
                if kind is not None:
                    await send.event(kind, _event_object(kind, ev))
            last = ev.rv
        now = loop.time()
        if params.bookmarks and now >= next_bookmark:
            # Like kube-apiserver, never a bookmark below the version the watch started from:
            # a watch from a version in the server's future (it lost its state) stays silent.
            if last <= store.rv:
                await send.bookmark(last)
            next_bookmark = now + interval
        if now >= deadline:
            return
        wake_at = min(deadline, next_bookmark) if params.bookmarks else deadline
        try:
            async with asyncio.timeout_at(wake_at):
                await changed.wait()
        except TimeoutError:
            pass

"""The reflector: keep a sink in step with the API server by LIST then WATCH, forever.

This is client-go's ``ListAndWatch`` state machine, on an injected :class:`~aim_engine.clock.Clock`:

1. **List**, paginated (500 per page), and hand the whole result to the sink at once
   (:meth:`ReflectorSink.replace`), so the sink can compute adds, updates and deletions against
   what it held. The first list is a consistent read (no resourceVersion). A relist first asks for
   data at least as new as the last resourceVersion seen (``resourceVersionMatch=NotOlderThan``);
   if the server answers 410 Gone, it lists again unconditionally at once.
2. **Watch** from the list's resourceVersion with bookmarks and a random 5 to 10 minute server
   timeout (which spreads reconnects). Every event and bookmark advances the resourceVersion.
3. When the server **closes** the watch normally, watch again from the last resourceVersion: no
   relist. A watch that ends in under a second without a single event counts as a failure.
4. **410 Gone** (the resourceVersion is too old): relist, as in 1.
5. A **dropped connection**, a 5xx or a 429: back off, then watch again from the last
   resourceVersion (if that has expired meanwhile, the server says 410 and step 4 follows).
   Any other API error (403, 404 for a CRD that is not installed yet), or any unexpected
   exception: back off, then relist. The reflector never dies of an error; only cancellation
   stops it.
6. A **silent stream** (neither event nor bookmark for ``inactivity_timeout``; the API server
   sends a bookmark about every minute) is cancelled and opened again: a half-open TCP connection
   would otherwise hang until the watch timeout, which the client never sees.

Backoff is :class:`~aim_engine.cache._backoff.Backoff`: 0.8 s doubling to 30 s with jitter, reset
after 2 minutes without trouble.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from aim_engine.cache._backoff import Backoff
from aim_engine.cache._listwatch import ListerWatcher, WatchEventLike
from aim_engine.cache._metrics import KindMetrics
from aim_engine.clock import Clock
from aim_engine.errors import (
    ApiError,
    GoneError,
    ServerError,
    TooManyRequestsError,
    TransportError,
)
from aim_engine.kinds import ResourceKind
from aim_engine.objects import RawObject, meta, resource_version_of

__all__ = ["Reflector", "ReflectorOptions", "ReflectorSink"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReflectorOptions:
    """Tuning of a reflector. The defaults are client-go's.

    Attributes:
        page_size: items per LIST page (500).
        min_watch_timeout: lower bound of the random server-side watch timeout, seconds (300).
        max_watch_timeout: upper bound of that timeout, seconds (600).
        backoff_initial: first error backoff, seconds (0.8).
        backoff_max: cap of the backoff base, seconds (30).
        backoff_jitter: random stretch of each delay, ``base * (1 + jitter * U[0, 1))`` (1.0).
        backoff_reset_after: healthy seconds after which backoff starts over (120).
        inactivity_timeout: seconds without any event or bookmark before the watch is
            considered dead (120: twice the API server's bookmark interval).
        short_watch: a watch that closes normally within this many seconds having delivered
            nothing counts as a failure and is retried with backoff (1).
    """

    page_size: int = 500
    min_watch_timeout: float = 300.0
    max_watch_timeout: float = 600.0
    backoff_initial: float = 0.8
    backoff_max: float = 30.0
    backoff_jitter: float = 1.0
    backoff_reset_after: float = 120.0
    inactivity_timeout: float = 120.0
    short_watch: float = 1.0


class ReflectorSink(Protocol):
    """Where a reflector delivers what it learns (the informer)."""

    def replace(self, objects: list[RawObject], resource_version: str) -> None:
        """The complete current set of objects, from a (re)list."""
        ...

    def apply(self, event_type: str, obj: RawObject) -> None:
        """One ``ADDED``, ``MODIFIED`` or ``DELETED`` watch event."""
        ...


class _End(Enum):
    CLOSED = "closed"
    SHORT = "short"
    GONE = "gone"
    STALLED = "inactivity"
    RETRY = "retry"  # transport, 5xx, 429: watch again after backoff
    RELIST = "relist"  # other API errors: relist after backoff


class Reflector:
    """Lists and watches one kind (in one namespace, with optional selectors) into a sink.

    Args:
        lister_watcher: the API (usually :class:`aim_engine.client.Client`).
        kind: the kind to watch.
        sink: receives the list results and watch events.
        clock: drives backoff, watch timeouts and the inactivity watchdog.
        namespace: one namespace, or ``None`` for all.
        label_selector: server-side label selector.
        field_selector: server-side field selector.
        options: tuning; client-go's defaults when omitted.
        metrics: relist and watch-restart counters of this kind.
        rng: random source for jitter and watch timeouts (seed it in tests).
    """

    def __init__(
        self,
        lister_watcher: ListerWatcher,
        kind: ResourceKind,
        sink: ReflectorSink,
        *,
        clock: Clock,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        options: ReflectorOptions | None = None,
        metrics: KindMetrics | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._lw = lister_watcher
        self._kind = kind
        self._sink = sink
        self._clock = clock
        self._namespace = namespace
        self._label_selector = label_selector
        self._field_selector = field_selector
        self._opts = options or ReflectorOptions()
        self._metrics = metrics
        self._rng = rng or random.Random()
        self._backoff = Backoff(
            clock,
            initial=self._opts.backoff_initial,
            maximum=self._opts.backoff_max,
            jitter=self._opts.backoff_jitter,
            reset_after=self._opts.backoff_reset_after,
            rng=self._rng,
        )
        self._rv = ""
        self._rv_unusable = False
        self._last_activity = 0.0

    @property
    def last_sync_resource_version(self) -> str:
        """The newest resourceVersion seen (list, event or bookmark); ``""`` before the first."""
        return self._rv

    def _log_extra(self, **more: object) -> dict[str, object]:
        return {"kind": self._kind.kind, "namespace": self._namespace or "", **more}

    async def run(self) -> None:
        """List and watch until cancelled."""
        need_list = True
        relist_reason = ""
        while True:
            if need_list:
                if relist_reason and self._metrics is not None:
                    self._metrics.relist(relist_reason)
                if not await self._list():
                    relist_reason = "gone" if self._rv_unusable else "error"
                    continue
                need_list = False
            end = await self._watch_once()
            if self._metrics is not None:
                restart_reason = {_End.GONE: "gone", _End.STALLED: "inactivity"}.get(end)
                if restart_reason is None:
                    restart_reason = "closed" if end is _End.CLOSED else "error"
                self._metrics.watch_restart(restart_reason)
            if end is _End.GONE:
                # Relist at once, first at the last resourceVersion (see _list).
                need_list, relist_reason = True, "gone"
            elif end is _End.RELIST:
                need_list, relist_reason = True, "error"
                await self._backoff.wait()
            elif end in (_End.RETRY, _End.SHORT):
                await self._backoff.wait()

    # -- list --------------------------------------------------------------------------------

    async def _list(self) -> bool:
        """List everything into the sink; ``False`` when it failed (after backing off if due)."""
        at_last_rv = bool(self._rv) and not self._rv_unusable
        try:
            objects, rv = await self._list_pages(self._rv if at_last_rv else None)
        except GoneError:
            logger.info(
                "list resourceVersion expired; listing again",
                extra=self._log_extra(resource_version=self._rv),
            )
            if at_last_rv:
                # The last resourceVersion is too old to list at: list the latest data now.
                self._rv_unusable = True
                return False
            await self._backoff.wait()
            return False
        except (ApiError, TransportError) as exc:
            logger.warning(
                "list failed; backing off",
                extra=self._log_extra(error=type(exc).__name__, detail=str(exc)),
            )
            await self._backoff.wait()
            return False
        except Exception:
            logger.exception("list failed unexpectedly; backing off", extra=self._log_extra())
            await self._backoff.wait()
            return False
        self._rv = rv
        self._rv_unusable = False
        self._sink.replace(objects, rv)
        return True

    async def _list_pages(self, resource_version: str | None) -> tuple[list[RawObject], str]:
        objects: list[RawObject] = []
        token: str | None = None
        rv = ""
        while True:
            if token is None:
                page = await self._lw.list(
                    self._kind,
                    self._namespace,
                    label_selector=self._label_selector,
                    field_selector=self._field_selector,
                    limit=self._opts.page_size,
                    resource_version=resource_version,
                    resource_version_match="NotOlderThan" if resource_version else None,
                )
            else:
                page = await self._lw.list(
                    self._kind,
                    self._namespace,
                    label_selector=self._label_selector,
                    field_selector=self._field_selector,
                    limit=self._opts.page_size,
                    continue_token=token,
                )
            items = page.get("items") or []
            objects.extend(items)
            rv = resource_version_of(page) or rv
            token = meta(page).get("continue") or None
            if token is None:
                return objects, rv

    # -- watch -------------------------------------------------------------------------------

    async def _watch_once(self) -> _End:
        """Run one watch to its end and say how it ended."""
        timeout = self._rng.uniform(self._opts.min_watch_timeout, self._opts.max_watch_timeout)
        stream = self._lw.watch(
            self._kind,
            self._namespace,
            resource_version=self._rv or None,
            label_selector=self._label_selector,
            field_selector=self._field_selector,
            timeout_seconds=int(timeout),
            allow_bookmarks=True,
        )
        started = self._clock.monotonic()
        self._last_activity = started
        result: list[_End] = []
        seen = [0]
        async with asyncio.TaskGroup() as tg:
            consumer = tg.create_task(self._consume(stream, result, seen))
            watchdog = tg.create_task(self._watchdog(consumer))
            consumer.add_done_callback(lambda _: watchdog.cancel())
        if not result:
            return _End.STALLED
        end = result[0]
        short = self._clock.monotonic() - started < self._opts.short_watch
        if end is _End.CLOSED and not seen[0] and short:
            return _End.SHORT
        return end

    async def _consume(
        self, stream: AsyncIterator[WatchEventLike], result: list[_End], seen: list[int]
    ) -> None:
        try:
            async for event in stream:
                self._last_activity = self._clock.monotonic()
                seen[0] += 1
                self._handle(event)
            result.append(_End.CLOSED)
        except GoneError:
            logger.info("watch resourceVersion expired", extra=self._log_extra(rv=self._rv))
            result.append(_End.GONE)
        except (TransportError, ServerError, TooManyRequestsError) as exc:
            logger.info(
                "watch interrupted",
                extra=self._log_extra(error=type(exc).__name__, detail=str(exc)),
            )
            result.append(_End.RETRY)
        except ApiError as exc:
            logger.warning(
                "watch failed",
                extra=self._log_extra(error=type(exc).__name__, detail=str(exc)),
            )
            result.append(_End.RELIST)
        except Exception:
            # Never let a surprise kill the informer: start over from a list, after backoff.
            logger.exception("watch failed unexpectedly", extra=self._log_extra())
            result.append(_End.RELIST)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()

    async def _watchdog(self, consumer: asyncio.Task[None]) -> None:
        limit = self._opts.inactivity_timeout
        while True:
            remaining = self._last_activity + limit - self._clock.monotonic()
            if remaining <= 0:
                logger.warning(
                    "watch silent for too long; restarting it",
                    extra=self._log_extra(inactivity_timeout=limit),
                )
                consumer.cancel()
                return
            await self._clock.sleep(remaining)

    def _handle(self, event: WatchEventLike) -> None:
        obj = event.object
        rv = resource_version_of(obj)
        if event.type in ("ADDED", "MODIFIED", "DELETED"):
            self._sink.apply(event.type, obj)
        elif event.type != "BOOKMARK":
            logger.warning("unknown watch event type", extra=self._log_extra(type=event.type))
            return
        if rv:
            self._rv = rv

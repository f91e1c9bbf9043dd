"""The reflector: keep a sink in step with the API server by LIST then WATCH, forever.

This is client-go's ``ListAndWatch`` state machine, on an injected :class:`~aim_engine.clock.Clock`:

1. **List**, paginated (500 per page), and hand the whole result to the sink at once
   (:meth:`ReflectorSink.replace`), so the sink can compute adds, updates and deletions against
   what it held. The first list is a consistent read (no resourceVersion). A relist first asks for
   data at least as new as the last resourceVersion seen (``resourceVersionMatch=NotOlderThan``);
   if the server says that version is unusable (410 expired, or 504 "too large resource version"
   after the server went back in time: see :mod:`aim_engine.cache._version_errors`), it lists
   again at once from scratch.
2. **Watch** from the list's resourceVersion with bookmarks and a random 5 to 10 minute server
   timeout (which spreads reconnects). Every event and bookmark advances the resourceVersion.
3. When the server **closes** the watch normally, watch again from the last resourceVersion: no
   relist. A watch that ends in under a second without a single event counts as a failure.
4. **410 Gone** (the resourceVersion is too old): relist, as in 1. An in-stream "too large
   resource version" error: relist from scratch. Whenever a reflector finds the server went back
   in time, it tells the other reflectors of its cache through the shared
   :class:`~aim_engine.cache._timeline.ServerTimeline`, and they relist from scratch too.
5. A **dropped connection**, a 5xx or a 429: back off, then check that the server still has data
   at the last resourceVersion (a one-item LIST at it, ``NotOlderThan``) before watching from it
   again. A server that lost its state (restarted over an empty or restored etcd) keeps a watch
   from a version in its future open and silent, without bookmarks, until it catches up; the check
   gets "too large" instead, and the reflector relists from scratch, so objects that no longer
   exist are deleted from the sink. Any other API error (403, 404 for a CRD that is not installed
   yet), or any unexpected exception: back off, then relist. The reflector never dies of an
   error; only cancellation stops it.
6. A **silent stream** (neither event nor bookmark for ``inactivity_timeout``; the API server
   sends a bookmark about every minute) is cancelled, the last resourceVersion is checked as in 5,
   and the watch is opened again: a half-open TCP connection would otherwise hang until the watch
   timeout, which the client never sees.

The reflector also records when it last heard from the server successfully (a list, the check,
a watch event or a bookmark): :attr:`Reflector.healthy_at`, which the informer's staleness (and
the manager's ``/readyz``) is based on.

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
from aim_engine.cache._timeline import ServerTimeline
from aim_engine.cache._version_errors import VersionProblem, version_problem
from aim_engine.clock import Clock
from aim_engine.errors import ApiError, ServerError, TooManyRequestsError, TransportError
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

    def replace(
        self, objects: list[RawObject], resource_version: str, *, trust_versions: bool = True
    ) -> None:
        """The complete current set of objects, from a (re)list.

        ``trust_versions`` is false after the server went back in time: its resourceVersions
        may repeat ones seen before for different contents, so an object whose resourceVersion
        is unchanged must still be compared.
        """
        ...

    def apply(self, event_type: str, obj: RawObject) -> None:
        """One ``ADDED``, ``MODIFIED`` or ``DELETED`` watch event."""
        ...


class _End(Enum):
    CLOSED = "closed"
    SHORT = "short"
    GONE = "gone"
    TOO_LARGE = "too_large"
    STALLED = "inactivity"
    RETRY = "retry"  # transport, 5xx, 429: watch again after backoff
    RELIST = "relist"  # other API errors: relist after backoff


_RESTART_REASONS = {
    _End.CLOSED: "closed",
    _End.GONE: "gone",
    _End.TOO_LARGE: "too_large",
    _End.STALLED: "inactivity",
}


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
        timeline: shared with the other reflectors of the cache, so that when one finds the
            server went back in time, all of them list again (a private one by default).
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
        timeline: ServerTimeline | None = None,
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
        self._unusable: VersionProblem | None = None
        self._timeline = timeline or ServerTimeline()
        self._listed_epoch = 0
        self._last_activity = 0.0
        self._healthy_at = clock.monotonic()
        self._healthy_signal: asyncio.Event | None = None

    @property
    def last_sync_resource_version(self) -> str:
        """The newest resourceVersion seen (list, event or bookmark); ``""`` before the first."""
        return self._rv

    @property
    def healthy_at(self) -> float:
        """Clock time of the last successful list, version check, watch event or bookmark.

        Before the first success it is the time the reflector was created or started.
        """
        return self._healthy_at

    async def wait_healthy(self) -> None:
        """Wait until the next success (see :attr:`healthy_at`)."""
        if self._healthy_signal is None:
            self._healthy_signal = asyncio.Event()
        await self._healthy_signal.wait()

    def _mark_healthy(self) -> None:
        self._healthy_at = self._clock.monotonic()
        signal, self._healthy_signal = self._healthy_signal, None
        if signal is not None:
            signal.set()

    def _log_extra(self, **more: object) -> dict[str, object]:
        return {"kind": self._kind.kind, "namespace": self._namespace or "", **more}

    async def run(self) -> None:
        """List and watch until cancelled."""
        self._mark_healthy()  # staleness counts from the start
        need_list = True
        check_version = False
        relist_reason = ""
        while True:
            if need_list:
                if relist_reason and self._metrics is not None:
                    self._metrics.relist(relist_reason)
                failed = await self._list()
                if failed is not None:
                    relist_reason = failed
                    continue
                need_list = check_version = False
            elif self._timeline.epoch != self._listed_epoch:
                # Another informer of this cache found the server went back in time.
                need_list, relist_reason = True, self._mark_unusable(VersionProblem.TOO_LARGE)
                continue
            elif check_version:
                usable = await self._check_version()
                if usable is None:
                    continue  # no answer (backed off already): ask again
                if not usable:
                    need_list = True
                    relist_reason = self._unusable.value if self._unusable else "error"
                    continue
                check_version = False
            end = await self._watch_once()
            if self._metrics is not None:
                self._metrics.watch_restart(_RESTART_REASONS.get(end, "error"))
            if end is _End.GONE:
                # Relist at once, first at the last resourceVersion (see _list).
                need_list, relist_reason = True, VersionProblem.EXPIRED.value
            elif end is _End.TOO_LARGE:
                need_list, relist_reason = True, self._mark_unusable(VersionProblem.TOO_LARGE)
            elif end is _End.RELIST:
                need_list, relist_reason = True, "error"
                await self._backoff.wait()
            elif end in (_End.RETRY, _End.SHORT):
                await self._backoff.wait()
                check_version = True
            elif end is _End.STALLED:
                check_version = True

    # -- list --------------------------------------------------------------------------------

    async def _list(self) -> str | None:
        """List everything into the sink.

        Returns:
            ``None`` on success, else the reason to count for the next attempt (after backing
            off if due): the :class:`VersionProblem` value, or ``"error"``.
        """
        at_last_rv = bool(self._rv) and self._unusable is None
        epoch = self._timeline.epoch
        try:
            objects, rv = await self._list_pages(self._rv if at_last_rv else None)
        except (ApiError, TransportError) as exc:
            problem = version_problem(exc)
            if problem is not None and at_last_rv:
                # The last resourceVersion cannot be listed at: list the latest data now.
                logger.info(
                    "list resourceVersion unusable; listing from scratch",
                    extra=self._log_extra(resource_version=self._rv, problem=problem.value),
                )
                return self._mark_unusable(problem)
            self._log_failure("list failed; backing off", exc)
            await self._backoff.wait()
            return "error"
        except Exception:
            logger.exception("list failed unexpectedly; backing off", extra=self._log_extra())
            await self._backoff.wait()
            return "error"
        trust = self._unusable is not VersionProblem.TOO_LARGE
        self._rv = rv
        self._unusable = None
        self._listed_epoch = epoch
        self._mark_healthy()
        self._sink.replace(objects, rv, trust_versions=trust)
        return None

    async def _check_version(self) -> bool | None:
        """Whether the server still has data at the last resourceVersion.

        A one-item LIST at it (``NotOlderThan``). ``True``: watch from it again. ``False``: it
        is unusable (``self._unusable`` says why): relist. ``None``: no answer; backed off.
        """
        try:
            await self._lw.list(
                self._kind,
                self._namespace,
                label_selector=self._label_selector,
                field_selector=self._field_selector,
                limit=1,
                resource_version=self._rv,
                resource_version_match="NotOlderThan",
            )
        except (ApiError, TransportError) as exc:
            problem = version_problem(exc)
            if problem is not None:
                logger.warning(
                    "resourceVersion unusable after reconnecting; listing from scratch",
                    extra=self._log_extra(resource_version=self._rv, problem=problem.value),
                )
                self._mark_unusable(problem)
                return False
            self._log_failure("resourceVersion check failed; backing off", exc)
            await self._backoff.wait()
            return None
        except Exception:
            logger.exception("resourceVersion check failed unexpectedly", extra=self._log_extra())
            await self._backoff.wait()
            return None
        self._mark_healthy()
        return True

    def _mark_unusable(self, problem: VersionProblem) -> str:
        """Remember why the last resourceVersion is unusable; returns the relist reason.

        A server behind it went back in time: the cache's other informers are told too.
        """
        self._unusable = problem
        if problem is VersionProblem.TOO_LARGE:
            self._timeline.went_back(self._listed_epoch)
        return problem.value

    def _log_failure(self, message: str, exc: ApiError | TransportError) -> None:
        logger.warning(message, extra=self._log_extra(error=type(exc).__name__, detail=str(exc)))

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
            timeline = tg.create_task(self._watch_timeline(consumer, result))
            consumer.add_done_callback(lambda _: (watchdog.cancel(), timeline.cancel()))
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
                self._mark_healthy()
                seen[0] += 1
                self._handle(event)
            result.append(_End.CLOSED)
        except (ApiError, TransportError) as exc:
            result.append(self._watch_error(exc))
        except Exception:
            # Never let a surprise kill the informer: start over from a list, after backoff.
            logger.exception("watch failed unexpectedly", extra=self._log_extra())
            result.append(_End.RELIST)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()

    def _watch_error(self, exc: ApiError | TransportError) -> _End:
        """How a watch that failed with ``exc`` ended."""
        problem = version_problem(exc)
        if problem is not None:
            logger.info(
                "watch resourceVersion unusable",
                extra=self._log_extra(rv=self._rv, problem=problem.value, detail=str(exc)),
            )
            return _End.GONE if problem is VersionProblem.EXPIRED else _End.TOO_LARGE
        if isinstance(exc, TransportError | ServerError | TooManyRequestsError):
            logger.info(
                "watch interrupted",
                extra=self._log_extra(error=type(exc).__name__, detail=str(exc)),
            )
            return _End.RETRY
        logger.warning(
            "watch failed", extra=self._log_extra(error=type(exc).__name__, detail=str(exc))
        )
        return _End.RELIST

    async def _watch_timeline(self, consumer: asyncio.Task[None], result: list[_End]) -> None:
        """End the watch when another informer finds the server went back in time."""
        await self._timeline.wait_past(self._listed_epoch)
        logger.warning(
            "the API server went back in time; listing from scratch",
            extra=self._log_extra(resource_version=self._rv),
        )
        result.append(_End.TOO_LARGE)
        consumer.cancel()

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

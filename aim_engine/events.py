"""Kubernetes Events (``events.k8s.io/v1``), recorded best-effort with series for repeats.

:class:`EventRecorder` writes one Event per distinct occurrence. The same occurrence repeating
(same regarding object, reason, action, type and note) within :data:`SERIES_WINDOW` seconds does
not create a new Event; instead the first Event's ``series`` is updated (``count`` and
``lastObservedTime``), as client-go's events broadcaster does, so a crash-looping reconcile
produces one Event with a growing count rather than thousands of objects.

Events are best-effort: :meth:`EventRecorder.record` never raises; a failed write is logged at
WARNING and forgotten. Event objects live in the regarding object's namespace, or in
``default`` for cluster-scoped objects.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aim_engine.client import Client, PatchType
from aim_engine.clock import Clock
from aim_engine.errors import AimEngineError, NotFoundError
from aim_engine.kinds import EVENT_V1
from aim_engine.objects import RawObject, meta, name_of, namespace_of

__all__ = ["SERIES_WINDOW", "EventRecorder", "EventType", "format_micro_time", "object_reference"]

logger = logging.getLogger(__name__)

SERIES_WINDOW = 6 * 60.0
"""Seconds within which a repeat extends the existing Event's series (client-go: 6 minutes)."""

EventType = Literal["Normal", "Warning"]

_MAX_NOTE = 1024  # the API server rejects longer notes


def format_micro_time(when: dt.datetime) -> str:
    """``metav1.MicroTime`` text: RFC 3339 UTC with microseconds."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def object_reference(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A ``core/v1`` ObjectReference to ``obj`` (empty fields left out)."""
    m = meta(obj)
    ref = {
        "apiVersion": obj.get("apiVersion"),
        "kind": obj.get("kind"),
        "name": m.get("name"),
        "namespace": m.get("namespace"),
        "uid": m.get("uid"),
        "resourceVersion": m.get("resourceVersion"),
    }
    return {k: v for k, v in ref.items() if v}


@dataclass(slots=True)
class _Series:
    name: str
    namespace: str
    count: int
    last_seen: float


_Key = tuple[str, str, str, str, str, str, str]


class EventRecorder:
    """Records Events for one controller instance.

    Args:
        client: the API client.
        reporting_controller: ``reportingController``, e.g. ``aim-engine/aimservice``.
        reporting_instance: ``reportingInstance``, e.g. the pod name.
        clock: time source for ``eventTime``/``lastObservedTime`` and the series window.
    """

    def __init__(
        self, client: Client, *, reporting_controller: str, reporting_instance: str, clock: Clock
    ) -> None:
        self._client = client
        self._controller = reporting_controller
        self._instance = reporting_instance
        self._clock = clock
        self._series: dict[_Key, _Series] = {}
        self._lock = asyncio.Lock()
        self._stamp = 0

    async def record(
        self,
        regarding: RawObject,
        *,
        type: EventType,  # noqa: A002
        reason: str,
        action: str,
        note: str,
        related: RawObject | None = None,
    ) -> None:
        """Record an occurrence on ``regarding``; never raises (failures are logged)."""
        note = note[:_MAX_NOTE]
        key: _Key = (
            namespace_of(regarding),
            str(regarding.get("kind", "")),
            name_of(regarding),
            reason,
            action,
            type,
            note,
        )
        try:
            async with self._lock:
                await self._record(key, regarding, type, reason, action, note, related)
        except AimEngineError as exc:
            logger.warning(
                "event not recorded",
                extra={
                    "reason": reason,
                    "regarding": f"{namespace_of(regarding)}/{name_of(regarding)}",
                    "error": str(exc),
                },
            )

    def _prune(self, now: float) -> None:
        stale = [k for k, s in self._series.items() if now - s.last_seen > SERIES_WINDOW]
        for k in stale:
            del self._series[k]

    async def _record(
        self,
        key: _Key,
        regarding: RawObject,
        type_: EventType,
        reason: str,
        action: str,
        note: str,
        related: RawObject | None,
    ) -> None:
        mono = self._clock.monotonic()
        now = self._clock.now()
        self._prune(mono)
        series = self._series.get(key)
        if series is not None:
            series.count += 1
            series.last_seen = mono
            body = {"series": {"count": series.count, "lastObservedTime": format_micro_time(now)}}
            try:
                await self._client.patch(
                    EVENT_V1, series.name, body, series.namespace, patch_type=PatchType.MERGE
                )
                return
            except NotFoundError:
                del self._series[key]  # the Event expired or was deleted: start afresh
        namespace = namespace_of(regarding) or "default"
        # client-go names Events `<regarding>.<unix nanoseconds in hex>`; keep the stamps of one
        # recorder strictly increasing so a frozen test clock cannot produce duplicate names.
        self._stamp = max(int(now.timestamp() * 1e9), self._stamp + 1)
        name = f"{name_of(regarding) or 'event'}.{self._stamp:x}"
        event: RawObject = {
            "apiVersion": "events.k8s.io/v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": namespace},
            "eventTime": format_micro_time(now),
            "reportingController": self._controller,
            "reportingInstance": self._instance,
            "action": action,
            "reason": reason,
            "regarding": object_reference(regarding),
            "note": note,
            "type": type_,
        }
        if related is not None:
            event["related"] = object_reference(related)
        await self._client.create(EVENT_V1, event, namespace)
        self._series[key] = _Series(name, namespace, 1, mono)

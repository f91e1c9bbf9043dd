"""Fault injection and the request log, the test-facing knobs of the fake API server.

Tests reach this through ``server.faults``: make the next N requests that match a verb (and
optionally a resource) fail with a real ``Status`` (409, 410, 429 with ``Retry-After``, 500,
503...), add latency on the loop clock, end or drop every open watch, make the next watches get the
in-stream 410 Expired error, or forget the watch history. Every request is recorded in
:attr:`Faults.requests` (the newest 10 000) for assertions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from aim_engine.testing.apiserver._http._watch import WatchHub
from aim_engine.testing.apiserver._status import (
    StatusError,
    conflict,
    internal_error,
    service_unavailable,
    status_body,
    too_many_requests,
)
from aim_engine.testing.apiserver._storage._state import ClusterState

__all__ = ["FaultRule", "Faults", "LatencyRule", "RequestRecord"]

_LOG_SIZE = 10_000
_REASONS: Mapping[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    410: "Expired",
    422: "Invalid",
    504: "Timeout",
}


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the server received.

    Attributes:
        method: HTTP method.
        path: URL path.
        query: query parameters (last value wins).
        verb: API verb (get, list, watch, create, update, patch, delete, deletecollection), or
            ``""`` for discovery and other non-resource requests.
        plural: the resource addressed (``""`` for non-resource requests).
        namespace: the namespace in the URL.
        name: the object name in the URL.
        status: the HTTP status code answered.
        content_type: the request's ``Content-Type``.
    """

    method: str
    path: str
    query: Mapping[str, str]
    verb: str
    plural: str
    namespace: str
    name: str
    status: int
    content_type: str = ""


@dataclass(slots=True)
class FaultRule:
    """Fail the next ``remaining`` matching requests with ``status``."""

    verb: str | None
    plural: str | None
    kind: str | None
    status: int
    remaining: int
    retry_after: int = 1
    message: str = ""

    def matches(self, verb: str, plural: str, kind: str) -> bool:
        """Whether a request's verb/resource fall under this rule."""
        return (
            (self.verb is None or self.verb == verb)
            and (self.plural is None or self.plural == plural)
            and (self.kind is None or self.kind == kind)
        )


@dataclass(frozen=True, slots=True)
class LatencyRule:
    """Delay matching requests by ``seconds`` of loop time."""

    seconds: float
    verb: str | None = None
    plural: str | None = None


@dataclass(slots=True)
class Faults:
    """Fault injection for one server (``server.faults``)."""

    state: ClusterState
    hub: WatchHub
    rules: list[FaultRule] = field(default_factory=list)
    latency: list[LatencyRule] = field(default_factory=list)
    requests: deque[RequestRecord] = field(default_factory=lambda: deque(maxlen=_LOG_SIZE))

    def fail_next(
        self,
        verb: str | None = None,
        *,
        status: int = 500,
        count: int = 1,
        plural: str | None = None,
        kind: str | None = None,
        retry_after: int = 1,
        message: str = "",
    ) -> FaultRule:
        """Fail the next ``count`` requests matching ``verb``/``plural``/``kind`` with ``status``.

        Args:
            verb: get, list, watch, create, update, patch, delete, deletecollection; ``None``
                matches every resource request.
            status: HTTP status (409, 410, 429, 500, 503, or any other code).
            count: how many requests fail.
            plural: only this resource (``configmaps``).
            kind: only this kind (``ConfigMap``).
            retry_after: the ``Retry-After`` seconds of a 429.
            message: overrides the default message.
        """
        rule = FaultRule(verb, plural, kind, status, count, retry_after, message)
        self.rules.append(rule)
        return rule

    def add_latency(
        self, seconds: float, *, verb: str | None = None, plural: str | None = None
    ) -> None:
        """Delay matching requests by ``seconds`` (on the event loop's clock)."""
        self.latency.append(LatencyRule(seconds, verb, plural))

    def clear(self) -> None:
        """Remove every fault and latency rule (the request log is kept)."""
        self.rules.clear()
        self.latency.clear()
        self.hub.expire_next = 0

    def cut_watches(self, *, abort: bool = False) -> int:
        """End every open watch now (``abort``: drop the TCP connection); returns how many."""
        return self.hub.cut_all(self.state, abort=abort)

    def expire_next_watches(self, count: int = 1) -> None:
        """The next ``count`` watches get an in-stream 410 Expired ERROR event."""
        self.hub.expire_next += count

    def compact(self) -> None:
        """Forget the whole watch history: watches from any older resourceVersion get 410."""
        self.state.store.compact()

    def delay_for(self, verb: str, plural: str) -> float:
        """Total latency to add to a request."""
        return sum(
            r.seconds
            for r in self.latency
            if (r.verb is None or r.verb == verb) and (r.plural is None or r.plural == plural)
        )

    def take(self, verb: str, plural: str, kind: str, group: str, name: str) -> StatusError | None:
        """Consume the first matching rule and build its error, if any."""
        for rule in self.rules:
            if rule.remaining > 0 and rule.matches(verb, plural, kind):
                rule.remaining -= 1
                if rule.remaining == 0:
                    self.rules.remove(rule)
                return _error_for(rule, group, plural, name)
        return None

    def requests_for(self, verb: str, plural: str | None = None) -> list[RequestRecord]:
        """Logged requests with this verb (and resource)."""
        return [
            r for r in self.requests if r.verb == verb and (plural is None or r.plural == plural)
        ]


def _error_for(rule: FaultRule, group: str, plural: str, name: str) -> StatusError:
    err: StatusError
    if rule.status == 409:
        err = conflict(group, plural, name or "unknown")
    elif rule.status == 429:
        err = too_many_requests(rule.retry_after)
    elif rule.status == 500:
        err = internal_error(rule.message or "injected fault")
    elif rule.status == 503:
        err = service_unavailable(
            rule.message or "the server is currently unable to handle the request"
        )
    elif rule.status == 410:
        err = StatusError(410, status_body(410, "Expired", "too old resource version: 1 (2)"))
    else:
        err = StatusError(
            rule.status,
            status_body(
                rule.status, _REASONS.get(rule.status, "Unknown"), rule.message or "injected fault"
            ),
        )
    if rule.message:
        err.body["message"] = rule.message
    return err

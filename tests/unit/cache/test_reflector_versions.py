"""Reflector: every shape of "this resourceVersion is unusable" leads to a relist that recovers.

Covers the error shapes themselves (:func:`version_problem`), what the reflector does with each
(list, in-stream watch error, the version check after a reconnect), and a server that went back
in time (its state lost): the reflector must notice and converge within one relist.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping

import pytest
from prometheus_client import CollectorRegistry

from aim_engine.cache import Reflector, ReflectorOptions
from aim_engine.cache._metrics import CacheMetrics
from aim_engine.cache._timeline import ServerTimeline
from aim_engine.cache._version_errors import VersionProblem, version_problem
from aim_engine.client._watch import decode_watch_line
from aim_engine.errors import (
    ApiError,
    ConflictError,
    ServerError,
    TransportError,
    api_error_from_status,
)
from aim_engine.kinds import CONFIG_MAP
from aim_engine.testing import FakeClock
from tests.unit.cache.conftest import running
from tests.unit.cache.memory_api import MemoryApi
from tests.unit.cache.test_reflector import Sink

TOO_LARGE_CAUSE = {"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}


def status(code: int | None, reason: str, message: str, **details: object) -> dict[str, object]:
    body: dict[str, object] = {"kind": "Status", "apiVersion": "v1", "status": "Failure"}
    body.update(reason=reason, message=message)
    if code is not None:
        body["code"] = code
    if details:
        body["details"] = details
    return body


def from_status(http: int, body: Mapping[str, object]) -> BaseException:
    """What the client raises for ``body`` (HTTP ``http``; in-stream ERRORs come with 200->500)."""
    return api_error_from_status(http, body)


TOO_LARGE_NOW = from_status(
    504,
    status(
        504,
        "Timeout",
        "Timeout: Too large resource version: 18, current: 8",
        causes=[TOO_LARGE_CAUSE],
        retryAfterSeconds=1,
    ),
)
EXPIRED_IN_STREAM = from_status(500, status(410, "Expired", "too old resource version: 4 (7)"))

SHAPES: list[tuple[str, BaseException, VersionProblem | None]] = [
    ("410 Expired", EXPIRED_IN_STREAM, VersionProblem.EXPIRED),
    ("410 Gone", from_status(410, status(410, "Gone", "gone")), VersionProblem.EXPIRED),
    (
        "in-stream Expired without a code",
        from_status(500, status(None, "Expired", "too old resource version: 1 (5)")),
        VersionProblem.EXPIRED,
    ),
    (
        "500 with a too-old message",
        from_status(
            500,
            status(500, "InternalError", "The resourceVersion for the provided watch is too old."),
        ),
        VersionProblem.EXPIRED,
    ),
    ("504 with cause ResourceVersionTooLarge", TOO_LARGE_NOW, VersionProblem.TOO_LARGE),
    (
        "504 with only the cause message (1.17.0-1.18.5)",
        from_status(
            504,
            status(504, "Timeout", "Timeout", causes=[{"message": "Too large resource version"}]),
        ),
        VersionProblem.TOO_LARGE,
    ),
    (
        "504 with only the message (before 1.17)",
        from_status(504, status(504, "Timeout", "Too large resource version: 9, current: 3")),
        VersionProblem.TOO_LARGE,
    ),
    (
        "in-stream ERROR 504 too large",
        from_status(
            500,
            status(504, "Timeout", "Too large resource version", causes=[TOO_LARGE_CAUSE]),
        ),
        VersionProblem.TOO_LARGE,
    ),
    (
        "an ordinary 504",
        from_status(504, status(504, "Timeout", "request did not complete within 60s")),
        None,
    ),
    ("500", from_status(500, status(500, "InternalError", "etcd is down")), None),
    ("409", ConflictError(409, "Conflict", "modified"), None),
    ("transport", TransportError("connection refused"), None),
]


@pytest.mark.parametrize(
    ("exc", "want"), [(e, w) for _, e, w in SHAPES], ids=[s[0] for s in SHAPES]
)
def test_version_problem_recognises_each_shape(
    exc: BaseException, want: VersionProblem | None
) -> None:
    assert version_problem(exc) is want


def make(
    api: MemoryApi, clock: FakeClock, **opts: float
) -> tuple[Reflector, Sink, CollectorRegistry]:
    sink = Sink()
    registry = CollectorRegistry()
    reflector = Reflector(
        api,
        CONFIG_MAP,
        sink,
        clock=clock,
        options=ReflectorOptions(backoff_jitter=0.0, **opts),  # type: ignore[arg-type]
        metrics=CacheMetrics(registry).for_kind(CONFIG_MAP),
        rng=random.Random(3),
    )
    return reflector, sink, registry


def relists(registry: CollectorRegistry, reason: str) -> float | None:
    return registry.get_sample_value(
        "aim_engine_cache_relists_total", {"kind": "ConfigMap", "reason": reason}
    )


def list_versions(api: MemoryApi) -> list[tuple[str | None, str | None]]:
    return [(c["resource_version"], c["resource_version_match"]) for c in api.full_lists]


@pytest.mark.parametrize(
    "exc", [e for _, e, w in SHAPES if w is not None], ids=[s[0] for s in SHAPES if s[2]]
)
async def test_an_unusable_version_on_the_relist_lists_from_scratch_at_once(
    api: MemoryApi, clock: FakeClock, exc: BaseException
) -> None:
    api.create("a")
    reflector, sink, registry = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        api.list_faults.append(exc)
        api.cut_watches(EXPIRED_IN_STREAM)  # the relist at the last resourceVersion fails
        await clock.settle()
        assert list_versions(api) == [(None, None), ("101", "NotOlderThan"), (None, None)]
        assert len(sink.replaced) == 2
        assert clock.monotonic() == 1000.0  # no backoff
        problem = version_problem(exc)
        assert problem is not None
        assert relists(registry, problem.value) == (2.0 if problem.value == "gone" else 1.0)


@pytest.mark.parametrize(
    ("exc", "want"),
    [
        (EXPIRED_IN_STREAM, [(None, None), ("102", "NotOlderThan")]),
        (
            from_status(500, status(500, "InternalError", "too old resource version: 3 (9)")),
            [(None, None), ("102", "NotOlderThan")],
        ),
        (TOO_LARGE_NOW, [(None, None), (None, None)]),
    ],
    ids=["in-stream 410", "in-stream too-old message", "in-stream too large"],
)
async def test_in_stream_version_errors_relist_without_backoff(
    api: MemoryApi,
    clock: FakeClock,
    exc: BaseException,
    want: list[tuple[str | None, str | None]],
) -> None:
    api.create("a")
    reflector, sink, _ = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        api.create("b")
        await clock.settle()
        api.cut_watches(exc)
        await clock.settle()
        assert list_versions(api) == want
        assert sink.replaced[-1] == (["a", "b"], "102")
        assert sink.trusted[-1] is (version_problem(exc) is not VersionProblem.TOO_LARGE)
        assert clock.monotonic() == 1000.0


async def test_a_server_that_lost_its_state_is_relisted_from_scratch_after_reconnecting(
    api: MemoryApi, clock: FakeClock
) -> None:
    for name in ("old-1", "old-2"):
        api.create(name)
    reflector, sink, registry = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        api.create("old-3")
        await clock.settle()
        assert reflector.last_sync_resource_version == "103"
        # The server restarts over an empty store: the connection drops, the counter restarts.
        api.lose_state(rv=10)
        api.cut_watches(TransportError("connection reset"))
        api.create("new")
        await clock.tick(0.8)  # backoff, then the version check: too large
        assert [c["resource_version"] for c in api.version_checks] == ["103"]
        assert list_versions(api) == [(None, None), (None, None)]  # one relist, from scratch
        assert sink.replaced[-1] == (["new"], "11")
        assert sink.trusted == [True, False]  # versions may repeat after going back in time
        assert api.watch_calls[-1]["resource_version"] == "11"
        assert relists(registry, "too_large") == 1.0
        api.create("later")
        await clock.settle()
        assert sink.applied[-1] == ("ADDED", "later", "12")


async def test_a_silent_watch_at_a_future_version_is_noticed_by_the_watchdog(
    api: MemoryApi, clock: FakeClock
) -> None:
    """The restart happened between two watches: no error, just silence (no bookmarks)."""
    api.create("old")
    reflector, sink, _ = make(api, clock, inactivity_timeout=120.0)
    async with running(reflector.run()):
        await clock.settle()
        api.lose_state(rv=10)
        clock.advance(2)
        api.close_watches()  # a normal close; the re-watch at "101" stays silent
        await clock.settle()
        assert api.watch_calls[-1]["resource_version"] == "101"
        api.create("new")
        api.bookmark()
        await clock.tick(119)
        assert len(api.full_lists) == 1
        await clock.tick(2)
        assert list_versions(api) == [(None, None), (None, None)]
        assert sink.replaced[-1] == (["new"], "12")


async def test_a_failing_version_check_backs_off_and_asks_again(
    api: MemoryApi, clock: FakeClock
) -> None:
    reflector, _, _ = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        api.list_faults.extend([TransportError("refused"), ServerError(503, "", "starting")])
        api.cut_watches()
        await clock.tick(0.8)  # backoff after the cut, check refused
        assert len(api.version_checks) == 1
        await clock.tick(1.6)  # check answered 503
        assert len(api.version_checks) == 2
        await clock.tick(3.2)  # check passes: watch again from the same version, no relist
        assert len(api.version_checks) == 3
        assert [c["resource_version"] for c in api.watch_calls] == ["100", "100"]
        assert len(api.full_lists) == 1


async def test_healthy_at_moves_with_lists_events_and_bookmarks_only(
    api: MemoryApi, clock: FakeClock
) -> None:
    reflector, _, _ = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        assert reflector.healthy_at == 1000.0
        clock.advance(50)
        api.bookmark()
        await clock.settle()
        assert reflector.healthy_at == 1050.0
        api.list_faults.extend(TransportError("refused") for _ in range(3))
        api.cut_watches()
        await clock.tick(0.8 + 1.6 + 3.2)  # three failed checks
        assert reflector.healthy_at == 1050.0
        await clock.tick(6.4)  # the fourth passes
        assert reflector.healthy_at == pytest.approx(1050.0 + 12.0)


async def test_a_failed_list_from_scratch_is_retried_and_counted_as_an_error(
    api: MemoryApi, clock: FakeClock
) -> None:
    api.create("old")
    reflector, sink, registry = make(api, clock)
    async with running(reflector.run()):
        await clock.settle()
        api.lose_state(rv=10)
        api.list_faults.append(TOO_LARGE_NOW)  # the relist at the last resourceVersion
        api.list_faults.append(ServerError(503, "ServiceUnavailable", "starting"))
        api.cut_watches(EXPIRED_IN_STREAM)
        await clock.settle()
        assert list_versions(api) == [(None, None), ("101", "NotOlderThan"), (None, None)]
        await clock.tick(0.8)
        assert list_versions(api)[-1] == (None, None)
        assert sink.replaced[-1] == ([], "10")
        assert sink.trusted[-1] is False
        assert relists(registry, "gone") == 1.0
        assert relists(registry, "too_large") == 1.0
        assert relists(registry, "error") == 1.0


async def test_one_reflector_finding_the_server_went_back_makes_the_others_relist(
    api: MemoryApi, clock: FakeClock
) -> None:
    """The other one would pass its own check: the new server's writes reached its version."""
    timeline = ServerTimeline()
    sinks = {ns: Sink() for ns in ("a", "b")}
    reflectors = {
        ns: Reflector(
            api,
            CONFIG_MAP,
            sinks[ns],
            clock=clock,
            namespace=ns,
            options=ReflectorOptions(backoff_jitter=0.0),
            rng=random.Random(5),
            timeline=timeline,
        )
        for ns in ("a", "b")
    }
    api.create("old", "a")
    api.create("old", "b")
    async with running(reflectors["a"].run()), running(reflectors["b"].run()):
        await clock.settle()
        # The new server has already passed the old versions (b's check would pass); a finds
        # out first, its check answered "too large" just before.
        api.lose_state(rv=200)
        api.create("new", "b")
        api.list_faults.append(TOO_LARGE_NOW)
        api.cut_watches(namespace="a")
        await clock.tick(0.8)
        assert timeline.epoch == 1
        assert [(c["namespace"], c["resource_version"]) for c in api.full_lists[-2:]] == [
            ("a", None),
            ("b", None),
        ]
        assert sinks["b"].replaced[-1] == (["new"], "201")
        assert sinks["b"].trusted[-1] is False
        api.create("later", "b")
        await clock.settle()
        assert sinks["b"].applied[-1] == ("ADDED", "later", "202")
        assert timeline.epoch == 1  # b's relist for it is not announced as a second trip


def test_the_timeline_counts_a_trip_once_per_list() -> None:
    timeline = ServerTimeline()
    timeline.went_back(0)
    timeline.went_back(0)  # someone who listed before the first announcement
    assert timeline.epoch == 1
    timeline.went_back(1)  # listed since, and found it again: a second trip
    assert timeline.epoch == 2


@pytest.mark.parametrize(
    ("status_object", "want"),
    [
        (status(410, "Expired", "too old resource version: 4 (7)"), VersionProblem.EXPIRED),
        (status(410, "Gone", "gone"), VersionProblem.EXPIRED),
        (status(None, "Expired", "too old resource version: 1 (5)"), VersionProblem.EXPIRED),
        (
            status(
                504,
                "Timeout",
                "Too large resource version: 9, current: 3",
                causes=[TOO_LARGE_CAUSE],
            ),
            VersionProblem.TOO_LARGE,
        ),
        (status(500, "InternalError", "etcd leader changed"), None),
    ],
    ids=["410 Expired", "410 Gone", "no code, reason Expired", "504 too large", "500"],
)
def test_in_stream_error_events_decode_to_what_version_problem_recognises(
    status_object: dict[str, object], want: VersionProblem | None
) -> None:
    line = json.dumps({"type": "ERROR", "object": status_object}).encode()
    with pytest.raises(ApiError) as info:
        decode_watch_line(line)
    assert version_problem(info.value) is want

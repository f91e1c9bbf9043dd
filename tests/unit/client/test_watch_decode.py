"""Watch line decoding: events, bookmarks, keep-alives, in-stream errors, truncation."""

from __future__ import annotations

import json

import pytest

from aim_engine.client import WatchEvent
from aim_engine.client._watch import decode_watch_line
from aim_engine.errors import ForbiddenError, GoneError, ServerError, TransportError


def line(obj: object) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def test_added_event() -> None:
    ev = decode_watch_line(line({"type": "ADDED", "object": {"kind": "ConfigMap"}}))
    assert ev == WatchEvent("ADDED", {"kind": "ConfigMap"})


def test_bookmark_event() -> None:
    obj = {"kind": "ConfigMap", "metadata": {"resourceVersion": "42"}}
    ev = decode_watch_line(line({"type": "BOOKMARK", "object": obj}))
    assert ev is not None
    assert ev.type == "BOOKMARK"
    assert ev.object["metadata"]["resourceVersion"] == "42"


def test_blank_line_is_keepalive() -> None:
    assert decode_watch_line(b"\n") is None


def test_expired_error_event_is_gone() -> None:
    status = {
        "kind": "Status",
        "status": "Failure",
        "code": 410,
        "reason": "Expired",
        "message": "too old resource version: 4 (7)",
    }
    with pytest.raises(GoneError) as info:
        decode_watch_line(line({"type": "ERROR", "object": status}))
    assert info.value.reason == "Expired"


def test_other_error_events_keep_their_code() -> None:
    with pytest.raises(ForbiddenError):
        decode_watch_line(line({"type": "ERROR", "object": {"kind": "Status", "code": 403}}))
    with pytest.raises(ServerError):
        decode_watch_line(line({"type": "ERROR", "object": {"kind": "Status"}}))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"type": "ADDED", "obj',
        b"[1, 2]\n",
        b'{"type": "ADDED"}\n',
        b'{"type": "X", "object": {}}',
    ],
)
def test_malformed_lines_are_transport_errors(raw: bytes) -> None:
    with pytest.raises(TransportError):
        decode_watch_line(raw)

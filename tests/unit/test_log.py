"""Log context binding, the ContextFilter and the JSON formatter."""

from __future__ import annotations

import asyncio
import json
import logging
import sys

from aim_engine.log import ContextFilter, JsonFormatter, bind, bound_fields


def record(msg: str = "something happened", **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("aim_engine.test", logging.INFO, __file__, 1, msg, None, None)
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


def test_bind_nests_and_restores() -> None:
    assert dict(bound_fields()) == {}
    with bind(controller="c", name="a"):
        with bind(name="b", reconcile_id="r") as inner:
            assert dict(inner) == {"controller": "c", "name": "b", "reconcile_id": "r"}
        assert dict(bound_fields()) == {"controller": "c", "name": "a"}
    assert dict(bound_fields()) == {}


async def test_context_is_per_task() -> None:
    seen: dict[str, object] = {}

    async def work(name: str) -> None:
        with bind(name=name):
            await asyncio.sleep(0)
            seen[name] = bound_fields()["name"]

    await asyncio.gather(work("a"), work("b"))
    assert seen == {"a": "a", "b": "b"}


def test_filter_stamps_fields_without_clobbering() -> None:
    rec = record(namespace="explicit")
    with bind(namespace="bound", name="obj", controller="c"):
        assert ContextFilter().filter(rec)
    assert rec.__dict__["namespace"] == "explicit"
    assert rec.__dict__["controller"] == "c"
    assert rec.name == "aim_engine.test"  # the logger name is not overwritten
    assert rec.__dict__["log_context"]["name"] == "obj"


def test_json_formatter_renders_context_extras_and_exceptions() -> None:
    rec = record(attempt=2, obj=object())
    with bind(name="obj", namespace="ns"):
        ContextFilter().filter(rec)
    try:
        raise ValueError("bad")
    except ValueError:
        rec.exc_info = sys.exc_info()
    out = json.loads(JsonFormatter().format(rec))
    assert out["message"] == "something happened"
    assert out["logger"] == "aim_engine.test"
    assert out["level"] == "INFO"
    assert out["name"] == "obj"
    assert out["namespace"] == "ns"
    assert out["attempt"] == 2
    assert out["obj"].startswith("<object")
    assert "ValueError: bad" in out["exception"]
    assert "log_context" not in out
    assert out["time"].endswith("+00:00")

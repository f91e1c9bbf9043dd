"""A client closing a watch is a normal end (no ERROR log); real handler bugs are still logged."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from aim_engine.testing.apiserver import FakeApiServer
from aim_engine.testing.apiserver._http._handlers import ResourceHandler

pytestmark = pytest.mark.fake_only

_HEADERS = {"Authorization": "Bearer fake-token"}
_WATCH = "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=60"


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeApiServer]:
    async with FakeApiServer() as srv:
        yield srv


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


async def _open_and_close_watch(server: FakeApiServer) -> None:
    """Open a watch, read its first event, then close the connection from the client side."""
    server.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "first", "namespace": "default"},
        }
    )
    async with aiohttp.ClientSession(headers=_HEADERS) as session:
        resp = await session.get(server.url + _WATCH)
        assert resp.status == 200
        assert b'"ADDED"' in await resp.content.readline()
        resp.close()  # drops the connection mid-stream


async def test_client_closing_a_watch_logs_no_error(
    server: FakeApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await _open_and_close_watch(server)
        # The next event makes the handler write to the closed connection.
        server.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "second", "namespace": "default"},
            }
        )
        await server.wait_for_watches_closed()
    assert _errors(caplog) == []
    assert "watch stream closed by client" in [r.getMessage() for r in caplog.records]


async def test_teardown_with_a_closed_watch_logs_no_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        async with FakeApiServer() as srv:
            await _open_and_close_watch(srv)
            await srv.wait_for_watches(1)
        assert srv.open_watches == 0
    assert _errors(caplog) == []


async def test_a_handler_bug_is_still_logged_with_its_traceback(
    server: FakeApiServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: ResourceHandler, *args: object) -> web.StreamResponse:
        raise RuntimeError("boom")

    monkeypatch.setattr(ResourceHandler, "handle", broken)
    with caplog.at_level(logging.DEBUG):
        async with (
            aiohttp.ClientSession(headers=_HEADERS) as session,
            session.get(server.url + "/api/v1/namespaces") as resp,
        ):
            body = await resp.json()
    assert resp.status == 500
    assert body["message"] == "Internal error occurred: RuntimeError: boom"
    [record] = _errors(caplog)
    assert record.getMessage() == "fake apiserver handler failed"
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None


async def test_a_connection_error_of_the_handler_itself_is_a_bug(
    server: FakeApiServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: ResourceHandler, *args: object) -> web.StreamResponse:
        raise ConnectionRefusedError("upstream refused")

    monkeypatch.setattr(ResourceHandler, "handle", broken)
    with caplog.at_level(logging.DEBUG):
        async with (
            aiohttp.ClientSession(headers=_HEADERS) as session,
            session.get(server.url + "/api/v1/namespaces") as resp,
        ):
            assert resp.status == 500
    assert [r.getMessage() for r in _errors(caplog)] == ["fake apiserver handler failed"]


async def test_teardown_under_an_open_watch_logs_no_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        async with aiohttp.ClientSession(headers=_HEADERS) as session:
            async with FakeApiServer() as srv:
                resp = await session.get(srv.url + _WATCH)
                assert resp.status == 200
                await srv.wait_for_watches(1)
            with pytest.raises(aiohttp.ClientError):
                await resp.content.read()  # the server dropped the connection
            resp.close()
    assert _errors(caplog) == []

"""One HTTP exchange with the API server, in raw JSON, over kubernetes-asyncio's ``ApiClient``.

:class:`Transport` is the only place that talks to kubernetes-asyncio. It uses
``ApiClient.call_api`` for what that library is good at (auth headers, token refresh hooks, TLS,
its aiohttp session) and nothing else: it always asks for the undecoded response
(``_preload_content=False``), always sends an explicit ``Content-Type``, builds the query itself,
reads the status code and body itself, and turns every failure into our error tree. That absorbs
the library's sharp edges: the wrong default patch content type, 201 answers of a creating apply
mapped to ``None``, errors not raised when content is not preloaded, ``True`` in queries.

kubernetes-asyncio builds its aiohttp session with ``trust_env=True``, which makes aiohttp look up
proxy variables and ``~/.netrc`` in a worker thread on *every* request (two thread hops, and a
netrc parse, per call: a third of a client's CPU time when it writes a few hundred objects a
second). When no proxy is configured in the environment there is nothing to find, so the
transport turns that off; with a proxy variable set it keeps the library's behaviour.

Each request is counted in ``rest_client_requests_total`` (when a registry was given) and logged
at DEBUG with its verb, resource, status and duration.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies

import aiohttp
from kubernetes_asyncio.client import ApiClient
from prometheus_client import CollectorRegistry, Counter

from aim_engine.client._metrics import request_counter
from aim_engine.client._status import decode_json, error_from_response
from aim_engine.errors import TransportError

__all__ = ["TRANSPORT_ERRORS", "Response", "Transport"]

logger = logging.getLogger("aim_engine.client")

TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientError, TimeoutError, OSError)
"""Exceptions that mean "no usable HTTP answer" (connect, TLS, reset, read timeout)."""

_AUTH = ["BearerToken"]


def _skip_environment_lookups(api: Any) -> None:
    """Stop per-request proxy and netrc lookups when the environment names no proxy."""
    if getproxies():
        return
    session = getattr(getattr(api, "rest_client", None), "pool_manager", None)
    if isinstance(session, aiohttp.ClientSession):
        session._trust_env = False  # a declared attribute of ClientSession (ATTRS)


class Response:
    """A successful answer: its status code and decoded JSON body (``None`` when empty)."""

    __slots__ = ("body", "status")

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body


class Transport:
    """Sends requests for one :class:`~aim_engine.client.Client`.

    Args:
        configuration: a kubernetes-asyncio ``Configuration`` (never the global default).
        registry: where ``rest_client_requests_total`` is counted; ``None`` counts nothing.
        timeout: total seconds allowed per non-streaming request; ``None`` for no limit.
    """

    def __init__(
        self,
        configuration: Any,
        *,
        registry: CollectorRegistry | None = None,
        timeout: float | None = None,
    ) -> None:
        self.configuration = configuration
        self._api: Any = None
        self._closed = False
        self._counter: Counter | None = request_counter(registry) if registry else None
        self._host = urlsplit(str(configuration.host)).netloc or str(configuration.host)
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=30)

    @property
    def host(self) -> str:
        """The server URL."""
        return str(self.configuration.host)

    def _api_client(self) -> Any:
        # Created on first use: aiohttp wants a running loop when its session is built, and
        # the in_cluster()/from_host() constructors are synchronous.
        if self._closed:
            raise TransportError("the client is closed")
        if self._api is None:
            self._api = ApiClient(configuration=self.configuration)
            self._api.user_agent = "aim-engine"
            _skip_environment_lookups(self._api)
        return self._api

    async def close(self) -> None:
        """Close the HTTP session; later requests raise :class:`TransportError`."""
        self._closed = True
        if self._api is not None:
            api, self._api = self._api, None
            await api.close()

    def _count(self, code: str, method: str) -> None:
        if self._counter is not None:
            self._counter.labels(code=code, method=method, host=self._host).inc()

    async def _send(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]],
        body: Any,
        content_type: str,
        timeout: aiohttp.ClientTimeout,
    ) -> aiohttp.ClientResponse:
        api = self._api_client()
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        try:
            resp: aiohttp.ClientResponse = await api.call_api(
                path,
                method,
                query_params=list(query),
                header_params=headers,
                body=body,
                auth_settings=_AUTH,
                _preload_content=False,
                _request_timeout=timeout,
            )
        except TRANSPORT_ERRORS as exc:
            self._count("<error>", method)
            raise TransportError(f"{method} {path}: {exc!r}") from exc
        return resp

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        content_type: str = "application/json",
        resource: str = "",
    ) -> Response:
        """Send one request and return its decoded answer.

        Raises:
            ApiError: the server answered with an error status (the matching subclass).
            TransportError: no usable answer (connection, TLS, timeout, truncated body).
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        resp = await self._send(
            method, path, query=query, body=body, content_type=content_type, timeout=self._timeout
        )
        try:
            async with resp:
                data = await resp.read()
        except TRANSPORT_ERRORS as exc:
            self._count("<error>", method)
            raise TransportError(f"{method} {path}: {exc!r}") from exc
        status = resp.status
        self._count(str(status), method)
        logger.debug(
            "api request",
            extra={
                "verb": method,
                "resource": resource or path,
                "status": status,
                "duration_ms": round((loop.time() - started) * 1000, 3),
            },
        )
        if status >= 400:
            raise error_from_response(status, data, resp.headers.get("Retry-After"))
        return Response(status, decode_json(data))

    async def read_text(
        self, path: str, *, query: Sequence[tuple[str, str]], max_bytes: int, resource: str = ""
    ) -> bytes:
        """GET a ``text/plain`` answer (``pods/log``) and return at most ``max_bytes`` of it.

        The body is read no further than the cap, so a huge log costs no more than that.

        Raises:
            ApiError: the server answered with an error status (the matching subclass).
            TransportError: no usable answer.
        """
        resp = await self._send(
            "GET",
            path,
            query=query,
            body=None,
            content_type="application/json",
            timeout=self._timeout,
        )
        try:
            async with resp:
                if resp.status >= 400:
                    data = await resp.read()
                else:
                    data = await _read_at_most(resp.content, max_bytes)
        except TRANSPORT_ERRORS as exc:
            self._count("<error>", "GET")
            raise TransportError(f"GET {path}: {exc!r}") from exc
        self._count(str(resp.status), "GET")
        logger.debug(
            "api request",
            extra={"verb": "GET", "resource": resource or path, "status": resp.status},
        )
        if resp.status >= 400:
            raise error_from_response(resp.status, data, resp.headers.get("Retry-After"))
        return data

    async def stream(
        self,
        path: str,
        *,
        query: Sequence[tuple[str, str]],
        read_timeout: float | None = None,
        resource: str = "",
    ) -> aiohttp.ClientResponse:
        """Open a streaming GET (a watch) and return the open response after a 2xx status line.

        The caller owns the response and must close it.

        Raises:
            ApiError: the server refused the watch with an error status.
            TransportError: no usable answer.
        """
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=read_timeout)
        resp = await self._send(
            "GET", path, query=query, body=None, content_type="application/json", timeout=timeout
        )
        status = resp.status
        self._count(str(status), "GET")
        logger.debug(
            "api watch opened",
            extra={"verb": "WATCH", "resource": resource or path, "status": status},
        )
        if status >= 400:
            try:
                async with resp:
                    data = await resp.read()
            except TRANSPORT_ERRORS:
                data = b""
            raise error_from_response(status, data, resp.headers.get("Retry-After"))
        return resp


async def _read_at_most(content: aiohttp.StreamReader, limit: int) -> bytes:
    """Read a body up to its end or ``limit`` bytes, whichever comes first."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = await content.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def json_body(body: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> Any:
    """A request body as kubernetes-asyncio serialises it (plain dicts and lists)."""
    if isinstance(body, Mapping):
        return dict(body)
    return [dict(op) for op in body]

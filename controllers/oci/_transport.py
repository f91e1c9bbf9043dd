"""One HTTP exchange with a registry: deadline, bounded body, redirects, bounded retries.

Everything that can make a request hang or grow without limit is dealt with here, once:

* each attempt (connect, headers, body, redirects) runs against a deadline on the injected
  :class:`~aim_engine.clock.Clock`, so a registry that accepts the connection and then says
  nothing costs ``request_timeout`` seconds, never more, and tests can use a ``FakeClock``;
* bodies are read in chunks up to a cap (a ``Content-Length`` over the cap fails before any
  read); a 2xx body over its cap is :class:`ResponseTooLargeError`, an error body is truncated;
* a proxy from the environment (``HTTPS_PROXY``, ``NO_PROXY``...) is used per request, as
  aiohttp's own ``trust_env`` would, but without its ``.netrc`` lookup, which would clash with
  the ``Authorization`` headers set here;
* redirects are followed by hand so an ``Authorization`` header never leaves the registry's
  origin (blob downloads redirect to object storage with a signed URL of their own);
* connection errors, timeouts, 429 and 5xx are retried ``retries`` times with doubling backoff
  on the clock (a 429's ``Retry-After`` honoured up to a cap), then raised as
  :class:`RegistryUnavailableError`. Every other answer goes back to the caller.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from aim_engine.clock import Clock
from controllers.oci._errors import RegistryUnavailableError, ResponseTooLargeError
from controllers.oci.options import RegistryOptions

__all__ = ["Response", "Transport"]

_log = logging.getLogger(__name__)
_T = TypeVar("_T")
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Response:
    """A registry answer, its body read (up to its cap)."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    url: str


def _retry_after(headers: CIMultiDictProxy[str]) -> float | None:
    try:
        return float(headers.get("Retry-After", ""))
    except ValueError:
        return None


def _bypassed(netloc: str, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` (comma-separated hosts, ``.domain`` suffixes, ``*``) covers a host."""
    host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
    host = host.strip("[]").lower()
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        name = entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry
        name = name.strip("[]").lstrip("*")
        if entry == "*" or (
            name and (host == name.lstrip(".") or host.endswith("." + name.lstrip(".")))
        ):
            return True
    return False


def _same_origin(a: str, b: str) -> bool:
    sa, sb = urlsplit(a), urlsplit(b)
    return (sa.scheme, sa.netloc) == (sb.scheme, sb.netloc)


class Transport:
    """Sends requests through one aiohttp session, on one clock, with one set of limits."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        clock: Clock,
        options: RegistryOptions,
        proxies: Mapping[str, str] | None = None,
    ) -> None:
        """Send through ``session`` (not closed here) and ``proxies`` (scheme → URL, ``no``)."""
        self._session = session
        self._clock = clock
        self._options = options
        self._proxies = dict(proxies or {})

    def _proxy(self, url: str) -> str | None:
        parts = urlsplit(url)
        proxy = self._proxies.get(parts.scheme)
        if not proxy or _bypassed(parts.netloc, self._proxies.get("no", "")):
            return None
        return proxy

    async def _within(self, seconds: float, work: Awaitable[_T]) -> _T:
        """Await ``work``; cancel it and raise ``TimeoutError`` after ``seconds`` on the clock."""
        task = asyncio.ensure_future(work)
        timer = asyncio.ensure_future(self._clock.sleep(seconds))
        try:
            await asyncio.wait({task, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in (task, timer):
                if not pending.done():
                    pending.cancel()
            await asyncio.gather(task, timer, return_exceptions=True)
        if task.cancelled():
            raise TimeoutError
        return task.result()

    async def _read(self, resp: aiohttp.ClientResponse, limit: int, strict: bool) -> bytes:
        declared = resp.content_length
        if strict and declared is not None and declared > limit:
            raise ResponseTooLargeError(
                f"{resp.url.host}: body of {declared} bytes is over the {limit}-byte cap",
                status=resp.status,
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = await resp.content.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        if strict:
            raise ResponseTooLargeError(
                f"{resp.url.host}: body is over the {limit}-byte cap", status=resp.status
            )
        return b"".join(chunks)[:limit]

    async def _exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        limit: int,
        form: Mapping[str, str] | None,
    ) -> Response:
        current, hops = url, 0
        send = dict(headers)
        send.setdefault("User-Agent", self._options.user_agent)
        while True:
            async with self._session.request(
                method,
                current,
                headers=send,
                data=form,
                allow_redirects=False,
                proxy=self._proxy(current),
            ) as resp:
                location = resp.headers.get("Location")
                if resp.status in _REDIRECTS and location and hops < self._options.max_redirects:
                    target = urljoin(current, location)
                    if not _same_origin(current, target):
                        send.pop("Authorization", None)
                    current, hops = target, hops + 1
                    continue
                ok = 200 <= resp.status < 300
                body = (
                    b""
                    if method == "HEAD"
                    else await self._read(resp, limit if ok else self._options.max_error_bytes, ok)
                )
                return Response(resp.status, CIMultiDictProxy(CIMultiDict(resp.headers)), body, url)

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        *,
        limit: int,
        form: Mapping[str, str] | None = None,
    ) -> Response:
        """Send a request, retrying what may pass; return any answer that is not retryable.

        Args:
            method: ``GET`` or ``HEAD`` (``POST`` for the token service).
            url: the absolute URL.
            headers: request headers (``Authorization`` is dropped on cross-origin redirects).
            limit: byte cap of a 2xx body.
            form: a form body (the token service's refresh-token grant).

        Raises:
            RegistryUnavailableError: refused, reset, DNS, TLS, timeout, 429 or 5xx, after the
                retries.
            ResponseTooLargeError: a 2xx body over ``limit`` (not retried).
        """
        options = self._options
        delay = options.backoff
        host = urlsplit(url).netloc
        for attempt in range(options.retries + 1):
            last = attempt == options.retries
            try:
                resp = await self._within(
                    options.request_timeout, self._exchange(method, url, headers, limit, form)
                )
            except TimeoutError:
                failure = RegistryUnavailableError(
                    f"{host}: no answer within {options.request_timeout:g} s ({method} {url})"
                )
            except (aiohttp.ClientError, OSError) as exc:
                failure = RegistryUnavailableError(
                    f"{host}: {type(exc).__name__}: {exc} ({method} {url})"
                )
            else:
                if resp.status != 429 and resp.status < 500:
                    return resp
                failure = RegistryUnavailableError(
                    f"{host}: HTTP {resp.status} ({method} {url})", status=resp.status
                )
                after = _retry_after(resp.headers) if resp.status == 429 else None
                if after is not None:
                    delay = max(delay, min(after, options.max_retry_after))
            if last:
                raise failure
            _log.debug(
                "registry request failed; retrying",
                extra={"registry": host, "attempt": attempt + 1, "error": str(failure)},
            )
            await self._clock.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

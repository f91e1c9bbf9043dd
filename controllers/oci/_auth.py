"""Answering a registry's 401: basic credentials or a bearer token from its token service.

The distribution API authenticates lazily. A request goes out with whatever ``Authorization``
this client already holds for the registry and scope (none at first); a 401 carries a
``WWW-Authenticate`` challenge (:mod:`controllers.oci.challenge`):

* ``Basic``: the keychain's username and password are sent from then on;
* ``Bearer``: a token is fetched from the challenge's ``realm`` with its ``service`` and the
  ``scope`` (``repository:<name>:pull``), as a ``GET`` with basic credentials (anonymous when
  the keychain has none) or, for an ``identitytoken``, as the OAuth2 refresh-token ``POST``.
  Tokens are kept until ``expires_in`` (at least 60 s, as the token spec says) runs out on the
  clock, per registry, scope and credentials.

The request is then repeated once. A second 401, a 403, or a token service that says no is the
caller's :class:`RegistryAuthError` to raise; this module raises it only for the token service.
"""

from __future__ import annotations

import base64
import json
from collections import OrderedDict
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from aim_engine.clock import Clock
from controllers.oci._errors import (
    RegistryAuthError,
    RegistryError,
    RegistryResponseError,
)
from controllers.oci._transport import Response, Transport
from controllers.oci.challenge import Challenge, parse_challenge
from controllers.oci.credentials import Credentials
from controllers.oci.options import RegistryOptions

__all__ = ["Authenticator"]

_MIN_TOKEN_SECONDS = 60.0
_EXPIRY_MARGIN = 5.0
_CLIENT_ID = "aim-engine"

_Key = tuple[str, str, Credentials | None]


def _basic(credentials: Credentials) -> str:
    raw = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def _token_from(resp: Response, realm_host: str) -> tuple[str, float]:
    try:
        doc = json.loads(resp.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RegistryResponseError(f"{realm_host}: the token answer is not JSON") from None
    if not isinstance(doc, dict):
        raise RegistryResponseError(f"{realm_host}: the token answer is not a JSON object")
    token = doc.get("token") or doc.get("access_token")
    if not isinstance(token, str) or not token:
        raise RegistryResponseError(f"{realm_host}: the token answer holds no token")
    expires = doc.get("expires_in")
    seconds = float(expires) if isinstance(expires, int | float) else _MIN_TOKEN_SECONDS
    return token, max(seconds, _MIN_TOKEN_SECONDS)


class Authenticator:
    """Holds the ``Authorization`` values earned per registry and scope, and earns new ones."""

    def __init__(self, transport: Transport, clock: Clock, options: RegistryOptions) -> None:
        """Send through ``transport``; expire tokens on ``clock``; cap entries per ``options``."""
        self._transport = transport
        self._clock = clock
        self._options = options
        self._known: OrderedDict[_Key, tuple[str, float | None]] = OrderedDict()

    def _cached(self, key: _Key) -> str | None:
        hit = self._known.get(key)
        if hit is None:
            return None
        value, expires = hit
        if expires is not None and self._clock.monotonic() >= expires:
            del self._known[key]
            return None
        self._known.move_to_end(key)
        return value

    def _remember(self, key: _Key, value: str, lifetime: float | None) -> None:
        expires = None if lifetime is None else self._clock.monotonic() + lifetime - _EXPIRY_MARGIN
        self._known[key] = (value, expires)
        self._known.move_to_end(key)
        while len(self._known) > self._options.cache_entries:
            self._known.popitem(last=False)

    async def request(
        self,
        method: str,
        url: str,
        *,
        scope: str,
        credentials: Credentials | None,
        headers: Mapping[str, str],
        limit: int,
    ) -> Response:
        """Send a registry request, answering one authentication challenge if one comes.

        Returns:
            The final answer, whatever its status (a 401 here means the credentials failed).

        Raises:
            RegistryAuthError: the token service refused the credentials.
            RegistryError: the token service failed otherwise (see :meth:`Transport.send`).
        """
        host = urlsplit(url).netloc
        key: _Key = (host, scope, credentials)
        held = self._cached(key)
        send = dict(headers)
        if held:
            send["Authorization"] = held
        resp = await self._transport.send(method, url, send, limit=limit)
        if resp.status != 401:
            return resp
        challenge = parse_challenge(resp.headers.get("WWW-Authenticate", ""))
        if challenge is None:
            return resp
        answer = await self._answer(challenge, scope, credentials)
        if answer is None:
            return resp
        value, lifetime = answer
        self._remember(key, value, lifetime)
        send["Authorization"] = value
        return await self._transport.send(method, url, send, limit=limit)

    async def _answer(
        self, challenge: Challenge, scope: str, credentials: Credentials | None
    ) -> tuple[str, float | None] | None:
        if challenge.scheme == "basic":
            return (_basic(credentials), None) if credentials and credentials.has_basic else None
        if challenge.scheme != "bearer" or not challenge.realm:
            return None
        token, lifetime = await self._fetch_token(challenge, scope, credentials)
        return f"Bearer {token}", lifetime

    async def _fetch_token(
        self, challenge: Challenge, scope: str, credentials: Credentials | None
    ) -> tuple[str, float]:
        realm = challenge.realm
        realm_host = urlsplit(realm).netloc or realm[:100]
        params = {"service": challenge.params.get("service", "")}
        params["scope"] = challenge.params.get("scope") or scope
        limit = self._options.max_token_bytes
        if credentials is not None and credentials.identity_token:
            form = {
                **params,
                "grant_type": "refresh_token",
                "refresh_token": credentials.identity_token,
                "client_id": _CLIENT_ID,
            }
            resp = await self._transport.send("POST", realm, {}, limit=limit, form=form)
        else:
            headers = (
                {"Authorization": _basic(credentials)}
                if credentials and credentials.has_basic
                else {}
            )
            query = urlencode({k: v for k, v in params.items() if v})
            sep = "&" if "?" in realm else "?"
            resp = await self._transport.send("GET", f"{realm}{sep}{query}", headers, limit=limit)
        if resp.status in (401, 403):
            raise RegistryAuthError(
                f"{realm_host}: the token service refused the credentials (HTTP {resp.status})",
                status=resp.status,
            )
        if resp.status != 200:
            raise RegistryError(
                f"{realm_host}: the token service answered HTTP {resp.status}", status=resp.status
            )
        return _token_from(resp, realm_host)

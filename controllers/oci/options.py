"""Tuning of the registry client: timeouts, retries, size caps and which hosts speak plain HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["RegistryOptions"]

_MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RegistryOptions:
    """How the registry client talks to registries. Every field documents its default.

    Attributes:
        request_timeout: seconds one HTTP exchange (connect, headers and the whole body, redirects
            included) may take on the injected clock before it counts as unavailable (30).
        retries: further attempts after a connection error, a timeout, 429 or a 5xx (2); other
            answers are never retried here (the controller's backoff takes over).
        backoff: seconds before the first retry, doubled for each next one (0.5).
        max_retry_after: cap on a 429's ``Retry-After`` honoured between attempts (10 s).
        max_manifest_bytes: cap on a manifest or index body (4 MiB, as distribution's own limit).
        max_config_bytes: cap on an image config blob (4 MiB).
        max_listing_bytes: cap on one page of a tag or catalog listing (4 MiB).
        max_token_bytes: cap on a token-service answer (256 KiB).
        max_error_bytes: how much of an error body is read for its message (64 KiB).
        max_pages: pages of a tag or catalog listing followed via ``Link`` (100).
        page_size: the ``n`` asked for per listing page (1000).
        max_redirects: redirects followed for one request (blob downloads redirect to storage) (5).
        cache_entries: manifests and configs kept per client, by digest (512).
        plain_http_hosts: ``host[:port]`` registries spoken to over ``http://`` (none).
        loopback_plain_http: whether ``localhost``/``127.*``/``[::1]`` registries use ``http://``
            too, as Docker does for local registries (true).
        user_agent: the ``User-Agent`` header (``aim-engine``).
        proxies: proxy URL per scheme plus ``no`` (the bypass list), as
            ``urllib.request.getproxies()`` returns them; ``None`` (the default) reads
            ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` from the environment when the client is
            created, as clusters behind a proxy need. ``{}`` means no proxy.
    """

    request_timeout: float = 30.0
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 10.0
    max_manifest_bytes: int = 4 * _MIB
    max_config_bytes: int = 4 * _MIB
    max_listing_bytes: int = 4 * _MIB
    max_token_bytes: int = 256 * 1024
    max_error_bytes: int = 64 * 1024
    max_pages: int = 100
    page_size: int = 1000
    max_redirects: int = 5
    cache_entries: int = 512
    plain_http_hosts: frozenset[str] = field(default_factory=frozenset)
    loopback_plain_http: bool = True
    user_agent: str = "aim-engine"
    proxies: Mapping[str, str] | None = None

    def scheme(self, host: str) -> str:
        """``http`` or ``https`` for a registry ``host[:port]``."""
        if host in self.plain_http_hosts:
            return "http"
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if self.loopback_plain_http and (name in ("localhost", "[::1]") or name.startswith("127.")):
            return "http"
        return "https"

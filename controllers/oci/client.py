"""The registry client: inspect an image's labels, list tags and repositories (async, aiohttp).

:class:`RegistryClient` speaks the Docker Registry HTTP API v2 / OCI distribution API:

* :meth:`RegistryClient.inspect_image` resolves a reference to a manifest (a manifest list or OCI
  index is resolved to its linux/amd64 image), fetches the config blob and parses its labels
  (:func:`controllers.oci.labels.parse_labels`). A tag costs one ``HEAD`` once its digest has been
  inspected before; digests are verified against the bodies; results are cached by digest
  (scoped by registry, repository and credentials, so one namespace's pull secret never lets
  another read a private image from the cache);
* :meth:`RegistryClient.list_tags` and :meth:`RegistryClient.list_repositories` follow ``Link``
  pagination (same origin only, at most ``max_pages`` pages).

Credentials come from a :class:`~controllers.oci.credentials.Keychain`; authentication is lazy
(:mod:`controllers.oci._auth`). Timeouts, retries and size caps are
:class:`~controllers.oci.options.RegistryOptions`; every failure is one of the typed errors of
:mod:`controllers.oci._errors`. The client owns no global state: make one per manager and close
it (``async with RegistryClient() as client``), or hand it a session whose lifetime you own.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType, TracebackType

import aiohttp

from aim_engine.api.v1alpha1 import ImageMetadata
from aim_engine.clock import Clock, SystemClock
from controllers.oci._auth import Authenticator
from controllers.oci._errors import RegistryResponseError, ResponseTooLargeError
from controllers.oci._status import check, json_object, next_link, string_list
from controllers.oci._transport import Response, Transport
from controllers.oci.credentials import Credentials, Keychain
from controllers.oci.digest_cache import DigestCache
from controllers.oci.labels import parse_labels
from controllers.oci.manifests import (
    ACCEPTED_MANIFEST_TYPES,
    Descriptor,
    Manifest,
    decode_config_labels,
    decode_manifest,
    digest_of,
    select_platform,
)
from controllers.oci.options import RegistryOptions
from controllers.oci.reference import (
    DOCKER_HUB,
    DOCKER_HUB_API_HOST,
    ImageReference,
    normalize_registry,
    parse_reference,
)

__all__ = ["ImageInspection", "RegistryClient"]

_log = logging.getLogger(__name__)
_ACCEPT = {"Accept": ", ".join(ACCEPTED_MANIFEST_TYPES)}
_CATALOG_SCOPE = "registry:catalog:*"


@dataclass(frozen=True, slots=True)
class ImageInspection:
    """What :meth:`RegistryClient.inspect_image` learned about one image.

    Attributes:
        reference: the reference asked for, pinned to ``digest``.
        digest: what the tag resolved to (the index's digest for a multi-arch image).
        image_digest: the linux/amd64 image manifest's digest (``digest`` for a single image).
        config_digest: the config blob's digest.
        labels: the config's raw labels, read-only (empty when the image has none).
        metadata: the labels parsed for the model controller.
    """

    reference: ImageReference
    digest: str
    image_digest: str
    config_digest: str
    labels: Mapping[str, object]
    metadata: ImageMetadata


_CacheKey = tuple[str, str, str, Credentials | None]


class RegistryClient:
    """An async client of OCI registries, with caches and limits of its own."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None = None,
        clock: Clock | None = None,
        options: RegistryOptions | None = None,
    ) -> None:
        """Create a client.

        Args:
            session: the aiohttp session to send through (kept open by :meth:`close`); by default
                the client opens its own on first use and closes it in :meth:`close`.
            clock: deadlines, backoff and token expiry (default :class:`SystemClock`).
            options: limits and timeouts (default :class:`RegistryOptions()`).
        """
        self._clock = clock or SystemClock()
        self._options = options or RegistryOptions()
        self._session = session
        self._owns_session = session is None
        self._auth: Authenticator | None = None
        self._proxies = dict(
            urllib.request.getproxies_environment()
            if self._options.proxies is None
            else self._options.proxies
        )
        self._inspections: DigestCache[_CacheKey, ImageInspection] = DigestCache(
            self._options.cache_entries
        )

    async def __aenter__(self) -> RegistryClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this client opened it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None
            self._auth = None

    def _authenticator(self) -> Authenticator:
        if self._auth is None:
            if self._session is None:
                self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
            transport = Transport(self._session, self._clock, self._options, self._proxies)
            self._auth = Authenticator(transport, self._clock, self._options)
        return self._auth

    def _base(self, host: str) -> str:
        return f"{self._options.scheme(host)}://{host}/v2"

    async def _get(
        self,
        method: str,
        url: str,
        *,
        scope: str,
        credentials: Credentials | None,
        limit: int,
        what: str,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        resp = await self._authenticator().request(
            method, url, scope=scope, credentials=credentials, headers=headers or {}, limit=limit
        )
        return check(resp, what)

    async def _manifest(
        self, ref: ImageReference, reference: str, credentials: Credentials | None
    ) -> tuple[Manifest, str]:
        what = f"{ref.registry}: manifest {ref.repository}:{reference}"
        resp = await self._get(
            "GET",
            f"{self._base(ref.api_host)}/{ref.repository}/manifests/{reference}",
            scope=f"repository:{ref.repository}:pull",
            credentials=credentials,
            limit=self._options.max_manifest_bytes,
            what=what,
            headers=_ACCEPT,
        )
        computed = digest_of(resp.body)
        expected = reference if ":" in reference else resp.headers.get("Docker-Content-Digest", "")
        if expected.startswith("sha256:") and expected != computed:
            raise RegistryResponseError(f"{what}: the body does not match digest {expected}")
        manifest = decode_manifest(resp.body, resp.headers.get("Content-Type", ""))
        return manifest, expected or computed

    async def _config_labels(
        self, ref: ImageReference, config: Descriptor, credentials: Credentials | None
    ) -> dict[str, object] | None:
        what = f"{ref.registry}: config blob {ref.repository}@{config.digest}"
        limit = self._options.max_config_bytes
        if config.size > limit:
            raise ResponseTooLargeError(f"{what}: {config.size} bytes is over the {limit}-byte cap")
        resp = await self._get(
            "GET",
            f"{self._base(ref.api_host)}/{ref.repository}/blobs/{config.digest}",
            scope=f"repository:{ref.repository}:pull",
            credentials=credentials,
            limit=limit,
            what=what,
        )
        if config.digest.startswith("sha256:") and digest_of(resp.body) != config.digest:
            raise RegistryResponseError(f"{what}: the body does not match its digest")
        return decode_config_labels(resp.body)

    async def _resolve_tag(self, ref: ImageReference, credentials: Credentials | None) -> str:
        """The digest a tag points at from a ``HEAD`` ("" if the registry does not say).

        A failed ``HEAD`` also gives "": its answer has no body to tell why, so the ``GET``
        that follows raises the error, with the registry's error codes in the message.
        """
        resp = await self._authenticator().request(
            "HEAD",
            f"{self._base(ref.api_host)}/{ref.repository}/manifests/{ref.manifest_reference}",
            scope=f"repository:{ref.repository}:pull",
            credentials=credentials,
            headers=_ACCEPT,
            limit=0,
        )
        digest = resp.headers.get("Docker-Content-Digest", "")
        return digest if 200 <= resp.status < 300 and ":" in digest else ""

    async def inspect_image(
        self, image: str | ImageReference, keychain: Keychain | None = None
    ) -> ImageInspection:
        """Read the labels of an image (its linux/amd64 variant for a multi-arch image).

        Args:
            image: a reference string (``ghcr.io/org/model:1.0``) or a parsed reference.
            keychain: credentials per registry (anonymous where it has none).

        Returns:
            The digests, the raw labels and the parsed metadata.

        Raises:
            InvalidReferenceError: ``image`` does not parse.
            RegistryAuthError: 401/403 (also a token service that refused).
            ImageNotFoundError: no such repository, tag or digest, or no linux/amd64 image.
            RegistryUnavailableError: unreachable, timed out, 429 or 5xx after the retries.
            RegistryResponseError: a body that is not what the API promises (or too large).
            ImageMetadataError: the AIM labels cannot be read.
        """
        ref = parse_reference(image) if isinstance(image, str) else image
        credentials = keychain.lookup(ref.registry) if keychain else None
        digest = ref.digest or await self._resolve_tag(ref, credentials)
        key: _CacheKey = (ref.registry, ref.repository, digest, credentials)
        cached = self._inspections.get(key) if digest else None
        if cached is not None:
            return cached
        top, digest = await self._manifest(ref, digest or ref.manifest_reference, credentials)
        image_manifest, image_digest = top, digest
        if top.is_index:
            entry = select_platform(top)
            image_manifest, image_digest = await self._manifest(ref, entry.digest, credentials)
        if image_manifest.config is None:
            raise RegistryResponseError(
                f"{ref.registry}: {ref.repository}@{image_digest} is an index inside an index"
            )
        labels = await self._config_labels(ref, image_manifest.config, credentials) or {}
        inspection = ImageInspection(
            reference=ref.with_digest(digest),
            digest=digest,
            image_digest=image_digest,
            config_digest=image_manifest.config.digest,
            labels=MappingProxyType(labels),
            metadata=parse_labels(labels),
        )
        self._inspections.put((ref.registry, ref.repository, digest, credentials), inspection)
        _log.debug(
            "registry image inspected",
            extra={"image": str(ref), "digest": digest, "labels": len(labels)},
        )
        return inspection

    async def _listing(
        self, url: str, field: str, *, scope: str, credentials: Credentials | None, what: str
    ) -> list[str]:
        items: list[str] = []
        next_url: str | None = url
        for _page in range(self._options.max_pages):
            if next_url is None:
                return items
            resp = await self._get(
                "GET",
                next_url,
                scope=scope,
                credentials=credentials,
                limit=self._options.max_listing_bytes,
                what=what,
            )
            items.extend(string_list(json_object(resp, what), field, what))
            next_url = next_link(resp, what)
        if next_url is not None:
            raise RegistryResponseError(f"{what}: more than {self._options.max_pages} pages")
        return items

    async def list_tags(
        self, repository: str | ImageReference, keychain: Keychain | None = None
    ) -> list[str]:
        """All tags of a repository, in the registry's order, following ``Link`` pagination.

        Args:
            repository: ``[registry/]repository`` (a tag or digest in it is ignored) or a reference.
            keychain: credentials per registry.

        Raises:
            InvalidReferenceError: ``repository`` does not parse.
            ImageNotFoundError: the repository does not exist.
            RegistryResponseError: a page that is not a tag list, a link to another origin, or
                more than ``max_pages`` pages.
            RegistryAuthError: 401/403 (also a token service that refused).
            RegistryUnavailableError: unreachable, timed out, 429 or 5xx after the retries.
        """
        ref = parse_reference(repository) if isinstance(repository, str) else repository
        return await self._listing(
            f"{self._base(ref.api_host)}/{ref.repository}/tags/list?n={self._options.page_size}",
            "tags",
            scope=f"repository:{ref.repository}:pull",
            credentials=keychain.lookup(ref.registry) if keychain else None,
            what=f"{ref.registry}: tags of {ref.repository}",
        )

    async def list_repositories(self, registry: str, keychain: Keychain | None = None) -> list[str]:
        """All repositories of a registry (the ``_catalog`` API; Docker Hub has none).

        Args:
            registry: ``host[:port]``.
            keychain: credentials per registry.

        Raises:
            RegistryAuthError: 401/403 (also a token service that refused).
            ImageNotFoundError: the registry has no catalog API.
            RegistryUnavailableError: unreachable, timed out, 429 or 5xx after the retries.
            RegistryResponseError: a page that is not a repository list, a link to another
                origin, or more than ``max_pages`` pages.
        """
        host = normalize_registry(registry)
        api_host = DOCKER_HUB_API_HOST if host == DOCKER_HUB else host
        return await self._listing(
            f"{self._base(api_host)}/_catalog?n={self._options.page_size}",
            "repositories",
            scope=_CATALOG_SCOPE,
            credentials=keychain.lookup(host) if keychain else None,
            what=f"{host}: catalog",
        )

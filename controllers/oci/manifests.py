"""Manifests, indexes and image configs of the distribution API, decoded and checked, no I/O.

A tag or digest resolves to one of:

* an image manifest (Docker schema 2 ``application/vnd.docker.distribution.manifest.v2+json``
  or OCI ``application/vnd.oci.image.manifest.v1+json``), whose ``config`` descriptor points at
  the config blob holding the labels;
* a manifest list (Docker ``...manifest.list.v2+json``) or an OCI index
  (``application/vnd.oci.image.index.v1+json``), whose ``manifests`` name one image per
  platform. :func:`select_platform` picks linux/amd64 (the operator runs on AMD GPU nodes).

Every decoder takes the raw bytes and raises :class:`RegistryResponseError` on anything that is
not the documented shape, so a registry returning garbage becomes a condition, not a crash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from controllers.oci._errors import ImageNotFoundError, RegistryResponseError

__all__ = [
    "ACCEPTED_MANIFEST_TYPES",
    "DOCKER_CONFIG",
    "DOCKER_MANIFEST",
    "DOCKER_MANIFEST_LIST",
    "INDEX_TYPES",
    "OCI_CONFIG",
    "OCI_INDEX",
    "OCI_MANIFEST",
    "Descriptor",
    "Manifest",
    "Platform",
    "decode_config_labels",
    "decode_manifest",
    "digest_of",
    "select_platform",
]

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"

INDEX_TYPES = frozenset({DOCKER_MANIFEST_LIST, OCI_INDEX})
IMAGE_TYPES = frozenset({DOCKER_MANIFEST, OCI_MANIFEST})
ACCEPTED_MANIFEST_TYPES = (OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST)
"""The ``Accept`` list of a manifest request, in order of preference."""


@dataclass(frozen=True, slots=True)
class Platform:
    """``os``/``architecture``[/``variant``] of one entry of an index."""

    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        base = f"{self.os}/{self.architecture}"
        return f"{base}/{self.variant}" if self.variant else base


@dataclass(frozen=True, slots=True)
class Descriptor:
    """A content descriptor: what a manifest says about a blob or a child manifest."""

    media_type: str
    digest: str
    size: int
    platform: Platform | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    """A decoded manifest: either an image (``config`` set) or an index (``manifests`` set)."""

    media_type: str
    config: Descriptor | None = None
    manifests: tuple[Descriptor, ...] = ()

    @property
    def is_index(self) -> bool:
        """Whether this is a manifest list or an OCI index."""
        return self.media_type in INDEX_TYPES


def digest_of(body: bytes) -> str:
    """The ``sha256:<hex>`` digest of a body."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _json_object(body: bytes, what: str) -> dict[str, object]:
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RegistryResponseError(f"the {what} is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise RegistryResponseError(f"the {what} is not a JSON object")
    return parsed


def _descriptor(raw: object, what: str) -> Descriptor:
    if not isinstance(raw, dict):
        raise RegistryResponseError(f"a descriptor in the {what} is not an object")
    digest, size, media_type = raw.get("digest"), raw.get("size"), raw.get("mediaType", "")
    if not isinstance(digest, str) or ":" not in digest:
        raise RegistryResponseError(f"a descriptor in the {what} has no valid digest")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise RegistryResponseError(f"descriptor {digest} in the {what} has no valid size")
    platform = None
    plat = raw.get("platform")
    if isinstance(plat, dict):
        platform = Platform(
            str(plat.get("os", "")), str(plat.get("architecture", "")), str(plat.get("variant", ""))
        )
    return Descriptor(str(media_type or ""), digest, size, platform)


def decode_manifest(body: bytes, content_type: str = "") -> Manifest:
    """Decode a manifest or index body.

    Args:
        body: the raw body.
        content_type: the response's ``Content-Type`` (the body's ``mediaType`` wins; OCI makes
            it optional, so the header, then the shape, decide when it is missing).

    Raises:
        RegistryResponseError: not JSON, an unknown media type or a malformed descriptor.
    """
    doc = _json_object(body, "manifest")
    declared = doc.get("mediaType")
    media_type = declared if isinstance(declared, str) and declared else content_type.split(";")[0]
    if not media_type:
        media_type = OCI_INDEX if "manifests" in doc else OCI_MANIFEST
    if media_type in INDEX_TYPES:
        entries = doc.get("manifests")
        if not isinstance(entries, list):
            raise RegistryResponseError("the index has no 'manifests' array")
        return Manifest(media_type, manifests=tuple(_descriptor(e, "index") for e in entries))
    if media_type in IMAGE_TYPES:
        return Manifest(media_type, config=_descriptor(doc.get("config"), "manifest"))
    raise RegistryResponseError(f"unsupported manifest media type {media_type[:100]!r}")


def select_platform(index: Manifest, os: str = "linux", architecture: str = "amd64") -> Descriptor:
    """The index entry for ``os``/``architecture`` (attestation entries are skipped).

    Raises:
        ImageNotFoundError: the index has no entry for that platform.
    """
    for entry in index.manifests:
        plat = entry.platform
        if plat is not None and plat.os == os and plat.architecture == architecture:
            return entry
    offered = ", ".join(str(e.platform) for e in index.manifests if e.platform) or "none"
    raise ImageNotFoundError(
        f"the image index has no {os}/{architecture} image (platforms: {offered[:200]})"
    )


def decode_config_labels(body: bytes) -> dict[str, object] | None:
    """The ``config.Labels`` of an image config blob (``None`` when the image has none).

    Raises:
        RegistryResponseError: not a JSON object, or ``config``/``Labels`` of the wrong type.
    """
    doc = _json_object(body, "image config")
    config = doc.get("config")
    if config is None:
        return None
    if not isinstance(config, dict):
        raise RegistryResponseError("the image config's 'config' is not an object")
    labels = config.get("Labels")
    if labels is None:
        return None
    if not isinstance(labels, dict):
        raise RegistryResponseError("the image config's 'config.Labels' is not an object")
    return labels

"""Image references: ``[registry[:port]/]repository[:tag][@digest]``, parsed the way Docker does.

A reference names a registry, a repository inside it and either a tag or a digest (both may be
given; the digest wins when talking to the registry). Docker's defaulting rules apply:

* the first path component is a registry only when it looks like a host: it contains a ``.`` or
  a ``:`` (a port), or is ``localhost``; otherwise the registry is ``docker.io``;
* ``index.docker.io`` is spelled ``docker.io``, and a one-component Docker Hub repository gets
  the ``library/`` prefix (``nginx`` is ``docker.io/library/nginx``);
* no tag and no digest means the tag ``latest``.

Docker Hub's API lives at ``registry-1.docker.io``; :attr:`ImageReference.api_host` maps it.
The parser is pure and strict: anything it cannot read raises :class:`InvalidReferenceError`,
which the model controller reports with reason ``InvalidImageReference``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from controllers.oci._errors import InvalidReferenceError

__all__ = [
    "DEFAULT_TAG",
    "DOCKER_HUB",
    "DOCKER_HUB_API_HOST",
    "ImageReference",
    "normalize_registry",
    "parse_reference",
]

DOCKER_HUB = "docker.io"
"""The registry of references that name none."""

DOCKER_HUB_API_HOST = "registry-1.docker.io"
"""Where Docker Hub's registry API answers."""

DEFAULT_TAG = "latest"

_MAX_NAME_LENGTH = 255
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY_RE = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG_RE = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST_RE = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$")
_SHA256_RE = re.compile(r"^sha256:[a-f0-9]{64}$")
_HOST_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_REGISTRY_RE = re.compile(
    rf"^(?:{_HOST_LABEL}(?:\.{_HOST_LABEL})*|\[[0-9a-fA-F:.]+\])(?::\d{{1,5}})?$"
)


@dataclass(frozen=True, slots=True)
class ImageReference:
    """A parsed image reference.

    Attributes:
        registry: the registry as users write it, lower-cased, with its port
            (``docker.io``, ``ghcr.io``, ``localhost:5000``).
        repository: the path inside the registry (``library/nginx``, ``amdenterpriseai/aim``).
        tag: the tag, ``None`` when only a digest was given.
        digest: ``algorithm:hex``, or ``None``.
    """

    registry: str
    repository: str
    tag: str | None = DEFAULT_TAG
    digest: str | None = None

    @property
    def api_host(self) -> str:
        """The ``host[:port]`` whose ``/v2/`` API serves this registry."""
        return DOCKER_HUB_API_HOST if self.registry == DOCKER_HUB else self.registry

    @property
    def manifest_reference(self) -> str:
        """What goes after ``/manifests/``: the digest if there is one, else the tag."""
        return self.digest or self.tag or DEFAULT_TAG

    @property
    def name(self) -> str:
        """``registry/repository`` without tag or digest."""
        return f"{self.registry}/{self.repository}"

    def with_digest(self, digest: str) -> ImageReference:
        """The same image pinned to ``digest`` (the tag is kept for display)."""
        return ImageReference(self.registry, self.repository, self.tag, digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def normalize_registry(registry: str) -> str:
    """Lower-case a registry host and spell Docker Hub's aliases ``docker.io``."""
    host = registry.strip().lower()
    for prefix in ("https://", "http://"):
        host = host.removeprefix(prefix)
    host = host.split("/", 1)[0]
    if host in ("index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"):
        return DOCKER_HUB
    return host


def _looks_like_registry(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost"


def _split_digest(text: str, original: str) -> tuple[str, str | None]:
    if "@" not in text:
        return text, None
    name, digest = text.split("@", 1)
    if not _DIGEST_RE.match(digest) or (
        digest.startswith("sha256:") and not _SHA256_RE.match(digest)
    ):
        raise InvalidReferenceError(f"invalid digest {digest!r} in image reference {original!r}")
    return name, digest


def _split_tag(text: str, original: str) -> tuple[str, str | None]:
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon <= slash:  # no colon after the last slash: the colon (if any) is a port
        return text, None
    name, tag = text[:colon], text[colon + 1 :]
    if not _TAG_RE.match(tag):
        raise InvalidReferenceError(f"invalid tag {tag!r} in image reference {original!r}")
    return name, tag


def parse_reference(text: str) -> ImageReference:
    """Parse an image reference with Docker's defaults.

    Args:
        text: e.g. ``nginx``, ``ghcr.io/org/model:1.0``, ``localhost:5000/a/b@sha256:...``.

    Returns:
        The parsed reference; ``tag`` is ``latest`` when neither tag nor digest is given.

    Raises:
        InvalidReferenceError: empty, whitespace, upper-case repository, bad tag, digest,
            registry or a name longer than 255 characters.
    """
    original = text
    if not text or text != text.strip() or any(c.isspace() for c in text):
        raise InvalidReferenceError(f"image reference {original!r} is empty or has whitespace")
    rest, digest = _split_digest(text, original)
    rest, tag = _split_tag(rest, original)
    first, sep, remainder = rest.partition("/")
    if sep and _looks_like_registry(first):
        if not _REGISTRY_RE.match(first):
            raise InvalidReferenceError(
                f"invalid registry {first!r} in image reference {original!r}"
            )
        registry, repository = normalize_registry(first), remainder
    else:
        registry, repository = DOCKER_HUB, rest
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    if not _REPOSITORY_RE.match(repository):
        raise InvalidReferenceError(
            f"invalid repository {repository!r} in image reference {original!r} "
            "(lower-case letters, digits and . _ - separators only)"
        )
    if len(f"{registry}/{repository}") > _MAX_NAME_LENGTH:
        raise InvalidReferenceError(
            f"image name in {original!r} is longer than {_MAX_NAME_LENGTH} characters"
        )
    if tag is None and digest is None:
        tag = DEFAULT_TAG
    return ImageReference(registry, repository, tag, digest)

"""Model-source filters: parsing, matching images against them, and how each one is scanned.

A filter's ``image`` is either a repository pattern with ``*`` wildcards (``amdenterpriseai/aim-*``,
``ghcr.io/org/*``) or an image reference (``org/repo``, ``org/repo:1.0.0``). :func:`parse_filter`
resolves it against the source's spec; :func:`image_matches` (and its two halves
:func:`repository_matches` / :func:`tag_matches`) decide whether an image belongs to it;
:func:`select_strategy` says how the registry must be scanned for it. The network part of each
strategy lives elsewhere; this module only describes it.

Choices beyond the spec (§5.6.1):

* A wildcard filter may carry a tag (``org/aim-*:0.8.5``): it is split off the last path segment
  and matched exactly. The original kept it in the repository pattern, where it never matched.
* Registry names ``docker.io``, ``index.docker.io`` and ``registry-1.docker.io`` are one registry.
* A wildcard filter's registry is recognised like a reference's (a first segment with ``.`` or
  ``:``, or ``localhost``), so ``localhost:5000/org/*`` scans that registry.
* A registry written in the filter wins over ``spec.registry``, ``docker.io`` included. The
  original dropped an explicit ``docker.io`` (its reference parser cannot tell it from the
  default), so ``docker.io/org/repo`` on a ``quay.io`` source scanned quay.io.
* Digest references (``org/repo@sha256:…``) are rejected: a model source creates tag-named models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from aim_engine.api.v1alpha1.model_source import AIMClusterModelSourceSpec, AIMModelSourceFilter
from aim_engine.errors import InvalidSpecError
from controllers.modelsource.semver import tag_satisfies

__all__ = [
    "DOCKER_HUB",
    "GITHUB_REGISTRY",
    "DiscoveredImage",
    "ImageFilter",
    "Strategy",
    "StrategyKind",
    "image_matches",
    "image_uri",
    "matching_images",
    "normalize_registry",
    "parse_filter",
    "repository_matches",
    "select_strategy",
    "static_image",
    "tag_matches",
    "wildcard_match",
]

DOCKER_HUB = "docker.io"
GITHUB_REGISTRY = "ghcr.io"
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_DOCKER_HUB_WEB = "hub.docker.com"
WILDCARD = "*"


def normalize_registry(registry: str) -> str:
    """A registry host with Docker Hub's aliases folded into ``docker.io``."""
    host = registry.strip().lower().rstrip("/")
    return DOCKER_HUB if host in _DOCKER_HUB_ALIASES else host


def image_uri(registry: str, repository: str, tag: str) -> str:
    """The image reference a model gets: ``repo:tag`` on Docker Hub, else ``registry/repo:tag``."""
    if normalize_registry(registry) == DOCKER_HUB:
        return f"{repository}:{tag}"
    return f"{registry}/{repository}:{tag}"


@dataclass(frozen=True, slots=True)
class DiscoveredImage:
    """One image found for a filter.

    Attributes:
        registry: registry host (``docker.io`` for Docker Hub).
        repository: repository path, e.g. ``amdenterpriseai/aim-qwen-qwen3-32b``.
        tag: the tag.
    """

    registry: str
    repository: str
    tag: str

    @property
    def uri(self) -> str:
        """The image reference (see :func:`image_uri`)."""
        return image_uri(self.registry, self.repository, self.tag)


@dataclass(frozen=True, slots=True)
class ImageFilter:
    """A filter resolved against its source.

    Attributes:
        image: the filter as written.
        registry: registry to scan: the filter's own, else ``spec.registry``, else ``docker.io``.
        repository: the repository, or a pattern with ``*``.
        tag: an explicit tag (matched exactly), or ``""``.
        exclude: repositories to skip (exact names).
        versions: version constraints: the filter's own, else ``spec.versions``.
    """

    image: str
    registry: str
    repository: str
    tag: str = ""
    exclude: frozenset[str] = frozenset()
    versions: tuple[str, ...] = ()

    @property
    def wildcard(self) -> bool:
        """Whether the repository is a ``*`` pattern."""
        return WILDCARD in self.repository


def _split_tag(path: str) -> tuple[str, str]:
    head, _, last = path.rpartition("/")
    if ":" not in last:
        return path, ""
    name, _, tag = last.partition(":")
    return (f"{head}/{name}" if head else name), tag


def _is_host(segment: str) -> bool:
    return "." in segment or ":" in segment or segment == "localhost"


def parse_filter(flt: AIMModelSourceFilter, spec: AIMClusterModelSourceSpec) -> ImageFilter:
    """Resolve one filter of ``spec`` (registry, repository pattern, tag, constraints).

    Raises:
        InvalidSpecError: the filter names no repository, or uses a digest.
    """
    text = flt.image.strip()
    if "@" in text:
        raise InvalidSpecError(f"filter {text!r}: digest references are not supported")
    registry = ""
    first, sep, rest = text.partition("/")
    if sep and _is_host(first):
        registry, text = first, rest
    repository, tag = _split_tag(text)
    if not repository or repository.startswith("/") or repository.endswith("/"):
        raise InvalidSpecError(f"filter {flt.image!r} names no repository")
    resolved = normalize_registry(registry or spec.registry or DOCKER_HUB)
    versions = flt.versions if flt.versions else spec.versions
    return ImageFilter(
        image=flt.image,
        registry=resolved,
        repository=repository,
        tag=tag,
        exclude=frozenset(flt.exclude or ()),
        versions=tuple(versions or ()),
    )


def wildcard_match(pattern: str, name: str) -> bool:
    """Whether ``name`` matches ``pattern``, where ``*`` is any run of characters (even ``/``).

    No other character is special. The first piece must be a prefix, the last a suffix, and the
    pieces between must appear in order without overlapping.
    """
    pieces = pattern.split(WILDCARD)
    if len(pieces) == 1:
        return pattern == name
    head, tail = pieces[0], pieces[-1]
    if len(name) < len(head) + len(tail) or not name.startswith(head) or not name.endswith(tail):
        return False
    index, end = len(head), len(name) - len(tail)
    for piece in pieces[1:-1]:
        found = name.find(piece, index, end)
        if found < 0:
            return False
        index = found + len(piece)
    return True


def repository_matches(flt: ImageFilter, repository: str) -> bool:
    """Whether a repository belongs to the filter (pattern or exact name, and not excluded)."""
    if repository in flt.exclude:
        return False
    return wildcard_match(flt.repository, repository)


def tag_matches(flt: ImageFilter, tag: str) -> bool:
    """Whether a tag belongs to the filter: the explicit tag, else the version constraints."""
    if flt.tag:
        return tag == flt.tag
    return tag_satisfies(tag, flt.versions)


def image_matches(flt: ImageFilter, registry: str, repository: str, tag: str) -> bool:
    """Whether an image belongs to the filter: same registry, repository and tag match."""
    if normalize_registry(registry) != flt.registry:
        return False
    return repository_matches(flt, repository) and tag_matches(flt, tag)


class StrategyKind(StrEnum):
    """How the registry is scanned for a filter."""

    STATIC = "StaticImage"
    """Explicit tag, no wildcard: the image itself, no network."""
    LIST_TAGS = "ListTags"
    """No wildcard, no tag: ``/v2/<repository>/tags/list`` of the registry."""
    DOCKER_HUB = "DockerHub"
    """Wildcard on Docker Hub: the Hub API's repositories of a namespace, then their tags."""
    GITHUB_PACKAGES = "GitHubPackages"
    """Wildcard on ghcr.io: the GitHub API's container packages of an org (needs a token)."""
    CATALOG = "Catalog"
    """Wildcard on another registry: ``/v2/_catalog``, then tags of each match."""


@dataclass(frozen=True, slots=True)
class Strategy:
    """What to ask the registry for one filter.

    Attributes:
        kind: the :class:`StrategyKind`.
        registry: registry host.
        repository: repository or pattern to match listed repositories against.
        namespace: Docker Hub namespace or GitHub org to list (wildcard strategies), else ``""``.
    """

    kind: StrategyKind
    registry: str
    repository: str
    namespace: str = ""


def _literal_namespace(flt: ImageFilter) -> str:
    namespace, sep, _ = flt.repository.partition("/")
    if not sep or WILDCARD in namespace:
        raise InvalidSpecError(
            f"filter {flt.image!r}: a wildcard on {flt.registry} needs a literal namespace "
            "before the first '/'"
        )
    return namespace


def select_strategy(flt: ImageFilter) -> Strategy:
    """The scan a filter needs (see :class:`StrategyKind`).

    Raises:
        InvalidSpecError: a Docker Hub or ghcr.io wildcard without a literal namespace/org.
    """
    if not flt.wildcard:
        kind = StrategyKind.STATIC if flt.tag else StrategyKind.LIST_TAGS
        return Strategy(kind, flt.registry, flt.repository)
    if flt.registry == DOCKER_HUB or _DOCKER_HUB_WEB in flt.registry:
        kind, namespace = StrategyKind.DOCKER_HUB, _literal_namespace(flt)
    elif flt.registry == GITHUB_REGISTRY:
        kind, namespace = StrategyKind.GITHUB_PACKAGES, _literal_namespace(flt)
    else:
        kind, namespace = StrategyKind.CATALOG, ""
    return Strategy(kind, flt.registry, flt.repository, namespace)


def static_image(flt: ImageFilter) -> DiscoveredImage:
    """The one image of a :attr:`StrategyKind.STATIC` filter (no registry call).

    Raises:
        ValueError: the filter has a wildcard or no explicit tag.
    """
    if flt.wildcard or not flt.tag:
        raise ValueError(f"filter {flt.image!r} is not a static image")
    return DiscoveredImage(flt.registry, flt.repository, flt.tag)


def matching_images(
    flt: ImageFilter, repository: str, tags: Sequence[str]
) -> list[DiscoveredImage]:
    """The images of one listed repository that belong to the filter, in the given tag order."""
    if not repository_matches(flt, repository):
        return []
    return [DiscoveredImage(flt.registry, repository, t) for t in tags if tag_matches(flt, t)]

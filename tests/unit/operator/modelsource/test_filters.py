"""Filter parsing, wildcard and image matching, strategy selection and image URIs (§5.6.1)."""

from __future__ import annotations

import pytest

from aim_engine.api.v1alpha1.model_source import AIMClusterModelSourceSpec, AIMModelSourceFilter
from aim_engine.errors import InvalidSpecError
from controllers.modelsource.filters import (
    DiscoveredImage,
    ImageFilter,
    Strategy,
    StrategyKind,
    image_matches,
    image_uri,
    matching_images,
    parse_filter,
    select_strategy,
    static_image,
    wildcard_match,
)


def _spec(
    registry: str = "docker.io", versions: list[str] | None = None
) -> AIMClusterModelSourceSpec:
    return AIMClusterModelSourceSpec(
        registry=registry, filters=[AIMModelSourceFilter(image="x")], versions=versions
    )


def _parse(
    image: str,
    *,
    registry: str = "docker.io",
    exclude: list[str] | None = None,
    versions: list[str] | None = None,
) -> ImageFilter:
    flt = AIMModelSourceFilter(image=image, exclude=exclude, versions=versions)
    return parse_filter(flt, _spec(registry))


@pytest.mark.parametrize(
    ("image", "spec_registry", "registry", "repository", "tag"),
    [
        ("amdenterpriseai/aim-*", "docker.io", "docker.io", "amdenterpriseai/aim-*", ""),
        ("ghcr.io/org/*", "docker.io", "ghcr.io", "org/*", ""),
        ("aim-*", "quay.io", "quay.io", "aim-*", ""),
        ("org/aim-*:0.8.5", "docker.io", "docker.io", "org/aim-*", "0.8.5"),
        ("localhost:5000/org/*", "docker.io", "localhost:5000", "org/*", ""),
        ("org/repo", "docker.io", "docker.io", "org/repo", ""),
        ("org/repo:1.0.0", "docker.io", "docker.io", "org/repo", "1.0.0"),
        ("ghcr.io/org/repo:1.0.0", "docker.io", "ghcr.io", "org/repo", "1.0.0"),
        ("docker.io/org/repo:1.0.0", "quay.io", "docker.io", "org/repo", "1.0.0"),
        ("index.docker.io/org/repo", "quay.io", "docker.io", "org/repo", ""),
        ("org/repo", "", "docker.io", "org/repo", ""),
        ("org/repo", "index.docker.io", "docker.io", "org/repo", ""),
        ("localhost/org/repo:v1", "docker.io", "localhost", "org/repo", "v1"),
        ("registry.local:5000/a/b/c:2", "docker.io", "registry.local:5000", "a/b/c", "2"),
    ],
)
def test_parse_filter(
    image: str, spec_registry: str, registry: str, repository: str, tag: str
) -> None:
    parsed = _parse(image, registry=spec_registry)
    assert (parsed.registry, parsed.repository, parsed.tag) == (registry, repository, tag)


@pytest.mark.parametrize("image", ["org/repo@sha256:abcd", "ghcr.io/", "/x", "ghcr.io//x"])
def test_parse_filter_rejects(image: str) -> None:
    with pytest.raises(InvalidSpecError):
        _parse(image)


@pytest.mark.parametrize(
    ("filter_versions", "spec_versions", "expected"),
    [
        (None, None, ()),
        (None, [">=0.8"], (">=0.8",)),
        ([">=0.9"], [">=0.8"], (">=0.9",)),
        ([], [">=0.8"], (">=0.8",)),
    ],
)
def test_filter_versions_override_spec_versions(
    filter_versions: list[str] | None, spec_versions: list[str] | None, expected: tuple[str, ...]
) -> None:
    flt = AIMModelSourceFilter(image="org/*", versions=filter_versions)
    assert parse_filter(flt, _spec(versions=spec_versions)).versions == expected


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("org/aim-*", "org/aim-qwen", True),
        ("org/aim-*", "org/aim-", True),
        ("org/aim-*", "org/other", False),
        ("*", "anything/at/all", True),
        ("*-qwen", "org/aim-qwen", True),
        ("*-qwen", "org/aim-qwen-2", False),
        ("org/*qwen*32b", "org/aim-qwen-qwen3-32b", True),
        ("org/*qwen*32b", "org/aim-llama-32b", False),
        ("a*b*c", "abc", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),
        ("a*a*a", "aaa", True),
        ("a*a*a", "aa", False),
        ("org/repo", "org/repo", True),
        ("org/repo", "org/repo2", False),
        ("org/aim-?", "org/aim-x", False),
        ("org/aim-[a]", "org/aim-a", False),
    ],
)
def test_wildcard_match(pattern: str, name: str, expected: bool) -> None:
    assert wildcard_match(pattern, name) is expected


_QWEN = "amdenterpriseai/aim-qwen"


@pytest.mark.parametrize(
    ("filter_image", "kw", "image", "expected"),
    [
        ("amdenterpriseai/aim-*", {}, ("docker.io", _QWEN, "0.8.5"), True),
        ("amdenterpriseai/aim-*", {}, ("index.docker.io", _QWEN, "latest"), True),
        ("amdenterpriseai/aim-*", {}, ("ghcr.io", _QWEN, "0.8.5"), False),
        ("amdenterpriseai/aim-*", {"exclude": [_QWEN]}, ("docker.io", _QWEN, "0.8.5"), False),
        (
            "amdenterpriseai/aim-*",
            {"exclude": ["amdenterpriseai/aim-*"]},
            ("docker.io", _QWEN, "1.0.0"),
            True,
        ),
        ("amdenterpriseai/aim-*", {"versions": [">=0.8.4"]}, ("docker.io", _QWEN, "0.8.5"), True),
        ("amdenterpriseai/aim-*", {"versions": [">=0.8.4"]}, ("docker.io", _QWEN, "0.8.3"), False),
        ("amdenterpriseai/aim-*", {"versions": [">=0.8.4"]}, ("docker.io", _QWEN, "latest"), False),
        (f"{_QWEN}:0.8.5", {}, ("docker.io", _QWEN, "0.8.5"), True),
        (f"{_QWEN}:0.8.5", {}, ("docker.io", _QWEN, "v0.8.5"), False),
        (f"{_QWEN}:0.8.5", {"versions": [">=1.0"]}, ("docker.io", _QWEN, "0.8.5"), True),
        (_QWEN, {}, ("docker.io", _QWEN, "anything"), True),
        (_QWEN, {}, ("docker.io", f"{_QWEN}-2", "1.0.0"), False),
    ],
)
def test_image_matches(
    filter_image: str, kw: dict[str, list[str]], image: tuple[str, str, str], expected: bool
) -> None:
    flt = _parse(filter_image, exclude=kw.get("exclude"), versions=kw.get("versions"))
    assert image_matches(flt, *image) is expected


def test_spec_versions_apply_when_the_filter_has_none() -> None:
    flt = parse_filter(AIMModelSourceFilter(image="org/*"), _spec(versions=[">=1.0"]))
    assert not image_matches(flt, "docker.io", "org/x", "0.9.0")
    assert image_matches(flt, "docker.io", "org/x", "1.0.0")


@pytest.mark.parametrize(
    ("image", "spec_registry", "expected"),
    [
        ("org/repo:1.0.0", "docker.io", Strategy(StrategyKind.STATIC, "docker.io", "org/repo")),
        (
            "ghcr.io/org/repo:1.0.0",
            "docker.io",
            Strategy(StrategyKind.STATIC, "ghcr.io", "org/repo"),
        ),
        ("org/repo", "quay.io", Strategy(StrategyKind.LIST_TAGS, "quay.io", "org/repo")),
        (
            "org/aim-*",
            "docker.io",
            Strategy(StrategyKind.DOCKER_HUB, "docker.io", "org/aim-*", "org"),
        ),
        (
            "org/aim-*",
            "hub.docker.com",
            Strategy(StrategyKind.DOCKER_HUB, "hub.docker.com", "org/aim-*", "org"),
        ),
        (
            "ghcr.io/silogen/aim-*",
            "docker.io",
            Strategy(StrategyKind.GITHUB_PACKAGES, "ghcr.io", "silogen/aim-*", "silogen"),
        ),
        (
            "org/aim-*",
            "registry.local",
            Strategy(StrategyKind.CATALOG, "registry.local", "org/aim-*"),
        ),
        ("aim-*", "registry.local", Strategy(StrategyKind.CATALOG, "registry.local", "aim-*")),
        (
            "org/aim-*:0.8.5",
            "registry.local",
            Strategy(StrategyKind.CATALOG, "registry.local", "org/aim-*"),
        ),
    ],
)
def test_select_strategy(image: str, spec_registry: str, expected: Strategy) -> None:
    assert select_strategy(_parse(image, registry=spec_registry)) == expected


@pytest.mark.parametrize(("image", "registry"), [("aim-*", "docker.io"), ("*/aim", "ghcr.io")])
def test_hub_and_github_wildcards_need_a_literal_namespace(image: str, registry: str) -> None:
    with pytest.raises(InvalidSpecError):
        select_strategy(_parse(image, registry=registry))


def test_static_image() -> None:
    assert static_image(_parse("ghcr.io/org/repo:1.0.0")) == DiscoveredImage(
        "ghcr.io", "org/repo", "1.0.0"
    )
    with pytest.raises(ValueError, match="not a static image"):
        static_image(_parse("org/repo"))


def test_matching_images_keeps_tag_order_and_drops_the_rest() -> None:
    flt = _parse("org/aim-*", versions=[">=0.8"], exclude=["org/aim-old"])
    tags = ["latest", "0.9.0", "0.7.0", "v0.8.1"]
    assert matching_images(flt, "org/aim-a", tags) == [
        DiscoveredImage("docker.io", "org/aim-a", "0.9.0"),
        DiscoveredImage("docker.io", "org/aim-a", "v0.8.1"),
    ]
    assert matching_images(flt, "org/aim-old", tags) == []
    assert matching_images(flt, "org/other", tags) == []


@pytest.mark.parametrize(
    ("registry", "repository", "tag", "uri"),
    [
        ("docker.io", "amdenterpriseai/aim-qwen", "0.8.5", "amdenterpriseai/aim-qwen:0.8.5"),
        ("index.docker.io", "org/repo", "1", "org/repo:1"),
        ("ghcr.io", "org/repo", "1.0.0", "ghcr.io/org/repo:1.0.0"),
        ("localhost:5000", "a/b", "v1", "localhost:5000/a/b:v1"),
    ],
)
def test_image_uri(registry: str, repository: str, tag: str, uri: str) -> None:
    assert image_uri(registry, repository, tag) == uri
    assert DiscoveredImage(registry, repository, tag).uri == uri

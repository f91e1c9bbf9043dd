"""Image reference parsing: Docker's defaults, ports, tags, digests, and what is refused."""

from __future__ import annotations

import pytest

from controllers.oci import ImageReference, InvalidReferenceError, parse_reference
from controllers.oci.reference import DOCKER_HUB_API_HOST, normalize_registry

SHA = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("nginx", "docker.io", "library/nginx", "latest", None),
        ("nginx:1.25", "docker.io", "library/nginx", "1.25", None),
        ("amdenterpriseai/aim-qwen:0.8.5", "docker.io", "amdenterpriseai/aim-qwen", "0.8.5", None),
        ("docker.io/nginx", "docker.io", "library/nginx", "latest", None),
        ("index.docker.io/library/nginx:x", "docker.io", "library/nginx", "x", None),
        ("ghcr.io/org/repo:1.0.0", "ghcr.io", "org/repo", "1.0.0", None),
        ("GHCR.io/org/repo", "ghcr.io", "org/repo", "latest", None),
        ("localhost/repo", "localhost", "repo", "latest", None),
        ("localhost:5000/a/b/c:v1", "localhost:5000", "a/b/c", "v1", None),
        ("127.0.0.1:5000/repo", "127.0.0.1:5000", "repo", "latest", None),
        ("[::1]:5000/repo:t", "[::1]:5000", "repo", "t", None),
        (f"ghcr.io/org/repo@{SHA}", "ghcr.io", "org/repo", None, SHA),
        (f"ghcr.io/org/repo:1.0@{SHA}", "ghcr.io", "org/repo", "1.0", SHA),
        ("org/my_repo.name-x:tag_1.2-rc", "docker.io", "org/my_repo.name-x", "tag_1.2-rc", None),
        ("registry:5000/repo", "registry:5000", "repo", "latest", None),
    ],
)
def test_parse_reference_applies_docker_defaults(text, registry, repository, tag, digest):
    assert parse_reference(text) == ImageReference(registry, repository, tag, digest)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " nginx",
        "nginx ",
        "ngi nx",
        "Org/Repo",  # upper case outside the registry
        "repo:",  # empty tag
        "repo:-bad",  # tag must start with a word character
        "repo:" + "t" * 129,  # tag too long
        "repo@sha256:abc",  # short digest
        "repo@sha256:" + "g" * 64,  # not hex
        "repo@md5",  # no algorithm separator
        "bad_host.io:/repo",  # port without digits
        "-bad.io/repo",  # host label starting with a dash
        "ghcr.io/",  # empty repository
        "ghcr.io/org//repo",  # empty path component
        "ghcr.io/org/" + "r" * 260,  # name too long
        "ghcr.io/org/repo..x",  # doubled separator
    ],
)
def test_parse_reference_refuses_malformed_input(text):
    with pytest.raises(InvalidReferenceError) as info:
        parse_reference(text)
    assert info.value.reason == "InvalidImageReference"


def test_reference_helpers():
    ref = parse_reference("nginx:1.25")
    assert ref.api_host == DOCKER_HUB_API_HOST
    assert ref.manifest_reference == "1.25"
    pinned = ref.with_digest(SHA)
    assert pinned.manifest_reference == SHA
    assert str(pinned) == f"docker.io/library/nginx:1.25@{SHA}"
    assert parse_reference("localhost:5000/x").api_host == "localhost:5000"
    assert str(parse_reference(f"a.io/b@{SHA}")) == f"a.io/b@{SHA}"


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("https://index.docker.io/v1/", "docker.io"),
        ("registry-1.docker.io", "docker.io"),
        ("http://localhost:5000", "localhost:5000"),
        ("GHCR.IO", "ghcr.io"),
        ("https://ghcr.io/v2/", "ghcr.io"),
    ],
)
def test_normalize_registry_maps_the_many_spellings_of_a_host(written, normal):
    assert normalize_registry(written) == normal

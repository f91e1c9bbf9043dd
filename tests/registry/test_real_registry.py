"""The registry client against a real CNCF distribution registry (anonymous, htpasswd, tokens).

The registries are session fixtures (``tests/registry/conftest.py``); each test pushes its own
synthetic images under a fresh repository name. Without the registry binary and without Go to
build it, every test here skips with one line saying why.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from aim_engine.testing.registry import ImagePusher, PushedImage, RegistryServer, TokenServer
from controllers.oci import (
    Credentials,
    ImageMetadataError,
    ImageNotFoundError,
    Keychain,
    RegistryAuthError,
    RegistryClient,
    RegistryOptions,
    keychain_from_secrets,
)
from tests.registry.conftest import PASSWORD, USER, basic

LABELS = {
    "com.amd.aim.model.canonicalName": "Qwen/Qwen3-32B",
    "com.amd.aim.model.recommendedDeployments": (
        '[{"gpuModel": "MI300X", "gpuCount": 1, "precision": "fp8", "metric": "latency"}]'
    ),
    "org.opencontainers.image.version": "0.8.5",
}


def _repo() -> str:
    return f"aim/model-{uuid.uuid4().hex[:8]}"


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest_asyncio.fixture
async def client() -> AsyncIterator[RegistryClient]:
    async with RegistryClient(options=RegistryOptions(page_size=2, backoff=0.01)) as c:
        yield c


async def test_single_arch_image_labels(anonymous_registry, session, client):
    repo = _repo()
    pushed = await ImagePusher(session, anonymous_registry.url).push_image(repo, "1.0", LABELS)
    found = await client.inspect_image(f"{anonymous_registry.host}/{repo}:1.0")
    assert found.digest == found.image_digest == pushed.digest
    assert found.config_digest == pushed.configs["linux/amd64"]
    assert found.metadata.model is not None
    assert found.metadata.model.canonical_name == "Qwen/Qwen3-32B"
    (dep,) = found.metadata.model.recommended_deployments or []
    assert (dep.gpu_model, dep.gpu_count) == ("MI300X", 1)
    assert found.metadata.oci is not None
    assert found.metadata.oci.version == "0.8.5"


@pytest.mark.parametrize("docker", [False, True], ids=["oci-index", "docker-manifest-list"])
async def test_multi_arch_index_resolves_to_linux_amd64(
    anonymous_registry, session, client, docker
):
    repo = _repo()
    pushed = await ImagePusher(session, anonymous_registry.url).push_image(
        repo,
        "2.0",
        LABELS,
        platforms=[("linux", "arm64"), ("linux", "amd64")],
        docker=docker,
        platform_labels={
            "linux/amd64": {"test.platform": "amd64"},
            "linux/arm64": {"test.platform": "arm64"},
        },
    )
    found = await client.inspect_image(f"{anonymous_registry.host}/{repo}:2.0")
    assert found.digest == pushed.digest
    assert found.image_digest == pushed.manifests["linux/amd64"]
    assert found.labels["test.platform"] == "amd64"
    by_digest = await client.inspect_image(f"{anonymous_registry.host}/{repo}@{pushed.digest}")
    assert by_digest.config_digest == pushed.configs["linux/amd64"]


async def test_index_without_amd64_is_image_not_found(anonymous_registry, session, client):
    repo = _repo()
    await ImagePusher(session, anonymous_registry.url).push_image(
        repo, "arm", LABELS, platforms=[("linux", "arm64")], index=True
    )
    with pytest.raises(ImageNotFoundError, match="no linux/amd64 image"):
        await client.inspect_image(f"{anonymous_registry.host}/{repo}:arm")


async def test_image_without_labels_has_no_model_metadata(anonymous_registry, session, client):
    repo = _repo()
    await ImagePusher(session, anonymous_registry.url).push_image(repo, "bare", None)
    found = await client.inspect_image(f"{anonymous_registry.host}/{repo}:bare")
    assert found.labels == {}
    assert found.metadata.model is None


@pytest.mark.parametrize(
    "value",
    ["[{not json", "[" * 40 + "]" * 40, '[{"description": "' + "x" * 70_000 + '"}]'],
    ids=["malformed", "deep", "huge"],
)
async def test_bad_aim_labels_are_image_metadata_errors(anonymous_registry, session, client, value):
    repo = _repo()
    labels = {"com.amd.aim.model.recommendedDeployments": value}
    await ImagePusher(session, anonymous_registry.url).push_image(repo, "bad", labels)
    with pytest.raises(ImageMetadataError) as info:
        await client.inspect_image(f"{anonymous_registry.host}/{repo}:bad")
    assert info.value.reason == "InvalidImageMetadata"


@pytest.mark.parametrize("what", ["tag", "repository"])
async def test_missing_images_are_image_not_found(anonymous_registry, session, client, what):
    repo = _repo()
    await ImagePusher(session, anonymous_registry.url).push_image(repo, "1.0", LABELS)
    image = f"{repo}:nope" if what == "tag" else f"{_repo()}:1.0"
    with pytest.raises(ImageNotFoundError) as info:
        await client.inspect_image(f"{anonymous_registry.host}/{image}")
    assert info.value.reason == "ImageNotFound"
    assert "UNKNOWN" in str(info.value)  # MANIFEST_UNKNOWN or NAME_UNKNOWN from the registry


async def test_tags_and_repositories_follow_link_pagination(anonymous_registry, session, client):
    repo = _repo()
    pusher = ImagePusher(session, anonymous_registry.url)
    tags = ["0.8.0", "0.8.1", "0.9.0", "1.0.0", "latest"]
    for tag in tags:
        await pusher.push_image(repo, tag, LABELS)
    assert sorted(await client.list_tags(f"{anonymous_registry.host}/{repo}")) == tags
    assert repo in await client.list_repositories(anonymous_registry.host)


async def test_htpasswd_registry_with_a_pull_secret(htpasswd_registry, session, client):
    repo = _repo()
    await ImagePusher(session, htpasswd_registry.url, basic()).push_image(repo, "1.0", LABELS)
    auths = {f"http://{htpasswd_registry.host}": {"username": USER, "password": PASSWORD}}
    secret = {
        "metadata": {"name": "pull"},
        "stringData": {".dockerconfigjson": json.dumps({"auths": auths})},
    }
    found = await client.inspect_image(
        f"{htpasswd_registry.host}/{repo}:1.0", keychain_from_secrets([secret])
    )
    assert found.metadata.model is not None
    assert await client.list_tags(
        f"{htpasswd_registry.host}/{repo}", keychain_from_secrets([secret])
    ) == ["1.0"]


@pytest.mark.parametrize("password", [None, "wrong"], ids=["anonymous", "wrong-password"])
async def test_htpasswd_registry_refuses_bad_credentials(
    htpasswd_registry, session, client, password
):
    repo = _repo()
    await ImagePusher(session, htpasswd_registry.url, basic()).push_image(repo, "1.0", LABELS)
    keychain = Keychain({htpasswd_registry.host: Credentials(USER, password)}) if password else None
    with pytest.raises(RegistryAuthError) as info:
        await client.inspect_image(f"{htpasswd_registry.host}/{repo}:1.0", keychain)
    assert info.value.reason == "AuthError"
    assert info.value.status == 401


async def _push_with_token(
    registry: RegistryServer, tokens: TokenServer, session: aiohttp.ClientSession, repo: str
) -> PushedImage:
    token = tokens.mint(USER, [f"repository:{repo}:pull,push"])
    return await ImagePusher(session, registry.url, f"Bearer {token}").push_image(
        repo, "1.0", LABELS, platforms=[("linux", "amd64"), ("linux", "arm64")]
    )


async def test_token_registry_bearer_flow(token_registry, token_service, session, client):
    repo = _repo()
    pushed = await _push_with_token(token_registry, token_service, session, repo)
    before = len(token_service.requests)
    keychain = Keychain({token_registry.host: Credentials(USER, PASSWORD)})
    found = await client.inspect_image(f"{token_registry.host}/{repo}:1.0", keychain)
    assert found.digest == pushed.digest
    assert found.metadata.model is not None
    asked = token_service.requests[before:]
    assert [(r.user, r.scopes, r.status) for r in asked] == [
        (USER, (f"repository:{repo}:pull",), 200)
    ]


@pytest.mark.parametrize("password", [None, "wrong"], ids=["anonymous", "wrong-password"])
async def test_token_registry_refusals_are_auth_errors(
    token_registry, token_service, session, client, password
):
    repo = _repo()
    await _push_with_token(token_registry, token_service, session, repo)
    keychain = Keychain({token_registry.host: Credentials(USER, password)}) if password else None
    with pytest.raises(RegistryAuthError, match="token service refused") as info:
        await client.inspect_image(f"{token_registry.host}/{repo}:1.0", keychain)
    assert info.value.reason == "AuthError"

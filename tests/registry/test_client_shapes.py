"""The registry client against recorded response shapes, served by an in-process aiohttp app.

Each test scripts the answers a real registry (or a broken one) gives: 401 challenges, ``Link``
pagination, indexes, redirects, errors, garbage, oversized bodies and hangs. Hangs run on a
``FakeClock`` with autojump, so a 30-second timeout passes in no real time.
"""

from __future__ import annotations

import base64
import json

import pytest
from aiohttp import web

from aim_engine.testing import FakeClock
from controllers.oci import (
    Credentials,
    ImageMetadataError,
    ImageNotFoundError,
    Keychain,
    RegistryAuthError,
    RegistryClient,
    RegistryError,
    RegistryOptions,
    RegistryResponseError,
    RegistryUnavailableError,
    ResponseTooLargeError,
)
from tests.registry.scripted import Handler, ScriptedRegistry, digest

FAST = RegistryOptions(backoff=0.001)
LABELS = {"com.amd.aim.model.canonicalName": "Qwen/Qwen3-32B"}


def _keychain(host: str, user: str = "u", password: str = "p") -> Keychain:
    return Keychain({host: Credentials(user, password)})


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _guard(scripted: ScriptedRegistry, header: str, allowed: str) -> None:
    """Wrap every route: answer 401 with ``header`` unless Authorization is ``allowed``."""
    for key, handler in list(scripted.routes.items()):

        async def guarded(request: web.Request, inner: Handler = handler) -> web.StreamResponse:
            if request.headers.get("Authorization") != allowed:
                body = {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}
                return web.json_response(body, status=401, headers={"WWW-Authenticate": header})
            response: web.StreamResponse = await inner(request)
            return response

        scripted.routes[key] = guarded


async def test_inspect_plain_image_reads_labels_and_pins_the_digest(scripted):
    digests = scripted.serve_image("aim/qwen", "1.0", LABELS)
    async with RegistryClient(options=FAST) as client:
        found = await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
    assert found.digest == found.image_digest == digests["image"]
    assert found.config_digest == digests["config"]
    assert found.reference.digest == digests["image"]
    assert found.metadata.model is not None
    assert found.metadata.model.canonical_name == "Qwen/Qwen3-32B"


async def test_index_resolves_to_linux_amd64(scripted):
    digests = scripted.serve_image("aim/qwen", "1.0", LABELS, index=True)
    async with RegistryClient(options=FAST) as client:
        found = await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
    assert found.digest == digests["top"]
    assert found.image_digest == digests["image"]
    assert f"/v2/aim/qwen/manifests/{'sha256:' + '9' * 64}" not in scripted.paths()


async def test_results_are_cached_by_digest(scripted):
    digests = scripted.serve_image("aim/qwen", "1.0", LABELS, index=True)
    async with RegistryClient(options=FAST) as client:
        first = await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
        count = len(scripted.seen)
        again = await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
        assert scripted.seen[count:][0].method == "HEAD"
        assert len(scripted.seen) == count + 1
        pinned = await client.inspect_image(f"{scripted.host}/aim/qwen@{digests['top']}")
        assert len(scripted.seen) == count + 1
    assert again == first
    assert pinned.config_digest == first.config_digest


async def test_bearer_challenge_fetches_a_token_once_and_reuses_it(scripted):
    scripted.serve_image("aim/qwen", "1.0", LABELS)
    scripted.on("GET", "/v2/aim/qwen/tags/list", _tags_page(["1.0"]))
    realm = f"http://{scripted.host}/token"
    _guard(scripted, f'Bearer realm="{realm}",service="svc"', "Bearer t0k")
    asked = []

    async def token(request: web.Request) -> web.StreamResponse:
        asked.append((request.headers.get("Authorization"), dict(request.query)))
        return web.json_response({"token": "t0k", "expires_in": 300})

    scripted.on("GET", "/token", token)
    async with RegistryClient(options=FAST) as client:
        found = await client.inspect_image(
            f"{scripted.host}/aim/qwen:1.0", _keychain(scripted.host)
        )
        tags = await client.list_tags(f"{scripted.host}/aim/qwen", _keychain(scripted.host))
    assert tags == ["1.0"]
    assert found.metadata.model is not None
    assert asked == [(_basic("u", "p"), {"service": "svc", "scope": "repository:aim/qwen:pull"})]


async def test_anonymous_bearer_token_uses_no_credentials(scripted):
    scripted.serve_image("library/nginx", "latest", {})
    _guard(scripted, f'Bearer realm="http://{scripted.host}/token",service="svc"', "Bearer anon")
    asked = []

    async def token(request: web.Request) -> web.StreamResponse:
        asked.append(request.headers.get("Authorization"))
        return web.json_response({"access_token": "anon"})

    scripted.on("GET", "/token", token)
    async with RegistryClient(options=FAST) as client:
        found = await client.inspect_image(f"{scripted.host}/library/nginx")
    assert asked == [None]
    assert found.metadata.model is None


async def test_basic_challenge_sends_the_keychain_credentials(scripted):
    scripted.serve_image("aim/qwen", "1.0", LABELS)
    _guard(scripted, 'Basic realm="r"', _basic("u", "p"))
    async with RegistryClient(options=FAST) as client:
        found = await client.inspect_image(
            f"{scripted.host}/aim/qwen:1.0", _keychain(scripted.host)
        )
    assert found.metadata.model is not None


@pytest.mark.parametrize(
    "keychain",
    [None, "wrong"],
    ids=["no-credentials", "wrong-password"],
)
async def test_basic_challenge_without_valid_credentials_is_an_auth_error(scripted, keychain):
    scripted.serve_image("aim/qwen", "1.0", LABELS)
    _guard(scripted, 'Basic realm="r"', _basic("u", "p"))
    chain = _keychain(scripted.host, password="bad") if keychain else None
    async with RegistryClient(options=FAST) as client:
        with pytest.raises(RegistryAuthError) as info:
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0", chain)
    assert info.value.reason == "AuthError"
    assert info.value.status == 401
    assert "UNAUTHORIZED" in str(info.value)


async def test_token_service_refusal_is_an_auth_error(scripted):
    scripted.serve_image("aim/qwen", "1.0", LABELS)
    _guard(scripted, f'Bearer realm="http://{scripted.host}/token",service="svc"', "Bearer x")

    async def token(request: web.Request) -> web.StreamResponse:
        return web.json_response({"details": "nope"}, status=401)

    scripted.on("GET", "/token", token)
    async with RegistryClient(options=FAST) as client:
        with pytest.raises(RegistryAuthError, match="token service refused"):
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0", _keychain(scripted.host))


@pytest.mark.parametrize(
    ("status", "body", "error", "reason"),
    [
        (403, {"errors": [{"code": "DENIED", "message": "no"}]}, RegistryAuthError, "AuthError"),
        (404, {"errors": [{"code": "MANIFEST_UNKNOWN"}]}, ImageNotFoundError, "ImageNotFound"),
        (400, {"errors": [{"code": "NAME_UNKNOWN"}]}, ImageNotFoundError, "ImageNotFound"),
        (400, {"errors": [{"code": "DENIED"}]}, RegistryAuthError, "AuthError"),
        (418, "teapot", RegistryError, "InfrastructureError"),
        (400, "Access denied to this repository", RegistryAuthError, "AuthError"),
        (400, "manifest unknown", ImageNotFoundError, "ImageNotFound"),
    ],
)
async def test_error_statuses_map_to_typed_errors(scripted, status, body, error, reason):
    async def answer(request: web.Request) -> web.StreamResponse:
        if isinstance(body, str):
            return web.Response(text=body, status=status)
        return web.json_response(body, status=status)

    scripted.on("GET", "/v2/aim/qwen/manifests/1.0", answer)
    async with RegistryClient(options=FAST) as client:
        with pytest.raises(error) as info:
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
    assert type(info.value) is error
    assert info.value.reason == reason
    assert info.value.status == status


async def test_5xx_is_retried_then_succeeds(scripted):
    digests = scripted.serve_image("aim/qwen", "1.0", LABELS)
    good = scripted.routes[("GET", "/v2/aim/qwen/manifests/1.0")]
    failures = iter([503, 429])

    async def flaky(request: web.Request) -> web.StreamResponse:
        status = next(failures, None)
        if status is None:
            response: web.StreamResponse = await good(request)
            return response
        return web.Response(status=status, headers={"Retry-After": "0"})

    scripted.on("GET", "/v2/aim/qwen/manifests/1.0", flaky)
    del scripted.routes[("HEAD", "/v2/aim/qwen/manifests/1.0")]  # resolve the tag with GET
    async with RegistryClient(options=FAST) as client:
        found = await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
    assert found.digest == digests["image"]
    assert scripted.paths("GET").count("/v2/aim/qwen/manifests/1.0") == 3


async def test_persistent_5xx_gives_up_after_the_retries(scripted):
    async def down(request: web.Request) -> web.StreamResponse:
        return web.Response(status=502, text="<html>Bad Gateway</html>")

    scripted.on("GET", "/v2/aim/qwen/manifests/1.0", down)
    async with RegistryClient(options=RegistryOptions(backoff=0.001, retries=2)) as client:
        with pytest.raises(RegistryUnavailableError) as info:
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
    assert info.value.reason == "InfrastructureError"
    assert info.value.status == 502
    assert scripted.paths("GET") == ["/v2/aim/qwen/manifests/1.0"] * 3


async def test_connection_refused_is_unavailable():
    from aim_engine.testing.envtest.controlplane import free_ports

    port = free_ports(1)[0]
    async with RegistryClient(options=RegistryOptions(backoff=0.001, retries=1)) as client:
        with pytest.raises(RegistryUnavailableError) as info:
            await client.inspect_image(f"127.0.0.1:{port}/aim/qwen:1.0")
    assert info.value.reason == "InfrastructureError"
    assert f"127.0.0.1:{port}" in str(info.value)


@pytest.mark.parametrize("where", ["headers", "body"])
async def test_a_hanging_registry_times_out_on_the_clock(scripted, where):
    async def hang_in_body(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(request)
        await resp.write(b'{"schemaVersion": 2, ')
        await scripted.release.wait()
        return resp

    handler = scripted.hang if where == "headers" else hang_in_body
    scripted.on("GET", "/v2/aim/qwen/manifests/1.0", handler)
    clock = FakeClock()
    options = RegistryOptions(request_timeout=30, retries=1, backoff=1)
    async with RegistryClient(clock=clock, options=options) as client, clock.autojump():
        with pytest.raises(RegistryUnavailableError, match="no answer within 30 s") as info:
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
    assert info.value.reason == "InfrastructureError"
    assert clock.monotonic() >= 61  # two attempts of 30 s and one backoff of 1 s, on the clock


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_an_oversized_body_is_refused_without_reading_it_all(scripted, declared):
    async def huge(request: web.Request) -> web.StreamResponse:
        if declared:
            return web.Response(body=b"x" * 5000, content_type="application/json")
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(request)
        for _ in range(100):
            await resp.write(b"x" * 1000)
        return resp

    scripted.on("GET", "/v2/aim/qwen/manifests/1.0", huge)
    options = RegistryOptions(max_manifest_bytes=1000, backoff=0.001)
    async with RegistryClient(options=options) as client:
        with pytest.raises(ResponseTooLargeError) as info:
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
    assert info.value.reason == "ResponseTooLarge"


async def test_an_oversized_config_descriptor_is_refused_before_the_download(scripted):
    scripted.serve_image("aim/qwen", "1.0", {"big": "x" * 2000})
    async with RegistryClient(options=RegistryOptions(max_config_bytes=1000)) as client:
        with pytest.raises(ResponseTooLargeError, match="config blob"):
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
    assert not any("/blobs/" in p for p in scripted.paths())


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>hello</html>", "not valid JSON"),
        (b'{"mediaType": "application/zip"}', "unsupported manifest media type"),
    ],
)
async def test_garbage_manifest_is_an_invalid_response(scripted, body, problem):
    async def garbage(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, content_type="text/html")

    scripted.on("GET", "/v2/aim/qwen/manifests/1.0", garbage)
    async with RegistryClient(options=FAST) as client:
        with pytest.raises(RegistryResponseError, match=problem) as info:
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
    assert info.value.reason == "InvalidRegistryResponse"


async def test_a_body_that_does_not_match_its_digest_is_refused(scripted):
    digests = scripted.serve_image("aim/qwen", "1.0", LABELS)

    async def tampered(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b'{"config": {"Labels": {"evil": "1"}}}')

    scripted.on("GET", f"/v2/aim/qwen/blobs/{digests['config']}", tampered)
    async with RegistryClient(options=FAST) as client:
        with pytest.raises(RegistryResponseError, match="does not match its digest"):
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")


async def test_malformed_aim_labels_raise_image_metadata_error(scripted):
    labels = {"com.amd.aim.model.recommendedDeployments": "[{broken"}
    scripted.serve_image("aim/qwen", "1.0", labels)
    async with RegistryClient(options=FAST) as client:
        with pytest.raises(ImageMetadataError) as info:
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")
    assert info.value.reason == "InvalidImageMetadata"
    assert info.value.label == "com.amd.aim.model.recommendedDeployments"


async def test_blob_redirect_to_storage_drops_the_authorization_header(scripted):
    digests = scripted.serve_image("aim/qwen", "1.0", LABELS)
    blob_path = f"/v2/aim/qwen/blobs/{digests['config']}"
    config = scripted.routes[("GET", blob_path)]
    _guard(scripted, 'Basic realm="r"', _basic("u", "p"))
    port = scripted.host.rsplit(":", 1)[1]

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPTemporaryRedirect(f"http://localhost:{port}/storage/config?sig=1")

    scripted.on("GET", blob_path, redirect)
    scripted.on("GET", "/storage/config", config)
    async with RegistryClient(options=FAST) as client:
        found = await client.inspect_image(
            f"{scripted.host}/aim/qwen:1.0", _keychain(scripted.host)
        )
    assert found.metadata.model is not None
    (storage,) = [s for s in scripted.seen if s.path.startswith("/storage/")]
    assert "Authorization" not in storage.headers


def _tags_page(tags: list[str] | None, link: str | None = None) -> Handler:
    async def page(request: web.Request) -> web.StreamResponse:
        headers = {"Link": link} if link else {}
        return web.json_response({"name": "aim/qwen", "tags": tags}, headers=headers)

    return page


async def test_tag_listing_follows_link_pagination(scripted):
    pages = {
        "": (["0.8.0", "0.8.1"], '</v2/aim/qwen/tags/list?last=0.8.1&n=2>; rel="next"'),
        "0.8.1": (["0.9.0", "latest"], '</v2/aim/qwen/tags/list?last=latest&n=2>; rel="next"'),
        "latest": (None, None),
    }

    async def paged(request: web.Request) -> web.StreamResponse:
        tags, link = pages[request.query.get("last", "")]
        response: web.StreamResponse = await _tags_page(tags, link)(request)
        return response

    scripted.on("GET", "/v2/aim/qwen/tags/list", paged)
    async with RegistryClient(options=RegistryOptions(page_size=2)) as client:
        tags = await client.list_tags(f"{scripted.host}/aim/qwen:ignored")
    assert tags == ["0.8.0", "0.8.1", "0.9.0", "latest"]
    assert scripted.paths()[0] == "/v2/aim/qwen/tags/list?n=2"


async def test_tag_listing_refuses_a_link_to_another_origin(scripted):
    link = '<https://evil.example/v2/aim/qwen/tags/list?last=x>; rel="next"'
    scripted.on("GET", "/v2/aim/qwen/tags/list", _tags_page(["a"], link))
    async with RegistryClient(options=FAST) as client:
        with pytest.raises(RegistryResponseError, match="leaves the registry"):
            await client.list_tags(f"{scripted.host}/aim/qwen")


async def test_endless_pagination_stops_at_max_pages(scripted):
    link = '</v2/aim/qwen/tags/list?last=a>; rel="next"'
    scripted.on("GET", "/v2/aim/qwen/tags/list", _tags_page(["a"], link))
    async with RegistryClient(options=RegistryOptions(max_pages=3)) as client:
        with pytest.raises(RegistryResponseError, match="more than 3 pages"):
            await client.list_tags(f"{scripted.host}/aim/qwen")
    assert len(scripted.seen) == 3


@pytest.mark.parametrize("body", [b"garbage", b"[]", b'{"tags": "a,b"}', b'{"tags": [1, 2]}'])
async def test_garbage_tag_lists_are_invalid_responses(scripted, body):
    async def garbage(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, content_type="application/json")

    scripted.on("GET", "/v2/aim/qwen/tags/list", garbage)
    async with RegistryClient(options=FAST) as client:
        with pytest.raises(RegistryResponseError):
            await client.list_tags(f"{scripted.host}/aim/qwen")


async def test_catalog_listing_uses_the_catalog_scope(scripted):
    realm = f"http://{scripted.host}/token"

    async def catalog(request: web.Request) -> web.StreamResponse:
        return web.json_response({"repositories": ["aim/a", "aim/b"]})

    scripted.on("GET", "/v2/_catalog", catalog)
    _guard(scripted, f'Bearer realm="{realm}",service="svc"', "Bearer c")
    scopes = []

    async def token(request: web.Request) -> web.StreamResponse:
        scopes.append(request.query.get("scope"))
        return web.json_response({"token": "c"})

    scripted.on("GET", "/token", token)
    async with RegistryClient(options=FAST) as client:
        repos = await client.list_repositories(scripted.host)
    assert repos == ["aim/a", "aim/b"]
    assert scopes == ["registry:catalog:*"]


async def test_a_token_answer_without_a_token_is_an_invalid_response(scripted):
    scripted.serve_image("aim/qwen", "1.0", LABELS)
    _guard(scripted, f'Bearer realm="http://{scripted.host}/token"', "Bearer x")

    async def token(request: web.Request) -> web.StreamResponse:
        return web.json_response({"nothing": "here"})

    scripted.on("GET", "/token", token)
    async with RegistryClient(options=FAST) as client:
        with pytest.raises(RegistryResponseError, match="holds no token"):
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")


async def test_digest_in_manifest_header_must_match_the_body(scripted):
    async def lying(request: web.Request) -> web.StreamResponse:
        body = json.dumps(
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"digest": digest(b"x"), "size": 1},
            }
        ).encode()
        return web.Response(body=body, headers={"Docker-Content-Digest": "sha256:" + "0" * 64})

    scripted.on("GET", "/v2/aim/qwen/manifests/1.0", lying)
    async with RegistryClient(options=FAST) as client:
        with pytest.raises(RegistryResponseError, match="does not match digest"):
            await client.inspect_image(f"{scripted.host}/aim/qwen:1.0")


async def test_requests_go_through_the_proxy_of_the_environment(scripted):
    scripted.serve_image("aim/qwen", "1.0", LABELS)
    options = RegistryOptions(
        proxies={"http": f"http://{scripted.host}", "no": "localhost,.internal"},
        plain_http_hosts=frozenset({"registry.invalid:5000"}),
    )
    async with RegistryClient(options=options) as client:
        found = await client.inspect_image("registry.invalid:5000/aim/qwen:1.0")
    assert found.metadata.model is not None
    assert {s.headers["Host"] for s in scripted.seen} == {"registry.invalid:5000"}

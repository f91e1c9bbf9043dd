"""``WWW-Authenticate`` parsing and pull-secret keychains (pure), and loading secrets by name."""

from __future__ import annotations

import base64
import json

import pytest

from aim_engine.errors import ForbiddenError, NotFoundError, TransportError
from controllers.oci import (
    Credentials,
    PullSecretAccessError,
    PullSecretError,
    PullSecretNotFoundError,
    keychain_from_dockerconfig,
    keychain_from_secrets,
    load_keychain,
    parse_challenge,
)


@pytest.mark.parametrize(
    ("header", "scheme", "params"),
    [
        (
            'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
            'scope="repository:library/nginx:pull"',
            "bearer",
            {
                "realm": "https://auth.docker.io/token",
                "service": "registry.docker.io",
                "scope": "repository:library/nginx:pull",
            },
        ),
        ('Basic realm="Registry Realm"', "basic", {"realm": "Registry Realm"}),
        (
            "BEARER Realm=http://x/token, Service=svc",
            "bearer",
            {"realm": "http://x/token", "service": "svc"},
        ),
        (
            'Bearer realm="a\\"b",error="insufficient_scope"',
            "bearer",
            {"realm": 'a"b', "error": "insufficient_scope"},
        ),
        ('Bearer realm="unterminated', "bearer", {"realm": "unterminated"}),
        ("Bearer", "bearer", {}),
        ('Bearer scope="a:b:pull,push"', "bearer", {"scope": "a:b:pull,push"}),
    ],
)
def test_parse_challenge(header, scheme, params):
    challenge = parse_challenge(header)
    assert challenge is not None
    assert challenge.scheme == scheme
    assert challenge.params == params


@pytest.mark.parametrize("header", ["", "   ", "=junk"])
def test_parse_challenge_without_a_scheme_is_none(header):
    assert parse_challenge(header) is None


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_dockerconfig_reads_every_entry_form_and_normalises_keys():
    doc = {
        "auths": {
            "https://index.docker.io/v1/": {"auth": _b64("hub:hubpw")},
            "ghcr.io": {"username": "gh", "password": "pat"},
            "http://localhost:5000": {"identitytoken": "refresh"},
        }
    }
    chain = keychain_from_dockerconfig(json.dumps(doc))
    assert chain.lookup("docker.io") == Credentials("hub", "hubpw")
    assert chain.lookup("GHCR.IO") == Credentials("gh", "pat")
    assert chain.lookup("localhost:5000") == Credentials("", "", "refresh")
    assert chain.lookup("quay.io") is None
    assert "pat" not in repr(chain.lookup("ghcr.io"))


def test_legacy_dockercfg_is_the_auths_map_itself():
    chain = keychain_from_dockerconfig(json.dumps({"quay.io": {"auth": _b64("q:pw:with:colons")}}))
    assert chain.lookup("quay.io") == Credentials("q", "pw:with:colons")


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("{", "not valid JSON"),
        ("[]", "not a JSON object"),
        ('{"auths": []}', "'auths' is not an object"),
        ('{"auths": {"a.io": "x"}}', "is not an object"),
        ('{"auths": {"a.io": {"auth": "%%%"}}}', "not base64"),
        ('{"auths": {"a.io": {"auth": "' + _b64("nocolon") + '"}}}', "without 'user:password'"),
        ("x" * (1024 * 1024 + 1), "larger than"),
    ],
)
def test_bad_dockerconfig_raises_pull_secret_error(document, problem):
    with pytest.raises(PullSecretError) as info:
        keychain_from_dockerconfig(document)
    assert problem in str(info.value)
    assert info.value.reason == "InvalidPullSecret"


def _secret(name: str, auths: dict[str, object], *, string_data: bool = False) -> dict[str, object]:
    doc = json.dumps({"auths": auths})
    body = (
        {"stringData": {".dockerconfigjson": doc}}
        if string_data
        else {"data": {".dockerconfigjson": _b64(doc)}}
    )
    return {"metadata": {"name": name}, "type": "kubernetes.io/dockerconfigjson", **body}


def test_keychain_from_secrets_first_secret_wins_per_registry():
    first = _secret("a", {"ghcr.io": {"username": "first", "password": "1"}})
    second = _secret(
        "b",
        {
            "ghcr.io": {"username": "second", "password": "2"},
            "quay.io": {"username": "q", "password": "3"},
        },
        string_data=True,
    )
    chain = keychain_from_secrets([first, second])
    assert chain.lookup("ghcr.io") == Credentials("first", "1")
    assert chain.lookup("quay.io") == Credentials("q", "3")


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ({"metadata": {"name": "s"}, "data": {"token": "x"}}, "has no .dockerconfigjson"),
        ({"metadata": {"name": "s"}, "data": {".dockerconfigjson": "***"}}, "is not base64"),
        (
            {"metadata": {"name": "s"}, "data": {".dockerconfigjson": _b64("nope")}},
            "secret s: not valid JSON",
        ),
    ],
)
def test_bad_secret_objects_raise_pull_secret_error(secret, problem):
    with pytest.raises(PullSecretError) as info:
        keychain_from_secrets([secret])
    assert problem in str(info.value)


async def test_load_keychain_reads_secrets_by_name_in_order():
    store = {
        ("ns", "a"): _secret("a", {"ghcr.io": {"username": "u", "password": "p"}}),
        ("ns", "b"): _secret("b", {"ghcr.io": {"username": "x", "password": "y"}}),
    }
    asked = []

    async def get(namespace: str, name: str) -> dict[str, object]:
        asked.append((namespace, name))
        return store[(namespace, name)]

    chain = await load_keychain(get, "ns", ["a", "b"])
    assert asked == [("ns", "a"), ("ns", "b")]
    assert chain.lookup("ghcr.io") == Credentials("u", "p")


@pytest.mark.parametrize(
    ("failure", "error", "reason"),
    [
        (NotFoundError(404, "NotFound", "gone"), PullSecretNotFoundError, "SecretNotFound"),
        (ForbiddenError(403, "Forbidden", "rbac"), PullSecretAccessError, "SecretAccessFailed"),
        (TransportError("reset"), PullSecretAccessError, "SecretAccessFailed"),
    ],
)
async def test_load_keychain_maps_read_failures_to_the_spec_reasons(failure, error, reason):
    async def get(namespace: str, name: str) -> dict[str, object]:
        raise failure

    with pytest.raises(error) as info:
        await load_keychain(get, "ns", ["pull"])
    assert info.value.reason == reason
    assert "ns/pull" in str(info.value)

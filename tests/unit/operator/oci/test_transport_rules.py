"""Pure rules of the transport and options: NO_PROXY matching, plain-HTTP hosts, host keychain."""

from __future__ import annotations

import json

import pytest

from controllers.oci import Credentials, PullSecretError, RegistryOptions, host_keychain
from controllers.oci._transport import _bypassed


@pytest.mark.parametrize(
    ("netloc", "no_proxy", "bypassed"),
    [
        ("127.0.0.1:5000", "127.0.0.1,localhost", True),
        ("ghcr.io", "127.0.0.1", False),
        ("registry.corp.internal:443", ".internal", True),
        ("registry.corp.internal", "corp.internal", True),
        ("notcorp.internal", "corp.internal", False),
        ("anything.io", "*", True),
        ("GHCR.IO", "ghcr.io", True),
        ("ghcr.io", "", False),
        ("[::1]:5000", "::1", True),
        ("quay.io", "ghcr.io:443, quay.io", True),
    ],
)
def test_no_proxy_matching(netloc, no_proxy, bypassed):
    assert _bypassed(netloc, no_proxy) is bypassed


@pytest.mark.parametrize(
    ("host", "scheme"),
    [
        ("localhost:5000", "http"),
        ("127.0.0.1:5000", "http"),
        ("[::1]:5000", "http"),
        ("ghcr.io", "https"),
        ("registry.internal:5000", "http"),
        ("localhost.example.com", "https"),
    ],
)
def test_loopback_and_listed_hosts_use_plain_http(host, scheme):
    options = RegistryOptions(plain_http_hosts=frozenset({"registry.internal:5000"}))
    assert options.scheme(host) == scheme


def test_loopback_plain_http_can_be_turned_off():
    assert RegistryOptions(loopback_plain_http=False).scheme("localhost:5000") == "https"


def test_host_keychain_reads_docker_config(tmp_path):
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {"ghcr.io": {"username": "op", "password": "pw"}}})
    )
    chain = host_keychain({"DOCKER_CONFIG": str(tmp_path)})
    assert chain.lookup("ghcr.io") == Credentials("op", "pw")
    home = tmp_path / "home"
    (home / ".docker").mkdir(parents=True)
    (home / ".docker" / "config.json").write_text(json.dumps({"auths": {}}))
    assert host_keychain({"HOME": str(home)}).entries == {}


def test_host_keychain_without_a_file_is_empty_and_a_bad_file_is_an_error(tmp_path):
    assert host_keychain({"DOCKER_CONFIG": str(tmp_path / "missing")}).entries == {}
    (tmp_path / "config.json").write_text("{broken")
    with pytest.raises(PullSecretError, match=r"config\.json: not valid JSON"):
        host_keychain({"DOCKER_CONFIG": str(tmp_path)})

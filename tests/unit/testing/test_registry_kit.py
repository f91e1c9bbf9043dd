"""The registry test kit without a registry: where the binary is looked for, htpasswd lines,
the token service's JWTs, and the synthetic image blobs."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from aim_engine.testing.envtest import GoNotFoundError
from aim_engine.testing.registry import (
    ENV_REGISTRY_BINARY,
    TokenServer,
    find_registry,
    htpasswd_line,
    install_registry,
    registry_dir,
)
from aim_engine.testing.registry.images import image_config, tiny_layer


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\necho registry github.com/distribution/distribution/v3 v3.1.2\n")
    path.chmod(0o755)
    return path


def test_registry_dir_sits_beside_the_envtest_cache(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    assert registry_dir("v3.1.2", env) == tmp_path / "aim-engine" / "registry" / "3.1.2"


def test_find_registry_prefers_the_variable_then_the_cache(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert find_registry(environ=env) is None
    cached = _executable(registry_dir(environ=env) / "registry")
    assert find_registry(environ=env) == cached
    explicit = _executable(tmp_path / "bin" / "registry")
    assert find_registry(environ={**env, ENV_REGISTRY_BINARY: str(explicit)}) == explicit


def test_install_returns_a_binary_of_the_pinned_version_without_go(tmp_path):
    binary = _executable(tmp_path / "registry")
    assert install_registry("3.1.2", directory=tmp_path, environ={"PATH": ""}) == binary


def test_install_without_go_says_so(tmp_path):
    with pytest.raises(GoNotFoundError, match="Go toolchain"):
        install_registry("3.1.2", directory=tmp_path, environ={"PATH": str(tmp_path)})


def test_htpasswd_line_is_a_bcrypt_hash_of_the_password():
    bcrypt = pytest.importorskip("bcrypt")
    user, hashed = htpasswd_line("alice", "s3cret").split(":", 1)
    assert user == "alice"
    assert hashed.startswith("$2")
    assert bcrypt.checkpw(b"s3cret", hashed.encode())


def _b64json(part: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return data


def test_token_server_mints_es256_jwts_with_the_certificate_chain():
    tokens = TokenServer({"alice": "pw"})
    token = tokens.mint("alice", ["repository:aim/qwen:pull,push", "registry:catalog:*"])
    header, claims, signature = token.split(".")
    head = _b64json(header)
    assert head["alg"] == "ES256"
    assert isinstance(head["x5c"], list)
    assert len(head["x5c"]) == 1
    body = _b64json(claims)
    assert body["sub"] == "alice"
    assert body["aud"] == tokens.service
    assert body["iss"] == tokens.issuer
    assert body["access"] == [
        {"type": "repository", "name": "aim/qwen", "actions": ["pull", "push"]},
        {"type": "registry", "name": "catalog", "actions": ["*"]},
    ]
    assert len(base64.urlsafe_b64decode(signature + "==")) == 64


def test_tiny_layer_and_config_are_deterministic():
    layer, diff_id = tiny_layer("hello")
    assert tiny_layer("hello") == (layer, diff_id)
    raw = gzip.decompress(layer)
    assert diff_id == "sha256:" + hashlib.sha256(raw).hexdigest()
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        assert tar.getnames() == ["aim-test.txt"]
    config = json.loads(image_config({"a": "b"}, "linux", "arm64", diff_id))
    assert config["config"]["Labels"] == {"a": "b"}
    assert (config["os"], config["architecture"]) == ("linux", "arm64")
    assert "Labels" not in json.loads(image_config(None, "linux", "amd64", diff_id))["config"]


def test_token_server_is_not_started_until_asked():
    tokens = TokenServer({})
    with pytest.raises(RuntimeError, match="not started"):
        _ = tokens.realm

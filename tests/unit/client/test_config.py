"""Configuration loading: kubeconfig (dict and file), in-cluster, explicit host, auto-discovery."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from aim_engine.client import Client, _config
from aim_engine.errors import ConfigurationError


class StepClock:
    """A clock that only moves when told to."""

    def __init__(self) -> None:
        self.t = 0.0

    def monotonic(self) -> float:
        return self.t

    def now(self) -> Any:
        raise NotImplementedError

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


def kubeconfig(server: str = "https://10.0.0.1:6443", **user: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "main",
        "clusters": [
            {"name": "c1", "cluster": {"server": server, "insecure-skip-tls-verify": True}},
            {"name": "c2", "cluster": {"server": "http://127.0.0.1:9999/"}},
        ],
        "users": [{"name": "u1", "user": user or {"token": "s3cr3t"}}],
        "contexts": [
            {"name": "main", "context": {"cluster": "c1", "user": "u1"}},
            {"name": "other", "context": {"cluster": "c2", "user": "u1"}},
        ],
    }


async def test_kubeconfig_dict_sets_host_and_bearer_token() -> None:
    cfg = await _config.configuration_from_kubeconfig_dict(kubeconfig())
    assert cfg.host == "https://10.0.0.1:6443"
    assert cfg.api_key["BearerToken"] == "Bearer s3cr3t"
    assert cfg.verify_ssl is False
    settings = await cfg.auth_settings()
    assert settings["BearerToken"]["value"] == "Bearer s3cr3t"


async def test_kubeconfig_dict_context_selects_cluster() -> None:
    cfg = await _config.configuration_from_kubeconfig_dict(kubeconfig(), context="other")
    assert cfg.host == "http://127.0.0.1:9999"


async def test_kubeconfig_unknown_context_is_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        await _config.configuration_from_kubeconfig_dict(kubeconfig(), context="nope")


async def test_kubeconfig_file_with_token_file_and_inline_ca(tmp_path: Path) -> None:
    token_file = tmp_path / "tok"
    token_file.write_text("from-file")
    doc = kubeconfig(tokenFile=str(token_file))
    doc["clusters"][0]["cluster"] = {
        "server": "https://k.example:443",
        "certificate-authority-data": base64.b64encode(b"---CA---").decode(),
    }
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(doc))
    before = path.read_text()
    async with await Client.from_kubeconfig(path) as client:
        assert client.host == "https://k.example:443"
        cfg = client._transport.configuration
        assert cfg.api_key["BearerToken"] == "Bearer from-file"
        assert Path(cfg.ssl_ca_cert).read_bytes() == b"---CA---"  # noqa: ASYNC240
    assert path.read_text() == before  # never written back


async def test_kubeconfig_missing_file_is_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        await Client.from_kubeconfig(tmp_path / "absent")


async def test_kubeconfig_garbage_is_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("clusters: 3\n")
    with pytest.raises(ConfigurationError):
        await Client.from_kubeconfig(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "not: [yaml\n",
            "is not YAML: expected ',' or ']', but got '<stream end>' (line 2, column 1)",
        ),
        ("", "is empty"),
        ("just text\n", "is a YAML str, not a mapping"),
        ("- a\n- b\n", "is a YAML list, not a mapping"),
    ],
    ids=["not-yaml", "empty", "scalar", "list"],
)
async def test_kubeconfig_file_problem_is_named_on_one_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "config"
    path.write_text(content)
    with pytest.raises(ConfigurationError) as info:
        await Client.from_kubeconfig(path)
    assert str(info.value) == f"kubeconfig {path} {message}"


async def test_kubeconfig_directory_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        await Client.from_kubeconfig(tmp_path)
    assert str(info.value) == f"cannot read kubeconfig {tmp_path}: Is a directory"


async def test_kubeconfig_current_context_not_defined_is_named(tmp_path: Path) -> None:
    doc = kubeconfig()
    doc["current-context"] = "gone"
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigurationError) as info:
        await Client.from_kubeconfig(path)
    assert str(info.value) == f"kubeconfig {path} has no context 'gone' (defined: main, other)"


async def test_kubeconfig_without_current_context_is_named(tmp_path: Path) -> None:
    doc = kubeconfig()
    del doc["current-context"]
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigurationError) as info:
        await Client.from_kubeconfig(path)
    assert str(info.value) == f"kubeconfig {path} sets no current-context"


async def test_kubeconfig_files_merge_current_context_from_the_last(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.write_text(yaml.safe_dump(kubeconfig()))
    second.write_text(yaml.safe_dump({"current-context": "other"}))
    async with await Client.from_kubeconfig(f"{first}:{second}") as client:
        assert client.host == "http://127.0.0.1:9999"


async def test_kubeconfig_does_not_touch_global_default() -> None:
    from kubernetes_asyncio.client import Configuration

    before = Configuration.get_default_copy().host
    await _config.configuration_from_kubeconfig_dict(kubeconfig(server="https://other:1"))
    assert Configuration.get_default_copy().host == before


def in_cluster_files(tmp_path: Path, token: str = "tok-1\n") -> tuple[str, str]:
    tok = tmp_path / "token"
    ca = tmp_path / "ca.crt"
    tok.write_text(token)
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    return str(tok), str(ca)


async def test_in_cluster_reads_env_token_and_ca(tmp_path: Path) -> None:
    tok, ca = in_cluster_files(tmp_path)
    env = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    cfg = _config.configuration_in_cluster(token_file=tok, ca_file=ca, environ=env)
    assert cfg.host == "https://10.96.0.1:443"
    assert cfg.ssl_ca_cert == ca
    assert (await cfg.auth_settings())["BearerToken"]["value"] == "Bearer tok-1"


async def test_in_cluster_ipv6_host_is_bracketed(tmp_path: Path) -> None:
    tok, ca = in_cluster_files(tmp_path)
    env = {"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"}
    cfg = _config.configuration_in_cluster(token_file=tok, ca_file=ca, environ=env)
    assert cfg.host == "https://[fd00::1]:443"


async def test_in_cluster_token_rotation_is_picked_up_after_refresh_period(
    tmp_path: Path,
) -> None:
    tok, ca = in_cluster_files(tmp_path)
    clock = StepClock()
    env = {"KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"}
    cfg = _config.configuration_in_cluster(token_file=tok, ca_file=ca, environ=env, clock=clock)
    Path(tok).write_text("tok-2")  # noqa: ASYNC240
    assert (await cfg.auth_settings())["BearerToken"]["value"] == "Bearer tok-1"
    await clock.sleep(_config.TOKEN_REFRESH_SECONDS)
    assert (await cfg.auth_settings())["BearerToken"]["value"] == "Bearer tok-2"


async def test_in_cluster_keeps_old_token_when_file_vanishes(tmp_path: Path) -> None:
    tok, ca = in_cluster_files(tmp_path)
    clock = StepClock()
    env = {"KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"}
    cfg = _config.configuration_in_cluster(token_file=tok, ca_file=ca, environ=env, clock=clock)
    Path(tok).unlink()  # noqa: ASYNC240
    await clock.sleep(_config.TOKEN_REFRESH_SECONDS)
    assert (await cfg.auth_settings())["BearerToken"]["value"] == "Bearer tok-1"


@pytest.mark.parametrize(
    ("env", "token", "ca"),
    [
        ({}, "t", "c"),
        ({"KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": ""}, "t", "c"),
        ({"KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"}, "", "c"),
        ({"KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"}, "t", ""),
    ],
)
def test_in_cluster_errors(tmp_path: Path, env: dict[str, str], token: str, ca: str) -> None:
    tok = tmp_path / "token"
    tok.write_text(token)
    ca_file = tmp_path / "ca"
    ca_file.write_text(ca)
    with pytest.raises(ConfigurationError):
        _config.configuration_in_cluster(token_file=str(tok), ca_file=str(ca_file), environ=env)


async def test_from_host_sets_everything() -> None:
    client = Client.from_host("https://h:6443/", token="abc", verify_ssl=False)
    cfg = client._transport.configuration
    assert client.host == "https://h:6443"
    assert cfg.api_key["BearerToken"] == "Bearer abc"
    assert cfg.verify_ssl is False
    await client.close()


def test_find_kubeconfig_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _config.find_kubeconfig("/explicit", {}) == "/explicit"
    assert _config.find_kubeconfig(None, {"KUBECONFIG": str(tmp_path / "nope")}) is None
    env_file = tmp_path / "envcfg"
    env_file.write_text("x")
    joined = f"{tmp_path / 'nope'}:{env_file}"
    assert _config.find_kubeconfig(None, {"KUBECONFIG": joined}) == joined
    home_cfg = tmp_path / ".kube" / "config"
    home_cfg.parent.mkdir()
    home_cfg.write_text("x")
    assert _config.find_kubeconfig(None, {}) == str(home_cfg)


async def test_auto_prefers_kubeconfig_then_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(ConfigurationError):
        await Client.auto()
    path = tmp_path / "cfg"
    path.write_text(yaml.safe_dump(kubeconfig(server="http://127.0.0.1:1")))
    async with await Client.auto(kubeconfig=str(path)) as client:
        assert client.host == "http://127.0.0.1:1"


def exec_plugin(tmp_path: Path, expiry: str) -> Path:
    """A credential plugin that counts its runs and prints a token named after the count."""
    counter = tmp_path / "runs"
    script = tmp_path / "plugin.py"
    script.write_text(
        "import json, pathlib, sys\n"
        f"c = pathlib.Path({str(counter)!r})\n"
        "n = int(c.read_text()) + 1 if c.exists() else 1\n"
        "c.write_text(str(n))\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',\n"
        "  'kind': 'ExecCredential',\n"
        f"  'status': {{'token': f'exec-{{n}}', 'expirationTimestamp': {expiry!r}}}}}))\n"
    )
    return script


def exec_user(script: Path) -> dict[str, Any]:
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": sys.executable,
            "args": [str(script)],
        }
    }


async def test_exec_plugin_token_is_refreshed_when_expired(tmp_path: Path) -> None:
    script = exec_plugin(tmp_path, "2000-01-01T00:00:00Z")
    cfg = await _config.configuration_from_kubeconfig_dict(kubeconfig(**exec_user(script)))
    assert cfg.api_key["BearerToken"] == "Bearer exec-1"
    assert (await cfg.auth_settings())["BearerToken"]["value"] == "Bearer exec-2"


async def test_exec_plugin_token_is_kept_while_valid(tmp_path: Path) -> None:
    script = exec_plugin(tmp_path, "2999-01-01T00:00:00Z")
    cfg = await _config.configuration_from_kubeconfig_dict(kubeconfig(**exec_user(script)))
    assert (await cfg.auth_settings())["BearerToken"]["value"] == "Bearer exec-1"
    assert (await cfg.auth_settings())["BearerToken"]["value"] == "Bearer exec-1"

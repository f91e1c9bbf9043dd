"""The kubeconfig embeds the CA and the token, and the unmodified kubernetes-asyncio loads it."""

from __future__ import annotations

import asyncio
import base64
import stat
from pathlib import Path

import yaml
from kubernetes_asyncio import client, config

from aim_engine.testing.envtest.kubeconfig import (
    CONTEXT_NAME,
    USER_NAME,
    build_kubeconfig,
    write_kubeconfig,
)

CA = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def test_build_kubeconfig_structure() -> None:
    cfg = build_kubeconfig("https://127.0.0.1:1234", CA, "s3cr3t")
    assert cfg["current-context"] == CONTEXT_NAME
    (cluster,) = cfg["clusters"]
    assert cluster["cluster"]["server"] == "https://127.0.0.1:1234"
    assert base64.b64decode(cluster["cluster"]["certificate-authority-data"]) == CA
    (user,) = cfg["users"]
    assert user == {"name": USER_NAME, "user": {"token": "s3cr3t"}}
    (context,) = cfg["contexts"]
    assert context["context"]["cluster"] == CONTEXT_NAME
    assert context["context"]["user"] == USER_NAME


def test_write_kubeconfig_is_private_yaml(tmp_path: Path) -> None:
    cfg = build_kubeconfig("https://127.0.0.1:1234", CA, "s3cr3t")
    path = write_kubeconfig(tmp_path / "sub" / "kubeconfig", cfg)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert yaml.safe_load(path.read_text()) == cfg
    assert sorted(p.name for p in path.parent.iterdir()) == ["kubeconfig"]  # no partial file left


async def test_kubernetes_asyncio_loads_it(tmp_path: Path) -> None:
    cfg = build_kubeconfig("https://127.0.0.1:1234", CA, "s3cr3t")
    configuration = client.Configuration()
    await config.load_kube_config_from_dict(
        cfg, client_configuration=configuration, temp_file_path=str(tmp_path)
    )
    assert configuration.host == "https://127.0.0.1:1234"
    assert configuration.api_key["BearerToken"] == "Bearer s3cr3t"
    ca_file = Path(str(configuration.ssl_ca_cert))
    assert ca_file.is_relative_to(tmp_path)
    assert await asyncio.to_thread(ca_file.read_bytes) == CA

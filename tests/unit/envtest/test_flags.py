"""The etcd and kube-apiserver command lines carry envtest's flags; extras override by name."""

from __future__ import annotations

from pathlib import Path

from aim_engine.testing.envtest.certs import Certificates
from aim_engine.testing.envtest.controlplane import token_file_line
from aim_engine.testing.envtest.flags import (
    ApiserverConfig,
    EtcdConfig,
    apiserver_flags,
    etcd_flags,
    render_flags,
)


def _apiserver_config() -> ApiserverConfig:
    certs = Certificates(Path("/pki"))
    return ApiserverConfig("http://127.0.0.1:2379", certs, 6443, Path("/t/tokens.csv"))


def test_etcd_single_member_on_loopback_without_fsync() -> None:
    flags = etcd_flags(EtcdConfig(Path("/d/etcd"), 2379, 2380))
    assert flags["data-dir"] == "/d/etcd"
    assert flags["listen-client-urls"] == "http://127.0.0.1:2379"
    assert flags["advertise-client-urls"] == "http://127.0.0.1:2379"
    assert flags["listen-peer-urls"] == "http://127.0.0.1:2380"
    assert flags["initial-cluster"] == f"{flags['name']}=http://127.0.0.1:2380"
    assert flags["unsafe-no-fsync"] == "true"


def test_apiserver_has_envtest_defaults() -> None:
    flags = apiserver_flags(_apiserver_config())
    assert flags["etcd-servers"] == "http://127.0.0.1:2379"
    assert flags["secure-port"] == "6443"
    assert flags["bind-address"] == "127.0.0.1"
    assert flags["authorization-mode"] == "RBAC"
    assert flags["disable-admission-plugins"] == "ServiceAccount"
    assert flags["service-cluster-ip-range"] == "10.0.0.0/24"
    assert flags["allow-privileged"] == "true"
    assert flags["service-account-issuer"] == "https://127.0.0.1:6443/"
    assert flags["service-account-key-file"] == "/pki/sa.pub"
    assert flags["service-account-signing-key-file"] == "/pki/sa.key"
    assert flags["tls-cert-file"] == "/pki/apiserver.crt"
    assert flags["tls-private-key-file"] == "/pki/apiserver.key"
    assert flags["cert-dir"] == "/pki"
    assert flags["token-auth-file"] == "/t/tokens.csv"
    assert "insecure-port" not in flags  # removed in Kubernetes 1.24


def test_extra_flags_override_by_name_and_add_new_ones() -> None:
    flags = apiserver_flags(
        _apiserver_config(),
        {"authorization-mode": "Node,RBAC", "feature-gates": "Foo=true"},
    )
    assert flags["authorization-mode"] == "Node,RBAC"
    assert flags["feature-gates"] == "Foo=true"
    assert render_flags(flags).count("--authorization-mode=Node,RBAC") == 1
    assert not any(arg == "--authorization-mode=RBAC" for arg in render_flags(flags))


def test_render_flags_keeps_order() -> None:
    assert render_flags({"b": "1", "a": "x=y"}) == ["--b=1", "--a=x=y"]


def test_token_file_line_quotes_groups() -> None:
    line = token_file_line("tok", "admin", "uid-1", ["system:masters", "devs"])
    assert line == 'tok,admin,uid-1,"system:masters,devs"\n'

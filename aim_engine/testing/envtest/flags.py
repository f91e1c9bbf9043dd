"""Command lines of etcd and kube-apiserver, as controller-runtime's envtest starts them.

Pure functions, so the flags are unit-tested without processes. Flags are built as an ordered
``{name: value}`` mapping; callers' extra flags override defaults by name (like envtest's
``Configure().Set``) and are rendered as ``--name=value``.

kube-apiserver, as envtest configures it:

- secure port only, on ``127.0.0.1``, with a serving certificate from a throw-away CA;
- ``--authorization-mode=RBAC``: permissions are checked like in a real cluster (the admin token
  is in ``system:masters``, which RBAC lets do anything);
- ``--disable-admission-plugins=ServiceAccount``: without kube-controller-manager no default
  ServiceAccount exists, and that plugin would reject every Pod;
- ``--service-cluster-ip-range=10.0.0.0/24`` and ``--allow-privileged=true``;
- a service-account issuer and key pair, so TokenRequest works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aim_engine.testing.envtest.certs import Certificates

__all__ = [
    "LOOPBACK",
    "ApiserverConfig",
    "EtcdConfig",
    "apiserver_flags",
    "etcd_flags",
    "render_flags",
]

LOOPBACK = "127.0.0.1"
_ETCD_NAME = "envtest"


@dataclass(frozen=True, slots=True)
class EtcdConfig:
    """Where etcd listens and stores its data."""

    data_dir: Path
    client_port: int
    peer_port: int

    @property
    def client_url(self) -> str:
        """URL kube-apiserver talks to (``--etcd-servers``)."""
        return f"http://{LOOPBACK}:{self.client_port}"

    @property
    def peer_url(self) -> str:
        """URL of the (single-member) peer listener."""
        return f"http://{LOOPBACK}:{self.peer_port}"


@dataclass(frozen=True, slots=True)
class ApiserverConfig:
    """What kube-apiserver needs: etcd, certificates, a port and the admin token file."""

    etcd_url: str
    certs: Certificates
    secure_port: int
    token_file: Path

    @property
    def url(self) -> str:
        """The server URL clients use."""
        return f"https://{LOOPBACK}:{self.secure_port}"


def etcd_flags(config: EtcdConfig, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """etcd's flags: a single member on loopback, temp data dir, no fsync (test data only)."""
    flags = {
        "name": _ETCD_NAME,
        "data-dir": str(config.data_dir),
        "listen-client-urls": config.client_url,
        "advertise-client-urls": config.client_url,
        "listen-peer-urls": config.peer_url,
        "initial-advertise-peer-urls": config.peer_url,
        "initial-cluster": f"{_ETCD_NAME}={config.peer_url}",
        "unsafe-no-fsync": "true",
        "log-level": "warn",
    }
    flags.update(extra or {})
    return flags


def apiserver_flags(
    config: ApiserverConfig, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """kube-apiserver's flags (envtest's defaults plus a static admin token file)."""
    certs = config.certs
    flags = {
        "etcd-servers": config.etcd_url,
        "cert-dir": str(certs.directory),
        "tls-cert-file": str(certs.serving_cert),
        "tls-private-key-file": str(certs.serving_key),
        "secure-port": str(config.secure_port),
        "bind-address": LOOPBACK,
        "advertise-address": LOOPBACK,
        "service-account-issuer": f"{config.url}/",
        "service-account-key-file": str(certs.service_account_public_key),
        "service-account-signing-key-file": str(certs.service_account_key),
        "authorization-mode": "RBAC",
        "token-auth-file": str(config.token_file),
        "disable-admission-plugins": "ServiceAccount",
        "service-cluster-ip-range": "10.0.0.0/24",
        "allow-privileged": "true",
    }
    flags.update(extra or {})
    return flags


def render_flags(flags: Mapping[str, str]) -> list[str]:
    """``{"a": "1"}`` → ``["--a=1"]``, in insertion order."""
    return [f"--{name}={value}" for name, value in flags.items()]

"""Both certificate backends produce a chain a TLS client accepts for 127.0.0.1 and localhost.

The handshake runs in memory (``ssl.MemoryBIO``): no sockets, but real certificate verification.
"""

from __future__ import annotations

import ssl
import stat
from pathlib import Path
from typing import Any

import pytest

from aim_engine.testing.envtest.certs import (
    Backend,
    Certificates,
    available_backends,
    generate_certificates,
)

BACKENDS: list[Backend] = ["cryptography", "openssl"]


def _backend(name: Backend) -> Backend:
    if name not in available_backends():
        pytest.skip(f"certificate backend {name!r} is not available here")
    return name


def _handshake(certs: Certificates, server_name: str) -> dict[str, Any]:
    """Run a TLS handshake between an in-memory server and client; raise if verification fails.

    Returns the server certificate as the client verified it (``SSLObject.getpeercert()``).
    """
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(certs.serving_cert, certs.serving_key)
    client_ctx = ssl.create_default_context(cafile=str(certs.ca_cert))
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname=server_name)
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(20):
        for name, end in (("client", client), ("server", server)):
            if not done[name]:
                try:
                    end.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done.values()):
            peer = client.getpeercert()
            assert peer is not None
            return peer
    raise AssertionError("handshake did not finish")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("server_name", ["127.0.0.1", "localhost", "kubernetes.default.svc"])
def test_serving_certificate_verifies_against_the_ca(
    tmp_path: Path, backend: Backend, server_name: str
) -> None:
    certs = generate_certificates(tmp_path / "pki", _backend(backend))
    peer = _handshake(certs, server_name)
    kind = "IP Address" if server_name[0].isdigit() else "DNS"
    assert (kind, server_name) in peer["subjectAltName"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_host_name_is_rejected(tmp_path: Path, backend: Backend) -> None:
    certs = generate_certificates(tmp_path / "pki", _backend(backend))
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(certs, "example.com")


@pytest.mark.parametrize("backend", BACKENDS)
def test_another_ca_does_not_verify(tmp_path: Path, backend: Backend) -> None:
    certs = generate_certificates(tmp_path / "a", _backend(backend))
    other = generate_certificates(tmp_path / "b", backend)
    mixed = Certificates(tmp_path / "mixed")
    mixed.directory.mkdir()
    mixed.ca_cert.write_bytes(other.ca_cert.read_bytes())
    mixed.serving_cert.write_bytes(certs.serving_cert.read_bytes())
    mixed.serving_key.write_bytes(certs.serving_key.read_bytes())
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(mixed, "127.0.0.1")


@pytest.mark.parametrize("backend", BACKENDS)
def test_keys_are_private_and_service_account_pair_matches(
    tmp_path: Path, backend: Backend
) -> None:
    certs = generate_certificates(tmp_path / "pki", _backend(backend))
    for key in (certs.ca_key, certs.serving_key, certs.service_account_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert sorted(p.name for p in certs.directory.iterdir()) == [
        "apiserver.crt", "apiserver.key", "ca.crt", "ca.key", "sa.key", "sa.pub",
    ]  # fmt: skip
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    private = serialization.load_pem_private_key(certs.service_account_key.read_bytes(), None)
    public = serialization.load_pem_public_key(certs.service_account_public_key.read_bytes())
    assert private.public_key().public_numbers() == public.public_numbers()
    assert private.key_size == 2048

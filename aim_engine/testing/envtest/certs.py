"""Throw-away certificates for a test control plane.

kube-apiserver serves only TLS, and it needs a key to sign service-account tokens. For each start
we make, in a fresh directory:

- a CA (ECDSA P-256, valid one day), whose certificate goes into the kubeconfig;
- a serving certificate signed by it for ``127.0.0.1``, ``localhost`` and the first service IP
  (``10.0.0.1``, the ``kubernetes`` Service of the ``10.0.0.0/24`` range);
- an RSA service-account signing key and its public key.

The ``cryptography`` package is used when it is importable (fast, no processes); otherwise the
``openssl`` command line does the same. Both write the same file names (:class:`Certificates`).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path
from typing import Literal

__all__ = [
    "SERVING_DNS_NAMES",
    "SERVING_IPS",
    "Backend",
    "Certificates",
    "available_backends",
    "generate_certificates",
]

Backend = Literal["cryptography", "openssl"]

SERVING_IPS = ("127.0.0.1", "10.0.0.1")
"""IP subject alternative names of the serving certificate."""

SERVING_DNS_NAMES = ("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc")
"""DNS subject alternative names of the serving certificate."""

_VALIDITY = dt.timedelta(days=1)
_CA_NAME = "aim-envtest-ca"
_SERVER_NAME = "kube-apiserver"
_SA_KEY_BITS = 2048


@dataclass(frozen=True, slots=True)
class Certificates:
    """The PEM files of one control plane, all inside ``directory``."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        """The CA certificate (trust anchor of clients)."""
        return self.directory / "ca.crt"

    @property
    def ca_key(self) -> Path:
        """The CA private key (kept for minting more certificates)."""
        return self.directory / "ca.key"

    @property
    def serving_cert(self) -> Path:
        """kube-apiserver's serving certificate (``--tls-cert-file``)."""
        return self.directory / "apiserver.crt"

    @property
    def serving_key(self) -> Path:
        """kube-apiserver's serving key (``--tls-private-key-file``)."""
        return self.directory / "apiserver.key"

    @property
    def service_account_key(self) -> Path:
        """Key that signs service-account tokens (``--service-account-signing-key-file``)."""
        return self.directory / "sa.key"

    @property
    def service_account_public_key(self) -> Path:
        """Public key that verifies them (``--service-account-key-file``)."""
        return self.directory / "sa.pub"


def available_backends() -> list[Backend]:
    """The certificate backends usable here, preferred first."""
    backends: list[Backend] = []
    if importlib.util.find_spec("cryptography") is not None:
        backends.append("cryptography")
    if shutil.which("openssl") is not None:
        backends.append("openssl")
    return backends


def generate_certificates(directory: Path, backend: Backend | None = None) -> Certificates:
    """Write a fresh CA, serving certificate and service-account key pair into ``directory``.

    Args:
        directory: created if missing; keys are written with mode 0600.
        backend: force a backend (default: the first of :func:`available_backends`).

    Raises:
        RuntimeError: neither ``cryptography`` nor ``openssl`` is available.
    """
    if backend is None:
        backends = available_backends()
        if not backends:
            raise RuntimeError("need the `cryptography` package or the `openssl` command")
        backend = backends[0]
    directory.mkdir(parents=True, exist_ok=True)
    certs = Certificates(directory)
    if backend == "cryptography":
        _with_cryptography(certs)
    else:
        _with_openssl(certs)
    for key in (certs.ca_key, certs.serving_key, certs.service_account_key):
        key.chmod(0o600)
    return certs


def _with_cryptography(certs: Certificates) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # tolerate small clock skew

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    def pem_key(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(name(_CA_NAME))
        .issuer_name(name(_CA_NAME))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = [x509.IPAddress(IPv4Address(ip)) for ip in SERVING_IPS]
    alt_names += [x509.DNSName(dns) for dns in SERVING_DNS_NAMES]
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(name(_SERVER_NAME))
        .issuer_name(ca_cert.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=_SA_KEY_BITS)
    certs.ca_key.write_bytes(pem_key(ca_key))
    certs.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    certs.serving_key.write_bytes(pem_key(server_key))
    certs.serving_cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    certs.service_account_key.write_bytes(pem_key(sa_key))
    certs.service_account_public_key.write_bytes(
        sa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(
        ["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )
    if done.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {done.stderr.strip()}")


def _with_openssl(certs: Certificates) -> None:
    d = certs.directory
    ec_key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        "req", "-x509", *ec_key, "-keyout", str(certs.ca_key), "-out", str(certs.ca_cert),
        "-days", "1", "-subj", f"/CN={_CA_NAME}",
        "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
        "-addext", "keyUsage=critical,digitalSignature,keyCertSign,cRLSign",
        cwd=d,
    )  # fmt: skip
    csr = d / "apiserver.csr"
    _openssl(
        "req", "-new", *ec_key, "-keyout", str(certs.serving_key), "-out", str(csr),
        "-subj", f"/CN={_SERVER_NAME}",
        cwd=d,
    )  # fmt: skip
    sans = [f"IP:{ip}" for ip in SERVING_IPS] + [f"DNS:{dns}" for dns in SERVING_DNS_NAMES]
    extensions = d / "apiserver.ext"
    extensions.write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "extendedKeyUsage=serverAuth\n"
        f"subjectAltName={','.join(sans)}\n"
    )
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(certs.ca_cert), "-CAkey", str(certs.ca_key),
        "-CAcreateserial", "-days", "1", "-sha256", "-extfile", str(extensions),
        "-out", str(certs.serving_cert),
        cwd=d,
    )  # fmt: skip
    _openssl(
        "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{_SA_KEY_BITS}",
        "-out", str(certs.service_account_key),
        cwd=d,
    )  # fmt: skip
    _openssl(
        "pkey", "-in", str(certs.service_account_key), "-pubout",
        "-out", str(certs.service_account_public_key),
        cwd=d,
    )  # fmt: skip
    for scratch in (csr, extensions, d / "ca.srl"):
        scratch.unlink(missing_ok=True)

"""A token service for the registry under test: the Docker token-auth flow, on loopback.

distribution's ``auth: token`` sends clients a ``Bearer realm=...,service=...`` challenge and
accepts JWTs signed by a key whose certificate is in its ``rootcertbundle``. :class:`TokenServer`
is that token service, small enough to read: ``GET /token?service=&scope=...`` with optional
basic credentials answers ``{"token", "access_token", "expires_in", "issued_at"}``, an ES256 JWT
carrying an ``x5c`` header with its self-signed certificate. Known users get every action they
ask for; anonymous callers get ``pull`` when ``anonymous_pull`` is set; a wrong password is 401.
Each request is recorded in :attr:`TokenServer.requests` so tests can assert the flow happened.

It runs a stdlib HTTP server in a thread, so it can serve a session-scoped fixture whatever the
event loop of each test. Signing needs ``cryptography`` (the ``test`` extra).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

__all__ = ["TokenRequest", "TokenServer"]

_LIFETIME = 300


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """One request the token service answered: who asked, for what, and the status given."""

    user: str
    scopes: tuple[str, ...]
    status: int


@dataclass
class _Signer:
    """An ES256 key and its self-signed certificate (PEM for the registry, DER for ``x5c``)."""

    key: object
    cert_pem: bytes
    cert_der: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> _Signer:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aim-test-token-issuer")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        return cls(
            key,
            cert.public_bytes(serialization.Encoding.PEM),
            cert.public_bytes(serialization.Encoding.DER),
        )

    def sign(self, claims: Mapping[str, object]) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        header = {"typ": "JWT", "alg": "ES256", "x5c": [base64.b64encode(self.cert_der).decode()]}
        signing_input = (
            f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        )
        assert isinstance(self.key, ec.EllipticCurvePrivateKey)
        r, s = decode_dss_signature(
            self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        )
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return f"{signing_input}.{_b64url(signature)}"


class TokenServer:
    """The token service of a token-auth registry; use as a context manager."""

    def __init__(
        self,
        users: Mapping[str, str],
        *,
        service: str = "aim-test-registry",
        issuer: str = "aim-test-token-issuer",
        anonymous_pull: bool = False,
    ) -> None:
        """Serve tokens for ``users`` (name → password) of registry ``service``."""
        self.users = dict(users)
        self.service = service
        self.issuer = issuer
        self.anonymous_pull = anonymous_pull
        self.requests: list[TokenRequest] = []
        self._signer = _Signer.generate()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def realm(self) -> str:
        """The URL registries put in their challenge."""
        if self._server is None:
            raise RuntimeError("token server not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/token"

    def write_certificate(self, path: Path) -> Path:
        """Write the signing certificate (the registry's ``rootcertbundle``) to ``path``."""
        path.write_bytes(self._signer.cert_pem)
        return path

    def mint(self, user: str, scopes: list[str]) -> str:
        """A signed token for ``user`` granting every action of ``scopes`` (``type:name:a,b``)."""
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": user,
            "aud": self.service,
            "exp": now + _LIFETIME,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        return self._signer.sign(claims)

    def _answer(self, authorization: str, query: str) -> tuple[int, dict[str, object]]:
        params = parse_qs(query)
        scopes = params.get("scope", [])
        user = ""
        if authorization.lower().startswith("basic "):
            raw = base64.b64decode(authorization[6:]).decode(errors="replace")
            user, _, password = raw.partition(":")
            if self.users.get(user) != password:
                self.requests.append(TokenRequest(user, tuple(scopes), 401))
                return 401, {"details": "invalid username or password"}
        elif not self.anonymous_pull:
            self.requests.append(TokenRequest("", tuple(scopes), 401))
            return 401, {"details": "authentication required"}
        granted = scopes if user else [s.rsplit(":", 1)[0] + ":pull" for s in scopes]
        token = self.mint(user or "anonymous", granted)
        self.requests.append(TokenRequest(user, tuple(scopes), 200))
        issued = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return 200, {
            "token": token,
            "access_token": token,
            "expires_in": _LIFETIME,
            "issued_at": issued,
        }

    def start(self) -> TokenServer:
        """Listen on a free loopback port, serving from a daemon thread."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                status, body = (
                    owner._answer(self.headers.get("Authorization", ""), parts.query)
                    if parts.path == "/token"
                    else (404, {})
                )
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Keep test output clean."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> TokenServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

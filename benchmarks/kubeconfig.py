"""The little the harness needs from a kubeconfig: server URL, bearer token and TLS settings.

The harness deliberately does not use aim-engine's client to seed and mutate objects, so the
load generator is the same for every contender and cannot favour one of them.
"""

from __future__ import annotations

import base64
import pathlib
import ssl
import tempfile
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach the API server."""

    server: str
    token: str | None
    ca_data: bytes | None
    client_cert_data: bytes | None = None
    client_key_data: bytes | None = None

    def ssl_context(self) -> ssl.SSLContext | bool:
        """An SSL context for https servers (``False`` for plain http)."""
        if not self.server.startswith("https"):
            return False
        ctx = ssl.create_default_context()
        if self.ca_data:
            ctx.load_verify_locations(cadata=self.ca_data.decode())
        if self.client_cert_data and self.client_key_data:
            with tempfile.TemporaryDirectory() as d:
                cert = pathlib.Path(d, "c.crt")
                key = pathlib.Path(d, "c.key")
                cert.write_bytes(self.client_cert_data)
                key.write_bytes(self.client_key_data)
                ctx.load_cert_chain(cert, key)
        return ctx

    def headers(self) -> dict[str, str]:
        """Authorization headers."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def _data(entry: dict[str, object], key: str) -> bytes | None:
    raw = entry.get(f"{key}-data")
    if isinstance(raw, str):
        return base64.b64decode(raw)
    path = entry.get(key)
    if isinstance(path, str):
        return pathlib.Path(path).read_bytes()
    return None


def load(path: str | pathlib.Path) -> Endpoint:
    """Read the current context of a kubeconfig file."""
    doc = yaml.safe_load(pathlib.Path(path).read_text())
    ctx_name = doc.get("current-context")
    ctx = next(c["context"] for c in doc["contexts"] if c["name"] == ctx_name)
    cluster = next(c["cluster"] for c in doc["clusters"] if c["name"] == ctx["cluster"])
    users = doc.get("users", [])
    user: dict[str, object] = next((u["user"] for u in users if u["name"] == ctx.get("user")), {})
    return Endpoint(
        server=cluster["server"].rstrip("/"),
        token=str(user["token"]) if user.get("token") else None,
        ca_data=_data(cluster, "certificate-authority"),
        client_cert_data=_data(user, "client-certificate"),
        client_key_data=_data(user, "client-key"),
    )

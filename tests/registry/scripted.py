"""An in-process aiohttp server that answers like a registry as each test scripts it.

Tests register handlers per ``(method, path)`` (a ``HEAD`` without a handler gets 404, so the
client falls back to ``GET``); every request is recorded (method, path with
query, headers) so tests can assert the exchange. ``release`` frees handlers that hang on
purpose, so the server shuts down at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class ScriptedRegistry:
    host: str = ""
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def on(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def paths(self, method: str | None = None) -> list[str]:
        return [s.path for s in self.seen if method is None or s.method == method]

    async def hang(self, request: web.Request) -> web.StreamResponse:
        await self.release.wait()
        return web.Response(status=500)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(Seen(request.method, request.path_qs, dict(request.headers)))
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            body = {"errors": [{"code": "NAME_UNKNOWN", "message": "no route"}]}
            return web.json_response(body, status=404)
        return await handler(request)

    def serve_image(
        self,
        repository: str,
        tag: str,
        labels: dict[str, str] | None,
        *,
        index: bool = False,
        config_body: bytes | None = None,
    ) -> dict[str, str]:
        """Script a whole image (optionally behind an index); return its digests."""
        config = config_body or json.dumps({"config": {"Labels": labels}}).encode()
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {"digest": digest(config), "size": len(config)},
                "layers": [],
            }
        ).encode()
        top, top_type = manifest, OCI_MANIFEST
        if index:
            top = json.dumps(
                {
                    "schemaVersion": 2,
                    "mediaType": OCI_INDEX,
                    "manifests": [
                        {
                            "digest": "sha256:" + "9" * 64,
                            "size": 1,
                            "platform": {"os": "linux", "architecture": "arm64"},
                        },
                        {
                            "digest": digest(manifest),
                            "size": len(manifest),
                            "platform": {"os": "linux", "architecture": "amd64"},
                        },
                    ],
                }
            ).encode()
            top_type = OCI_INDEX
        base = f"/v2/{repository}"
        for ref, body, ctype in (
            (tag, top, top_type),
            (digest(top), top, top_type),
            (digest(manifest), manifest, OCI_MANIFEST),
        ):
            self.on("GET", f"{base}/manifests/{ref}", _static(body, ctype))
            self.on("HEAD", f"{base}/manifests/{ref}", _static(body, ctype))
        self.on(
            "GET", f"{base}/blobs/{digest(config)}", _static(config, "application/octet-stream")
        )
        return {"top": digest(top), "image": digest(manifest), "config": digest(config)}


def _static(body: bytes, content_type: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        headers = {"Content-Type": content_type, "Docker-Content-Digest": digest(body)}
        return web.Response(body=b"" if request.method == "HEAD" else body, headers=headers)

    return handler

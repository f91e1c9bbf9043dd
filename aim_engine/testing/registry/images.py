"""Push synthetic images to a registry under test, with its HTTP API (aiohttp, no docker CLI).

An image here is one config blob (``os``, ``architecture`` and ``config.Labels``), one tiny
gzipped tar layer and a manifest; :meth:`ImagePusher.push_image` pushes one per platform and,
for several platforms (or ``index=True``), an OCI index (or Docker manifest list) over them, so
tests get real single- and multi-arch images with the AIM labels they want::

    async with aiohttp.ClientSession() as session:
        pusher = ImagePusher(session, registry.url, authorization="Basic ...")
        image = await pusher.push_image(
            "aim/qwen", "1.0", {"com.amd.aim.model.canonicalName": "Qwen/Qwen3-32B"},
            platforms=[("linux", "amd64"), ("linux", "arm64")],
        )
        image.digest, image.manifests["linux/amd64"]

Blobs go up monolithically (``POST`` an upload, ``PUT`` it with ``?digest=``), manifests with
``PUT``. Every request carries ``authorization`` when given (basic, or a bearer token minted by
:class:`~aim_engine.testing.registry.tokens.TokenServer`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

import aiohttp

__all__ = ["ImagePusher", "PushedImage", "image_config", "tiny_layer"]

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tiny_layer(content: str) -> tuple[bytes, str]:
    """A deterministic gzipped tar holding one file; returns it and its ``diff_id``."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        data = content.encode()
        info = tarfile.TarInfo("aim-test.txt")
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        tar.addfile(info, io.BytesIO(data))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), _digest(tar_bytes)


def image_config(
    labels: Mapping[str, str] | None, os: str, architecture: str, diff_id: str
) -> bytes:
    """An image config blob; ``labels=None`` leaves ``config.Labels`` out entirely."""
    config: dict[str, object] = {"Env": ["PATH=/usr/bin"]}
    if labels is not None:
        config["Labels"] = dict(labels)
    doc = {
        "architecture": architecture,
        "os": os,
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }
    return json.dumps(doc, sort_keys=True).encode()


@dataclass(frozen=True, slots=True)
class _MediaTypes:
    manifest: str
    index: str
    config: str
    layer: str


_OCI_TYPES = _MediaTypes(OCI_MANIFEST, OCI_INDEX, OCI_CONFIG, OCI_LAYER)
_DOCKER_TYPES = _MediaTypes(DOCKER_MANIFEST, DOCKER_LIST, DOCKER_CONFIG, DOCKER_LAYER)


@dataclass(frozen=True, slots=True)
class PushedImage:
    """What was pushed.

    Attributes:
        reference: ``host/repository:tag``.
        digest: what the tag points at (the index's digest for a multi-arch image).
        manifests: image manifest digest per ``os/architecture``.
        configs: config blob digest per ``os/architecture``.
    """

    reference: str
    digest: str
    manifests: dict[str, str] = field(default_factory=dict)
    configs: dict[str, str] = field(default_factory=dict)


class ImagePusher:
    """Pushes blobs, manifests and indexes to one registry."""

    def __init__(
        self, session: aiohttp.ClientSession, registry_url: str, authorization: str | None = None
    ) -> None:
        """Push to ``registry_url`` (``http://127.0.0.1:<port>``) through ``session``."""
        self._session = session
        self._url = registry_url.rstrip("/")
        self._headers = {"Authorization": authorization} if authorization else {}

    async def blob(self, repository: str, data: bytes) -> str:
        """Upload ``data`` as a blob of ``repository``; return its digest."""
        digest = _digest(data)
        start = f"{self._url}/v2/{repository}/blobs/uploads/"
        async with self._session.post(start, headers=self._headers) as resp:
            if resp.status != 202:
                raise AssertionError(f"blob upload start: HTTP {resp.status}: {await resp.text()}")
            location = urljoin(start, resp.headers["Location"])
        sep = "&" if "?" in location else "?"
        headers = {**self._headers, "Content-Type": "application/octet-stream"}
        async with self._session.put(
            f"{location}{sep}digest={digest}", data=data, headers=headers
        ) as resp:
            if resp.status != 201:
                raise AssertionError(f"blob upload: HTTP {resp.status}: {await resp.text()}")
        return digest

    async def manifest(self, repository: str, reference: str, doc: Mapping[str, object]) -> str:
        """``PUT`` a manifest or index under a tag or its digest; return its digest."""
        body = json.dumps(doc).encode()
        headers = {**self._headers, "Content-Type": str(doc["mediaType"])}
        url = f"{self._url}/v2/{repository}/manifests/{reference}"
        async with self._session.put(url, data=body, headers=headers) as resp:
            if resp.status != 201:
                raise AssertionError(f"manifest put: HTTP {resp.status}: {await resp.text()}")
        return _digest(body)

    async def push_image(
        self,
        repository: str,
        tag: str,
        labels: Mapping[str, str] | None,
        *,
        platforms: Sequence[tuple[str, str]] = (("linux", "amd64"),),
        index: bool = False,
        docker: bool = False,
        platform_labels: Mapping[str, Mapping[str, str]] | None = None,
    ) -> PushedImage:
        """Push an image with ``labels`` under ``repository:tag``.

        Args:
            repository: e.g. ``aim/qwen``.
            tag: e.g. ``1.0``.
            labels: the config labels (``None``: a config without ``Labels``).
            platforms: ``(os, architecture)`` of each image.
            index: push an index even for one platform (always for several).
            docker: Docker schema 2 media types instead of OCI ones.
            platform_labels: extra labels per ``os/architecture``.

        Returns:
            The digests pushed.
        """
        types = _DOCKER_TYPES if docker else _OCI_TYPES
        single = len(platforms) == 1 and not index
        manifests: dict[str, str] = {}
        configs: dict[str, str] = {}
        entries: list[dict[str, object]] = []
        for os_name, arch in platforms:
            platform = f"{os_name}/{arch}"
            extra = (platform_labels or {}).get(platform, {})
            layer, diff_id = tiny_layer(f"{repository}:{tag} {platform}")
            config = image_config(
                None if labels is None else {**labels, **extra}, os_name, arch, diff_id
            )
            configs[platform] = await self.blob(repository, config)
            doc = {
                "schemaVersion": 2,
                "mediaType": types.manifest,
                "config": {
                    "mediaType": types.config,
                    "digest": configs[platform],
                    "size": len(config),
                },
                "layers": [
                    {
                        "mediaType": types.layer,
                        "digest": await self.blob(repository, layer),
                        "size": len(layer),
                    }
                ],
            }
            body = json.dumps(doc).encode()
            manifests[platform] = await self.manifest(
                repository, tag if single else _digest(body), doc
            )
            entries.append(
                {
                    "mediaType": types.manifest,
                    "digest": manifests[platform],
                    "size": len(body),
                    "platform": {"os": os_name, "architecture": arch},
                }
            )
        reference = f"{self._url.split('://', 1)[-1]}/{repository}:{tag}"
        if single:
            return PushedImage(reference, next(iter(manifests.values())), manifests, configs)
        top = {"schemaVersion": 2, "mediaType": types.index, "manifests": entries}
        return PushedImage(reference, await self.manifest(repository, tag, top), manifests, configs)

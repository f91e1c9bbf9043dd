"""Manifest, index and config decoding: the documented shapes, platform selection, and garbage."""

from __future__ import annotations

import json

import pytest

from controllers.oci import ImageNotFoundError, RegistryResponseError
from controllers.oci.manifests import (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_INDEX,
    OCI_MANIFEST,
    decode_config_labels,
    decode_manifest,
    select_platform,
)

D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64


def _index(media_type: str = OCI_INDEX) -> bytes:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": media_type,
            "manifests": [
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": D1,
                    "size": 10,
                    "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"},
                },
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": "sha256:" + "3" * 64,
                    "size": 5,
                    "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
                },
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": D2,
                    "size": 11,
                    "platform": {"os": "linux", "architecture": "amd64"},
                },
            ],
        }
    ).encode()


@pytest.mark.parametrize("media_type", [OCI_INDEX, DOCKER_MANIFEST_LIST])
def test_index_resolves_to_linux_amd64(media_type):
    index = decode_manifest(_index(media_type))
    assert index.is_index
    assert select_platform(index).digest == D2


def test_index_without_amd64_is_image_not_found_listing_the_platforms():
    index = decode_manifest(_index())
    with pytest.raises(ImageNotFoundError) as info:
        select_platform(index, architecture="s390x")
    assert "linux/arm64/v8" in str(info.value)
    assert info.value.reason == "ImageNotFound"


@pytest.mark.parametrize("media_type", [OCI_MANIFEST, DOCKER_MANIFEST])
def test_image_manifest_names_its_config(media_type):
    body = json.dumps({"mediaType": media_type, "config": {"digest": D1, "size": 3}, "layers": []})
    manifest = decode_manifest(body.encode())
    assert not manifest.is_index
    assert manifest.config is not None
    assert manifest.config.digest == D1


def test_media_type_falls_back_to_the_header_then_the_shape():
    plain = json.dumps({"config": {"digest": D1, "size": 3}}).encode()
    assert decode_manifest(plain, f"{OCI_MANIFEST}; charset=utf-8").media_type == OCI_MANIFEST
    shaped = json.dumps({"manifests": []}).encode()
    assert decode_manifest(shaped).is_index


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"\x00\xff garbage", "not valid JSON"),
        (b"<html>502 Bad Gateway</html>", "not valid JSON"),
        (b"[1]", "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (json.dumps({"mediaType": "text/plain"}).encode(), "unsupported manifest media type"),
        (json.dumps({"mediaType": OCI_INDEX, "manifests": "x"}).encode(), "no 'manifests' array"),
        (
            json.dumps({"mediaType": OCI_MANIFEST}).encode(),
            "descriptor in the manifest is not an object",
        ),
        (
            json.dumps({"mediaType": OCI_MANIFEST, "config": {"digest": "x", "size": 1}}).encode(),
            "no valid digest",
        ),
        (
            json.dumps({"mediaType": OCI_MANIFEST, "config": {"digest": D1, "size": -1}}).encode(),
            "no valid size",
        ),
        (
            json.dumps(
                {"mediaType": OCI_MANIFEST, "config": {"digest": D1, "size": True}}
            ).encode(),
            "no valid size",
        ),
    ],
)
def test_garbage_manifests_raise_registry_response_error(body, problem):
    with pytest.raises(RegistryResponseError) as info:
        decode_manifest(body)
    assert problem in str(info.value)
    assert info.value.reason == "InvalidRegistryResponse"


@pytest.mark.parametrize(
    ("doc", "labels"),
    [
        ({"config": {"Labels": {"a": "b"}}}, {"a": "b"}),
        ({"config": {"Labels": None}}, None),
        ({"config": {}}, None),
        ({}, None),
    ],
)
def test_config_labels(doc, labels):
    assert decode_config_labels(json.dumps(doc).encode()) == labels


@pytest.mark.parametrize(
    "body", [b"nope", b"[]", b'{"config": []}', b'{"config": {"Labels": ["a"]}}']
)
def test_garbage_configs_raise_registry_response_error(body):
    with pytest.raises(RegistryResponseError):
        decode_config_labels(body)

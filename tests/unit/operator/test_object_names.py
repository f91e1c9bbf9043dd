"""Names of the objects the operator creates (§7.1 table and reference vectors), image parsing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aim_engine.api.v1alpha1.core import EnvVar
from aim_engine.api.v1alpha1.hardware import AIMGpuRequirements
from aim_engine.api.v1alpha1.model import AIMCustomTemplate
from aim_engine.api.v1alpha1.sources import AIMModelSource
from aim_engine.errors import InvalidSpecError
from controllers.naming import is_dns1123_label
from controllers.object_names import (
    ImageReference,
    artifact_name,
    artifact_pvc_name,
    check_size_job_name,
    cluster_model_name,
    custom_model_name,
    custom_template_name,
    dedicated_template_cache_name,
    derived_template_name,
    discovered_template_name,
    discovery_job_name,
    download_job_name,
    http_route_name,
    inference_service_name,
    model_name_for_image,
    parse_image_reference,
    shared_template_cache_name,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (inference_service_name("qwen-chat", "ml-team"), "qwen-chat-a04542d9"),
        (http_route_name("qwen-chat", "ml-team"), "qwen-chat-a04542d9"),
        (shared_template_cache_name("qwen3-32b-latency", "ml-team"), "qwen3-32b-latency-a04542d9"),
        (
            model_name_for_image("amdenterpriseai/aim-qwen-qwen3-32b:0.8.5"),
            "aim-qwen-qwen3-32b-0-8-5-cdc1fb22",
        ),
        (
            cluster_model_name("docker.io", "amdenterpriseai/aim-qwen-qwen3-32b", "0.8.5"),
            "amdenterpriseai-aim-qwen-qwen3-32b-0-8-5-72f726",
        ),
        (artifact_name("hf://Qwen/Qwen3-32B", None), "hf---qwen-qwen3-32b-c00b812b59"),
    ],
)
def test_spec_reference_vectors(name: str, expected: str) -> None:
    assert name == expected


def test_inference_service_name_leaves_room_for_predictor_and_namespace() -> None:
    namespace = "n" * 30
    name = inference_service_name("s" * 253, namespace)
    assert len(f"{name}-predictor-{namespace}") <= 63
    assert is_dns1123_label(name)
    # the route is not limited by the namespace, so it differs once the ISVC name was shortened
    assert http_route_name("s" * 253, namespace) != name


def test_inference_service_name_accepts_a_42_char_namespace() -> None:
    assert len(inference_service_name("svc", "n" * 42)) <= 10


def test_inference_service_name_fails_for_a_43_char_namespace() -> None:
    with pytest.raises(InvalidSpecError, match="too long"):
        inference_service_name("svc", "n" * 43)


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (
            "amdenterpriseai/aim-x:0.8.5",
            ImageReference("docker.io", "amdenterpriseai/aim-x", "aim-x", "0-8-5"),
        ),
        ("aim-x", ImageReference("docker.io", "aim-x", "aim-x", "latest")),
        ("ghcr.io/org/Aim_X:V1", ImageReference("ghcr.io", "org/Aim_X", "aim-x", "v1")),
        ("localhost/aim:1", ImageReference("localhost", "aim", "aim", "1")),
        ("reg:5000/team/aim", ImageReference("reg:5000", "team/aim", "aim", "latest")),
        ("org/aim@sha256:ABCDEF0123", ImageReference("docker.io", "org/aim", "aim", "abcdef")),
        (
            "org/aim:1.0@sha256:abcdef01",
            ImageReference("docker.io", "org/aim:1.0", "aim-1-0", "abcdef"),
        ),
    ],
)
def test_parse_image_reference(image: str, expected: ImageReference) -> None:
    assert parse_image_reference(image) == expected


@pytest.mark.parametrize("image", ["", "org/:tag", "org/aim:", "org/aim:...", "org/@sha256:"])
def test_parse_image_reference_rejects_empty_pieces(image: str) -> None:
    with pytest.raises(InvalidSpecError, match="InvalidImageReference"):
        parse_image_reference(image)


def test_model_name_for_image_hashes_the_raw_reference() -> None:
    plain = model_name_for_image("amdenterpriseai/aim-qwen-qwen3-32b:0.8.5")
    qualified = model_name_for_image("docker.io/amdenterpriseai/aim-qwen-qwen3-32b:0.8.5")
    assert plain != qualified
    assert plain.rsplit("-", 1)[0] == qualified.rsplit("-", 1)[0]


def test_custom_model_name_depends_on_sources_and_endpoint() -> None:
    source = AIMModelSource(model_id="Qwen/Qwen3-8B", source_uri="s3://bucket/qwen")
    with_endpoint = source.model_copy(
        update={"env": [EnvVar(name="AWS_ENDPOINT_URL", value="http://minio:9000")]}
    )
    name = custom_model_name("rocm/vllm:1", [source])
    assert name.startswith("qwen-qwen3-8b-")
    assert name != custom_model_name("rocm/vllm:1", [with_endpoint])
    assert name != custom_model_name("rocm/vllm:2", [source])


def test_custom_model_name_needs_a_source() -> None:
    with pytest.raises(ValueError, match="source"):
        custom_model_name("img", [])


@pytest.mark.parametrize(
    ("kwargs", "readable"),
    [
        (
            {"gpu_model": "MI300X", "gpu_count": 2, "metric": "latency", "precision": "fp8"},
            "img-1-2x-mi300x-lat-fp8",
        ),
        ({"gpu_model": "MI300X"}, "img-1-mi300x"),
        ({"gpu_count": 4, "metric": "throughput"}, "img-1-x4-thr"),
        ({}, "img-1-part"),
    ],
)
def test_discovered_template_name(kwargs: dict[str, object], readable: str) -> None:
    name = discovered_template_name("model", "img:1", **kwargs)  # type: ignore[arg-type]
    head, digest = name.rsplit("-", 1)
    assert head == readable
    assert len(digest) == 4


def test_custom_template_name_parts_and_hash() -> None:
    entry = AIMCustomTemplate.model_validate(
        {"name": "fast", "profile": {"precision": "fp8", "metric": "latency"}}
    )
    gpu = AIMGpuRequirements(requests=1, model="MI300X")
    name = custom_template_name("my-model", 0, entry, gpu)
    assert name.startswith("my-model-custom-fast-fp8-mi300x-")
    assert name != custom_template_name("my-model", 1, entry, gpu)
    assert name != custom_template_name(
        "my-model", 0, entry, AIMGpuRequirements(requests=2, model="MI300X")
    )


def test_derived_template_name() -> None:
    name = derived_template_name(
        "base", gpu_model="MI300X", gpu_count=2, precision="fp8", metric="latency"
    )
    head, digest = name.rsplit("-", 1)
    assert head == "base-ovr-mi300x-2gpu-fp8-latency"
    assert len(digest) == 4
    assert derived_template_name("base", metric="latency") != derived_template_name(
        "base", precision="latency"
    )


def test_artifact_name_varies_with_env_storage_class_and_mode() -> None:
    uri = "hf://Qwen/Qwen3-32B"
    names = {
        artifact_name(uri, None),
        artifact_name(uri, []),
        artifact_name(uri, [EnvVar(name="HF_TOKEN", value="x")]),
        artifact_name(uri, None, "nfs"),
        artifact_name(uri, None, dedicated_cache="c1"),
        artifact_name(uri, None, dedicated_cache="c2"),
    }
    assert len(names) == 6


@pytest.mark.parametrize(
    ("builder", "suffix"),
    [
        (artifact_pvc_name, "cache"),
        (download_job_name, "download"),
        (check_size_job_name, "check-size"),
    ],
)
def test_artifact_children(builder: Callable[[str, str], str], suffix: str) -> None:
    name = builder("a" * 100, "uid-1")
    assert f"-{suffix}-" in name
    assert len(name) <= 63
    assert is_dns1123_label(name)
    assert builder("a" * 100, "uid-2") != name


def test_dedicated_cache_name_hashes_the_service_uid() -> None:
    assert dedicated_template_cache_name("tpl", "svc", "u1") != dedicated_template_cache_name(
        "tpl", "svc", "u2"
    )
    assert dedicated_template_cache_name("tpl", "svc", "u1").startswith("tpl-svc-")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("qwen", "discover-qwen-01234567"),
        ("t" * 253, "discover-" + "t" * 45 + "-01234567"),
        ("a" * 44 + "-b", "discover-" + "a" * 44 + "-01234567"),  # trailing '-' of the cut trimmed
        ("a" * 44 + ".b", "discover-" + "a" * 44 + "-01234567"),  # and a trailing '.'
    ],
)
def test_discovery_job_name(template: str, expected: str) -> None:
    name = discovery_job_name(template, "0123456789abcdef")
    assert name == expected
    assert len(name) <= 63

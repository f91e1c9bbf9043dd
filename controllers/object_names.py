"""The name of every object the operator creates (the table of spec §7.1), and image parsing.

Each function feeds :func:`controllers.naming.generate_derived_name` the parts, hash inputs and
limits the original uses for that object, so a name computed here equals the one the original
operator would compute (the spec's reference vectors are unit tests).

Choices:

* ``discovery_job_name`` trims a trailing ``-``/``.`` left by the 45-character cut of the
  template name. The original does not [QUIRK], and a name like ``discover-abc.-1a2b3c4d`` is
  rejected by the API server (a DNS-1123 subdomain label cannot start with ``-``), so such a
  template could never be discovered.
* Every other name is exactly the original's, including ``"part"`` standing in for a part that
  sanitises to nothing (e.g. an empty suffix of a discovered template).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aim_engine.api.v1alpha1.conditions import Reasons
from aim_engine.api.v1alpha1.core import EnvVar
from aim_engine.api.v1alpha1.hardware import AIMGpuRequirements
from aim_engine.api.v1alpha1.model import AIMCustomTemplate
from aim_engine.api.v1alpha1.sources import AIMModelSource
from aim_engine.errors import InvalidSpecError
from controllers.defaults import Defaults
from controllers.environment import EnvVars
from controllers.naming import DNS1123_LABEL_MAX, HashInput, generate_derived_name

__all__ = [
    "DISCOVERY_JOB_PREFIX",
    "ImageReference",
    "artifact_name",
    "artifact_pvc_name",
    "check_size_job_name",
    "cluster_model_name",
    "custom_model_name",
    "custom_template_name",
    "dedicated_template_cache_name",
    "derived_template_name",
    "discovered_template_name",
    "discovery_job_name",
    "download_job_name",
    "http_route_name",
    "inference_service_name",
    "model_name_for_image",
    "parse_image_reference",
    "shared_template_cache_name",
]

DISCOVERY_JOB_PREFIX = "discover-"
_DISCOVERY_HASH_CHARS = 8
# 63 - len("discover-") - 1 - 8
_DISCOVERY_TEMPLATE_CHARS = (
    DNS1123_LABEL_MAX - len(DISCOVERY_JOB_PREFIX) - 1 - _DISCOVERY_HASH_CHARS
)
_ISVC_MIN_LEN = 10
_DOCKER_HUB = "docker.io"
_IMAGE_PIECE_RUN = re.compile(r"[^a-z0-9-]+")
_METRIC_SHORT = {"latency": "lat", "throughput": "thr"}


@dataclass(frozen=True, slots=True)
class ImageReference:
    """A container image reference split the way model naming needs it.

    Attributes:
        registry: first path segment when it looks like a host, else ``docker.io``.
        repository: the path after the registry, without tag or digest.
        name: sanitised last path segment (``aim-qwen-qwen3-32b``).
        tag: sanitised tag; the first 6 hex chars of a digest; ``latest`` when absent.
    """

    registry: str
    repository: str
    name: str
    tag: str


def _image_piece(text: str) -> str:
    return _IMAGE_PIECE_RUN.sub("-", text.lower()).strip("-")


def parse_image_reference(image: str) -> ImageReference:
    """Split an image reference (``GenerateModelName``'s parsing).

    Raises:
        InvalidSpecError: name or tag is empty after sanitising; the message starts with the
            reason ``InvalidImageReference``.
    """
    segments = image.strip().split("/")
    registry = _DOCKER_HUB
    first = segments[0]
    if len(segments) > 1 and ("." in first or ":" in first or first == "localhost"):
        registry, segments = first, segments[1:]
    last = segments[-1]
    if "@" in last:
        last, digest = last.split("@", 1)
        tag = digest.split(":", 1)[-1][:6]
    elif ":" in last:
        last, tag = last.rsplit(":", 1)
    else:
        tag = "latest"
    name, clean_tag = _image_piece(last), _image_piece(tag)
    if not name or not clean_tag:
        raise InvalidSpecError(f"{Reasons.INVALID_IMAGE_REFERENCE}: cannot parse image {image!r}")
    repository = "/".join([*segments[:-1], last])
    return ImageReference(registry=registry, repository=repository, name=name, tag=clean_tag)


def inference_service_name(service: str, namespace: str) -> str:
    """InferenceService of a service: short enough for ``<isvc>-predictor-<namespace>`` ≤ 63.

    Raises:
        InvalidSpecError: the namespace is longer than 42 characters (no room for a name).
    """
    max_len = DNS1123_LABEL_MAX - Defaults.ISVC_NAME_RESERVED - len(namespace)
    if max_len < _ISVC_MIN_LEN:
        raise InvalidSpecError(
            f"namespace {namespace!r} is too long to name an InferenceService "
            f"({len(namespace)} characters, at most {DNS1123_LABEL_MAX - 11 - _ISVC_MIN_LEN})"
        )
    return generate_derived_name([service], [namespace], max_len=max_len)


def http_route_name(service: str, namespace: str) -> str:
    """HTTPRoute of a service (equal to the InferenceService name unless that was shortened)."""
    return generate_derived_name([service], [namespace])


def shared_template_cache_name(template: str, namespace: str) -> str:
    """Shared-mode AIMTemplateCache a service creates for a template."""
    return generate_derived_name([template], [namespace])


def dedicated_template_cache_name(template: str, service: str, service_uid: str) -> str:
    """Dedicated-mode AIMTemplateCache owned by one service."""
    return generate_derived_name([template, service], [service_uid])


def model_name_for_image(image: str) -> str:
    """AIMModel a service creates for ``spec.model.image`` (``GenerateModelName``).

    Raises:
        InvalidSpecError: the image reference cannot be parsed (see :func:`parse_image_reference`).
    """
    ref = parse_image_reference(image)
    return generate_derived_name([ref.name, ref.tag], [image])


def _env_value(env: Sequence[EnvVar] | None, name: str) -> str:
    return next((e.value or "" for e in env or () if e.name == name), "")


def custom_model_name(base_image: str, sources: Sequence[AIMModelSource]) -> str:
    """AIMModel a service creates for ``spec.model.custom`` (named after the first source).

    Raises:
        ValueError: no sources (a custom model always has one).
    """
    if not sources:
        raise ValueError("a custom model needs at least one model source")
    inputs: list[HashInput] = [base_image]
    for source in sources:
        inputs += [source.model_id, source.source_uri or ""]
        endpoint = _env_value(source.env, EnvVars.AWS_ENDPOINT_URL)
        if endpoint:
            inputs.append(endpoint)
    return generate_derived_name([sources[0].model_id], inputs)


def cluster_model_name(registry: str, repository: str, tag: str) -> str:
    """AIMClusterModel a model source creates for one image (6 hex chars of hash)."""
    return generate_derived_name([repository, tag], [registry, repository, tag], hash_len=6)


def discovered_template_name(
    model_name: str,
    image: str,
    *,
    gpu_model: str = "",
    gpu_count: int = 0,
    metric: str = "",
    precision: str = "",
) -> str:
    """Template a model generates from one recommended deployment of its image (4 hex chars).

    The readable suffix is ``<count>x-<GPU>-<lat|thr>-<precision>`` with absent pieces left out
    (``<GPU>`` alone without a count, ``x<count>`` alone without a GPU).
    """
    pieces: list[str] = []
    if gpu_model and gpu_count > 0:
        pieces.append(f"{gpu_count}x-{gpu_model}")
    elif gpu_model:
        pieces.append(gpu_model)
    elif gpu_count > 0:
        pieces.append(f"x{gpu_count}")
    if metric:
        pieces.append(_METRIC_SHORT.get(metric, metric))
    if precision:
        pieces.append(precision)
    key = f"{model_name}-{image}"
    key += f"-{gpu_model}" if gpu_model else ""
    key += f"-x{gpu_count}" if gpu_count > 0 else ""
    key += f"-{metric}" if metric else ""
    key += f"-{precision}" if precision else ""
    return generate_derived_name([image, "-".join(pieces)], [key], hash_len=4)


def custom_template_name(
    model_name: str,
    index: int,
    entry: AIMCustomTemplate,
    gpu: AIMGpuRequirements | None = None,
) -> str:
    """Template a model generates for ``customTemplates[index]``.

    Args:
        model_name: the owning model.
        index: position of the entry in ``customTemplates``.
        entry: the entry.
        gpu: the effective GPU block (the entry's merged over ``custom.hardware``); defaults to
            the entry's own.
    """
    if gpu is None and entry.hardware is not None:
        gpu = entry.hardware.gpu
    precision = entry.profile.precision if entry.profile else None
    parts = [model_name, "custom"]
    parts += [p for p in (entry.name, precision, gpu.model if gpu else None) if p]
    inputs: list[HashInput] = [model_name, index, entry.name or ""]
    if entry.profile is not None:
        inputs += [str(entry.profile.precision or ""), str(entry.profile.metric or "")]
    if gpu is not None:
        inputs += [gpu.requests or 0, gpu.model or ""]
    return generate_derived_name(parts, inputs)


def derived_template_name(
    base_template: str,
    *,
    gpu_model: str = "",
    gpu_count: int = 0,
    precision: str = "",
    metric: str = "",
) -> str:
    """Template a service derives from a base template for its ``overrides`` (4 hex chars)."""
    parts = [base_template, "ovr"]
    inputs: list[HashInput] = []
    if gpu_model:
        parts.append(gpu_model.lower())
        inputs += ["gpu", gpu_model]
    if gpu_count > 0:
        parts.append(f"{gpu_count}gpu")
        inputs += ["count", gpu_count]
    if precision:
        parts.append(precision)
        inputs += ["precision", precision]
    if metric:
        parts.append(metric)
        inputs += ["metric", metric]
    return generate_derived_name(parts, inputs, hash_len=4)


def artifact_name(
    source_uri: str,
    env: Sequence[EnvVar] | None,
    storage_class_name: str = "",
    *,
    dedicated_cache: str | None = None,
) -> str:
    """AIMArtifact a template cache creates for one model source (10 hex chars).

    Args:
        source_uri: the source, e.g. ``hf://Qwen/Qwen3-32B``.
        env: the merged env (cache env ⊕ source env); ``None`` when there is none.
        storage_class_name: storage class of the cache (``""`` when unset).
        dedicated_cache: name of the Dedicated-mode cache; ``None`` for Shared mode.
    """
    inputs: list[HashInput] = [source_uri, list(env) if env is not None else None]
    inputs.append(storage_class_name)
    if dedicated_cache is not None:
        inputs += ["dedicated", dedicated_cache]
    return generate_derived_name([source_uri.replace(".", "-")], inputs, hash_len=10)


def artifact_pvc_name(artifact: str, artifact_uid: str) -> str:
    """PVC holding an artifact's weights."""
    return generate_derived_name([artifact, "cache"], [artifact_uid])


def download_job_name(artifact: str, artifact_uid: str) -> str:
    """Job downloading an artifact."""
    return generate_derived_name([artifact, "download"], [artifact_uid])


def check_size_job_name(artifact: str, artifact_uid: str) -> str:
    """Job measuring an artifact's size."""
    return generate_derived_name([artifact, "check-size"], [artifact_uid])


def discovery_job_name(template: str, digest_hex: str) -> str:
    """``discover-<template[:45]>-<8 hex>``: the discovery Job of a template.

    Args:
        template: template name (a DNS-1123 subdomain of up to 253 characters).
        digest_hex: hex digest of the discovery inputs; its first 8 characters are used
            (see :func:`controllers.template.discovery.discovery_job_digest`).
    """
    head = template[:_DISCOVERY_TEMPLATE_CHARS].rstrip("-.")
    return f"{DISCOVERY_JOB_PREFIX}{head}-{digest_hex[:_DISCOVERY_HASH_CHARS]}"

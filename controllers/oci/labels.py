"""AIM image labels → :class:`ImageMetadata`: a pure function, with caps on what it will read.

A model image describes itself in its config blob's labels (spec §5.3.4):

* the OCI annotations ``org.opencontainers.image.{title,description,licenses,vendor,authors,
  source,documentation,created,revision,version}`` → ``oci``;
* AMD labels under ``com.amd.aim.``, each falling back to the legacy ``org.amd.silogen.`` key:
  ``model.canonicalName``, ``model.source``, ``title``, ``description.full``, ``release.notes``,
  ``model.tags``, ``model.versions``, ``model.variants`` (comma-separated lists),
  ``hfToken.required`` (a boolean) and ``model.recommendedDeployments`` → ``model``;
* every label, raw → ``originalLabels``.

``model.recommendedDeployments`` is JSON: an array of objects, or (as older images write it)
objects separated by commas without the brackets, or Python dict literals in single quotes.
Anything else is an :class:`ImageMetadataError` naming the label. Labels are untrusted input
that ends up in an object's status, so the parser refuses a deployments value over
:data:`MAX_DEPLOYMENTS_BYTES`, nested deeper than :data:`MAX_JSON_DEPTH`, with more than
:data:`MAX_DEPLOYMENTS` entries, and label sets over :data:`MAX_LABELS_BYTES` in total, before
decoding anything. An image with no labels at all is not an error: it yields metadata with no
``model`` (the model controller then reports ``ImageFound`` and expects no templates).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from aim_engine.api.v1alpha1 import ImageMetadata
from aim_engine.api.v1alpha1.image_metadata import ModelMetadata, OciMetadata, RecommendedDeployment
from controllers.oci._errors import ImageMetadataError

__all__ = [
    "AIM_PREFIX",
    "LEGACY_PREFIX",
    "MAX_DEPLOYMENTS",
    "MAX_DEPLOYMENTS_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_LABELS_BYTES",
    "OCI_PREFIX",
    "parse_labels",
    "parse_recommended_deployments",
]

AIM_PREFIX = "com.amd.aim."
LEGACY_PREFIX = "org.amd.silogen."
OCI_PREFIX = "org.opencontainers.image."

MAX_LABELS_BYTES = 256 * 1024
"""Total size of all label keys and values (they go into a status; etcd stores 1.5 MiB at most)."""

MAX_DEPLOYMENTS_BYTES = 64 * 1024
"""Size of the ``model.recommendedDeployments`` value."""

MAX_JSON_DEPTH = 4
"""Nesting depth of ``model.recommendedDeployments`` (an array of flat objects needs 2)."""

MAX_DEPLOYMENTS = 100
"""Entries of ``model.recommendedDeployments`` (each becomes a template)."""

_OCI_FIELDS = (
    "title",
    "description",
    "licenses",
    "vendor",
    "authors",
    "source",
    "documentation",
    "created",
    "revision",
    "version",
)
_TRUE = frozenset({"1", "t", "true", "yes", "y"})
_FALSE = frozenset({"0", "f", "false", "no", "n"})
_DEPLOYMENTS = "model.recommendedDeployments"


def _aim(labels: Mapping[str, str], key: str) -> tuple[str, str] | None:
    """The value of an AMD label and the key it came from (new prefix first)."""
    for prefix in (AIM_PREFIX, LEGACY_PREFIX):
        value = labels.get(prefix + key)
        if value is not None and value.strip():
            return prefix + key, value.strip()
    return None


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _bool(key: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImageMetadataError(f"label {key}: {value[:40]!r} is not a boolean", label=key)


def _json_depth(text: str) -> int:
    """Maximum bracket nesting of ``text``, ignoring brackets inside strings (no decoding)."""
    depth = deepest = 0
    quote = ""
    escaped = False
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _decode(key: str, text: str) -> object:
    body = text if text.startswith("[") else f"[{text}]"
    try:
        return json.loads(body)
    except ValueError:
        pass
    try:  # Python dict literals: {'gpuModel': 'MI300X'}
        return json.loads(body.replace("'", '"'))
    except json.JSONDecodeError as exc:
        raise ImageMetadataError(
            f"label {key} is not valid JSON ({exc.msg} at character {exc.pos})", label=key
        ) from None


def parse_recommended_deployments(
    value: str, key: str = AIM_PREFIX + _DEPLOYMENTS
) -> list[RecommendedDeployment]:
    """Decode a ``model.recommendedDeployments`` label.

    Args:
        value: the label value.
        key: the label key, for messages.

    Returns:
        The deployments, in label order.

    Raises:
        ImageMetadataError: too large, too deep, too many entries, not JSON, not an array of
            objects, or a field of the wrong type.
    """
    text = value.strip()
    if len(text.encode()) > MAX_DEPLOYMENTS_BYTES:
        raise ImageMetadataError(
            f"label {key} is larger than {MAX_DEPLOYMENTS_BYTES} bytes", label=key
        )
    depth = _json_depth(text) + (0 if text.startswith("[") else 1)
    if depth > MAX_JSON_DEPTH:
        raise ImageMetadataError(
            f"label {key} is nested {depth} levels deep (at most {MAX_JSON_DEPTH})", label=key
        )
    decoded = _decode(key, text)
    if not isinstance(decoded, list) or not all(isinstance(d, dict) for d in decoded):
        raise ImageMetadataError(f"label {key} is not an array of objects", label=key)
    if len(decoded) > MAX_DEPLOYMENTS:
        raise ImageMetadataError(
            f"label {key} lists {len(decoded)} deployments (at most {MAX_DEPLOYMENTS})", label=key
        )
    try:
        return [RecommendedDeployment.model_validate(d) for d in decoded]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ImageMetadataError(f"label {key}: field {where}: {first['msg']}", label=key) from None


def _model(labels: Mapping[str, str]) -> ModelMetadata | None:
    found = {key: _aim(labels, key) for key in _MODEL_KEYS}
    if not any(found.values()):
        return None

    def text(key: str) -> str | None:
        hit = found[key]
        return hit[1] if hit else None

    def listing(key: str) -> list[str] | None:
        hit = found[key]
        return _csv(hit[1]) if hit else None

    hf = found["hfToken.required"]
    deployments = found[_DEPLOYMENTS]
    fields: dict[str, Any] = {
        "canonical_name": text("model.canonicalName"),
        "source": text("model.source"),
        "title": text("title"),
        "description_full": text("description.full"),
        "release_notes": text("release.notes"),
        "tags": listing("model.tags"),
        "versions": listing("model.versions"),
        "variants": listing("model.variants"),
        "hf_token_required": _bool(*hf) if hf else None,
        "recommended_deployments": (
            parse_recommended_deployments(deployments[1], deployments[0]) if deployments else None
        ),
    }
    # Only what the labels say is set: the wire form (status.imageMetadata) carries no nulls,
    # which the CRD schema refuses.
    return ModelMetadata(**{k: v for k, v in fields.items() if v is not None})


_MODEL_KEYS = (
    "model.canonicalName",
    "model.source",
    "title",
    "description.full",
    "release.notes",
    "model.tags",
    "model.versions",
    "model.variants",
    "hfToken.required",
    _DEPLOYMENTS,
)


def _oci(labels: Mapping[str, str]) -> OciMetadata | None:
    values = {f: labels[OCI_PREFIX + f] for f in _OCI_FIELDS if labels.get(OCI_PREFIX + f)}
    return OciMetadata.model_validate(values) if values else None


def parse_labels(labels: Mapping[str, object] | None) -> ImageMetadata:
    """Turn an image config's labels into the metadata the model controller stores.

    Args:
        labels: ``config.Labels`` of the image config blob (``None`` when the image has none).

    Returns:
        ``ImageMetadata`` with ``model`` (AMD labels, ``None`` if there are none), ``oci``
        (``None`` if none) and ``original_labels`` (every label).

    Raises:
        ImageMetadataError: a label value that is not a string, labels over
            :data:`MAX_LABELS_BYTES` in total, or an AMD label that cannot be decoded.
    """
    raw = dict(labels or {})
    strings: dict[str, str] = {}
    total = 0
    for key, value in raw.items():
        if not isinstance(value, str):
            raise ImageMetadataError(f"label {key} is not a string", label=str(key))
        total += len(key.encode()) + len(value.encode())
        strings[key] = value
    if total > MAX_LABELS_BYTES:
        raise ImageMetadataError(
            f"the image's labels take {total} bytes (at most {MAX_LABELS_BYTES})"
        )
    parts: dict[str, Any] = {"model": _model(strings), "oci": _oci(strings)}
    return ImageMetadata(
        **{k: v for k, v in parts.items() if v is not None}, original_labels=strings
    )

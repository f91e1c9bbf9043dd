"""Model health: metadata in force, ExpectsTemplates, ImageMetadata and template aggregation."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.api.v1alpha1.conditions import Reasons
from aim_engine.api.v1alpha1.image_metadata import ImageMetadata
from aim_engine.api.v1alpha1.model import AIMModelSpec, AIMModelStatus
from aim_engine.api.v1alpha1.status import AIMStatus
from controllers.engine import CategorizedError, ErrorCategory
from controllers.model.health import (
    IMAGE_METADATA_COMPONENT,
    effective_metadata,
    expects_templates,
    image_metadata_health,
    metadata_error,
    metadata_fetch_needed,
    templates_component,
    templates_health,
)
from controllers.oci import (
    ImageMetadataError,
    ImageNotFoundError,
    InvalidReferenceError,
    PullSecretAccessError,
    PullSecretError,
    PullSecretNotFoundError,
    RegistryAuthError,
    RegistryUnavailableError,
)

IMAGE = "amdenterpriseai/aim-qwen-qwen3-32b:0.8.5"
DEPLOYMENT = {"gpuModel": "MI300X", "gpuCount": 1, "metric": "latency", "precision": "fp8"}
WITH_DEPLOYMENTS = ImageMetadata.model_validate(
    {"model": {"canonicalName": "Qwen/Qwen3-32B", "recommendedDeployments": [DEPLOYMENT]}}
)
NO_DEPLOYMENTS = ImageMetadata.model_validate({"model": {"canonicalName": "Qwen/Qwen3-32B"}})
EMPTY = ImageMetadata()
SOURCES = [{"modelId": "Qwen/Qwen3-32B", "sourceUri": "hf://Qwen/Qwen3-32B"}]
CUSTOM_TEMPLATES = [{"name": "a", "hardware": {"gpu": {"requests": 1}}}]


def _spec(**fields: Any) -> AIMModelSpec:
    return AIMModelSpec.model_validate({"image": IMAGE, **fields})


def test_component_names() -> None:
    assert IMAGE_METADATA_COMPONENT == "ImageMetadata"
    assert templates_component(cluster=False) == "ServiceTemplates"
    assert templates_component(cluster=True) == "ClusterServiceTemplates"


@pytest.mark.parametrize(
    ("fields", "metadata", "expected"),
    [
        ({}, None, None),
        ({}, WITH_DEPLOYMENTS, True),
        ({}, NO_DEPLOYMENTS, False),
        ({}, EMPTY, False),
        ({"customTemplates": CUSTOM_TEMPLATES}, NO_DEPLOYMENTS, True),
        ({"customTemplates": CUSTOM_TEMPLATES}, None, None),
        ({"modelSources": SOURCES}, None, True),
        ({"modelSources": SOURCES}, NO_DEPLOYMENTS, True),
        ({"discovery": {"createServiceTemplates": False}}, WITH_DEPLOYMENTS, False),
        ({"discovery": {"createServiceTemplates": False}, "modelSources": SOURCES}, None, False),
        ({"discovery": {"extractMetadata": False}}, None, False),
        (
            {"discovery": {"extractMetadata": False}, "customTemplates": CUSTOM_TEMPLATES},
            None,
            True,
        ),
        ({"discovery": {"extractMetadata": False}}, WITH_DEPLOYMENTS, True),
    ],
)
def test_expects_templates(
    fields: dict[str, Any], metadata: ImageMetadata | None, expected: bool | None
) -> None:
    assert expects_templates(_spec(**fields), metadata) is expected


@pytest.mark.parametrize(
    ("fields", "status", "needed"),
    [
        ({}, None, True),
        ({}, AIMModelStatus(), True),
        ({}, AIMModelStatus(image_metadata=EMPTY), False),
        ({"discovery": {"extractMetadata": False}}, None, False),
        ({"imageMetadata": {"model": {"canonicalName": "x/y"}}}, None, False),
        ({"modelSources": SOURCES}, None, False),
    ],
)
def test_metadata_fetch_needed(
    fields: dict[str, Any], status: AIMModelStatus | None, needed: bool
) -> None:
    assert metadata_fetch_needed(_spec(**fields), status) is needed


def test_effective_metadata_prefers_fetched_then_spec_then_status() -> None:
    in_spec = ImageMetadata.model_validate({"model": {"canonicalName": "spec/model"}})
    status = AIMModelStatus(image_metadata=NO_DEPLOYMENTS)
    with_spec = _spec(imageMetadata=in_spec.to_wire())
    assert effective_metadata(with_spec, status, WITH_DEPLOYMENTS) == WITH_DEPLOYMENTS
    assert effective_metadata(with_spec, status, None) == in_spec
    assert effective_metadata(_spec(), status, None) == NO_DEPLOYMENTS
    assert effective_metadata(_spec(), None, None) is None


@pytest.mark.parametrize(
    ("metadata", "reason", "message"),
    [
        (WITH_DEPLOYMENTS, "ImageMetadataFound", "Image metadata found for Qwen/Qwen3-32B"),
        (EMPTY, "ImageFound", "Image found"),
        (
            ImageMetadata.model_validate({"model": {"canonicalName": ""}}),
            "ImageFound",
            "Image found",
        ),
        (None, "ImageFound", "Image found"),
    ],
)
def test_image_metadata_health(metadata: ImageMetadata | None, reason: str, message: str) -> None:
    health = image_metadata_health(metadata)
    assert (health.state, health.reason, health.message) == (AIMStatus.READY, reason, message)
    assert health.errors == ()


def test_image_metadata_health_passes_the_fetch_error_on() -> None:
    error = RegistryAuthError("registry said 401", status=401)
    health = image_metadata_health(WITH_DEPLOYMENTS, error)
    assert (health.component, health.state) == ("ImageMetadata", None)
    assert health.errors == (
        CategorizedError(ErrorCategory.INFRASTRUCTURE, "AuthError", "registry said 401", error),
    )


@pytest.mark.parametrize(
    ("error", "category", "reason"),
    [
        (PullSecretNotFoundError("gone"), ErrorCategory.MISSING_UPSTREAM, "SecretNotFound"),
        (PullSecretAccessError("forbidden"), ErrorCategory.INFRASTRUCTURE, "SecretAccessFailed"),
        (PullSecretError("no docker config"), ErrorCategory.INVALID_SPEC, "InvalidPullSecret"),
        (InvalidReferenceError("bad"), ErrorCategory.INVALID_SPEC, "InvalidImageReference"),
        (RegistryAuthError("401", status=401), ErrorCategory.INFRASTRUCTURE, "AuthError"),
        (ImageNotFoundError("404", status=404), ErrorCategory.INFRASTRUCTURE, "ImageNotFound"),
        (
            RegistryUnavailableError("refused"),
            ErrorCategory.INFRASTRUCTURE,
            "InfrastructureError",
        ),
        (ImageMetadataError("bad JSON"), ErrorCategory.INFRASTRUCTURE, "InvalidImageMetadata"),
        (RuntimeError("boom"), ErrorCategory.UNKNOWN, "UnknownError"),
    ],
)
def test_metadata_error_reasons(error: Exception, category: ErrorCategory, reason: str) -> None:
    categorized = metadata_error(error)
    assert (categorized.category, categorized.reason, categorized.cause) == (
        category,
        reason,
        error,
    )


R, P, PR, D, F, N = "Ready", "Pending", "Progressing", "Degraded", "Failed", "NotAvailable"


@pytest.mark.parametrize(
    ("statuses", "expects", "state", "reason", "message"),
    [
        ([], None, AIMStatus.PROGRESSING, Reasons.AWAITING_METADATA, "Waiting for image metadata"),
        ([], True, AIMStatus.PROGRESSING, Reasons.CREATING_TEMPLATES, "Creating service templates"),
        (
            [],
            False,
            AIMStatus.READY,
            Reasons.NO_TEMPLATES_EXPECTED,
            "No service templates expected",
        ),
        ([R, R], True, AIMStatus.READY, Reasons.ALL_TEMPLATES_READY, "All 2 templates are ready"),
        ([R], None, AIMStatus.READY, Reasons.ALL_TEMPLATES_READY, "All 1 templates are ready"),
        ([D, F], True, AIMStatus.FAILED, Reasons.ALL_TEMPLATES_FAILED, "All 2 templates failed"),
        ([F], True, AIMStatus.FAILED, Reasons.ALL_TEMPLATES_FAILED, "All 1 templates failed"),
        (
            [N, N],
            True,
            AIMStatus.NOT_AVAILABLE,
            Reasons.NO_TEMPLATES_AVAILABLE,
            "None of the 2 templates is available on this cluster",
        ),
        (
            [R, D, PR],
            True,
            AIMStatus.DEGRADED,
            Reasons.SOME_TEMPLATES_DEGRADED,
            "1 of 3 templates are degraded or failed",
        ),
        (
            [N, F],
            True,
            AIMStatus.DEGRADED,
            Reasons.SOME_TEMPLATES_DEGRADED,
            "1 of 2 templates are degraded or failed",
        ),
        (
            [R, P, PR],
            True,
            AIMStatus.PROGRESSING,
            Reasons.TEMPLATES_PROGRESSING,
            "2 of 3 templates are progressing",
        ),
        (
            [N, P],
            True,
            AIMStatus.PROGRESSING,
            Reasons.TEMPLATES_PROGRESSING,
            "1 of 2 templates are progressing",
        ),
        (
            [R, N, N],
            True,
            AIMStatus.READY,
            Reasons.SOME_TEMPLATES_READY,
            "1 of 3 templates are ready, 2 not available",
        ),
        ([R, None], True, AIMStatus.PROGRESSING, Reasons.TEMPLATES_PROGRESSING, "Unknown status"),
        ([""], True, AIMStatus.PROGRESSING, Reasons.TEMPLATES_PROGRESSING, "Unknown status"),
        (
            [R, "Bogus"],
            True,
            AIMStatus.PROGRESSING,
            Reasons.TEMPLATES_PROGRESSING,
            "Unknown status",
        ),
        (
            [AIMStatus.READY],
            True,
            AIMStatus.READY,
            Reasons.ALL_TEMPLATES_READY,
            "All 1 templates are ready",
        ),
    ],
)
def test_templates_health(
    statuses: list[str | None], expects: bool | None, state: AIMStatus, reason: str, message: str
) -> None:
    health = templates_health("ServiceTemplates", statuses, expects)
    assert health.component == "ServiceTemplates"
    assert (health.state, health.reason, health.message) == (state, reason, message)

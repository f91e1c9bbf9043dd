"""Health of an AIMModel / AIMClusterModel: image metadata and the aggregate of its templates.

Pure functions of what the reconciler fetched (spec §5.3.1, §5.3.2): which metadata is in
force, whether the model expects templates, and the state, reason and message of the
``ImageMetadata`` and ``ServiceTemplates`` (namespaced) / ``ClusterServiceTemplates`` (cluster)
components, and the category and reason of a failure to learn the metadata
(:func:`metadata_error`). ``RuntimeConfig`` health is in :mod:`controllers.model.domain`.

Choices where the original behaves oddly:

* ``ImageMetadataReady`` is judged on the metadata in force (fetched, else ``spec``, else
  ``status``), so a model keeps ``ImageMetadataFound`` after the first fetch. The original looked
  only at what was fetched in *this* reconcile and flipped to ``ImageFound`` once the metadata was
  cached in status [QUIRK §5.3.2].
* A model with ``discovery.extractMetadata: false`` and no ``spec.imageMetadata`` will never learn
  its metadata; it expects templates only when it lists ``customTemplates`` (and then creates
  them), instead of waiting forever in ``AwaitingMetadata`` as the original does.
* A custom model (``modelSources``) never inspects its image: nothing it does needs the labels.
* Metadata in ``status`` is still never refreshed: changing ``spec.image`` of an existing model
  does not refetch it [QUIRK §14.6], because status does not record which image it describes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from aim_engine.api.v1alpha1.conditions import ConditionType, Reasons
from aim_engine.api.v1alpha1.image_metadata import ImageMetadata, RecommendedDeployment
from aim_engine.api.v1alpha1.model import AIMModelSpec, AIMModelStatus
from aim_engine.api.v1alpha1.status import AIMStatus
from controllers.engine.health import (
    CategorizedError,
    ComponentHealth,
    DependencyType,
    ErrorCategory,
    categorize,
)
from controllers.oci import (
    ImageMetadataError,
    InvalidReferenceError,
    PullSecretAccessError,
    PullSecretError,
    PullSecretNotFoundError,
    RegistryError,
)

__all__ = [
    "IMAGE_METADATA_COMPONENT",
    "effective_metadata",
    "expects_templates",
    "extraction_enabled",
    "image_metadata_health",
    "is_custom_model",
    "metadata_error",
    "metadata_fetch_needed",
    "recommended_deployments",
    "templates_component",
    "templates_health",
]

IMAGE_METADATA_COMPONENT: Final = ConditionType.IMAGE_METADATA_READY.removesuffix("Ready")
_READY_SUFFIX = "Ready"
_FAILED = frozenset({AIMStatus.DEGRADED, AIMStatus.FAILED})
_IN_PROGRESS = frozenset({AIMStatus.PENDING, AIMStatus.PROGRESSING})


def templates_component(cluster: bool) -> str:
    """``ServiceTemplates`` for an AIMModel, ``ClusterServiceTemplates`` for an AIMClusterModel."""
    kind = (
        ConditionType.CLUSTER_SERVICE_TEMPLATES_READY
        if cluster
        else ConditionType.SERVICE_TEMPLATES_READY
    )
    return kind.removesuffix(_READY_SUFFIX)


def is_custom_model(spec: AIMModelSpec) -> bool:
    """A model with inline ``modelSources`` (status ``sourceType: Custom``)."""
    return bool(spec.model_sources)


def extraction_enabled(spec: AIMModelSpec) -> bool:
    """Whether the registry may be inspected (``discovery.extractMetadata``, default true)."""
    return spec.discovery is None or spec.discovery.extract_metadata


def metadata_fetch_needed(spec: AIMModelSpec, status: AIMModelStatus | None) -> bool:
    """Whether the reconciler must inspect the registry this time (§5.3.1).

    Not when extraction is disabled, when ``spec.imageMetadata`` is given, when status
    already holds metadata (cached, never refreshed), nor for a custom model: its templates
    come from ``modelSources``, so its image's labels are never needed (the original inspected
    the image anyway, which fails for a private runtime image without a pull secret).
    """
    if not extraction_enabled(spec) or spec.image_metadata is not None:
        return False
    if is_custom_model(spec):
        return False
    return status is None or status.image_metadata is None


def effective_metadata(
    spec: AIMModelSpec, status: AIMModelStatus | None, fetched: ImageMetadata | None
) -> ImageMetadata | None:
    """The metadata in force: fetched this time, else ``spec.imageMetadata``, else status."""
    if fetched is not None:
        return fetched
    if spec.image_metadata is not None:
        return spec.image_metadata
    return status.image_metadata if status is not None else None


def recommended_deployments(metadata: ImageMetadata | None) -> list[RecommendedDeployment]:
    """The recommended deployments of the metadata (empty when there are none)."""
    if metadata is None or metadata.model is None:
        return []
    return list(metadata.model.recommended_deployments or ())


def expects_templates(spec: AIMModelSpec, metadata: ImageMetadata | None) -> bool | None:
    """``ExpectsTemplates``: whether the model should own templates; ``None`` = not known yet.

    ``discovery.createServiceTemplates: false`` ⇒ no; a custom model ⇒ yes; no metadata yet ⇒
    unknown (but see the module docstring for disabled extraction); else yes when the image
    recommends deployments or the model lists custom templates.
    """
    if spec.discovery is not None and not spec.discovery.create_service_templates:
        return False
    if is_custom_model(spec):
        return True
    if metadata is None:
        return None if extraction_enabled(spec) else bool(spec.custom_templates)
    return bool(recommended_deployments(metadata)) or bool(spec.custom_templates)


def metadata_error(error: BaseException) -> CategorizedError:
    """The category and reason of a failure to learn the image metadata (§5.3.2, §14.6).

    * a listed pull secret that does not exist ⇒ MissingUpstream ``SecretNotFound`` (the model
      is ``Failed`` with ``ConfigValid=False/ReferenceNotFound``);
    * an image reference that does not parse, a pull secret without a docker config ⇒
      InvalidSpec ``InvalidImageReference`` / ``InvalidPullSecret`` (``Failed``, terminal until
      the model changes);
    * everything else the registry client raises (401/403 ``AuthError``, unknown image
      ``ImageNotFound``, unreachable ``InfrastructureError``, a garbage answer, malformed AIM
      labels ``InvalidImageMetadata``, a secret that could not be read ``SecretAccessFailed``)
      ⇒ Infrastructure with the error's own reason: retried with backoff, ``Degraded`` after
      the grace period. Registry 401/403/404 are not auth or spec errors here (§14.6).
    """
    if isinstance(error, PullSecretNotFoundError):
        return CategorizedError(ErrorCategory.MISSING_UPSTREAM, error.reason, str(error), error)
    if isinstance(error, (InvalidReferenceError, PullSecretError)):
        return CategorizedError(ErrorCategory.INVALID_SPEC, error.reason, str(error), error)
    if isinstance(error, (RegistryError, PullSecretAccessError, ImageMetadataError)):
        return CategorizedError(ErrorCategory.INFRASTRUCTURE, error.reason, str(error), error)
    return categorize(error)


def image_metadata_health(
    metadata: ImageMetadata | None, error: BaseException | None = None
) -> ComponentHealth:
    """``ImageMetadata``: found with a canonical name, found without one, or the fetch error.

    Args:
        metadata: the metadata in force (:func:`effective_metadata`).
        error: what fetching it raised (a missing pull secret, a registry error...), see
            :func:`metadata_error`.
    """
    component, upstream = IMAGE_METADATA_COMPONENT, DependencyType.UPSTREAM
    if error is not None:
        return ComponentHealth(component, errors=(metadata_error(error),), dependency=upstream)
    name = metadata.model.canonical_name if metadata and metadata.model else None
    if name:
        return ComponentHealth(
            component,
            AIMStatus.READY,
            Reasons.IMAGE_METADATA_FOUND,
            f"Image metadata found for {name}",
            dependency=upstream,
        )
    return ComponentHealth(
        component, AIMStatus.READY, Reasons.IMAGE_FOUND, "Image found", dependency=upstream
    )


def _as_status(value: AIMStatus | str | None) -> AIMStatus | None:
    try:
        return AIMStatus(value) if value else None
    except ValueError:
        return None


def _no_templates(expects: bool | None) -> tuple[AIMStatus, str, str]:
    if expects is None:
        return (AIMStatus.PROGRESSING, Reasons.AWAITING_METADATA, "Waiting for image metadata")
    if expects:
        return (AIMStatus.PROGRESSING, Reasons.CREATING_TEMPLATES, "Creating service templates")
    return (AIMStatus.READY, Reasons.NO_TEMPLATES_EXPECTED, "No service templates expected")


def templates_health(
    component: str, statuses: Sequence[AIMStatus | str | None], expects: bool | None
) -> ComponentHealth:
    """The aggregate of the model's templates (``status.status`` of each), table of §5.3.2.

    ``component`` is :func:`templates_component` of the model's scope.

    Rows, first match wins: no templates ⇒ by ``expects``; all Ready; all Degraded/Failed
    (Failed); all NotAvailable; some Degraded/Failed (Degraded); some Pending/Progressing;
    only Ready and NotAvailable (Ready, ``SomeTemplatesReady``); anything else, e.g. templates
    without a status yet ⇒ Progressing ``TemplatesProgressing`` "Unknown status".
    """
    state, reason, message = _aggregate(statuses, expects)
    return ComponentHealth(component, state, reason, message, dependency=DependencyType.DOWNSTREAM)


def _aggregate(
    statuses: Sequence[AIMStatus | str | None], expects: bool | None
) -> tuple[AIMStatus, str, str]:
    total = len(statuses)
    if total == 0:
        return _no_templates(expects)
    parsed = [_as_status(s) for s in statuses]
    ready = parsed.count(AIMStatus.READY)
    failed = sum(1 for s in parsed if s in _FAILED)
    unavailable = parsed.count(AIMStatus.NOT_AVAILABLE)
    progressing = sum(1 for s in parsed if s in _IN_PROGRESS)
    if ready == total:
        return (AIMStatus.READY, Reasons.ALL_TEMPLATES_READY, f"All {total} templates are ready")
    if failed == total:
        return (AIMStatus.FAILED, Reasons.ALL_TEMPLATES_FAILED, f"All {total} templates failed")
    if unavailable == total:
        return (
            AIMStatus.NOT_AVAILABLE,
            Reasons.NO_TEMPLATES_AVAILABLE,
            f"None of the {total} templates is available on this cluster",
        )
    if failed:
        return (
            AIMStatus.DEGRADED,
            Reasons.SOME_TEMPLATES_DEGRADED,
            f"{failed} of {total} templates are degraded or failed",
        )
    if progressing:
        return (
            AIMStatus.PROGRESSING,
            Reasons.TEMPLATES_PROGRESSING,
            f"{progressing} of {total} templates are progressing",
        )
    if ready + unavailable == total:
        return (
            AIMStatus.READY,
            Reasons.SOME_TEMPLATES_READY,
            f"{ready} of {total} templates are ready, {unavailable} not available",
        )
    return (AIMStatus.PROGRESSING, Reasons.TEMPLATES_PROGRESSING, "Unknown status")

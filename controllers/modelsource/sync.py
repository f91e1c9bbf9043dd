"""One sync of an AIMClusterModelSource: which models to create, its status, conditions, timing.

Inputs are the images each filter found (:class:`FilterResult`, partial results plus an error)
and the ``spec.image`` of the AIMClusterModels the source already owns; outputs are the apply
bodies of new AIMClusterModels, the status fields, the ``MaxModelsLimitReached`` condition and the
health of the ``ExistingModels`` and ``Filters`` components (spec §5.6.2).

A source is append-only: models are created for new images while ``existing + new < maxModels``
and never deleted (deleting the source garbage-collects them).

Choices where the original behaves oddly:

* Images found by several filters count once (by image URI) in ``availableModels`` and are
  planned once; the original counted and planned them per filter [QUIRK §14.4].
* :func:`requeue_after` waits for what is left of ``syncInterval`` since ``lastSyncTime``, so a
  reconciler that skips the registry scan while the interval has not elapsed (and the spec is
  unchanged) avoids the original's continuous re-sync, where every status write (``lastSyncTime
  = now``) retriggered a full scan [QUIRK §14.1].
* The ``model-source`` label value is the source name made a valid label value (identical for
  names up to 63 characters); the same function builds the selector that lists the models.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aim_engine.api.v1alpha1.base import API_VERSION
from aim_engine.api.v1alpha1.conditions import ConditionStatus, ConditionType, Reasons
from aim_engine.api.v1alpha1.defaults import FieldDefaults
from aim_engine.api.v1alpha1.labels import Annotations, Labels, LabelValues
from aim_engine.api.v1alpha1.model import AIMClusterModel
from aim_engine.api.v1alpha1.model_source import AIMClusterModelSource, AIMClusterModelSourceSpec
from aim_engine.api.v1alpha1.status import AIMStatus
from aim_engine.conditions import format_time
from controllers.defaults import Defaults
from controllers.health_report import ConditionUpdate, HealthReport
from controllers.modelsource.filters import DiscoveredImage
from controllers.naming import sanitize_label_value
from controllers.object_names import cluster_model_name

__all__ = [
    "ERROR_TEXT_MAX",
    "FilterResult",
    "SyncSummary",
    "available_images",
    "existing_models_health",
    "filters_health",
    "limit_condition",
    "model_body",
    "parse_go_duration",
    "plan_models",
    "requeue_after",
    "select_new_images",
    "source_label_value",
    "status_fields",
    "summarize",
    "sync_interval_seconds",
]

ERROR_TEXT_MAX = 200
"""Longest text of one filter error quoted in the ``FiltersReady`` message."""
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


@dataclass(frozen=True, slots=True)
class FilterResult:
    """What scanning one filter produced.

    Attributes:
        filter: the filter's ``image`` as written.
        images: matching images found (possibly partial when ``error`` is set).
        error: why the scan failed or stopped, if it did.
    """

    filter: str
    images: tuple[DiscoveredImage, ...] = ()
    error: BaseException | None = None


def source_label_value(source_name: str) -> str:
    """The ``aim.eai.amd.com/model-source`` value of a source's models (and their selector)."""
    return sanitize_label_value(source_name)


def available_images(results: Iterable[FilterResult]) -> list[DiscoveredImage]:
    """Every image matched by any filter, once each (by URI), in filter then scan order."""
    seen: set[str] = set()
    images: list[DiscoveredImage] = []
    for result in results:
        for image in result.images:
            if image.uri not in seen:
                seen.add(image.uri)
                images.append(image)
    return images


def select_new_images(
    existing_images: Sequence[str], results: Iterable[FilterResult], max_models: int | None
) -> list[DiscoveredImage]:
    """Images to create models for: not yet a model's ``spec.image``, within ``maxModels``.

    Args:
        existing_images: ``spec.image`` of every model the source owns (their count is used too).
        results: the filters' scan results.
        max_models: ``spec.maxModels`` (``None`` ⇒ 100).
    """
    limit = FieldDefaults.MODEL_SOURCE_MAX_MODELS if max_models is None else max_models
    existing = set(existing_images)
    new: list[DiscoveredImage] = []
    for image in available_images(results):
        if len(existing_images) + len(new) >= limit:
            break
        if image.uri not in existing:
            new.append(image)
    return new


def model_body(source: AIMClusterModelSource, image: DiscoveredImage) -> dict[str, Any]:
    """The AIMClusterModel a source creates for one image (an apply body; the owner is added
    by the pipeline)."""
    name = source.metadata.name or ""
    spec: dict[str, Any] = {"image": image.uri}
    if source.spec.image_pull_secrets:
        spec["imagePullSecrets"] = [s.to_wire() for s in source.spec.image_pull_secrets]
    return {
        "apiVersion": API_VERSION,
        "kind": AIMClusterModel.kind_name(),
        "metadata": {
            "name": cluster_model_name(image.registry, image.repository, image.tag),
            "labels": {
                Labels.MODEL_SOURCE: source_label_value(name),
                Labels.ORIGIN: LabelValues.ORIGIN_AUTO_GENERATED,
            },
            "annotations": {
                Annotations.SOURCE_REGISTRY: image.registry,
                Annotations.SOURCE_REPOSITORY: image.repository,
                Annotations.SOURCE_TAG: image.tag,
            },
        },
        "spec": spec,
    }


def plan_models(
    source: AIMClusterModelSource,
    existing_images: Sequence[str],
    results: Iterable[FilterResult],
) -> list[dict[str, Any]]:
    """Apply bodies of the models to create this sync (see :func:`select_new_images`)."""
    new = select_new_images(existing_images, results, source.spec.max_models)
    return [model_body(source, image) for image in new]


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """The counts a sync reports.

    Attributes:
        discovered: models the source has after this sync (existing + new).
        available: distinct images matched by the filters.
    """

    discovered: int
    available: int

    @property
    def limit_reached(self) -> bool:
        """More images are available than models were created."""
        return self.available > self.discovered


def summarize(
    existing_images: Sequence[str], results: Sequence[FilterResult], max_models: int | None
) -> SyncSummary:
    """Counts of a sync: existing + newly selected models, and distinct available images."""
    new = select_new_images(existing_images, results, max_models)
    return SyncSummary(
        discovered=len(existing_images) + len(new), available=len(available_images(results))
    )


def status_fields(summary: SyncSummary, now: dt.datetime) -> dict[str, Any]:
    """``discoveredModels``, ``availableModels``, ``modelsLimitReached``, ``lastSyncTime``."""
    return {
        "discoveredModels": summary.discovered,
        "availableModels": summary.available,
        "modelsLimitReached": summary.limit_reached,
        "lastSyncTime": format_time(now),
    }


def limit_condition(summary: SyncSummary) -> ConditionUpdate:
    """``MaxModelsLimitReached``: True/``LimitReached`` or False/``WithinLimit``."""
    if summary.limit_reached:
        return ConditionUpdate(
            type=ConditionType.MAX_MODELS_LIMIT_REACHED,
            status=ConditionStatus.TRUE,
            reason=Reasons.LIMIT_REACHED,
            message=f"Limit reached: {summary.discovered} created, {summary.available} available",
        )
    return ConditionUpdate(
        type=ConditionType.MAX_MODELS_LIMIT_REACHED,
        status=ConditionStatus.FALSE,
        reason=Reasons.WITHIN_LIMIT,
        message=f"Created {summary.discovered} models, within limit",
    )


def existing_models_health(count: int, error: BaseException | None = None) -> HealthReport:
    """``ExistingModels``: Ready/``Listed`` when the list worked, else the list error."""
    if error is not None:
        return HealthReport(state=None, errors=(error,))
    return HealthReport(AIMStatus.READY, Reasons.LISTED, f"Found {count} existing models")


def _shorten(text: str) -> str:
    """One error in a condition message: at most :data:`ERROR_TEXT_MAX` characters."""
    if len(text) <= ERROR_TEXT_MAX:
        return text
    return text[: ERROR_TEXT_MAX - 1] + "…"


def filters_health(results: Sequence[FilterResult]) -> HealthReport:
    """``Filters``: how many filter scans failed.

    Filter errors are reported in the message only (never as errors), so they never set
    ``AuthValid``/``ConfigValid`` and never block applying models found by the other filters.
    """
    total = len(results)
    failed = [r for r in results if r.error is not None]
    if total == 0:
        return HealthReport(AIMStatus.PROGRESSING, Reasons.NO_FILTERS, "No filters configured")
    if not failed:
        return HealthReport(
            AIMStatus.READY, Reasons.ALL_FILTERS_SUCCEEDED, f"All {total} filters succeeded"
        )
    details = "; ".join(f"{r.filter}: {_shorten(str(r.error))}" for r in failed)
    if len(failed) == total:
        return HealthReport(
            AIMStatus.FAILED, Reasons.ALL_FILTERS_FAILED, f"All {total} filters failed: {details}"
        )
    return HealthReport(
        AIMStatus.DEGRADED,
        Reasons.SOME_FILTERS_FAILED,
        f"{len(failed)} of {total} filters had errors: {details}",
    )


def parse_go_duration(text: str) -> float:
    """Seconds in a Go duration string (``1h``, ``90s``, ``1h30m``, ``0s``).

    Raises:
        ValueError: not a Go duration.
    """
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match[1]) * _UNIT_SECONDS[match[2]]
        pos = match.end()
    if pos == 0 or pos != len(text):
        raise ValueError(f"{text!r} is not a duration")
    return total


def sync_interval_seconds(spec: AIMClusterModelSourceSpec) -> float:
    """``spec.syncInterval`` in seconds; zero or unparsable ⇒ one hour."""
    try:
        seconds = parse_go_duration(spec.sync_interval)
    except ValueError:
        return Defaults.MODEL_SOURCE_SYNC_SECONDS
    return seconds if seconds > 0 else Defaults.MODEL_SOURCE_SYNC_SECONDS


def requeue_after(
    spec: AIMClusterModelSourceSpec, last_sync: dt.datetime | None, now: dt.datetime
) -> float:
    """Seconds until the next sync is due: the rest of ``syncInterval`` since ``last_sync``.

    No previous sync (or a clock that went backwards past it) ⇒ the full interval; an overdue
    sync ⇒ 0.
    """
    interval = sync_interval_seconds(spec)
    if last_sync is None:
        return interval
    elapsed = (now - last_sync).total_seconds()
    if elapsed < 0:
        return interval
    return max(0.0, interval - elapsed)

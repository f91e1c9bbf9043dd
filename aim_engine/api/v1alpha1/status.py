"""``AIMStatus``: the overall status values of AIM objects, their priority, and per-kind subsets.

Priorities follow the original's code (higher is better): ``NotAvailable`` ranks *below*
``Degraded``; an unknown or empty value ranks like ``Failed``. Each kind accepts only a subset in
``status.status`` (the CRD enum), e.g. AIMService has no ``NotAvailable``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

__all__ = [
    "ARTIFACT_STATUSES",
    "MODEL_SOURCE_STATUSES",
    "MODEL_STATUSES",
    "SERVICE_STATUSES",
    "TEMPLATE_CACHE_STATUSES",
    "TEMPLATE_STATUSES",
    "AIMStatus",
    "ArtifactStatusValue",
    "ModelSourceStatusValue",
    "ModelStatusValue",
    "ServiceStatusValue",
    "TemplateCacheStatusValue",
    "TemplateStatusValue",
    "status_priority",
    "worst_status",
]


class AIMStatus(StrEnum):
    """Overall status of an AIM object."""

    RUNNING = "Running"
    READY = "Ready"
    PROGRESSING = "Progressing"
    STARTING = "Starting"
    PENDING = "Pending"
    DEGRADED = "Degraded"
    NOT_AVAILABLE = "NotAvailable"
    FAILED = "Failed"

    @property
    def priority(self) -> int:
        """Rank of the value; higher is better (``Running`` 7 … ``Failed`` 0)."""
        return _PRIORITY[self]


_PRIORITY: dict[AIMStatus, int] = {
    AIMStatus.RUNNING: 7,
    AIMStatus.READY: 6,
    AIMStatus.PROGRESSING: 5,
    AIMStatus.STARTING: 4,
    AIMStatus.PENDING: 3,
    AIMStatus.DEGRADED: 2,
    AIMStatus.NOT_AVAILABLE: 1,
    AIMStatus.FAILED: 0,
}


def status_priority(value: str | None) -> int:
    """The priority of a status string; unknown or empty values rank like ``Failed`` (0)."""
    try:
        return AIMStatus(value or "").priority
    except ValueError:
        return 0


def worst_status(values: Iterable[AIMStatus]) -> AIMStatus | None:
    """The lowest-priority value (first one on ties), or ``None`` for no values."""
    worst: AIMStatus | None = None
    for value in values:
        if worst is None or value.priority < worst.priority:
            worst = value
    return worst


SERVICE_STATUSES = (
    AIMStatus.PENDING,
    AIMStatus.STARTING,
    AIMStatus.RUNNING,
    AIMStatus.DEGRADED,
    AIMStatus.FAILED,
)
MODEL_STATUSES = (
    AIMStatus.PENDING,
    AIMStatus.PROGRESSING,
    AIMStatus.READY,
    AIMStatus.DEGRADED,
    AIMStatus.FAILED,
    AIMStatus.NOT_AVAILABLE,
)
TEMPLATE_STATUSES = MODEL_STATUSES
TEMPLATE_CACHE_STATUSES = (
    AIMStatus.PENDING,
    AIMStatus.PROGRESSING,
    AIMStatus.READY,
    AIMStatus.FAILED,
    AIMStatus.DEGRADED,
    AIMStatus.NOT_AVAILABLE,
)
ARTIFACT_STATUSES = MODEL_STATUSES
MODEL_SOURCE_STATUSES = (
    AIMStatus.PENDING,
    AIMStatus.STARTING,
    AIMStatus.PROGRESSING,
    AIMStatus.READY,
    AIMStatus.RUNNING,
    AIMStatus.DEGRADED,
    AIMStatus.NOT_AVAILABLE,
    AIMStatus.FAILED,
)


def _subset(allowed: tuple[AIMStatus, ...]) -> object:
    def check(value: AIMStatus) -> AIMStatus:
        if value not in allowed:
            raise ValueError(f"status must be one of {', '.join(allowed)}")
        return value

    return AfterValidator(check)


def _schema(allowed: tuple[AIMStatus, ...]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": [str(v) for v in allowed]})


ServiceStatusValue = Annotated[AIMStatus, _subset(SERVICE_STATUSES), _schema(SERVICE_STATUSES)]
ModelStatusValue = Annotated[AIMStatus, _subset(MODEL_STATUSES), _schema(MODEL_STATUSES)]
TemplateStatusValue = Annotated[AIMStatus, _subset(TEMPLATE_STATUSES), _schema(TEMPLATE_STATUSES)]
TemplateCacheStatusValue = Annotated[
    AIMStatus, _subset(TEMPLATE_CACHE_STATUSES), _schema(TEMPLATE_CACHE_STATUSES)
]
ArtifactStatusValue = Annotated[AIMStatus, _subset(ARTIFACT_STATUSES), _schema(ARTIFACT_STATUSES)]
ModelSourceStatusValue = Annotated[
    AIMStatus, _subset(MODEL_SOURCE_STATUSES), _schema(MODEL_SOURCE_STATUSES)
]

"""What a reconcile does about its errors: apply or not, and which framework error to raise.

The consequences of each category (spec §4.2), mapped onto the framework's error tree so that
``aim_engine.controller.classify`` (the one place that turns an exception into a requeue
behaviour) decides the retry:

================================  ======  ==================================================
category present                  apply   the pipeline raises (after writing status)
================================  ======  ==================================================
Infrastructure / Unknown          no      the original API or transport error when there is
                                          one (409 ⇒ quiet requeue, 429 ⇒ ``Retry-After``,
                                          5xx/transport ⇒ backoff), else ``RetryableError``
Auth                              no      the 401/403 ``ApiError``, else ``RetryableError``:
                                          backoff (5 ms doubling to 1000 s)
InvalidSpec                       no      ``InvalidSpecError`` (terminal: wait for a change)
MissingUpstreamDependency         no      ``MissingReferenceError`` (terminal)
MissingDownstreamDependency       yes     nothing (the children are being created)
ResourceExhaustion                yes     nothing (the component shows Failed)
================================  ======  ==================================================

Departure from the original: Auth errors are retried with backoff instead of waiting for a
change. Credentials are usually fixed outside the object (a Secret, RBAC), which may not
trigger a reconcile; the backoff is capped, so this is never a hot loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aim_engine import (
    ApiError,
    ForbiddenError,
    InvalidSpecError,
    MissingReferenceError,
    RetryableError,
    TransportError,
    UnauthorizedError,
)
from controllers.engine.health import CategorizedError, ErrorCategory

__all__ = ["Decision", "decide"]


@dataclass(frozen=True, slots=True)
class Decision:
    """The apply/requeue decision of one reconcile.

    Attributes:
        apply: whether planned objects are applied.
        error: the exception to raise once status is written, or ``None``.
    """

    apply: bool
    error: Exception | None


def _first(errors: Sequence[CategorizedError], *categories: ErrorCategory) -> CategorizedError:
    return next(e for e in errors if e.category in categories)


def _message(error: CategorizedError) -> str:
    return f"{error.reason}: {error.message}" if error.message else error.reason


def decide(errors: Sequence[CategorizedError]) -> Decision:
    """The decision for a reconcile with these categorized errors (module docstring table)."""
    categories = {e.category for e in errors}
    if any(c.is_infrastructure for c in categories):
        first = next(e for e in errors if e.category.is_infrastructure)
        if isinstance(first.cause, (ApiError, TransportError)):
            return Decision(False, first.cause)
        return Decision(False, RetryableError(_message(first)))
    if ErrorCategory.AUTH in categories:
        first = _first(errors, ErrorCategory.AUTH)
        if isinstance(first.cause, (UnauthorizedError, ForbiddenError)):
            return Decision(False, first.cause)
        return Decision(False, RetryableError(_message(first)))
    if ErrorCategory.INVALID_SPEC in categories:
        first = _first(errors, ErrorCategory.INVALID_SPEC)
        return Decision(False, InvalidSpecError(_message(first)))
    if ErrorCategory.MISSING_UPSTREAM in categories:
        first = _first(errors, ErrorCategory.MISSING_UPSTREAM)
        return Decision(False, MissingReferenceError(_message(first)))
    return Decision(True, None)

"""Component health and error categories (spec §4.2): what a domain reports, and what it means.

A domain describes the world it observed as a list of :class:`ComponentHealth` records, one per
component (``Model``, ``Template``, ``DiscoveryJob``...). Each record has an optional explicit
state and a list of errors; :func:`categorize` turns any error into a :class:`CategorizedError`
(the single classifier of the AIM pipeline, spec "CategorizeError"), and :func:`resolve_health`
fills in the state, reason and message that the record left empty.

Fetching never raises: :class:`Fetched` holds a value or the error that replaced it, and
:func:`upstream_health` / :func:`downstream_health` turn a missing dependency into the right
category. Error categories map onto the framework's error tree in both directions:
:func:`categorize` accepts the framework's ``ReconcileError`` subclasses (so a domain may put an
``InvalidSpecError`` in a health record), and the pipeline raises framework errors back
(``aim_engine.controller.classify`` then picks the requeue behaviour; see ``decision.py``).

Deliberate departures from the original's categoriser:

* 409 ``Conflict`` *and* ``AlreadyExists`` are transient **Infrastructure** errors (the
  original's code puts AlreadyExists under InvalidSpec; with server-side apply and deterministic
  names an AlreadyExists can only come from a race that the next reconcile resolves).
* 410 ``Gone`` is Infrastructure (reason ``Gone``), not a client error.
"""

from __future__ import annotations

import enum
import errno
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from aim_engine import (
    AlreadyExistsError,
    ApiError,
    ConflictError,
    DependencyNotReadyError,
    ForbiddenError,
    GoneError,
    InvalidError,
    InvalidSpecError,
    MissingReferenceError,
    NotFoundError,
    ResourceExhaustedError,
    RetryableError,
    TooManyRequestsError,
    TransportError,
    UnauthorizedError,
)
from aim_engine.api.v1alpha1 import AIMStatus
from aim_engine.api.v1alpha1.conditions import Reasons

__all__ = [
    "ERROR_STATES",
    "CategorizedError",
    "ComponentHealth",
    "DependencyType",
    "ErrorCategory",
    "Fetched",
    "ResolvedHealth",
    "categorize",
    "downstream_health",
    "fetch",
    "resolve_health",
    "upstream_health",
]

T = TypeVar("T")


class ErrorCategory(enum.StrEnum):
    """What kind of failure an error is, as far as AIM status is concerned."""

    INFRASTRUCTURE = "Infrastructure"
    AUTH = "Auth"
    INVALID_SPEC = "InvalidSpec"
    MISSING_UPSTREAM = "MissingUpstreamDependency"
    MISSING_DOWNSTREAM = "MissingDownstreamDependency"
    RESOURCE_EXHAUSTION = "ResourceExhaustion"
    UNKNOWN = "Unknown"

    @property
    def is_infrastructure(self) -> bool:
        """Infrastructure and Unknown: block apply, set ``DependenciesReachable=False``, retry."""
        return self in (ErrorCategory.INFRASTRUCTURE, ErrorCategory.UNKNOWN)


class DependencyType(enum.StrEnum):
    """Where a component sits relative to the object (decides Pending vs Progressing)."""

    UPSTREAM = "Upstream"
    DOWNSTREAM = "Downstream"
    UNSPECIFIED = ""


ERROR_STATES = frozenset({AIMStatus.FAILED, AIMStatus.DEGRADED, AIMStatus.NOT_AVAILABLE})
"""Component states reported as errors (Warning events, error logs)."""


@dataclass(frozen=True, slots=True)
class CategorizedError:
    """An error with its category and a condition reason.

    Attributes:
        category: the :class:`ErrorCategory`.
        reason: a CamelCase condition reason (``Forbidden``, ``ReferenceNotFound``...).
        message: a human-readable message.
        cause: the exception it came from, if any (kept for the requeue decision).
    """

    category: ErrorCategory
    reason: str
    message: str
    cause: BaseException | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ComponentHealth:
    """One component's health, as a domain reports it.

    Attributes:
        component: the name; the condition type is ``<component>Ready``. An empty name means
            "no component" and is skipped (the original turned it into a stray ``Ready``).
        state: the explicit state, or ``None`` to derive it from ``errors``.
        reason: the condition reason, or ``""`` to take it from the first error.
        message: the condition message, or ``""`` to take it from the first error.
        errors: what went wrong (exceptions or :class:`CategorizedError`).
        dependency: upstream (we wait for it) or downstream (we create it).
    """

    component: str
    state: AIMStatus | None = None
    reason: str = ""
    message: str = ""
    errors: Sequence[CategorizedError | BaseException] = ()
    dependency: DependencyType = DependencyType.UNSPECIFIED


@dataclass(frozen=True, slots=True)
class ResolvedHealth:
    """A :class:`ComponentHealth` with every blank filled in and its errors categorized."""

    component: str
    state: AIMStatus
    reason: str
    message: str
    errors: tuple[CategorizedError, ...]
    dependency: DependencyType

    @property
    def condition_type(self) -> str:
        """``<component>Ready``."""
        return f"{self.component}Ready"


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """The outcome of one read: a value, or the error that replaced it (never raised).

    Attributes:
        value: what was read (``None`` when the read failed).
        error: the exception, or ``None`` on success.
    """

    value: T | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """The read succeeded."""
        return self.error is None

    @property
    def not_found(self) -> bool:
        """The read failed because the object does not exist."""
        return isinstance(self.error, NotFoundError)


def fetch(read: Callable[[], T]) -> Fetched[T]:
    """Run a synchronous read (a cache ``get``) and capture its API or transport error.

    Only errors of the aim-engine tree are captured; a programming error propagates.
    """
    try:
        return Fetched(read())
    except (ApiError, TransportError) as exc:
        return Fetched(error=exc)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _network(exc: BaseException) -> CategorizedError | None:
    """ECONNREFUSED / ETIMEDOUT / ECONNRESET / DNS / other network errors, through the chain."""
    network = False
    for err in _causes(exc):
        if isinstance(err, socket.gaierror) or "dns" in type(err).__name__.lower():
            return _infra("DNSFailure", exc)
        if isinstance(err, ConnectionRefusedError) or getattr(err, "errno", None) == (
            errno.ECONNREFUSED
        ):
            return _infra("ConnectionRefused", exc)
        if isinstance(err, ConnectionResetError) or getattr(err, "errno", None) == (
            errno.ECONNRESET
        ):
            return _infra("ConnectionReset", exc)
        if isinstance(err, TimeoutError) or getattr(err, "errno", None) == errno.ETIMEDOUT:
            return _infra("NetworkTimeout", exc)
        network = network or isinstance(err, (OSError, TransportError))
    return _infra("NetworkError", exc) if network else None


def _infra(reason: str, exc: BaseException) -> CategorizedError:
    return CategorizedError(ErrorCategory.INFRASTRUCTURE, reason, str(exc), exc)


def _api(exc: ApiError) -> CategorizedError:
    def make(category: ErrorCategory, reason: str) -> CategorizedError:
        return CategorizedError(category, reason, exc.message or str(exc), exc)

    match exc:
        case NotFoundError():
            return make(ErrorCategory.MISSING_DOWNSTREAM, "NotFound")
        case UnauthorizedError():
            return make(ErrorCategory.AUTH, "Unauthorized")
        case ForbiddenError():
            return make(ErrorCategory.AUTH, "Forbidden")
        case InvalidError():
            return make(ErrorCategory.INVALID_SPEC, Reasons.INVALID_SPEC)
        case AlreadyExistsError():
            return make(ErrorCategory.INFRASTRUCTURE, "AlreadyExists")
        case ConflictError():
            return make(ErrorCategory.INFRASTRUCTURE, "Conflict")
        case GoneError():
            return make(ErrorCategory.INFRASTRUCTURE, "Gone")
        case TooManyRequestsError():
            return make(ErrorCategory.INFRASTRUCTURE, "RateLimited")
    if exc.status == 504 or exc.reason in ("Timeout", "ServerTimeout"):
        return make(ErrorCategory.INFRASTRUCTURE, "Timeout")
    if exc.status in (500, 503) and exc.reason in ("ServiceUnavailable", "InternalError", ""):
        return make(ErrorCategory.INFRASTRUCTURE, "ServiceUnavailable")
    if exc.status >= 500:
        return make(ErrorCategory.INFRASTRUCTURE, "ServerError")
    return make(ErrorCategory.INVALID_SPEC, "ClientError")


def categorize(error: CategorizedError | BaseException) -> CategorizedError:
    """The category and reason of any error (spec §4.2 table; see the module docstring).

    Args:
        error: an exception, or an already categorized error (returned unchanged).

    Returns:
        The :class:`CategorizedError`; anything unrecognised is ``Unknown``/``UnknownError``
        with the error's text as message (treated as infrastructure).
    """
    if isinstance(error, CategorizedError):
        return error
    if isinstance(error, ApiError):
        return _api(error)
    if isinstance(error, DependencyNotReadyError):
        return CategorizedError(
            ErrorCategory.MISSING_DOWNSTREAM, error.reason, str(error) or error.reason, error
        )
    if isinstance(error, InvalidSpecError):
        return CategorizedError(ErrorCategory.INVALID_SPEC, Reasons.INVALID_SPEC, str(error), error)
    if isinstance(error, MissingReferenceError):
        return CategorizedError(
            ErrorCategory.MISSING_UPSTREAM, Reasons.REFERENCE_NOT_FOUND, str(error), error
        )
    if isinstance(error, ResourceExhaustedError):
        return CategorizedError(
            ErrorCategory.RESOURCE_EXHAUSTION, "ResourceExhausted", str(error), error
        )
    if isinstance(error, RetryableError):
        return _infra("RetryableError", error)
    network = _network(error)
    if network is not None:
        return network
    return CategorizedError(ErrorCategory.UNKNOWN, "UnknownError", str(error), error)


def _derived_state(errors: Sequence[CategorizedError]) -> AIMStatus:
    categories = {e.category for e in errors}
    if not errors:
        return AIMStatus.READY
    if categories & {
        ErrorCategory.AUTH,
        ErrorCategory.INVALID_SPEC,
        ErrorCategory.RESOURCE_EXHAUSTION,
    }:
        return AIMStatus.FAILED
    if categories & {ErrorCategory.MISSING_UPSTREAM, ErrorCategory.INFRASTRUCTURE}:
        return AIMStatus.DEGRADED
    # MissingDownstream, and Unknown too (the original counts Unknown as infrastructure for
    # DependenciesReachable and the requeue, but not for the component's own state).
    return AIMStatus.PROGRESSING


def resolve_health(health: ComponentHealth) -> ResolvedHealth:
    """Fill in state, reason and message (spec §4.2).

    * state: the explicit one, else derived from the errors: none ⇒ ``Ready``; Auth,
      InvalidSpec or ResourceExhaustion ⇒ ``Failed``; MissingUpstream or Infrastructure ⇒
      ``Degraded``; otherwise ``Progressing``.
    * reason/message: the explicit ones, else the first error's; with no errors the reason is
      ``Ready`` (or the state's own name for a non-Ready explicit state) and the message empty.
    """
    errors = tuple(categorize(e) for e in health.errors)
    state = health.state or _derived_state(errors)
    first = errors[0] if errors else None
    reason = health.reason or (first.reason if first else "")
    if not reason:
        reason = Reasons.READY if state is AIMStatus.READY else str(state)
    message = health.message or (first.message if first else "")
    return ResolvedHealth(health.component, state, reason, message, errors, health.dependency)


def upstream_health(component: str, result: Fetched[T]) -> ComponentHealth:
    """Health of something this object depends on (a model, a template...).

    NotFound becomes a MissingUpstream error (``ReferenceNotFound``, "Upstream dependency not
    found"); other errors pass through to be categorized; success is Ready.
    """
    if result.not_found:
        error = CategorizedError(
            ErrorCategory.MISSING_UPSTREAM,
            Reasons.REFERENCE_NOT_FOUND,
            "Upstream dependency not found",
            result.error,
        )
        return ComponentHealth(component, errors=(error,), dependency=DependencyType.UPSTREAM)
    errors = () if result.error is None else (result.error,)
    return ComponentHealth(component, errors=errors, dependency=DependencyType.UPSTREAM)


def downstream_health(component: str, result: Fetched[T]) -> ComponentHealth:
    """Health of something this object creates (a Job, a PVC...).

    NotFound becomes a MissingDownstream error (``ResourceNotReady``: it will be created);
    other errors pass through; success is Ready.
    """
    if result.not_found:
        error = CategorizedError(
            ErrorCategory.MISSING_DOWNSTREAM,
            Reasons.RESOURCE_NOT_READY,
            "Downstream resource not found",
            result.error,
        )
        return ComponentHealth(component, errors=(error,), dependency=DependencyType.DOWNSTREAM)
    errors = () if result.error is None else (result.error,)
    return ComponentHealth(component, errors=errors, dependency=DependencyType.DOWNSTREAM)

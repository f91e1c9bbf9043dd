"""Error categorisation, component-health resolution and the fetch helpers (spec §4.2)."""

from __future__ import annotations

import errno
import socket

import pytest

from aim_engine.api.v1alpha1 import AIMStatus
from aim_engine.errors import (
    AlreadyExistsError,
    ApiError,
    BadRequestError,
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
    ServerError,
    TooManyRequestsError,
    TransportError,
    UnauthorizedError,
)
from controllers.engine import (
    CategorizedError,
    ComponentHealth,
    DependencyType,
    ErrorCategory,
    Fetched,
    categorize,
    downstream_health,
    fetch,
    resolve_health,
    upstream_health,
)

INFRA = ErrorCategory.INFRASTRUCTURE


def _wrapped(cause: BaseException) -> TransportError:
    try:
        raise TransportError("request failed") from cause
    except TransportError as exc:
        return exc


@pytest.mark.parametrize(
    ("error", "category", "reason"),
    [
        (NotFoundError(404, "NotFound", "x"), ErrorCategory.MISSING_DOWNSTREAM, "NotFound"),
        (UnauthorizedError(401, "Unauthorized"), ErrorCategory.AUTH, "Unauthorized"),
        (ForbiddenError(403, "Forbidden"), ErrorCategory.AUTH, "Forbidden"),
        (InvalidError(422, "Invalid"), ErrorCategory.INVALID_SPEC, "InvalidSpec"),
        # 409s are transient (the original's categoriser made AlreadyExists InvalidSpec).
        (ConflictError(409, "Conflict"), INFRA, "Conflict"),
        (AlreadyExistsError(409, "AlreadyExists"), INFRA, "AlreadyExists"),
        (GoneError(410, "Expired"), INFRA, "Gone"),
        (TooManyRequestsError(429, "TooManyRequests"), INFRA, "RateLimited"),
        (ServerError(504, "Timeout"), INFRA, "Timeout"),
        (ServerError(500, "ServerTimeout"), INFRA, "Timeout"),
        (ServerError(503, "ServiceUnavailable"), INFRA, "ServiceUnavailable"),
        (ServerError(500, "InternalError"), INFRA, "ServiceUnavailable"),
        (ServerError(502, "BadGateway"), INFRA, "ServerError"),
        (BadRequestError(400, "BadRequest"), ErrorCategory.INVALID_SPEC, "ClientError"),
        (ApiError(418, "Teapot"), ErrorCategory.INVALID_SPEC, "ClientError"),
        (
            _wrapped(ConnectionRefusedError(errno.ECONNREFUSED, "refused")),
            INFRA,
            "ConnectionRefused",
        ),
        (_wrapped(ConnectionResetError(errno.ECONNRESET, "reset")), INFRA, "ConnectionReset"),
        (_wrapped(TimeoutError()), INFRA, "NetworkTimeout"),
        (_wrapped(socket.gaierror(-2, "Name or service not known")), INFRA, "DNSFailure"),
        (_wrapped(OSError(errno.EHOSTUNREACH, "no route")), INFRA, "NetworkError"),
        (TransportError("tls handshake"), INFRA, "NetworkError"),
        (OSError(errno.ETIMEDOUT, "timed out"), INFRA, "NetworkTimeout"),
        (InvalidSpecError("bad"), ErrorCategory.INVALID_SPEC, "InvalidSpec"),
        (MissingReferenceError("no model"), ErrorCategory.MISSING_UPSTREAM, "ReferenceNotFound"),
        (ResourceExhaustedError("quota"), ErrorCategory.RESOURCE_EXHAUSTION, "ResourceExhausted"),
        (DependencyNotReadyError("JobRunning"), ErrorCategory.MISSING_DOWNSTREAM, "JobRunning"),
        (RetryableError("later"), INFRA, "RetryableError"),
        (ValueError("boom"), ErrorCategory.UNKNOWN, "UnknownError"),
    ],
)
def test_categorize_table(error: BaseException, category: ErrorCategory, reason: str) -> None:
    got = categorize(error)
    assert (got.category, got.reason) == (category, reason)
    assert got.cause is error


def test_categorize_keeps_categorized_errors_and_uses_error_text_for_unknown() -> None:
    done = CategorizedError(ErrorCategory.AUTH, "ImagePullAuthFailure", "denied")
    assert categorize(done) is done
    assert categorize(ValueError("boom")).message == "boom"
    assert categorize(ForbiddenError(403, "Forbidden", "rbac says no")).message == "rbac says no"


@pytest.mark.parametrize(
    ("category", "infra"),
    [
        (ErrorCategory.INFRASTRUCTURE, True),
        (ErrorCategory.UNKNOWN, True),
        (ErrorCategory.AUTH, False),
        (ErrorCategory.INVALID_SPEC, False),
        (ErrorCategory.MISSING_UPSTREAM, False),
        (ErrorCategory.MISSING_DOWNSTREAM, False),
        (ErrorCategory.RESOURCE_EXHAUSTION, False),
    ],
)
def test_infrastructure_categories(category: ErrorCategory, infra: bool) -> None:
    assert category.is_infrastructure is infra


def _err(category: ErrorCategory, reason: str = "R", message: str = "m") -> CategorizedError:
    return CategorizedError(category, reason, message)


@pytest.mark.parametrize(
    ("errors", "state"),
    [
        ((), AIMStatus.READY),
        ((_err(ErrorCategory.AUTH),), AIMStatus.FAILED),
        ((_err(ErrorCategory.INVALID_SPEC),), AIMStatus.FAILED),
        ((_err(ErrorCategory.RESOURCE_EXHAUSTION),), AIMStatus.FAILED),
        ((_err(ErrorCategory.MISSING_UPSTREAM),), AIMStatus.DEGRADED),
        ((_err(ErrorCategory.INFRASTRUCTURE),), AIMStatus.DEGRADED),
        ((_err(ErrorCategory.MISSING_DOWNSTREAM),), AIMStatus.PROGRESSING),
        # Unknown errors are infrastructure for the engine but Progressing for the component.
        ((_err(ErrorCategory.UNKNOWN),), AIMStatus.PROGRESSING),
        ((_err(ErrorCategory.INFRASTRUCTURE), _err(ErrorCategory.AUTH)), AIMStatus.FAILED),
        ((_err(ErrorCategory.MISSING_DOWNSTREAM), _err(INFRA)), AIMStatus.DEGRADED),
    ],
)
def test_state_derived_from_errors(errors: tuple[CategorizedError, ...], state: AIMStatus) -> None:
    assert resolve_health(ComponentHealth("Model", errors=errors)).state is state


def test_explicit_state_reason_and_message_win() -> None:
    health = ComponentHealth(
        "Pods",
        state=AIMStatus.PENDING,
        reason="FailedScheduling",
        message="0/3 nodes",
        errors=(_err(ErrorCategory.INFRASTRUCTURE, "X", "y"),),
    )
    got = resolve_health(health)
    assert (got.state, got.reason, got.message) == (
        AIMStatus.PENDING,
        "FailedScheduling",
        "0/3 nodes",
    )
    assert got.condition_type == "PodsReady"


@pytest.mark.parametrize(
    ("health", "reason", "message"),
    [
        (ComponentHealth("A"), "Ready", ""),
        (
            ComponentHealth("A", errors=(_err(INFRA, "First", "one"), _err(INFRA, "Second"))),
            "First",
            "one",
        ),
        (ComponentHealth("A", errors=(ForbiddenError(403, "Forbidden", "no"),)), "Forbidden", "no"),
        (ComponentHealth("A", state=AIMStatus.PROGRESSING), "Progressing", ""),
    ],
)
def test_reason_and_message_defaults(health: ComponentHealth, reason: str, message: str) -> None:
    got = resolve_health(health)
    assert (got.reason, got.message) == (reason, message)


def test_fetch_captures_api_errors_only() -> None:
    def missing() -> dict[str, str]:
        raise NotFoundError(404, "NotFound", "gone")

    def bug() -> dict[str, str]:
        raise KeyError("oops")

    assert fetch(lambda: {"a": "b"}) == Fetched({"a": "b"})
    result = fetch(missing)
    assert result.not_found
    assert not result.ok
    assert result.value is None
    with pytest.raises(KeyError):
        fetch(bug)


def test_upstream_not_found_is_missing_upstream() -> None:
    health = resolve_health(upstream_health("Model", Fetched(error=NotFoundError(404, "NotFound"))))
    assert health.dependency is DependencyType.UPSTREAM
    assert health.state is AIMStatus.DEGRADED
    assert (health.reason, health.message) == ("ReferenceNotFound", "Upstream dependency not found")
    assert health.errors[0].category is ErrorCategory.MISSING_UPSTREAM


def test_downstream_not_found_is_missing_downstream() -> None:
    health = resolve_health(downstream_health("Job", Fetched(error=NotFoundError(404, "NotFound"))))
    assert health.dependency is DependencyType.DOWNSTREAM
    assert health.state is AIMStatus.PROGRESSING
    assert health.reason == "ResourceNotReady"


@pytest.mark.parametrize("helper", [upstream_health, downstream_health])
def test_helpers_pass_other_errors_and_success(helper: object) -> None:
    assert callable(helper)
    ok = resolve_health(helper("X", Fetched({"k": 1})))
    assert ok.state is AIMStatus.READY
    assert ok.errors == ()
    failed = resolve_health(helper("X", Fetched(error=ForbiddenError(403, "Forbidden"))))
    assert failed.state is AIMStatus.FAILED
    assert failed.errors[0].category is ErrorCategory.AUTH

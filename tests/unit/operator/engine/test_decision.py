"""Apply and requeue per error category, expressed in the framework's error tree."""

from __future__ import annotations

import pytest

from aim_engine.controller import ErrorCategory as Behaviour
from aim_engine.controller import classify
from aim_engine.errors import (
    ConflictError,
    ForbiddenError,
    InvalidSpecError,
    MissingReferenceError,
    RetryableError,
    ServerError,
    TooManyRequestsError,
    TransportError,
    UnauthorizedError,
)
from controllers.engine import CategorizedError, ErrorCategory, categorize, decide

C = ErrorCategory


def err(category: ErrorCategory, cause: BaseException | None = None) -> CategorizedError:
    return CategorizedError(category, "Reason", "text", cause)


@pytest.mark.parametrize(
    ("errors", "apply", "raised", "behaviour"),
    [
        ([], True, None, None),
        ([err(C.MISSING_DOWNSTREAM)], True, None, None),
        ([err(C.RESOURCE_EXHAUSTION)], True, None, None),
        ([err(C.INFRASTRUCTURE)], False, RetryableError, Behaviour.RETRYABLE),
        ([err(C.UNKNOWN)], False, RetryableError, Behaviour.RETRYABLE),
        ([err(C.AUTH)], False, RetryableError, Behaviour.RETRYABLE),
        ([err(C.INVALID_SPEC)], False, InvalidSpecError, Behaviour.TERMINAL),
        ([err(C.MISSING_UPSTREAM)], False, MissingReferenceError, Behaviour.TERMINAL),
        # infrastructure first: it is the one that must be retried
        ([err(C.INVALID_SPEC), err(C.INFRASTRUCTURE)], False, RetryableError, Behaviour.RETRYABLE),
        ([err(C.MISSING_UPSTREAM), err(C.AUTH)], False, RetryableError, Behaviour.RETRYABLE),
        (
            [err(C.MISSING_UPSTREAM), err(C.INVALID_SPEC)],
            False,
            InvalidSpecError,
            Behaviour.TERMINAL,
        ),
    ],
)
def test_decision_table(
    errors: list[CategorizedError],
    apply: bool,
    raised: type[Exception] | None,
    behaviour: Behaviour | None,
) -> None:
    decision = decide(errors)
    assert decision.apply is apply
    if raised is None:
        assert decision.error is None
    else:
        assert isinstance(decision.error, raised)
        assert classify(decision.error) is behaviour


@pytest.mark.parametrize(
    ("cause", "behaviour"),
    [
        # 409 Conflict is transient: a quiet requeue, never InvalidSpec (the original's quirk)
        (ConflictError(409, "Conflict", "stale"), Behaviour.CONFLICT),
        (TooManyRequestsError(429, "TooManyRequests", retry_after=3.0), Behaviour.THROTTLED),
        (ServerError(503, "ServiceUnavailable"), Behaviour.SERVER),
        (TransportError("connection refused"), Behaviour.TRANSPORT),
        (UnauthorizedError(401, "Unauthorized"), Behaviour.AUTH),
        (ForbiddenError(403, "Forbidden"), Behaviour.AUTH),
    ],
)
def test_original_api_errors_are_raised_so_the_framework_picks_the_retry(
    cause: Exception, behaviour: Behaviour
) -> None:
    decision = decide([categorize(cause)])
    assert not decision.apply
    assert decision.error is cause
    assert classify(cause) is behaviour


def test_messages_carry_reason_and_text() -> None:
    decision = decide([CategorizedError(C.INVALID_SPEC, "InvalidSpec", "spec.model: required")])
    assert str(decision.error) == "InvalidSpec: spec.model: required"

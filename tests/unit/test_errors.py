"""The exception tree maps API Status bodies to the right classes."""

from __future__ import annotations

import pytest

from aim_engine import errors


@pytest.mark.parametrize(
    ("status", "reason", "cls"),
    [
        (404, "NotFound", errors.NotFoundError),
        (409, "Conflict", errors.ConflictError),
        (409, "AlreadyExists", errors.AlreadyExistsError),
        (410, "Expired", errors.GoneError),
        (422, "Invalid", errors.InvalidError),
        (401, "Unauthorized", errors.UnauthorizedError),
        (403, "Forbidden", errors.ForbiddenError),
        (429, "TooManyRequests", errors.TooManyRequestsError),
        (500, "InternalError", errors.ServerError),
        (503, "ServiceUnavailable", errors.ServerError),
    ],
)
def test_status_maps_to_class(status: int, reason: str, cls: type[errors.ApiError]) -> None:
    err = errors.api_error_from_status(status, {"kind": "Status", "reason": reason, "code": status})
    assert type(err) is cls
    assert err.status == status
    assert isinstance(err, errors.AimEngineError)


def test_in_stream_status_code_wins_over_http_200() -> None:
    err = errors.api_error_from_status(200, {"code": 410, "reason": "Expired", "message": "old"})
    assert isinstance(err, errors.GoneError)


def test_invalid_carries_field_causes() -> None:
    body = {
        "code": 422,
        "reason": "Invalid",
        "details": {"causes": [{"field": "spec.replicas", "message": "must be >= 0"}]},
    }
    err = errors.api_error_from_status(422, body)
    assert err.causes[0].field == "spec.replicas"


def test_retry_after_from_details() -> None:
    body = {"code": 429, "reason": "TooManyRequests", "details": {"retryAfterSeconds": 3}}
    err = errors.api_error_from_status(429, body)
    assert isinstance(err, errors.TooManyRequestsError)
    assert err.retry_after == 3.0

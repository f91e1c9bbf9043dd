"""HTTP error answers become the right typed errors."""

from __future__ import annotations

import json

import pytest

from aim_engine.client._status import error_from_response, parse_retry_after
from aim_engine.errors import (
    AlreadyExistsError,
    ApiError,
    ConflictError,
    ForbiddenError,
    GoneError,
    InvalidError,
    NotFoundError,
    ServerError,
    TooManyRequestsError,
    UnsupportedMediaTypeError,
)


def status(code: int, reason: str, message: str = "m", **details: object) -> bytes:
    return json.dumps(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "code": code,
            "reason": reason,
            "message": message,
            "details": details,
        }
    ).encode()


@pytest.mark.parametrize(
    ("code", "reason", "cls"),
    [
        (403, "Forbidden", ForbiddenError),
        (404, "NotFound", NotFoundError),
        (409, "Conflict", ConflictError),
        (409, "AlreadyExists", AlreadyExistsError),
        (410, "Expired", GoneError),
        (415, "UnsupportedMediaType", UnsupportedMediaTypeError),
        (422, "Invalid", InvalidError),
        (500, "InternalError", ServerError),
        (503, "ServiceUnavailable", ServerError),
        (418, "Teapot", ApiError),
    ],
)
def test_status_maps_to_class(code: int, reason: str, cls: type[ApiError]) -> None:
    err = error_from_response(code, status(code, reason, "boom"))
    assert type(err) is cls
    assert err.status == code
    assert err.reason == reason
    assert err.message == "boom"


def test_conflict_is_not_already_exists() -> None:
    assert not isinstance(error_from_response(409, status(409, "Conflict")), AlreadyExistsError)


def test_invalid_carries_causes() -> None:
    body = status(
        422,
        "Invalid",
        causes=[
            {"field": "spec.replicas", "message": "must be >= 0", "reason": "FieldValueInvalid"}
        ],
    )
    err = error_from_response(422, body)
    assert isinstance(err, InvalidError)
    assert err.causes[0].field == "spec.replicas"
    assert err.causes[0].message == "must be >= 0"


def test_retry_after_header_wins() -> None:
    err = error_from_response(429, status(429, "TooManyRequests"), "7")
    assert isinstance(err, TooManyRequestsError)
    assert err.retry_after == 7.0


def test_retry_after_from_details_when_no_header() -> None:
    err = error_from_response(429, status(429, "TooManyRequests", retryAfterSeconds=3))
    assert isinstance(err, TooManyRequestsError)
    assert err.retry_after == 3.0


def test_non_status_body_keeps_http_code_and_text() -> None:
    err = error_from_response(502, b"<html>bad gateway</html>")
    assert isinstance(err, ServerError)
    assert err.status == 502
    assert "bad gateway" in err.message


def test_empty_body() -> None:
    err = error_from_response(404, b"")
    assert isinstance(err, NotFoundError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("5", 5.0), ("1.5", 1.5), ("-3", 0.0), ("Wed, 21 Oct", None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected

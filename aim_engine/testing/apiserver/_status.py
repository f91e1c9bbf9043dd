"""Kubernetes ``Status`` bodies and the exception that carries one out of a handler.

Every failure the fake API server answers with is a :class:`StatusError`: handlers raise it, the
application's error middleware turns it into the JSON ``Status`` object kube-apiserver sends
(``kind: Status``, ``apiVersion: v1``, ``metadata: {}``, ``status: Failure``, ``message``,
``reason``, ``details``, ``code``). The message texts follow the real server word for word because
clients (and people reading test failures) match on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "PageNotFoundError",
    "StatusError",
    "already_exists",
    "bad_request",
    "conflict",
    "expired",
    "forbidden",
    "generic_unsupported_media_type",
    "gone_continue",
    "internal_error",
    "method_not_allowed",
    "namespace_not_found",
    "not_found",
    "parse_error",
    "precondition_failed",
    "reasonless_status",
    "service_unavailable",
    "status_body",
    "too_many_requests",
    "unauthorized",
    "unsupported_media_type",
]


def status_body(
    code: int, reason: str, message: str, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build a failure ``Status`` object.

    Args:
        code: the HTTP status code.
        reason: the machine-readable reason (``NotFound``, ``Conflict`` ...).
        message: the human-readable message.
        details: optional ``details`` (name, group, kind, causes, retryAfterSeconds).

    Returns:
        The ``Status`` as a JSON-ready dict.
    """
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details is not None:
        body["details"] = dict(details)
    body["code"] = code
    return body


def reasonless_status(code: int, message: str) -> dict[str, Any]:
    """A failure ``Status`` without ``reason`` or ``details``.

    kube-apiserver sends these for errors it did not classify, for example 500 for a create
    that sets ``metadata.resourceVersion``.
    """
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "code": code,
    }


def generic_unsupported_media_type() -> StatusError:
    """415 for a content type the route does not consume at all (kube-apiserver's router)."""
    return _error(415, "UnsupportedMediaType", "415: Unsupported Media Type", {})


def parse_error(value: str, unsigned: bool = False) -> str:
    """Go's ``strconv`` message for a query parameter that is not an integer."""
    func = "ParseUint" if unsigned else "ParseInt"
    return f'strconv.{func}: parsing "{value}": invalid syntax'


class StatusError(Exception):
    """A request failed; ``body`` is the ``Status`` to send with HTTP ``code``.

    Attributes:
        code: HTTP status code.
        body: the ``Status`` object.
        headers: extra response headers (``Retry-After``).
    """

    def __init__(
        self, code: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(str(body.get("message", "")))
        self.code = code
        self.body = dict(body)
        self.headers = dict(headers or {})


def _error(
    code: int, reason: str, message: str, details: Mapping[str, Any] | None = None
) -> StatusError:
    return StatusError(code, status_body(code, reason, message, details))


def _details(name: str, group: str, plural: str) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    details["kind"] = plural
    return details


def _qualified(group: str, plural: str) -> str:
    return f"{plural}.{group}" if group else plural


class PageNotFoundError(Exception):
    """A URL outside every served group/version: kube-apiserver answers a plain-text 404."""


def not_found(group: str, plural: str, name: str) -> StatusError:
    """404 NotFound: ``<plural>.<group> "<name>" not found``."""
    return _error(
        404,
        "NotFound",
        f'{_qualified(group, plural)} "{name}" not found',
        _details(name, group, plural),
    )


def namespace_not_found(namespace: str) -> StatusError:
    """404 for a namespaced write into a namespace that does not exist."""
    return not_found("", "namespaces", namespace)


def already_exists(group: str, plural: str, name: str) -> StatusError:
    """409 AlreadyExists on create."""
    return _error(
        409,
        "AlreadyExists",
        f'{_qualified(group, plural)} "{name}" already exists',
        _details(name, group, plural),
    )


def conflict(group: str, plural: str, name: str) -> StatusError:
    """409 Conflict for a stale ``metadata.resourceVersion``."""
    return _error(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {_qualified(group, plural)} "{name}": the object has '
        "been modified; please apply your changes to the latest version and try again",
        _details(name, group, plural),
    )


def precondition_failed(
    group: str, plural: str, name: str, detail: str, *, qualified: str = ""
) -> StatusError:
    """409 Conflict for a failed precondition (``qualified`` overrides ``plural.group``)."""
    return _error(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified or _qualified(group, plural)} "{name}": '
        f"{detail}",
        _details(name, group, plural),
    )


def bad_request(message: str) -> StatusError:
    """400 BadRequest."""
    return _error(400, "BadRequest", message)


def forbidden(group: str, plural: str, name: str, why: str) -> StatusError:
    """403 Forbidden: ``<plural>.<group> "<name>" is forbidden: <why>``."""
    return _error(
        403,
        "Forbidden",
        f'{_qualified(group, plural)} "{name}" is forbidden: {why}',
        _details(name, group, plural),
    )


def unauthorized() -> StatusError:
    """401 Unauthorized."""
    return _error(401, "Unauthorized", "Unauthorized")


def method_not_allowed() -> StatusError:
    """405 MethodNotAllowed."""
    return _error(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
        {},
    )


def unsupported_media_type(content_type: str, accepted: list[str]) -> StatusError:
    """415 UnsupportedMediaType for a patch type the resource does not take."""
    del content_type
    return _error(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        + ", ".join(accepted),
    )


def expired(requested: int, oldest: int) -> dict[str, Any]:
    """The ``Status`` of a watch from a resourceVersion older than the history (410 Expired)."""
    return status_body(410, "Expired", f"too old resource version: {requested} ({oldest})")


def gone_continue() -> StatusError:
    """410 Expired for a list ``continue`` token older than the history."""
    return _error(
        410,
        "Expired",
        "The provided continue parameter is too old to display a consistent list result. You can "
        "start a new list without the continue parameter, or use the continue token in this "
        "response to retrieve the remainder of the results. Continuing with the provided token "
        "results in an inconsistent list - objects that were created, modified, or deleted "
        "between the time the first chunk was returned and now may show up in the list.",
    )


def too_many_requests(retry_after: int) -> StatusError:
    """429 TooManyRequests with a ``Retry-After`` header."""
    err = _error(
        429,
        "TooManyRequests",
        "Too many requests, please try again later.",
        {"retryAfterSeconds": retry_after},
    )
    err.headers["Retry-After"] = str(retry_after)
    return err


def internal_error(message: str) -> StatusError:
    """500 InternalError."""
    return _error(
        500,
        "InternalError",
        f"Internal error occurred: {message}",
        {"causes": [{"message": message}]},
    )


def service_unavailable(message: str) -> StatusError:
    """503 ServiceUnavailable."""
    return _error(503, "ServiceUnavailable", message)

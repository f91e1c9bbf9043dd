"""HTTP answers to typed errors: the client's only path from a response to an exception.

Every non-2xx answer (and every in-stream watch ``ERROR`` event) goes through
:func:`error_from_response`, which decodes the ``Status`` body when there is one and hands it to
:func:`aim_engine.errors.api_error_from_status`. Bodies that are not a ``Status`` (a proxy's HTML
page, an empty body) still yield the right class for the HTTP code, with the text as message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aim_engine.client._json import loads
from aim_engine.errors import ApiError, api_error_from_status

__all__ = ["decode_json", "error_from_response", "parse_retry_after"]

_MAX_MESSAGE = 1000


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header; ``None`` when absent or not a number."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # the HTTP-date form is never sent by kube-apiserver
    return max(0.0, seconds)


def decode_json(data: bytes) -> Any:
    """Decode a JSON body; ``None`` for an empty or undecodable one."""
    if not data.strip():
        return None
    try:
        return loads(data)
    except ValueError:
        return None


def error_from_response(
    status: int, data: bytes, retry_after_header: str | None = None
) -> ApiError:
    """Build the typed error for an HTTP error answer.

    Args:
        status: the HTTP status code.
        data: the raw response body.
        retry_after_header: the ``Retry-After`` header value, if any.
    """
    decoded = decode_json(data)
    body: Mapping[str, Any]
    if isinstance(decoded, Mapping) and decoded.get("kind") == "Status":
        body = decoded
    else:
        text = data.decode("utf-8", "replace").strip()[:_MAX_MESSAGE]
        body = {"kind": "Status", "status": "Failure", "code": status, "message": text}
    return api_error_from_status(status, body, retry_after=parse_retry_after(retry_after_header))

"""Registry answers → errors, and the pieces of listings (``Link`` pagination, JSON pages).

The distribution API reports errors as an HTTP status plus a body
``{"errors": [{"code": "MANIFEST_UNKNOWN", "message": ...}]}``. The status decides first
(401/403 auth, 404 not found), then the error codes, so a registry that says 400
``NAME_UNKNOWN`` or ``DENIED`` still gets the right class; a body that is not such JSON falls
back to words in its text ("unauthorized", "denied", "not found", "manifest unknown"), as the
original operator does.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

from controllers.oci._errors import (
    ImageNotFoundError,
    RegistryAuthError,
    RegistryError,
    RegistryResponseError,
)
from controllers.oci._transport import Response

__all__ = ["check", "error_codes", "json_object", "next_link", "string_list"]

_AUTH_CODES = frozenset({"UNAUTHORIZED", "DENIED"})
_NOT_FOUND_CODES = frozenset({"MANIFEST_UNKNOWN", "NAME_UNKNOWN", "BLOB_UNKNOWN"})
_AUTH_WORDS = ("unauthorized", "denied", "forbidden", "authentication required")
_NOT_FOUND_WORDS = ("not found", "manifest unknown", "name unknown", "blob unknown")
_LINK_RE = re.compile(r'<([^>]*)>\s*;\s*(?:[^,]*;\s*)?rel="?next"?', re.IGNORECASE)
_MESSAGE_CHARS = 300


def error_codes(body: bytes) -> list[tuple[str, str]]:
    """The ``(code, message)`` pairs of a distribution error body ([] if it is not one)."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if not isinstance(errors, list):
        return []
    return [
        (str(e.get("code", "")), str(e.get("message", ""))) for e in errors if isinstance(e, dict)
    ]


def check(resp: Response, what: str) -> Response:
    """Return a 2xx answer; raise the error class matching any other.

    Args:
        resp: the answer.
        what: the registry and the object asked for, for messages (``ghcr.io: manifest a/b:1``).

    Raises:
        RegistryAuthError: 401, 403, codes ``UNAUTHORIZED``/``DENIED``, or such words.
        ImageNotFoundError: 404, codes ``MANIFEST_UNKNOWN``/``NAME_UNKNOWN``/``BLOB_UNKNOWN``,
            or such words.
        RegistryError: any other status of 300 or more.
    """
    if 200 <= resp.status < 300:
        return resp
    codes = error_codes(resp.body)
    names = {code for code, _ in codes}
    detail = "; ".join(f"{c}: {m}" if m else c for c, m in codes)[:_MESSAGE_CHARS]
    message = f"{what}: HTTP {resp.status}" + (f" ({detail})" if detail else "")
    text = "" if codes else resp.body[:_MESSAGE_CHARS].decode("utf-8", "replace").lower()
    if resp.status in (401, 403) or names & _AUTH_CODES or any(w in text for w in _AUTH_WORDS):
        raise RegistryAuthError(message, status=resp.status)
    if resp.status == 404 or names & _NOT_FOUND_CODES or any(w in text for w in _NOT_FOUND_WORDS):
        raise ImageNotFoundError(message, status=resp.status)
    raise RegistryError(message, status=resp.status)


def json_object(resp: Response, what: str) -> dict[str, object]:
    """The body as a JSON object.

    Raises:
        RegistryResponseError: not JSON, or not an object.
    """
    try:
        doc = json.loads(resp.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RegistryResponseError(f"{what}: the answer is not valid JSON") from None
    if not isinstance(doc, dict):
        raise RegistryResponseError(f"{what}: the answer is not a JSON object")
    return doc


def string_list(doc: dict[str, object], field: str, what: str) -> list[str]:
    """``doc[field]`` as a list of strings (``null`` or absent is empty).

    Raises:
        RegistryResponseError: the field is not a list of strings.
    """
    value = doc.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RegistryResponseError(f"{what}: '{field}' is not a list of strings")
    return list(value)


def next_link(resp: Response, what: str) -> str | None:
    """The absolute URL of the next page from the ``Link`` headers, or ``None`` on the last page.

    Raises:
        RegistryResponseError: the next page is on another origin (never followed).
    """
    for header in resp.headers.getall("Link", []):
        match = _LINK_RE.search(header)
        if match is None:
            continue
        target = urljoin(resp.url, match.group(1))
        here, there = urlsplit(resp.url), urlsplit(target)
        if (here.scheme, here.netloc) != (there.scheme, there.netloc):
            raise RegistryResponseError(f"{what}: the next page link leaves the registry")
        return str(target)
    return None

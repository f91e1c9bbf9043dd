"""Size limits kube-apiserver enforces: request bodies, and the data of a ConfigMap or Secret.

* A write's body is read up to ``--max-request-body-bytes`` (3 MiB by default); a longer one is a
  413 ``Request entity too large: limit is 3145728`` Status, whatever its size (the fake stops
  reading at the limit too, so a 100 MiB body costs no more than a 3 MiB one).
* The values of a ConfigMap's ``data`` and ``binaryData`` together, and of a Secret's ``data``
  (``stringData`` merged in), may hold at most 1 MiB; more is a 422 on the object, at field
  ``[]`` for a ConfigMap and ``data`` for a Secret.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from aim_engine.testing.apiserver.field_errors import FieldError, too_long
from aim_engine.testing.apiserver.status import StatusError, status_body

__all__ = ["MAX_DATA_BYTES", "MAX_REQUEST_BODY_BYTES", "data_size_errors", "read_body"]

MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024
"""kube-apiserver's default ``--max-request-body-bytes``."""
MAX_DATA_BYTES = 1024 * 1024
"""The most data a ConfigMap or Secret holds (``MaxSecretSize``)."""
_CHUNK = 256 * 1024


async def read_body(request: web.Request, limit: int = MAX_REQUEST_BODY_BYTES) -> bytes:
    """The request body, refused once it is longer than ``limit``.

    Raises:
        StatusError: 413 ``RequestEntityTooLarge``.
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            message = f"Request entity too large: limit is {limit}"
            raise StatusError(413, status_body(413, "RequestEntityTooLarge", message))
        chunks.append(chunk)
    return b"".join(chunks)


def _decoded_size(value: Any) -> int:
    if not isinstance(value, str):
        return 0
    try:
        return len(base64.b64decode(value))
    except (binascii.Error, ValueError):
        return 0  # a bad value is refused while decoding, before validation


def _text_size(value: Any) -> int:
    return len(value.encode()) if isinstance(value, str) else 0


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def data_size_errors(resource: tuple[str, str], obj: Mapping[str, Any]) -> list[FieldError]:
    """The 422 error of a ConfigMap or Secret whose data is over 1 MiB (empty otherwise)."""
    if resource == ("", "configmaps"):
        total = sum(_text_size(v) for v in _mapping(obj.get("data")).values())
        total += sum(_decoded_size(v) for v in _mapping(obj.get("binaryData")).values())
        field = "[]"
    elif resource == ("", "secrets"):
        strings = _mapping(obj.get("stringData"))
        data = _mapping(obj.get("data"))
        total = sum(_text_size(v) for v in strings.values())
        total += sum(_decoded_size(v) for k, v in data.items() if k not in strings)
        field = "data"
    else:
        return []
    return [too_long(field, MAX_DATA_BYTES)] if total > MAX_DATA_BYTES else []

"""The data size limit of ConfigMaps and Secrets.

The values of a ConfigMap's ``data`` and ``binaryData`` together, and of a Secret's ``data``
(``stringData`` merged in), may hold at most 1 MiB (``MaxSecretSize``); more is a 422 on the
object, at field ``[]`` for a ConfigMap and ``data`` for a Secret. (The request body limit is
in :mod:`aim_engine.testing.apiserver._http._request_body`.)
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from aim_engine.testing.apiserver._schema._field_errors import FieldError, too_long

__all__ = ["MAX_DATA_BYTES", "data_size_errors"]

MAX_DATA_BYTES = 1024 * 1024
"""The most data a ConfigMap or Secret holds (``MaxSecretSize``)."""


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

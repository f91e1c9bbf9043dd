"""Kind-specific checks of built-in objects: ConfigMap and Secret keys, Secret base64 data.

kube-apiserver decodes a Secret's ``data`` values as standard base64 while reading the request
(a bad value is a 400 decoding error naming the offset Go's decoder reports) and validates the
keys of ``data``/``binaryData`` as config keys (422). The fake checks the same things with the
same messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aim_engine.testing.apiserver._schema._field_errors import FieldError

__all__ = ["base64_error_offset", "builtin_decode_error", "validate_builtin"]

_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_CONFIG_KEY_MSG = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)
_B64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_NEWLINES = frozenset("\r\n")
_KEYED_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "configmaps"): ("data", "binaryData"),
    ("", "secrets"): ("data",),
}


def _skip_newlines(text: str, i: int) -> int:
    while i < len(text) and text[i] in _NEWLINES:
        i += 1
    return i


def _padding_error(text: str, i: int, j: int) -> int | None:
    """After a ``=`` at ``text[i - 1]`` ending a quantum of ``j`` characters."""
    if j < 2:
        return i - 1
    if j == 2:
        i = _skip_newlines(text, i)
        if i == len(text):
            return len(text)
        if text[i] != "=":
            return i - 1
        i += 1
    i = _skip_newlines(text, i)
    return i if i < len(text) else None


def base64_error_offset(text: str) -> int | None:
    """Where Go's padded standard base64 decoder fails on ``text`` (``None``: it decodes).

    Follows Go's ``encoding/base64``: newlines are skipped, an invalid character fails at its
    offset, an incomplete final quantum at the quantum's start, bad padding where it is found.
    """
    i = 0
    while i < len(text):
        j = 0
        while j < 4:
            if i == len(text):
                return None if j == 0 else i - j
            char = text[i]
            i += 1
            if char in _NEWLINES:
                continue
            if char in _B64:
                j += 1
                continue
            if char == "=":
                return _padding_error(text, i, j)
            return i - 1
    return None


def builtin_decode_error(
    resource: tuple[str, str], kind: str, obj: Mapping[str, Any]
) -> str | None:
    """The 400 message kube-apiserver gives while decoding ``obj``, if any (Secret base64)."""
    if resource != ("", "secrets"):
        return None
    data = obj.get("data")
    if not isinstance(data, Mapping):
        return None
    for value in data.values():
        if isinstance(value, str):
            offset = base64_error_offset(value)
            if offset is not None:
                return (
                    f'{kind} in version "v1" cannot be handled as a {kind}: illegal base64 data '
                    f"at input byte {offset}"
                )
    return None


def _config_key_errors(field: str, key: str) -> list[FieldError]:
    texts: list[str] = []
    if len(key) > 253:
        texts.append("must be no more than 253 characters")
    if not _CONFIG_KEY.match(key):
        texts.append(_CONFIG_KEY_MSG)
    if key == ".":
        texts.append("must not be '.'")
    elif key == "..":
        texts.append("must not be '..'")
    elif key.startswith(".."):
        texts.append("must not start with '..'")
    shown = key.replace("\\", "\\\\").replace('"', '\\"')
    return [
        FieldError(f"{field}[{key}]", "FieldValueInvalid", f'Invalid value: "{shown}": {text}')
        for text in texts
    ]


def validate_builtin(resource: tuple[str, str], obj: Mapping[str, Any]) -> list[FieldError]:
    """Kind-specific 422 errors of a built-in object (ConfigMap and Secret keys)."""
    errors: list[FieldError] = []
    for field in _KEYED_FIELDS.get(resource, ()):
        values = obj.get(field)
        if isinstance(values, Mapping):
            for key in sorted(values):
                errors.extend(_config_key_errors(field, str(key)))
    return errors

"""Field errors and the 422 ``Invalid`` Status body, worded like kube-apiserver.

:class:`FieldError` mirrors one entry of the server's ``field.ErrorList``: ``field`` is the path
(``spec.items[0].name``), ``reason`` the cause type (``FieldValueInvalid``...), ``message`` the
cause message exactly as the server puts it in ``details.causes[].message`` (for example
``Required value`` or ``Invalid value: -1: spec.replicas in body should be greater than or equal
to 0``). The constructors below build those messages; :func:`invalid_status` folds a list of
them into the Status body the server answers with.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FieldError",
    "duplicate",
    "forbidden",
    "go_value",
    "invalid",
    "invalid_status",
    "not_supported",
    "required",
    "too_long",
    "too_many",
    "type_invalid",
]


@dataclass(frozen=True)
class FieldError:
    """One validation failure.

    Attributes:
        field: The field path, e.g. ``spec.replicas`` or ``spec.items[0].name``.
        reason: The cause type, e.g. ``FieldValueInvalid``.
        message: The cause message as the real server words it.
    """

    field: str
    reason: str
    message: str


def _go_repr(value: Any) -> str:
    """Format a value like Go's ``%#v`` of a decoded JSON value."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(k)}:{_go_repr(v)}" for k, v in sorted(value.items()))
        return "map[string]interface {}{" + inner + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_go_repr(v) for v in value) + "}"
    return go_value(value)


def go_value(value: Any) -> str:
    """Format a bad value the way ``field.Error`` prints it (strings quoted, numbers bare).

    Args:
        value: A decoded JSON value.

    Returns:
        The printed value.
    """
    if value is None:
        return '"null"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return _go_repr(value)


def required(field: str, detail: str = "") -> FieldError:
    """``Required value`` (optionally ``: detail``)."""
    return FieldError(field, "FieldValueRequired", _with_detail("Required value", detail))


def forbidden(field: str, detail: str = "") -> FieldError:
    """``Forbidden`` (optionally ``: detail``)."""
    return FieldError(field, "FieldValueForbidden", _with_detail("Forbidden", detail))


def invalid(field: str, value: Any, detail: str) -> FieldError:
    """``Invalid value: <value>: <detail>``."""
    return FieldError(
        field, "FieldValueInvalid", _with_detail(f"Invalid value: {go_value(value)}", detail)
    )


def type_invalid(field: str, value: Any, detail: str) -> FieldError:
    """A type mismatch; worded ``Invalid value: ...`` like the server."""
    return FieldError(
        field, "FieldValueTypeInvalid", _with_detail(f"Invalid value: {go_value(value)}", detail)
    )


def not_supported(field: str, value: Any, supported: Sequence[str]) -> FieldError:
    """``Unsupported value: "x": supported values: "a", "b"``."""
    message = f"Unsupported value: {go_value(value)}"
    if supported:
        message += ": supported values: " + ", ".join(json.dumps(s) for s in supported)
    return FieldError(field, "FieldValueNotSupported", message)


def duplicate(field: str, value: Any) -> FieldError:
    """``Duplicate value: <value>``."""
    return FieldError(field, "FieldValueDuplicate", f"Duplicate value: {go_value(value)}")


def too_long(field: str, max_length: int) -> FieldError:
    """``Too long: may not be more than N bytes``."""
    unit = "byte" if max_length == 1 else "bytes"
    return FieldError(
        field, "FieldValueTooLong", f"Too long: may not be more than {max_length} {unit}"
    )


def too_many(field: str, actual: int, max_items: int) -> FieldError:
    """``Too many: <actual>: must have at most N items``."""
    unit = "item" if max_items == 1 else "items"
    return FieldError(
        field, "FieldValueTooMany", f"Too many: {actual}: must have at most {max_items} {unit}"
    )


def _with_detail(head: str, detail: str) -> str:
    return f"{head}: {detail}" if detail else head


def invalid_status(
    kind: str, group: str, name: str, errors: Sequence[FieldError]
) -> dict[str, Any]:
    """Build the 422 ``Invalid`` Status body kube-apiserver returns.

    Args:
        kind: The object's kind, e.g. ``AIMService``.
        group: The API group (``""`` for the core group).
        name: The object's name.
        errors: The field errors (at least one).

    Returns:
        The Status body, with ``details.causes`` in the order given.
    """
    qualified = f"{kind}.{group}" if group else kind
    texts: list[str] = []
    for err in errors:
        text = f"{err.field}: {err.message}" if err.field else err.message
        if text not in texts:
            texts.append(text)
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    details: dict[str, Any] = {"name": name} if name else {}
    if group:
        details["group"] = group
    details["kind"] = kind
    details["causes"] = [
        {"reason": err.reason, "message": err.message, "field": err.field} for err in errors
    ]
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'{qualified} "{name}" is invalid: {joined}',
        "reason": "Invalid",
        "details": details,
        "code": 422,
    }

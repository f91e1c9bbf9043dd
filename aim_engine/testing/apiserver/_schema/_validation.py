"""Validation of a custom object against its compiled structural schema.

The checks and their messages follow kube-apiserver (kube-openapi's validators as converted by
apiextensions-apiserver): type, nullable, required, enum, pattern, minimum/maximum (exclusive),
minLength/maxLength, minItems/maxItems, uniqueItems, minProperties/maxProperties, format,
``allOf``/``anyOf``/``oneOf``/``not``, list-type set/map uniqueness, and the CEL rules of
``x-kubernetes-validations``.

Two server behaviours worth knowing:

* CEL rules are not run when a type or enum error was found; a single "some validation rules
  were not checked" error is reported instead.
* Validation ratcheting (on by default since Kubernetes 1.30): on update, a node whose value is
  unchanged from the old object is not validated again.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from typing import Any

from aim_engine.testing.apiserver._schema import _field_errors as fe
from aim_engine.testing.apiserver._schema._field_errors import FieldError
from aim_engine.testing.apiserver._schema._node import SchemaNode

__all__ = ["validate_object"]

_ABSENT = object()
_BLOCKING = frozenset({"FieldValueTypeInvalid", "FieldValueNotSupported"})
_NOT_CHECKED = (
    "some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation"
)


def validate_object(root: SchemaNode, obj: Mapping[str, Any], old: Any) -> list[FieldError]:
    """Validate a whole object; ``old`` is the stored object on update, else None.

    Args:
        root: The compiled root schema.
        obj: The object.
        old: The old object or None.

    Returns:
        Schema errors, then CEL errors.
    """
    walker = _Walker()
    old_value = _ABSENT if old is None else old
    walker.walk(root, obj, old_value, "", root=True)
    errors = walker.errors
    if any(e.reason in _BLOCKING for e in errors):
        if walker.has_rules(root):
            errors.append(fe.invalid("<nil>", None, _NOT_CHECKED))
        return errors
    walker.cel(root, obj, old_value, "", root=True)
    return errors + walker.cel_errors


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    return "array"


def _type_ok(expected: str, value: Any) -> bool:
    if isinstance(value, bool):
        return expected == "boolean"
    checks: dict[str, bool] = {
        "integer": isinstance(value, int) or (isinstance(value, float) and value.is_integer()),
        "number": isinstance(value, int | float),
        "string": isinstance(value, str),
        "object": isinstance(value, Mapping),
        "array": isinstance(value, list),
        "boolean": False,
    }
    return checks.get(expected, True)


def _strict_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _num(value: Any) -> str:
    return fe.go_value(float(value)) if isinstance(value, int | float) else str(value)


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _format_ok(fmt: str, value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if fmt == "date-time":
        if not _DATE_TIME.match(value):
            return False
        try:
            datetime.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    if fmt == "date":
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return True


class _Walker:
    """Collects errors over one object; schema pass then CEL pass."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.cel_errors: list[FieldError] = []

    def has_rules(self, node: SchemaNode) -> bool:
        if node.rules:
            return True
        children = [*node.properties.values(), node.items, node.additional]
        return any(c is not None and self.has_rules(c) for c in children)

    # ----------------------------------------------------------------- schema pass
    def walk(
        self, node: SchemaNode, value: Any, old: Any, path: str, *, root: bool = False
    ) -> None:
        if old is not _ABSENT and old == value and not root:
            return  # ratcheting: unchanged values are not re-validated
        if value is None:
            if not node.nullable and (node.type or node.int_or_string):
                expected = "integer,string" if node.int_or_string else str(node.type)
                self.errors.append(
                    fe.type_invalid(
                        path, "null", f'{path} in body must be of type {expected}: "null"'
                    )
                )
            return
        if not self._check_type(node, value, path):
            return
        self._check_value(node, value, path)
        if isinstance(value, Mapping):
            self._walk_object(node, value, old, path, root=root)
        elif isinstance(value, list):
            self._walk_array(node, value, old, path)

    def _check_type(self, node: SchemaNode, value: Any, path: str) -> bool:
        if node.int_or_string:
            ok = isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
            expected = "integer,string"
        elif node.type:
            ok = _type_ok(node.type, value)
            expected = node.type
        else:
            return True
        if not ok:
            name = _type_name(value)
            detail = f'{path} in body must be of type {expected}: "{name}"'
            self.errors.append(fe.type_invalid(path, name, detail))
        return ok

    def _check_value(self, node: SchemaNode, value: Any, path: str) -> None:
        raw = node.raw
        self._check_combinators(node, value, path)
        if isinstance(value, str):
            self._check_string(raw, value, path)
        if isinstance(value, int | float) and not isinstance(value, bool):
            self._check_number(raw, value, path)
        if "enum" in raw and not any(_strict_equal(value, e) for e in raw["enum"]):
            supported = [e if isinstance(e, str) else json.dumps(e) for e in raw["enum"]]
            self.errors.append(fe.not_supported(path, value, supported))
        if "format" in raw and not _format_ok(str(raw["format"]), value):
            detail = f"{path} in body must be of type {raw['format']}: {json.dumps(value)}"
            self.errors.append(fe.type_invalid(path, value, detail))

    def _check_string(self, raw: Mapping[str, Any], value: str, path: str) -> None:
        if "maxLength" in raw and len(value) > int(raw["maxLength"]):
            self.errors.append(fe.too_long(path, int(raw["maxLength"])))
        if "minLength" in raw and len(value) < int(raw["minLength"]):
            detail = f"{path} in body should be at least {int(raw['minLength'])} chars long"
            self.errors.append(fe.invalid(path, value, detail))
        if "pattern" in raw and re.search(str(raw["pattern"]), value) is None:
            detail = f"{path} in body should match '{raw['pattern']}'"
            self.errors.append(fe.invalid(path, value, detail))

    def _check_number(self, raw: Mapping[str, Any], value: float, path: str) -> None:
        if "minimum" in raw:
            low = raw["minimum"]
            if raw.get("exclusiveMinimum") and value <= low:
                self._bound(path, value, f"should be greater than {_num(low)}")
            elif value < low:
                self._bound(path, value, f"should be greater than or equal to {_num(low)}")
        if "maximum" in raw:
            high = raw["maximum"]
            if raw.get("exclusiveMaximum") and value >= high:
                self._bound(path, value, f"should be less than {_num(high)}")
            elif value > high:
                self._bound(path, value, f"should be less than or equal to {_num(high)}")
        if raw.get("multipleOf"):
            factor = raw["multipleOf"]
            if (value / factor) != int(value / factor):
                self._bound(path, value, f"should be a multiple of {_num(factor)}")

    def _bound(self, path: str, value: Any, text: str) -> None:
        self.errors.append(fe.invalid(path, value, f"{path} in body {text}"))

    def _check_combinators(self, node: SchemaNode, value: Any, path: str) -> None:
        def passes(sub: SchemaNode) -> bool:
            probe = _Walker()
            probe.walk(sub, value, _ABSENT, path)
            return not probe.errors

        if node.all_of:
            for sub in node.all_of:
                probe = _Walker()
                probe.walk(sub, value, _ABSENT, path)
                self.errors.extend(probe.errors)
        if node.any_of and not node.int_or_string and not any(passes(s) for s in node.any_of):
            detail = f"{path} in body must validate at least one schema (anyOf)"
            self.errors.append(fe.invalid(path, _type_name(value), detail))
        if node.one_of and sum(passes(s) for s in node.one_of) != 1:
            detail = f"{path} in body must validate one and only one schema (oneOf)"
            self.errors.append(fe.invalid(path, _type_name(value), detail))
        if node.not_ is not None and passes(node.not_):
            detail = f"{path} in body must not validate the schema (not)"
            self.errors.append(fe.invalid(path, _type_name(value), detail))

    def _walk_object(
        self, node: SchemaNode, value: Mapping[str, Any], old: Any, path: str, *, root: bool
    ) -> None:
        raw = node.raw
        for name in node.required:
            if name not in value:
                self.errors.append(fe.required(_child(path, name)))
        count = len(value)
        if "maxProperties" in raw and count > int(raw["maxProperties"]):
            self.errors.append(fe.too_many(path, count, int(raw["maxProperties"])))
        if "minProperties" in raw and count < int(raw["minProperties"]):
            detail = f"{path} in body should have at least {raw['minProperties']} properties"
            self.errors.append(fe.invalid(path, count, detail))
        old_map = old if isinstance(old, Mapping) else {}
        for key, item in value.items():
            if root and key == "metadata":
                continue
            child = node.child(key)
            if child is not None:
                self.walk(child, item, old_map.get(key, _ABSENT), _child(path, key))

    def _walk_array(self, node: SchemaNode, value: list[Any], old: Any, path: str) -> None:
        raw = node.raw
        if "maxItems" in raw and len(value) > int(raw["maxItems"]):
            self.errors.append(fe.too_many(path, len(value), int(raw["maxItems"])))
        if "minItems" in raw and len(value) < int(raw["minItems"]):
            detail = f"{path} in body should have at least {raw['minItems']} items"
            self.errors.append(fe.invalid(path, len(value), detail))
        self._check_unique(node, value, path)
        if node.items is None:
            return
        olds = _correlate(node, value, old)
        for i, item in enumerate(value):
            self.walk(node.items, item, olds[i], f"{path}[{i}]")

    def _check_unique(self, node: SchemaNode, value: list[Any], path: str) -> None:
        if node.list_type == "set" or node.raw.get("uniqueItems"):
            seen: list[Any] = []
            for i, item in enumerate(value):
                if any(_strict_equal(item, s) for s in seen):
                    self.errors.append(fe.duplicate(f"{path}[{i}]", item))
                seen.append(item)
        elif node.list_type == "map" and node.list_map_keys:
            keys_seen: set[str] = set()
            defaults = node.list_key_defaults()
            for i, item in enumerate(value):
                if not isinstance(item, Mapping):
                    continue
                key = {k: item.get(k, defaults.get(k)) for k in node.list_map_keys}
                encoded = json.dumps(key, sort_keys=True)
                if encoded in keys_seen:
                    self.errors.append(fe.duplicate(f"{path}[{i}]", key))
                keys_seen.add(encoded)

    # -------------------------------------------------------------------- CEL pass
    def cel(self, node: SchemaNode, value: Any, old: Any, path: str, *, root: bool = False) -> None:
        if value is None:
            return
        has_old = old is not _ABSENT
        if node.rules:
            converted = _to_cel(node, value)
            old_converted = _to_cel(node, old) if has_old else _ABSENT
            for rule in node.rules:
                if not rule.applies(has_old=has_old):
                    continue
                if has_old and not rule.is_transition and old == value:
                    continue  # ratcheting
                outcome = (
                    rule.evaluate(converted, old_converted) if has_old else rule.evaluate(converted)
                )
                if outcome is not None:
                    field = path + outcome.field_path if outcome.field_path else path
                    self.cel_errors.append(
                        _cel_error(
                            field.lstrip(".") or "<nil>", node, outcome.reason, outcome.message
                        )
                    )
        if isinstance(value, Mapping):
            old_map = old if isinstance(old, Mapping) else {}
            for key, item in value.items():
                if root and key == "metadata":
                    continue
                child = node.child(key)
                if child is not None:
                    child_path = _child(path, key) if key in node.properties else f"{path}[{key}]"
                    self.cel(child, item, old_map.get(key, _ABSENT), child_path)
        elif isinstance(value, list) and node.items is not None:
            olds = _correlate(node, value, old)
            for i, item in enumerate(value):
                self.cel(node.items, item, olds[i], f"{path}[{i}]")


def _cel_error(path: str, node: SchemaNode, reason: str, message: str) -> FieldError:
    type_name = node.type or ""
    if reason == "FieldValueForbidden":
        return fe.forbidden(path, message)
    if reason == "FieldValueRequired":
        return fe.required(path, message)
    if reason == "FieldValueDuplicate":
        return fe.duplicate(path, type_name)
    return fe.invalid(path, type_name, message)


def _correlate(node: SchemaNode, value: list[Any], old: Any) -> list[Any]:
    """Old items correlated with new ones: only map lists correlate (by key), as in Kubernetes."""
    if node.list_type != "map" or not node.list_map_keys or not isinstance(old, list):
        return [_ABSENT] * len(value)
    defaults = node.list_key_defaults()

    def key(item: Any) -> str | None:
        if not isinstance(item, Mapping):
            return None
        return json.dumps({k: item.get(k, defaults.get(k)) for k in node.list_map_keys})

    by_key = {key(o): o for o in old}
    return [by_key.get(key(item), _ABSENT) for item in value]


def _to_cel(node: SchemaNode | None, value: Any) -> Any:
    """Convert a JSON value for CEL: ``number`` fields become doubles."""
    if node is None:
        return value
    if isinstance(value, Mapping):
        return {k: _to_cel(node.child(k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_cel(node.items, v) for v in value]
    if node.type == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value

"""Turn a pydantic JSON schema into a *structural* OpenAPI v3 schema for a CRD.

The API server accepts only structural schemas: every node states its ``type`` (or is
``x-kubernetes-int-or-string`` / ``x-kubernetes-preserve-unknown-fields``), there are no
``$ref``\\ s, and ``anyOf``/``allOf`` may only constrain values, never introduce types. pydantic's
``model_json_schema()`` is close; this module closes the gap:

* ``$ref`` and single-element ``allOf`` are inlined, the referring node's own keys winning, and
  ``x-kubernetes-validations`` of both concatenated (model-level rules, then field-level ones);
* ``anyOf: [X, {type: null}]`` becomes X. The field is *not* marked ``nullable``: the API server
  prunes a ``null`` of a non-nullable field, which is what "unset" means to the models, and CEL
  ``has()`` keeps meaning "set";
* ``const`` becomes a one-value ``enum``; ``title``, ``default: null`` and ``examples`` go.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["StructuralError", "make_structural", "structural_problems"]

_DROP = frozenset({"title", "examples", "$defs", "definitions"})
_INT_OR_STRING = "x-kubernetes-int-or-string"
_PRESERVE = "x-kubernetes-preserve-unknown-fields"
_VALIDATIONS = "x-kubernetes-validations"


class StructuralError(ValueError):
    """A schema construct that has no structural equivalent."""


def make_structural(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return a structural copy of a pydantic JSON schema (with its ``$defs``).

    Raises:
        StructuralError: on a ``$ref`` to a missing definition or a union of several types.
    """
    defs = dict(schema.get("$defs", {}))
    return _convert(copy.deepcopy(dict(schema)), defs, ())


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if key == _VALIDATIONS and key in merged:
            merged[key] = [*merged[key], *value]
        else:
            merged[key] = value
    return merged


def _inline(node: dict[str, Any], defs: Mapping[str, Any], seen: tuple[str, ...]) -> dict[str, Any]:
    """Resolve ``$ref``/``allOf``/nullable ``anyOf`` at the top of ``node`` (not below)."""
    if "$ref" in node:
        name = str(node.pop("$ref")).rsplit("/", 1)[-1]
        if name not in defs:
            raise StructuralError(f"unknown $ref {name!r}")
        if name in seen:
            raise StructuralError(f"recursive type {name!r} cannot be structural")
        target = _convert(copy.deepcopy(defs[name]), defs, (*seen, name))
        return _inline(_merge(target, node), defs, seen)
    if "allOf" in node and len(node["allOf"]) == 1:
        (only,) = node.pop("allOf")
        return _inline(_merge(_inline(dict(only), defs, seen), node), defs, seen)
    if "anyOf" in node and not node.get(_INT_OR_STRING):
        options = [o for o in node.pop("anyOf") if o != {"type": "null"}]
        if len(options) != 1:
            raise StructuralError(f"union of {len(options)} schemas is not structural")
        return _inline(_merge(_inline(dict(options[0]), defs, seen), node), defs, seen)
    return node


def _convert(
    node: dict[str, Any], defs: Mapping[str, Any], seen: tuple[str, ...]
) -> dict[str, Any]:
    node = _inline(node, defs, seen)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP or (key == "default" and value is None):
            continue
        if key == "additionalProperties" and value is False:
            continue
        if key == "const":
            out["enum"] = [value]
        elif key == "description" and isinstance(value, str):
            out[key] = " ".join(value.replace("``", "`").split())
        elif key == "properties":
            out[key] = {name: _convert(dict(sub), defs, seen) for name, sub in value.items()}
        elif key in {"items", "additionalProperties"} and isinstance(value, dict):
            out[key] = _convert(dict(value), defs, seen) if value else {_PRESERVE: True}
        else:
            out[key] = value
    if "properties" in out and "type" not in out:
        out["type"] = "object"
    if "enum" in out and "type" not in out:
        out["type"] = "string"
    return out


def structural_problems(schema: Mapping[str, Any], path: str = "") -> list[str]:
    """Why a schema is not structural (empty when it is); an independent check for tests."""
    forbidden = ("$ref", "allOf", "oneOf", "not", "const", "title")
    problems = [f"{path or '<root>'}: has {key}" for key in forbidden if key in schema]
    typed = "type" in schema or schema.get(_INT_OR_STRING) or schema.get(_PRESERVE)
    if not typed:
        problems.append(f"{path or '<root>'}: no type")
    if "anyOf" in schema and not schema.get(_INT_OR_STRING):
        problems.append(f"{path or '<root>'}: anyOf outside int-or-string")
    if "properties" in schema and "additionalProperties" in schema:
        problems.append(f"{path or '<root>'}: both properties and additionalProperties")
    if schema.get("additionalProperties") is False:
        problems.append(f"{path or '<root>'}: additionalProperties false")
    for name, sub in schema.get("properties", {}).items():
        problems.extend(structural_problems(sub, f"{path}.{name}"))
    if isinstance(schema.get("items"), Mapping):
        problems.extend(structural_problems(schema["items"], f"{path}[*]"))
    if isinstance(schema.get("additionalProperties"), Mapping):
        problems.extend(structural_problems(schema["additionalProperties"], f"{path}{{*}}"))
    return problems

"""One node of a compiled structural schema (:class:`SchemaNode`) and how it is compiled.

:func:`compile_node` turns an OpenAPI v3 schema mapping into a tree of nodes once, with the
Kubernetes extensions (``x-kubernetes-*``) read into typed attributes and CEL rules compiled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aim_engine.testing.apiserver._schema._cel_rules import CelRule

__all__ = ["SchemaNode", "compile_node"]

_NO_DEFAULT = object()


@dataclass
class SchemaNode:
    """One compiled schema node.

    Attributes:
        raw: The node's schema mapping as given.
        type: ``object``, ``array``, ``string``, ``integer``, ``number``, ``boolean`` or None.
        nullable: ``nullable: true``.
        int_or_string: ``x-kubernetes-int-or-string: true``.
        preserve_unknown: ``x-kubernetes-preserve-unknown-fields: true``.
        embedded: ``x-kubernetes-embedded-resource: true``.
        properties: Compiled ``properties``.
        items: Compiled ``items``.
        additional: Compiled ``additionalProperties`` schema, if any.
        additional_any: ``additionalProperties: true``.
        required: ``required`` field names.
        rules: Compiled ``x-kubernetes-validations``.
        all_of: Compiled ``allOf`` entries.
        any_of: Compiled ``anyOf`` entries.
        one_of: Compiled ``oneOf`` entries.
        not_: Compiled ``not``.
        list_type: ``x-kubernetes-list-type`` (``atomic`` when unset).
        list_map_keys: ``x-kubernetes-list-map-keys``.
        map_type: ``x-kubernetes-map-type`` (``granular`` when unset).
        default: The ``default`` value, or a sentinel when there is none.
    """

    raw: Mapping[str, Any]
    type: str | None = None
    nullable: bool = False
    int_or_string: bool = False
    preserve_unknown: bool = False
    embedded: bool = False
    properties: dict[str, SchemaNode] = field(default_factory=dict)
    items: SchemaNode | None = None
    additional: SchemaNode | None = None
    additional_any: bool = False
    required: tuple[str, ...] = ()
    rules: tuple[CelRule, ...] = ()
    all_of: tuple[SchemaNode, ...] = ()
    any_of: tuple[SchemaNode, ...] = ()
    one_of: tuple[SchemaNode, ...] = ()
    not_: SchemaNode | None = None
    list_type: str = "atomic"
    list_map_keys: tuple[str, ...] = ()
    map_type: str = "granular"
    default: Any = _NO_DEFAULT

    @property
    def has_default(self) -> bool:
        """Whether the node declares a ``default``."""
        return self.default is not _NO_DEFAULT

    @property
    def keeps_unknown(self) -> bool:
        """Whether unknown object fields survive pruning here."""
        return self.preserve_unknown or self.additional_any

    def child(self, name: str) -> SchemaNode | None:
        """The schema of object field ``name`` (a property or the additionalProperties schema)."""
        node = self.properties.get(name)
        return node if node is not None else self.additional

    def list_key_defaults(self) -> dict[str, Any]:
        """Defaults of the list-map key fields of this array's items."""
        if self.items is None:
            return {}
        out: dict[str, Any] = {}
        for key in self.list_map_keys:
            prop = self.items.properties.get(key)
            if prop is not None and prop.has_default:
                out[key] = prop.default
        return out


def compile_node(raw: Mapping[str, Any]) -> SchemaNode:
    """Compile one schema mapping (recursively).

    Args:
        raw: An OpenAPI v3 schema node.

    Returns:
        The compiled node.
    """
    node = SchemaNode(raw=raw)
    node.type = raw.get("type")
    node.nullable = bool(raw.get("nullable", False))
    node.int_or_string = bool(raw.get("x-kubernetes-int-or-string", False))
    node.preserve_unknown = bool(raw.get("x-kubernetes-preserve-unknown-fields", False))
    node.embedded = bool(raw.get("x-kubernetes-embedded-resource", False))
    node.properties = {k: compile_node(v) for k, v in (raw.get("properties") or {}).items()}
    if isinstance(raw.get("items"), Mapping):
        node.items = compile_node(raw["items"])
    additional = raw.get("additionalProperties")
    if isinstance(additional, Mapping):
        node.additional = compile_node(additional)
    elif additional is True:
        node.additional_any = True
    node.required = tuple(raw.get("required") or ())
    node.rules = tuple(CelRule(r) for r in raw.get("x-kubernetes-validations") or ())
    node.all_of = tuple(compile_node(s) for s in raw.get("allOf") or ())
    node.any_of = tuple(compile_node(s) for s in raw.get("anyOf") or ())
    node.one_of = tuple(compile_node(s) for s in raw.get("oneOf") or ())
    if isinstance(raw.get("not"), Mapping):
        node.not_ = compile_node(raw["not"])
    node.list_type = str(raw.get("x-kubernetes-list-type") or "atomic")
    node.list_map_keys = tuple(raw.get("x-kubernetes-list-map-keys") or ())
    node.map_type = str(raw.get("x-kubernetes-map-type") or "granular")
    if "default" in raw:
        node.default = raw["default"]
    return node

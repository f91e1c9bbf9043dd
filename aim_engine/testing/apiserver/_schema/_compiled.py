"""Structural OpenAPI v3 schemas of CRD versions: defaulting, pruning, validation, list types.

:meth:`CompiledSchema.compile` turns a CRD version's ``openAPIV3Schema`` into a tree of
:class:`SchemaNode` once (CEL rules included); the fake API server then calls, per write:

1. :meth:`CompiledSchema.prune` - drop fields the schema does not know (kept under
   ``x-kubernetes-preserve-unknown-fields: true``, ``additionalProperties``, and
   ``apiVersion``/``kind``/``metadata`` at the root and of embedded resources, whose
   ``metadata`` keeps only ObjectMeta fields);
2. :meth:`CompiledSchema.apply_defaults` - fill ``default`` for absent fields (and for ``null``
   in non-nullable fields), recursively, then drop remaining non-nullable nulls;
3. :meth:`CompiledSchema.validate` - the structural checks and CEL rules
   (see :mod:`aim_engine.testing.apiserver._schema._validation`), returning :class:`FieldError` s.

:meth:`CompiledSchema.list_type_at` tells server-side apply how to merge a list.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from aim_engine.testing.apiserver._schema._field_errors import FieldError, invalid_status
from aim_engine.testing.apiserver._schema._node import SchemaNode, compile_node
from aim_engine.testing.apiserver._schema._validation import validate_object

__all__ = ["CompiledSchema", "FieldError", "SchemaNode", "invalid_status"]

_ROOT_KEEP = frozenset({"apiVersion", "kind", "metadata"})
_OBJECT_META = frozenset(
    {
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    }
)


class CompiledSchema:
    """A CRD version's structural schema, compiled once."""

    def __init__(self, root: SchemaNode) -> None:
        """Wrap a compiled root node (use :meth:`compile`)."""
        self.root = root

    @classmethod
    def compile(cls, openapi_v3_schema: Mapping[str, Any]) -> CompiledSchema:
        """Compile ``spec.versions[].schema.openAPIV3Schema``, CEL rules included.

        Args:
            openapi_v3_schema: The schema mapping.

        Returns:
            The compiled schema.

        Raises:
            CelRuleError: A CEL rule does not compile.
        """
        return cls(compile_node(openapi_v3_schema))

    def apply_defaults(self, obj: dict[str, Any]) -> None:
        """Apply ``default`` values in place, like kube-apiserver's structural defaulting.

        Args:
            obj: The whole custom object.
        """
        _default(self.root, obj)

    def prune(self, obj: dict[str, Any]) -> None:
        """Drop, in place, object fields the schema does not specify.

        Args:
            obj: The whole custom object.
        """
        _prune(self.root, obj, root=True)

    def validate(
        self, obj: Mapping[str, Any], old: Mapping[str, Any] | None = None
    ) -> list[FieldError]:
        """Validate an object (and its transition rules against ``old`` on update).

        Args:
            obj: The object after pruning and defaulting.
            old: The stored object on update, None on create.

        Returns:
            The field errors, empty when the object is valid.
        """
        return validate_object(self.root, obj, old)

    def list_type_at(self, path: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
        """The list type and map keys of the array at a field path.

        Args:
            path: Field names from the root, list positions left out
                (``("spec", "items")`` for ``spec.items[*]``).

        Returns:
            ``(list_type, map_keys)`` or None when the path is not an array of the schema.
        """
        node: SchemaNode | None = self.root
        for name in path:
            while node is not None and node.type == "array":
                node = node.items
            if node is None:
                return None
            node = node.child(name)
        if node is None or node.type != "array":
            return None
        return node.list_type, node.list_map_keys

    def node_at(self, path: tuple[str, ...]) -> SchemaNode | None:
        """The schema node at a field path (list positions left out), if any."""
        node: SchemaNode | None = self.root
        for name in path:
            while node is not None and node.type == "array":
                node = node.items
            if node is None:
                return None
            node = node.child(name)
        return node


def _default(node: SchemaNode, value: Any) -> None:
    if isinstance(value, dict):
        for name, prop in node.properties.items():
            if prop.has_default and (
                name not in value or (value[name] is None and not prop.nullable)
            ):
                value[name] = copy.deepcopy(prop.default)
            if name in value and value[name] is None and not prop.nullable:
                del value[name]
        for key, item in list(value.items()):
            child = node.properties.get(key) or node.additional
            if child is not None:
                if item is None and not child.nullable and key not in node.properties:
                    del value[key]
                    continue
                _default(child, item)
    elif isinstance(value, list) and node.items is not None:
        for item in value:
            _default(node.items, item)


def _prune(node: SchemaNode, value: Any, *, root: bool = False) -> None:
    if isinstance(value, dict):
        keep_meta = root or node.embedded
        for key in list(value):
            if keep_meta and key in _ROOT_KEEP:
                if key == "metadata" and isinstance(value[key], dict):
                    for meta_key in [k for k in value[key] if k not in _OBJECT_META]:
                        del value[key][meta_key]
                continue
            child = node.properties.get(key) or node.additional
            if child is not None:
                _prune(child, value[key])
            elif not node.keeps_unknown:
                del value[key]
    elif isinstance(value, list) and node.items is not None:
        for item in value:
            _prune(node.items, item)

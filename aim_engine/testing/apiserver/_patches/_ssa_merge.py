"""The object walks behind server-side apply: field sets, comparison, merge and removal.

Lists are handled by their list type, looked up with a :data:`ListTypeOf` function (from the
CRD schema's ``x-kubernetes-list-type`` or, for built-ins, the table in
:mod:`aim_engine.testing.apiserver._patches._builtin_lists`):

* ``map`` - items are identified by their key fields (``k:{...}`` elements), merged per item;
* ``set`` - items are scalars identified by value (``v:...`` elements), merged as a union;
* ``atomic`` - the list is one leaf, replaced whole.

Objects are granular (merged field by field) unless marked atomic
(``x-kubernetes-map-type: atomic``; ``spec.selector`` of built-in workloads), then they are one
leaf like atomic lists.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aim_engine.testing.apiserver._patches._fieldpath import (
    Path,
    field_element,
    key_element,
    value_element,
)

__all__ = [
    "Comparison",
    "ListShape",
    "ListTypeOf",
    "apply_merge",
    "compare",
    "remove_paths",
    "to_field_set",
]


@dataclass(frozen=True)
class ListShape:
    """How one list merges.

    Attributes:
        list_type: ``map``, ``set`` or ``atomic``.
        keys: Map-list key fields.
        key_defaults: Values for key fields an item omits.
        atomic_object: The object at this path is atomic (one leaf, replaced whole).
    """

    list_type: str = "atomic"
    keys: tuple[str, ...] = ()
    key_defaults: Mapping[str, Any] = field(default_factory=dict)
    atomic_object: bool = False

    def item_element(self, item: Any) -> str | None:
        """The path element of a list item, or None for atomic lists and unkeyable items."""
        if self.list_type == "set" and not isinstance(item, dict | list):
            return value_element(item)
        if self.list_type == "map" and self.keys and isinstance(item, Mapping):
            keys = {k: item.get(k, self.key_defaults.get(k)) for k in self.keys}
            return key_element({k: v for k, v in keys.items() if v is not None})
        return None

    @property
    def keyed(self) -> bool:
        """Whether items have identities (map or set list)."""
        return self.list_type == "set" or (self.list_type == "map" and bool(self.keys))


ListTypeOf = Callable[[tuple[str, ...]], ListShape]


@dataclass
class Comparison:
    """Paths added, modified and removed between two objects."""

    added: set[Path] = field(default_factory=set)
    modified: set[Path] = field(default_factory=set)
    removed: set[Path] = field(default_factory=set)


def to_field_set(value: Mapping[str, Any], list_type_of: ListTypeOf) -> set[Path]:
    """The fields an apply configuration sets: leaves, list items, empty objects.

    Args:
        value: The configuration.
        list_type_of: List shapes by field-name path.

    Returns:
        The member paths (object nodes themselves are not members).
    """
    out: set[Path] = set()
    _leaves(value, (), (), list_type_of, out, nodes=False)
    return out


def _leaves(
    value: Any,
    path: Path,
    names: tuple[str, ...],
    list_type_of: ListTypeOf,
    out: set[Path],
    *,
    nodes: bool,
) -> None:
    if isinstance(value, Mapping):
        if path and (nodes or not value or list_type_of(names).atomic_object):
            out.add(path)
        if path and list_type_of(names).atomic_object:
            return
        for key, child in value.items():
            if child is None:
                continue
            _leaves(
                child, (*path, field_element(key)), (*names, key), list_type_of, out, nodes=nodes
            )
        return
    if isinstance(value, list):
        shape = list_type_of(names)
        if not shape.keyed:
            out.add(path)
            return
        if nodes:
            out.add(path)
        for item in value:
            element = shape.item_element(item)
            if element is None:
                continue
            item_path = (*path, element)
            out.add(item_path)
            if isinstance(item, Mapping):
                for key, child in item.items():
                    if child is not None:
                        _leaves(
                            child,
                            (*item_path, field_element(key)),
                            (*names, key),
                            list_type_of,
                            out,
                            nodes=nodes,
                        )
        return
    if path:
        out.add(path)


def _subtree(value: Any, path: Path, names: tuple[str, ...], list_type_of: ListTypeOf) -> set[Path]:
    out: set[Path] = set()
    _leaves(value, path, names, list_type_of, out, nodes=True)
    out.add(path)
    return out


def compare(old: Any, new: Any, list_type_of: ListTypeOf) -> Comparison:
    """Compare two objects field by field.

    Args:
        old: The object before.
        new: The object after.
        list_type_of: List shapes by field-name path.

    Returns:
        Added paths (with every node of added subtrees), modified leaves, removed paths.
    """
    result = Comparison()
    _compare(old, new, (), (), list_type_of, result)
    return result


def _compare(
    old: Any, new: Any, path: Path, names: tuple[str, ...], lt: ListTypeOf, out: Comparison
) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping) and not lt(names).atomic_object:
        for key in new.keys() | old.keys():
            child_path, child_names = (*path, field_element(key)), (*names, key)
            if old.get(key) is None:
                if new.get(key) is not None:
                    out.added |= _subtree(new[key], child_path, child_names, lt)
            elif new.get(key) is None:
                out.removed |= _subtree(old[key], child_path, child_names, lt)
            else:
                _compare(old[key], new[key], child_path, child_names, lt, out)
        return
    if isinstance(old, list) and isinstance(new, list):
        shape = lt(names)
        if shape.keyed:
            _compare_items(old, new, shape, path, names, lt, out)
            return
    if old != new or type(old) is not type(new):
        out.modified.add(path)
        if isinstance(new, Mapping | list):
            out.added |= _subtree(new, path, names, lt) - {path}


def _compare_items(
    old: list[Any],
    new: list[Any],
    shape: ListShape,
    path: Path,
    names: tuple[str, ...],
    lt: ListTypeOf,
    out: Comparison,
) -> None:
    old_items = {shape.item_element(i): i for i in old}
    new_items = {shape.item_element(i): i for i in new}
    for element, item in new_items.items():
        if element is None:
            continue
        item_path = (*path, element)
        if element not in old_items:
            out.added |= _item_subtree(item, item_path, names, lt)
        elif isinstance(item, Mapping):
            _compare(old_items[element], item, item_path, names, lt, out)
    for element, item in old_items.items():
        if element is not None and element not in new_items:
            out.removed |= _item_subtree(item, (*path, element), names, lt)


def _item_subtree(item: Any, item_path: Path, names: tuple[str, ...], lt: ListTypeOf) -> set[Path]:
    out = {item_path}
    if isinstance(item, Mapping):
        for key, child in item.items():
            if child is not None:
                out |= _subtree(child, (*item_path, field_element(key)), (*names, key), lt)
    return out


def apply_merge(live: Any, config: Any, list_type_of: ListTypeOf) -> Any:
    """Merge an apply configuration into the live object (a new object is returned).

    Args:
        live: The live object (or None).
        config: The configuration.
        list_type_of: List shapes by field-name path.

    Returns:
        Objects merge field by field, map lists by key, set lists as a union; everything else
        (atomic lists, scalars) is replaced by the configuration.
    """
    return _merge(live, config, (), list_type_of)


def _merge(live: Any, config: Any, names: tuple[str, ...], lt: ListTypeOf) -> Any:
    granular = not names or not lt(names).atomic_object
    if isinstance(live, Mapping) and isinstance(config, Mapping) and granular:
        out = {k: copy.deepcopy(v) for k, v in live.items()}
        for key, value in config.items():
            if value is None:
                continue
            out[key] = _merge(live.get(key), value, (*names, key), lt)
        return out
    if isinstance(live, list) and isinstance(config, list):
        shape = lt(names)
        if shape.keyed:
            return _merge_items(live, config, shape, names, lt)
    return _strip_nulls(copy.deepcopy(config))


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def _merge_items(
    live: list[Any], config: list[Any], shape: ListShape, names: tuple[str, ...], lt: ListTypeOf
) -> list[Any]:
    """Merge keyed lists like the server: configuration order wins for the items it lists,
    live-only items keep their place relative to them."""
    live_ids = [shape.item_element(i) for i in live]
    config_ids = [shape.item_element(i) for i in config]
    live_by_id = {e: i for e, i in zip(live_ids, live, strict=True) if e is not None}
    in_config = set(config_ids)
    shared = [e for e in config_ids if e in live_by_id]
    out: list[Any] = []
    li = ri = 0
    while li < len(live) or ri < len(config):
        if li < len(live) and ri < len(config):
            if live_ids[li] is not None and live_ids[li] == config_ids[ri]:
                out.append(_merge(live[li], config[ri], names, lt))
                if shared and shared[0] == config_ids[ri]:
                    shared.pop(0)
                li, ri = li + 1, ri + 1
                continue
            if live_ids[li] in in_config and shared and shared[0] != live_ids[li]:
                li += 1  # a shared item, placed when the configuration reaches it
                continue
        if li < len(live) and live_ids[li] not in in_config:
            out.append(copy.deepcopy(live[li]))
            li += 1
            continue
        if ri < len(config):
            element = config_ids[ri]
            previous = live_by_id.get(element) if element is not None else None
            if previous is not None:
                out.append(_merge(previous, config[ri], names, lt))
            else:
                out.append(_strip_nulls(copy.deepcopy(config[ri])))
            if shared and shared[0] == element:
                shared.pop(0)
            ri += 1
            continue
        li += 1  # a live item the configuration already placed
    return out


def remove_paths(obj: Any, paths: set[Path], list_type_of: ListTypeOf) -> Any:
    """Remove the fields and list items at ``paths`` from a copy of ``obj``.

    Args:
        obj: The object.
        paths: Paths to remove (paths below another one go with it).
        list_type_of: List shapes by field-name path.

    Returns:
        The new object.
    """
    result = copy.deepcopy(obj)
    topmost = [p for p in paths if not any(p[:i] in paths for i in range(1, len(p)))]
    for path in sorted(topmost, key=len, reverse=True):
        _remove_one(result, path, (), list_type_of)
    return result


def _remove_one(node: Any, path: Path, names: tuple[str, ...], lt: ListTypeOf) -> None:
    """Remove one path; an object emptied by the removal goes too (it would be null)."""
    if not path:
        return
    head, rest = path[0], path[1:]
    if head.startswith("f:") and isinstance(node, dict):
        name = head[2:]
        if name not in node:
            return
        if rest:
            child = node[name]
            _remove_one(child, rest, (*names, name), lt)
            if isinstance(child, dict) and not child and (*names, name) != ("metadata",):
                del node[name]
        else:
            del node[name]
        return
    if isinstance(node, list):
        shape = lt(names)
        for n, item in enumerate(node):
            if shape.item_element(item) == head:
                if rest:
                    _remove_one(item, rest, names, lt)
                else:
                    del node[n]
                return

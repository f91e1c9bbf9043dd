"""Strategic merge patch for built-in kinds.

Like a JSON merge patch, except that lists the Kubernetes API marks ``patchStrategy: merge``
are merged instead of replaced (see :mod:`aim_engine.testing.apiserver._patches._builtin_lists`):
lists of objects by their ``patchMergeKey`` (containers by ``name``, ports by
``containerPort``...), lists of primitives as ordered sets (``finalizers``). Directives:

* ``$patch: replace`` (in a map: replace the map; as a list item: replace the list),
  ``$patch: delete`` (in a map: delete it; as a list item: delete the item with that key),
  ``$patch: merge`` (the default);
* ``$deleteFromPrimitiveList/<field>: [...]`` removes values from a primitive list;
* ``$setElementOrder/<field>: [...]`` reorders the merged list where it can;
* ``$retainKeys: [...]`` drops keys of the target map not listed before merging;
* ``null`` deletes a key.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from aim_engine.testing.apiserver._patches._builtin_lists import ListRule, builtin_list

__all__ = ["strategic_merge_patch"]

_DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"
_SET_ORDER = "$setElementOrder/"
_DELETED = object()


def strategic_merge_patch(
    target: Mapping[str, Any], patch: Mapping[str, Any], kind: str
) -> dict[str, Any]:
    """Apply a strategic merge patch to a built-in object.

    Args:
        target: The stored object.
        patch: The patch.
        kind: The object's kind (picks the list merge keys).

    Returns:
        The new object (inputs are not mutated).
    """
    result = _merge_map(copy.deepcopy(dict(target)), patch, kind, ())
    return result if isinstance(result, dict) else {}


def _merge_map(target: Any, patch: Mapping[str, Any], kind: str, path: tuple[str, ...]) -> Any:
    directive = patch.get("$patch")
    if directive == "delete":
        return _DELETED
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if not k.startswith("$")}
    base: dict[str, Any] = dict(target) if isinstance(target, Mapping) else {}
    retain = patch.get("$retainKeys")
    if isinstance(retain, list):
        base = {k: v for k, v in base.items() if k in retain}
    orders: dict[str, list[Any]] = {}
    for key, value in patch.items():
        if key.startswith(_DELETE_PRIMITIVE):
            field = key[len(_DELETE_PRIMITIVE) :]
            if isinstance(base.get(field), list) and isinstance(value, list):
                base[field] = [v for v in base[field] if v not in value]
            continue
        if key.startswith(_SET_ORDER):
            if isinstance(value, list):
                orders[key[len(_SET_ORDER) :]] = value
            continue
        if key.startswith("$"):
            continue
        if value is None:
            base.pop(key, None)
            continue
        merged = _merge_value(base.get(key), value, kind, (*path, key))
        if merged is _DELETED:
            base.pop(key, None)
        else:
            base[key] = merged
    for field, order in orders.items():
        if isinstance(base.get(field), list):
            base[field] = _reorder(base[field], order, builtin_list(kind, (*path, field)))
    return base


def _merge_value(target: Any, patch: Any, kind: str, path: tuple[str, ...]) -> Any:
    if isinstance(patch, Mapping):
        return _merge_map(target, patch, kind, path)
    if isinstance(patch, list):
        rule = builtin_list(kind, path)
        if rule.smp_merge:
            base = target if isinstance(target, list) else []
            if rule.smp_key:
                return _merge_keyed(base, patch, rule.smp_key, kind, path)
            return _merge_primitives(base, patch)
        return [_strip(copy.deepcopy(v)) for v in patch if not _is_directive_item(v)]
    return copy.deepcopy(patch)


def _is_directive_item(item: Any) -> bool:
    return isinstance(item, Mapping) and "$patch" in item


def _strip(value: Any) -> Any:
    """Drop directives and nulls from new content (built-in objects decode null as absent)."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("$") and v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _merge_primitives(target: list[Any], patch: list[Any]) -> list[Any]:
    if any(isinstance(p, Mapping) and p.get("$patch") == "replace" for p in patch):
        return [p for p in patch if not _is_directive_item(p)]
    out = list(target)
    for item in patch:
        if not _is_directive_item(item) and item not in out:
            out.append(item)
    return out


def _merge_keyed(
    target: list[Any], patch: list[Any], key: str, kind: str, path: tuple[str, ...]
) -> list[Any]:
    if any(isinstance(p, Mapping) and p.get("$patch") == "replace" and key not in p for p in patch):
        return [_strip(copy.deepcopy(p)) for p in patch if not _is_directive_item(p)]
    out = [copy.deepcopy(t) for t in target]
    for item in patch:
        if not isinstance(item, Mapping) or key not in item:
            out.append(copy.deepcopy(item))
            continue
        index = next(
            (i for i, t in enumerate(out) if isinstance(t, Mapping) and t.get(key) == item[key]),
            None,
        )
        if item.get("$patch") == "delete":
            if index is not None:
                del out[index]
            continue
        if index is None:
            out.append(_merge_map({}, item, kind, path))
        else:
            merged = _merge_map(out[index], item, kind, path)
            out[index] = merged
    return out


def _reorder(items: list[Any], order: list[Any], rule: ListRule) -> list[Any]:
    def ident(item: Any) -> Any:
        if rule.smp_key and isinstance(item, Mapping):
            return item.get(rule.smp_key)
        return item

    wanted = [ident(o) for o in order]
    ranked = [i for w in wanted for i in items if ident(i) == w]
    rest = [i for i in items if all(i is not r for r in ranked)]
    return ranked + rest

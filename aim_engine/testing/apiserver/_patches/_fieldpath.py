"""Field paths and field sets of server-side apply, and their ``fieldsV1`` encoding.

A field path is a tuple of path elements, each a string in the ``fieldsV1`` spelling:

* ``f:<name>`` - an object field;
* ``k:{"name":"nginx"}`` - an item of a map list, by its key fields (compact JSON, keys sorted);
* ``v:"x"`` - an item of a set list, by its value (compact JSON).

A :class:`FieldSet` holds the paths a manager owns. In ``fieldsV1`` a path that is a member and
also has children carries ``".": {}``; a member without children is ``{}``. Paths print in the
server's conflict notation (``.spec.containers[name="nginx"].image``) with :func:`path_string`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = [
    "FieldSet",
    "Path",
    "field_element",
    "key_element",
    "path_string",
    "value_element",
]

Path = tuple[str, ...]


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def field_element(name: str) -> str:
    """The element of object field ``name``."""
    return f"f:{name}"


def key_element(keys: Mapping[str, Any]) -> str:
    """The element of a map-list item with key fields ``keys``."""
    return "k:" + _compact(dict(keys))


def value_element(value: Any) -> str:
    """The element of a set-list item with value ``value``."""
    return "v:" + _compact(value)


def _element_string(element: str) -> str:
    tag, body = element[:2], element[2:]
    if tag == "f:":
        return "." + body
    if tag == "k:":
        keys = json.loads(body)
        return "[" + ",".join(f"{k}={_compact(v)}" for k, v in keys.items()) + "]"
    if tag == "v:":
        return f"[={body}]"
    return f"[{body}]"


def path_string(path: Path) -> str:
    """Print a path like the server does in conflict messages (``.spec.replicas``)."""
    return "".join(_element_string(e) for e in path)


class FieldSet:
    """A set of field paths (what one manager owns)."""

    __slots__ = ("_paths",)

    def __init__(self, paths: Iterable[Path] = ()) -> None:
        """Create a set from paths."""
        self._paths: set[Path] = set(paths)

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def __iter__(self) -> Iterator[Path]:
        return iter(sorted(self._paths))

    def __len__(self) -> int:
        return len(self._paths)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldSet) and self._paths == other._paths

    def __hash__(self) -> int:
        return hash(frozenset(self._paths))

    def __repr__(self) -> str:
        return f"FieldSet({sorted(self._paths)!r})"

    @property
    def paths(self) -> frozenset[Path]:
        """The member paths."""
        return frozenset(self._paths)

    def union(self, other: FieldSet | Iterable[Path]) -> FieldSet:
        """Members of either set."""
        return FieldSet(self._paths | set(other))

    def difference(self, other: FieldSet | Iterable[Path]) -> FieldSet:
        """Members of this set not in ``other``."""
        return FieldSet(self._paths - set(other))

    def intersection(self, other: FieldSet | Iterable[Path]) -> FieldSet:
        """Members of both sets."""
        return FieldSet(self._paths & set(other))

    def has_prefix(self, prefix: Path) -> bool:
        """Whether any member is ``prefix`` or lies below it."""
        n = len(prefix)
        return any(p[:n] == prefix for p in self._paths)

    def without_prefixes(self, prefixes: Iterable[Path]) -> FieldSet:
        """Members that are not one of ``prefixes`` and lie below none of them."""
        pre = set(prefixes)
        return FieldSet(
            p for p in self._paths if not any(p[:i] in pre for i in range(1, len(p) + 1))
        )

    def to_fields_v1(self) -> dict[str, Any]:
        """Encode as a ``fieldsV1`` tree."""
        tree: dict[str, Any] = {}
        for path in self._paths:
            node = tree
            for element in path:
                node = node.setdefault(element, {})
            node["."] = {}
        return _finish(tree)

    @classmethod
    def from_fields_v1(cls, tree: Mapping[str, Any]) -> FieldSet:
        """Decode a ``fieldsV1`` tree."""
        paths: set[Path] = set()
        _collect(tree, (), paths)
        return cls(paths)


def _finish(node: dict[str, Any]) -> dict[str, Any]:
    children = {k: _finish(v) for k, v in node.items() if k != "."}
    if not children:
        return {}
    out: dict[str, Any] = {".": {}} if "." in node else {}
    for key in sorted(children):
        out[key] = children[key]
    return out


def _collect(tree: Mapping[str, Any], prefix: Path, out: set[Path]) -> None:
    for key, child in tree.items():
        if key == ".":
            if prefix:
                out.add(prefix)
            continue
        path = (*prefix, key)
        if isinstance(child, Mapping) and child:
            _collect(child, path, out)
        else:
            out.add(path)

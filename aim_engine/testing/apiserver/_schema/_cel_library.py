"""The parts of the Kubernetes CEL libraries the ``cel`` package lacks: strings and lists.

kube-apiserver adds extension libraries to CEL for ``x-kubernetes-validations``. The ``cel``
package covers the standard library (``size``, ``has``, ``matches``, ``startsWith``,
``endsWith``, ``contains``, macros, ``duration``/``timestamp``); this module supplies the string
extension (``charAt``, ``indexOf``, ``lastIndexOf``, ``lowerAscii``, ``upperAscii``, ``replace``,
``split``, ``substring``, ``trim``, ``join``) and the Kubernetes list library (``isSorted``,
``sum``, ``min``, ``max``, ``indexOf``, ``lastIndexOf``) as plain functions, callable in
receiver style (``self.name.lowerAscii()``). ``quantity()``, ``url()``, ``ip()``/``cidr()``
and ``format`` are not provided.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["KUBERNETES_FUNCTIONS"]


def _char_at(s: str, i: int) -> str:
    if i < 0 or i > len(s):
        raise ValueError(f"index out of range: {i}")
    return s[i] if i < len(s) else ""


def _index_of(target: Any, needle: Any, start: int = 0) -> int:
    if isinstance(target, str):
        return target.find(needle, start)
    try:
        return list(target).index(needle)
    except ValueError:
        return -1


def _last_index_of(target: Any, needle: Any, *rest: int) -> int:
    if isinstance(target, str):
        return target.rfind(needle, 0, rest[0] + len(needle)) if rest else target.rfind(needle)
    items = list(target)
    for i in range(len(items) - 1, -1, -1):
        if items[i] == needle:
            return i
    return -1


def _replace(s: str, old: str, new: str, n: int = -1) -> str:
    return s.replace(old, new, n)


def _split(s: str, sep: str, n: int = -1) -> list[str]:
    if n == 0:
        return []
    return s.split(sep, n - 1) if n > 0 else s.split(sep)


def _substring(s: str, start: int, end: int | None = None) -> str:
    stop = len(s) if end is None else end
    if start < 0 or stop > len(s) or start > stop:
        raise ValueError(f"substring out of range: {start}, {stop}")
    return s[start:stop]


def _join(items: list[str], sep: str = "") -> str:
    return sep.join(items)


def _is_sorted(items: list[Any]) -> bool:
    values = list(items)
    return all(a <= b for a, b in itertools.pairwise(values))


def _min(items: Any, *more: Any) -> Any:
    return min(items, *more) if more else min(items)


def _max(items: Any, *more: Any) -> Any:
    return max(items, *more) if more else max(items)


KUBERNETES_FUNCTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "charAt": _char_at,
        "indexOf": _index_of,
        "lastIndexOf": _last_index_of,
        "lowerAscii": lambda s: s.lower(),
        "upperAscii": lambda s: s.upper(),
        "replace": _replace,
        "split": _split,
        "substring": _substring,
        "trim": lambda s: s.strip(),
        "join": _join,
        "isSorted": _is_sorted,
        "sum": lambda items: sum(items),
        "min": _min,
        "max": _max,
    }
)

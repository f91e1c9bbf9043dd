"""The bytes a data structure holds, by walking it: the direct cache-size figure.

:func:`deep_size` adds up ``sys.getsizeof`` of an object and of everything it references through
containers (dicts, lists, tuples, sets), ``__slots__`` and instance ``__dict__``, counting each
object once. For aim-engine's store that is: the ``bytes`` snapshot of every object, each entry,
its labels dict and index-value tuples, the key strings and the dicts of the indexes. Objects
shared with the rest of the process (interned strings, small ints, ``None``) are counted too, so
the figure errs on the high side; allocator slack (freed but unreturned heap) is not in it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

__all__ = ["deep_size"]

_ATOMIC = (str, bytes, bytearray, int, float, bool, type(None))


def _children(obj: object) -> Iterator[object]:
    if isinstance(obj, dict):
        yield from obj.keys()
        yield from obj.values()
        return
    if isinstance(obj, list | tuple | set | frozenset):
        yield from obj
        return
    for cls in type(obj).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if hasattr(obj, slot):
                yield getattr(obj, slot)
    inst = getattr(obj, "__dict__", None)
    if isinstance(inst, dict):
        yield inst


def deep_size(root: object) -> int:
    """``sys.getsizeof`` of ``root`` and of everything reachable from it (each object once)."""
    seen: set[int] = set()
    total = 0
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if not isinstance(obj, _ATOMIC):
            stack.extend(_children(obj))
    return total

"""Decoding JSON bodies and watch lines: orjson when it is installed, the standard library if not.

Decoding is the largest single cost of an informer: every listed object and every watch event
is parsed once (py-spy on a 10,000-object benchmark run: about a fifth of the controller's CPU
time was ``json.loads``). orjson parses the same documents two to three times faster and
returns the same plain ``dict``/``list``/``str``/``int``/``float`` values. It refuses a few
inputs the standard library accepts (integers beyond 64 bits, ``NaN``); those are decoded again
with :mod:`json`, so the result never depends on which parser is installed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["loads"]


def _pick() -> Callable[[bytes | str], Any]:
    try:
        import orjson  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # pragma: no cover - depends on the environment
        return json.loads

    fast = orjson.loads

    def loads(data: bytes | str) -> Any:
        try:
            return fast(data)
        except ValueError:
            return json.loads(data)

    return loads


loads: Callable[[bytes | str], Any] = _pick()
"""Decode one JSON document; raises :class:`ValueError` when it is not valid JSON."""

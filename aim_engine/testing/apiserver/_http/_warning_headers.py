"""``Warning`` response headers, written as kube-apiserver writes them.

The server sends one ``Warning: 299 - "<text>"`` header per warning (for example each unknown
field of a write under ``fieldValidation=Warn``), the text quoted with ``\\`` and ``"``
escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from multidict import CIMultiDict

__all__ = ["warning_headers"]


def warning_headers(texts: Sequence[str]) -> CIMultiDict[str] | None:
    """One ``Warning`` header per text (``None`` when there is none)."""
    if not texts:
        return None
    headers: CIMultiDict[str] = CIMultiDict()
    for text in texts:
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')
        headers.add("Warning", f'299 - "{quoted}"')
    return headers

"""Query strings as kube-apiserver expects them.

kubernetes-asyncio's generated code sends Python booleans as ``True``; we build the query list
ourselves so booleans are always ``true``/``false`` and absent options are left out entirely.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["QueryValue", "build_query"]

QueryValue = str | int | bool | None


def build_query(params: Mapping[str, QueryValue]) -> list[tuple[str, str]]:
    """Turn options into ``(name, value)`` pairs, dropping ``None`` and rendering booleans.

    Empty strings are dropped as well: for every Kubernetes query option an empty value means
    the same as leaving it out.
    """
    out: list[tuple[str, str]] = []
    for name, value in params.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            out.append((name, "true" if value else "false"))
        else:
            out.append((name, str(value)))
    return out

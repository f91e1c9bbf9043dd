"""``meta.k8s.io/v1`` Table output, which ``kubectl get`` asks for.

When the ``Accept`` header carries ``as=Table``, list, get and watch answer with a Table: column
definitions plus one row per object whose cells come from the CRD version's
``additionalPrinterColumns`` (evaluated with a small JSONPath subset: ``.a.b``, ``.a[0].b``,
``.a[?(@.type=="Ready")].status``), or ``Name``/``Age`` plus a few well-known columns for
built-ins. ``date`` cells are rendered as a human age (``5m``) the way the real server does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from aim_engine.testing.apiserver._storage._resource_table import PrinterColumn, ServedResource

__all__ = ["evaluate_jsonpath", "human_age", "table_for", "wants_table"]

_NAME_COL = PrinterColumn(
    "Name", "string", ".metadata.name", "Name must be unique within a namespace."
)
_AGE_COL = PrinterColumn(
    "Age",
    "date",
    ".metadata.creationTimestamp",
    "CreationTimestamp is a timestamp representing the server time when this object was created.",
)
_BUILTIN_COLUMNS: Mapping[str, tuple[PrinterColumn, ...]] = {
    "namespaces": (PrinterColumn("Status", "string", ".status.phase"),),
    "secrets": (PrinterColumn("Type", "string", ".type"),),
    "customresourcedefinitions": (
        PrinterColumn("Created At", "date", ".metadata.creationTimestamp"),
    ),
}
_STEP = re.compile(
    r"\.([^.\[]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_.]+)\s*==\s*[\"']([^\"']*)[\"']\)\]|\[\*\]"
)


def wants_table(accept: str) -> bool:
    """Whether an ``Accept`` header asks for ``meta.k8s.io`` Tables."""
    return "as=Table" in accept and "g=meta.k8s.io" in accept


def evaluate_jsonpath(obj: Any, path: str) -> list[Any]:
    """Evaluate a simple JSONPath (``{}`` optional) against an object; all matches, in order."""
    expr = path.strip()
    if expr.startswith("{") and expr.endswith("}"):
        expr = expr[1:-1]
    if expr.startswith("$"):
        expr = expr[1:]
    current: list[Any] = [obj]
    pos = 0
    while pos < len(expr):
        m = _STEP.match(expr, pos)
        if not m:
            return []
        pos = m.end()
        nxt: list[Any] = []
        for value in current:
            if m.group(1) is not None and isinstance(value, Mapping) and m.group(1) in value:
                nxt.append(value[m.group(1)])
            elif (
                m.group(2) is not None and isinstance(value, list) and int(m.group(2)) < len(value)
            ):
                nxt.append(value[int(m.group(2))])
            elif m.group(3) is not None and isinstance(value, list):
                nxt.extend(
                    item
                    for item in value
                    if str(_first(evaluate_jsonpath(item, "." + m.group(3)))) == m.group(4)
                )
            elif m.group(0) == "[*]" and isinstance(value, list):
                nxt.extend(value)
        current = nxt
    return current


def _first(values: Sequence[Any]) -> Any:
    return values[0] if values else None


def human_age(timestamp: str, now: dt.datetime) -> str:
    """A Kubernetes-style short age (``45s``, ``3m20s``, ``5h``, ``2d``) of an RFC 3339 time."""
    try:
        then = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return "<unknown>"
    seconds = int((now - then).total_seconds())
    if seconds < -1:
        return "<invalid>"
    seconds = max(seconds, 0)
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    return f"{days}d" if days < 730 else f"{days // 365}y"


def _columns(res: ServedResource, version: str) -> tuple[PrinterColumn, ...]:
    served = res.versions.get(version)
    if served is not None and served.printer_columns:
        return (_NAME_COL, *served.printer_columns)
    return (_NAME_COL, *_BUILTIN_COLUMNS.get(res.plural, ()), _AGE_COL)


def _cell(col: PrinterColumn, obj: Mapping[str, Any], now: dt.datetime) -> Any:
    value = _first(evaluate_jsonpath(obj, col.json_path))
    if value is None:
        return None
    if col.type == "date":
        return human_age(str(value), now)
    if col.type == "integer" and isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if col.type in ("string",) and not isinstance(value, str):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value


def table_for(
    res: ServedResource,
    version: str,
    objects: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    *,
    include_object: str = "Metadata",
    list_meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Render objects as a ``meta.k8s.io/v1`` Table.

    Args:
        res: the resource (for its printer columns).
        version: the requested version.
        objects: the objects (served form).
        now: current time, for ages.
        include_object: ``None``, ``Metadata`` (default) or ``Object``, as the query parameter.
        list_meta: the table's ``metadata`` (resourceVersion, continue).
    """
    cols = _columns(res, version)
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": [_cell(c, obj, now) for c in cols]}
        if include_object == "Object":
            row["object"] = dict(obj)
        elif include_object != "None":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": dict(obj.get("metadata") or {}),
            }
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": dict(list_meta or {}),
        "columnDefinitions": [
            {
                "name": c.name,
                "type": c.type,
                "format": "name" if c is _NAME_COL else c.format,
                "description": c.description,
                "priority": c.priority,
            }
            for c in cols
        ],
        "rows": rows,
    }

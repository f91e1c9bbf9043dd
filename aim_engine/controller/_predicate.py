"""Event filters: which watch events may enqueue a reconcile.

A predicate sees one :class:`ObjectEvent` (its type, the object, and for updates the previous
state) and returns ``True`` to let it through. Predicates only *filter*; they never steer what a
reconcile does (the reconcile is level-based and never sees the event).

The semantics follow controller-runtime's predicate package: the "changed" predicates compare old
and new on updates and let every add and delete through; :func:`label_selector` judges the object
(the new state on updates) on every event type. Combine them with :func:`and_`, :func:`or_` and
:func:`not_`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from aim_engine.errors import ConfigurationError
from aim_engine.objects import RawObject, meta, resource_version_of

__all__ = [
    "EventType",
    "ObjectEvent",
    "Predicate",
    "and_",
    "annotations_changed",
    "generation_changed",
    "label_selector",
    "labels_changed",
    "not_",
    "or_",
    "resource_version_changed",
]


class EventType(enum.Enum):
    """The kind of change an informer reported."""

    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class ObjectEvent:
    """One informer event, as predicates and handlers see it.

    Attributes:
        type: add, update or delete.
        obj: the object (the new state on updates, the last known state on deletes).
        old: the previous state, on updates only.
        initial: an add delivered by the informer's initial list (not a real creation).
        resync: an update replayed by a periodic resync (old and new are the same version).
    """

    type: EventType
    obj: RawObject
    old: RawObject | None = None
    initial: bool = False
    resync: bool = False


Predicate: TypeAlias = Callable[[ObjectEvent], bool]
"""A filter over events: ``True`` lets the event enqueue a reconcile."""


def _on_update(compare: Callable[[Mapping[str, Any], Mapping[str, Any]], bool]) -> Predicate:
    def predicate(event: ObjectEvent) -> bool:
        if event.type is not EventType.UPDATE:
            return True
        if event.old is None:
            return False
        return compare(event.old, event.obj)

    return predicate


generation_changed: Predicate = _on_update(
    lambda old, new: meta(old).get("generation") != meta(new).get("generation")
)
"""Updates pass only when ``metadata.generation`` changed (status-only writes are dropped)."""

resource_version_changed: Predicate = _on_update(
    lambda old, new: resource_version_of(old) != resource_version_of(new)
)
"""Updates pass only when ``metadata.resourceVersion`` changed (drops resync replays)."""

labels_changed: Predicate = _on_update(
    lambda old, new: (meta(old).get("labels") or {}) != (meta(new).get("labels") or {})
)
"""Updates pass only when ``metadata.labels`` changed."""

annotations_changed: Predicate = _on_update(
    lambda old, new: (meta(old).get("annotations") or {}) != (meta(new).get("annotations") or {})
)
"""Updates pass only when ``metadata.annotations`` changed."""

_OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})


def label_selector(selector: Mapping[str, Any]) -> Predicate:
    """Pass events whose object's labels match a Kubernetes ``LabelSelector``.

    Args:
        selector: either a ``LabelSelector`` object (``{"matchLabels": {...}, "matchExpressions":
            [{"key", "operator", "values"}]}``, operators ``In``, ``NotIn``, ``Exists``,
            ``DoesNotExist``) or a plain ``{label: value}`` mapping of required labels. An empty
            selector matches everything.

    Returns:
        The predicate.

    Raises:
        ConfigurationError: an unknown operator, or ``values`` missing for ``In``/``NotIn``.
    """
    if "matchLabels" in selector or "matchExpressions" in selector:
        match_labels = dict(selector.get("matchLabels") or {})
        expressions = list(selector.get("matchExpressions") or [])
    else:
        match_labels, expressions = dict(selector), []
    for expr in expressions:
        op = expr.get("operator")
        if op not in _OPERATORS:
            raise ConfigurationError(f"unknown label selector operator {op!r}")
        if op in ("In", "NotIn") and not expr.get("values"):
            raise ConfigurationError(f"label selector operator {op} needs values")

    def predicate(event: ObjectEvent) -> bool:
        labels = meta(event.obj).get("labels") or {}
        if any(labels.get(k) != v for k, v in match_labels.items()):
            return False
        for expr in expressions:
            key, op = expr["key"], expr["operator"]
            values = set(expr.get("values") or ())
            if op == "In" and labels.get(key) not in values:
                return False
            if op == "NotIn" and key in labels and labels[key] in values:
                return False
            if op == "Exists" and key not in labels:
                return False
            if op == "DoesNotExist" and key in labels:
                return False
        return True

    return predicate


def and_(*predicates: Predicate) -> Predicate:
    """Pass an event only if every predicate passes it (``and_()`` passes everything)."""
    preds = tuple(predicates)
    return lambda event: all(p(event) for p in preds)


def or_(*predicates: Predicate) -> Predicate:
    """Pass an event if any predicate passes it (``or_()`` passes nothing)."""
    preds = tuple(predicates)
    return lambda event: any(p(event) for p in preds)


def not_(predicate: Predicate) -> Predicate:
    """Pass exactly the events ``predicate`` rejects."""
    return lambda event: not predicate(event)


def passes(predicates: Iterable[Predicate], event: ObjectEvent) -> bool:
    """Whether ``event`` passes every predicate in ``predicates``."""
    return all(p(event) for p in predicates)

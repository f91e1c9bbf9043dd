"""Event handlers: turn an informer event into the keys of the objects to reconcile.

Three handlers cover what controllers need (controller-runtime's ``handler`` package):

* :class:`EnqueueForObject`: the object itself (the primary kind of a controller).
* :class:`EnqueueForOwner`: the owner named by the object's ownerReferences whose group and kind
  match the owner kind (only the *controller* reference by default), so a change to a child
  reconciles its parent.
* :class:`EnqueueMapped`: whatever a user function returns for the object.

:class:`InformerBinding` plugs a handler and its predicates into an informer: it receives the
informer's synchronous callbacks, builds an :class:`ObjectEvent`, filters it and enqueues each key.
Events from the initial list and from resync replays are enqueued with the queue's
:data:`~aim_engine.queue.LOW_PRIORITY`, so after a restart real changes are reconciled before the
bulk of unchanged objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from aim_engine.controller._predicate import EventType, ObjectEvent, Predicate, passes
from aim_engine.controller._types import Request
from aim_engine.kinds import ResourceKind
from aim_engine.objects import RawObject, key_of, meta, namespace_of, resource_version_of
from aim_engine.queue import LOW_PRIORITY

__all__ = [
    "EnqueueForObject",
    "EnqueueForOwner",
    "EnqueueMapped",
    "EventHandler",
    "InformerBinding",
    "MapFunction",
]

MapFunction = Callable[[RawObject], Iterable[Request]]
"""Maps a watched object to the keys to reconcile."""


class EventHandler(Protocol):
    """Maps one event to the requests it should enqueue."""

    def requests(self, event: ObjectEvent) -> Iterable[Request]:
        """The keys to enqueue for ``event`` (possibly none)."""
        ...


class EnqueueForObject:
    """Enqueue the event's own object."""

    def requests(self, event: ObjectEvent) -> Iterable[Request]:
        """One request: the object's namespace and name."""
        return (key_of(event.obj),)


def _group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


class EnqueueForOwner:
    """Enqueue the owner of the event's object.

    Args:
        owner: the owner's kind; references match on API group and kind (any version).
        only_controller: follow only the reference with ``controller: true`` (the default, as
            ``Owns()`` does); ``False`` follows every matching reference.
    """

    def __init__(self, owner: ResourceKind, *, only_controller: bool = True) -> None:
        self._owner = owner
        self._only_controller = only_controller

    def _owners(self, obj: RawObject) -> list[Request]:
        namespace = namespace_of(obj) if self._owner.namespaced else ""
        found = []
        for ref in meta(obj).get("ownerReferences") or ():
            if self._only_controller and not ref.get("controller"):
                continue
            if ref.get("kind") != self._owner.kind:
                continue
            if _group_of(str(ref.get("apiVersion", ""))) != self._owner.group:
                continue
            found.append(Request(namespace, str(ref.get("name", ""))))
        return found

    def requests(self, event: ObjectEvent) -> Iterable[Request]:
        """The matching owners of the object (and of its previous state, on updates)."""
        found = self._owners(event.obj)
        if event.old is not None:
            found += [r for r in self._owners(event.old) if r not in found]
        return found


class EnqueueMapped:
    """Enqueue what ``map_fn`` returns for the object (and for its previous state on updates)."""

    def __init__(self, map_fn: MapFunction) -> None:
        self._map_fn = map_fn

    def requests(self, event: ObjectEvent) -> Iterable[Request]:
        """The de-duplicated union of ``map_fn`` over the new and old states."""
        found = list(dict.fromkeys(self._map_fn(event.obj)))
        if event.old is not None:
            found += [r for r in self._map_fn(event.old) if r not in found]
        return found


class Enqueue(Protocol):
    """Where an :class:`InformerBinding` puts keys (a work queue's ``add``)."""

    def __call__(self, request: Request, *, priority: int = 0) -> None: ...


class InformerBinding:
    """The informer handler of one controller watch: filter, map, enqueue.

    It implements the informer handler interface (synchronous ``on_add``, ``on_update``,
    ``on_delete``), so it must never block or await.

    Args:
        handler: maps events to requests.
        predicates: every one must pass for an event to enqueue anything.
        enqueue: called with each request and its priority.
    """

    def __init__(
        self, handler: EventHandler, predicates: Sequence[Predicate], enqueue: Enqueue
    ) -> None:
        self._handler = handler
        self._predicates = tuple(predicates)
        self._enqueue = enqueue

    def dispatch(self, event: ObjectEvent) -> None:
        """Filter ``event`` and enqueue every request it maps to."""
        if not passes(self._predicates, event):
            return
        priority = LOW_PRIORITY if event.initial or event.resync else 0
        for request in self._handler.requests(event):
            self._enqueue(request, priority=priority)

    def on_add(self, obj: RawObject, is_initial_list: bool) -> None:
        """Informer callback: an object appeared (or was listed at start)."""
        self.dispatch(ObjectEvent(EventType.ADD, obj, initial=is_initial_list))

    def on_update(self, old: RawObject, new: RawObject, is_resync: bool) -> None:
        """Informer callback: an object changed (or a resync replayed it)."""
        resync = is_resync or resource_version_of(old) == resource_version_of(new)
        self.dispatch(ObjectEvent(EventType.UPDATE, new, old, resync=resync))

    def on_delete(self, obj: RawObject) -> None:
        """Informer callback: an object is gone."""
        self.dispatch(ObjectEvent(EventType.DELETE, obj))

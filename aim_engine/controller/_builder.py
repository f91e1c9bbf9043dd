"""The controller builder: say what to watch and how, then hand over the reconciler.

::

    controller = (
        builder(manager)
        .named("configmap-mirror")
        .for_(CONFIG_MAP, predicates=[label_selector({"mirror": "true"})])
        .owns(SECRET)
        .watches(NAMESPACE, lambda ns: [Request("", name_of(ns))])
        .with_options(max_concurrent_reconciles=4)
        .complete(MirrorReconciler(manager.cache, manager.client))
    )

``for_`` names the primary kind: its events enqueue the object itself. ``owns`` enqueues the
primary object named by a child's controller ownerReference. ``watches`` enqueues whatever a map
function returns. Each watch is a handler on a shared informer of the host's cache, registered by
:meth:`ControllerBuilder.complete` before the cache starts, so the initial list reaches it.

The host is anything satisfying :class:`ControllerHost`: the :class:`~aim_engine.manager.Manager`
(which then runs the controller) or a :class:`ControllerDeps` for running a controller by hand.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, Self, TypeAlias

from prometheus_client import CollectorRegistry

from aim_engine.clock import Clock
from aim_engine.controller._classify import ErrorCategory
from aim_engine.controller._controller import Controller
from aim_engine.controller._handler import (
    EnqueueForObject,
    EnqueueForOwner,
    EnqueueMapped,
    EventHandler,
    InformerBinding,
    MapFunction,
)
from aim_engine.controller._metrics import ControllerMetrics
from aim_engine.controller._predicate import Predicate
from aim_engine.controller._types import Reconciler, Request
from aim_engine.errors import ConfigurationError
from aim_engine.kinds import ResourceKind
from aim_engine.queue import RateLimiter, WorkQueue

__all__ = [
    "ControllerBuilder",
    "ControllerDeps",
    "ControllerHost",
    "InformerSource",
    "builder",
    "new_controller_metrics",
]


LabelSelectorArg: TypeAlias = str | Mapping[str, str] | None
"""A server-side label selector: ``"a=b,c!=d"`` or a mapping of required values."""


class _Informer(Protocol):
    def add_handler(self, handler: InformerBinding) -> object: ...


class InformerSource(Protocol):
    """The part of :class:`aim_engine.cache.Cache` the builder uses."""

    def informer(
        self,
        kind: ResourceKind,
        *,
        namespace: str | None = None,
        label_selector: LabelSelectorArg = None,
        field_selector: str | None = None,
    ) -> _Informer:
        """The shared informer for ``kind`` and these selectors."""
        ...


class ControllerHost(Protocol):
    """What a controller is built on: a cache, a clock, metrics, and a place to register it."""

    @property
    def cache(self) -> InformerSource:
        """Informers for the watches."""
        ...

    @property
    def clock(self) -> Clock:
        """The clock of queues and workers."""
        ...

    @property
    def registry(self) -> CollectorRegistry | None:
        """Where ``workqueue_*`` metrics go."""
        ...

    @property
    def controller_metrics(self) -> ControllerMetrics:
        """The ``controller_runtime_*`` families on :attr:`registry`."""
        ...

    def add_controller(self, controller: Controller) -> None:
        """Take ownership of a built controller (a Manager runs it).

        Raises:
            ConfigurationError: a controller with that name already exists.
        """
        ...


def new_controller_metrics(registry: CollectorRegistry) -> ControllerMetrics:
    """The controller metric families on ``registry``, zero-filling every error category."""
    return ControllerMetrics(registry, [c.value for c in ErrorCategory])


@dataclass
class ControllerDeps:
    """A minimal :class:`ControllerHost` for running controllers without a Manager.

    Attributes:
        cache: the cache whose informers feed the controllers.
        clock: the clock for queues and workers.
        registry: where metrics go (a fresh one by default).
        controllers: the controllers built on this host, by name.
    """

    cache: InformerSource
    clock: Clock
    registry: CollectorRegistry = field(
        default_factory=lambda: CollectorRegistry(auto_describe=True)
    )
    controllers: dict[str, Controller] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.controller_metrics = new_controller_metrics(self.registry)

    def add_controller(self, controller: Controller) -> None:
        """Record ``controller``.

        Raises:
            ConfigurationError: the name is taken.
        """
        if controller.name in self.controllers:
            raise ConfigurationError(f"duplicate controller name {controller.name!r}")
        self.controllers[controller.name] = controller


@dataclass(frozen=True, slots=True)
class _Watch:
    kind: ResourceKind
    handler: EventHandler
    predicates: tuple[Predicate, ...]
    namespace: str | None
    label_selector: LabelSelectorArg


class ControllerBuilder:
    """Fluent builder of a :class:`Controller`; see the module docstring."""

    def __init__(self, host: ControllerHost) -> None:
        self._host = host
        self._name: str | None = None
        self._primary: ResourceKind | None = None
        self._watches: list[_Watch] = []
        self._filters: list[Predicate] = []
        self._max_concurrent = 1
        self._timeout: float | None = None
        self._rate_limiter: RateLimiter[Hashable] | None = None
        self._need_leader = True

    def named(self, name: str) -> Self:
        """Set the controller name (default: the primary kind, lower-case)."""
        self._name = name
        return self

    def for_(
        self,
        kind: ResourceKind,
        *,
        predicates: Sequence[Predicate] = (),
        namespace: str | None = None,
        label_selector: LabelSelectorArg = None,
    ) -> Self:
        """Reconcile objects of ``kind``: each event enqueues the object itself.

        Raises:
            ConfigurationError: called twice.
        """
        if self._primary is not None:
            raise ConfigurationError("for_() may be called only once")
        self._primary = kind
        self._watches.append(
            _Watch(kind, EnqueueForObject(), tuple(predicates), namespace, label_selector)
        )
        return self

    def owns(
        self,
        kind: ResourceKind,
        *,
        predicates: Sequence[Predicate] = (),
        only_controller: bool = True,
        namespace: str | None = None,
        label_selector: LabelSelectorArg = None,
    ) -> Self:
        """Watch child ``kind``; an event enqueues the primary object that controls the child.

        Raises:
            ConfigurationError: called before :meth:`for_`.
        """
        if self._primary is None:
            raise ConfigurationError("call for_() before owns()")
        handler = EnqueueForOwner(self._primary, only_controller=only_controller)
        self._watches.append(_Watch(kind, handler, tuple(predicates), namespace, label_selector))
        return self

    def watches(
        self,
        kind: ResourceKind,
        map_fn: MapFunction,
        *,
        predicates: Sequence[Predicate] = (),
        namespace: str | None = None,
        label_selector: LabelSelectorArg = None,
    ) -> Self:
        """Watch ``kind``; an event enqueues every request ``map_fn(obj)`` returns."""
        handler = EnqueueMapped(map_fn)
        self._watches.append(_Watch(kind, handler, tuple(predicates), namespace, label_selector))
        return self

    def with_event_filter(self, predicate: Predicate) -> Self:
        """Apply ``predicate`` to the events of every watch of this controller."""
        self._filters.append(predicate)
        return self

    def with_options(
        self,
        *,
        max_concurrent_reconciles: int | None = None,
        reconcile_timeout: float | None = None,
        rate_limiter: RateLimiter[Hashable] | None = None,
        need_leader_election: bool | None = None,
    ) -> Self:
        """Tune the controller; ``None`` keeps a setting's current value.

        Args:
            max_concurrent_reconciles: worker count (default 1).
            reconcile_timeout: seconds before a reconcile is cancelled (default: no limit).
            rate_limiter: the queue's retry limiter (default: client-go's controller limiter,
                max of per-item 5 ms..1000 s exponential and a 10 qps / 100 burst bucket).
            need_leader_election: run only on the leader (default ``True``).
        """
        if max_concurrent_reconciles is not None:
            self._max_concurrent = max_concurrent_reconciles
        if reconcile_timeout is not None:
            self._timeout = reconcile_timeout
        if rate_limiter is not None:
            self._rate_limiter = rate_limiter
        if need_leader_election is not None:
            self._need_leader = need_leader_election
        return self

    def complete(self, reconciler: Reconciler) -> Controller:
        """Build the controller, register its watches and hand it to the host.

        Raises:
            ConfigurationError: no :meth:`for_`, or the name is taken.
        """
        if self._primary is None:
            raise ConfigurationError("a controller needs for_(kind)")
        host = self._host
        name = self._name or self._primary.kind.lower()
        queue: WorkQueue[Request] = WorkQueue(
            clock=host.clock,
            rate_limiter=self._rate_limiter,
            name=name,
            controller=name,
            registry=host.registry,
        )
        controller = Controller(
            name=name,
            kind=self._primary.kind,
            reconciler=reconciler,
            queue=queue,
            clock=host.clock,
            metrics=host.controller_metrics.bind(name, self._max_concurrent),
            max_concurrent_reconciles=self._max_concurrent,
            reconcile_timeout=self._timeout,
            need_leader_election=self._need_leader,
        )
        host.add_controller(controller)
        for watch in self._watches:
            informer = host.cache.informer(
                watch.kind, namespace=watch.namespace, label_selector=watch.label_selector
            )
            predicates = (*self._filters, *watch.predicates)
            informer.add_handler(InformerBinding(watch.handler, predicates, controller.enqueue))
        return controller


def builder(host: ControllerHost) -> ControllerBuilder:
    """Start building a controller on ``host`` (a Manager or :class:`ControllerDeps`)."""
    return ControllerBuilder(host)

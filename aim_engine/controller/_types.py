"""The reconcile contract: a key in, a :class:`Result` out.

A reconciler is level-based: it receives a :data:`Request` naming one object (namespace and name,
never the event that caused it), reads the world from the cache, drives it towards the desired
state and returns a :class:`Result`. ``Result()`` means "done until something changes";
``Result(requeue_after=s)`` means "look again in ``s`` seconds". Failures are raised, not returned:
see :mod:`aim_engine.errors` and :func:`aim_engine.controller.classify`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from aim_engine.objects import ObjectKey

__all__ = ["Reconciler", "Request", "Result"]


Request = ObjectKey
"""The key of one object to reconcile: :class:`aim_engine.objects.ObjectKey` under its
controller-runtime name (``reconcile.Request`` is a ``NamespacedName``). ``request.namespace`` is
``""`` for cluster-scoped objects; ``Request("ns", "name")`` and ``key_of(obj)`` build one."""


@dataclass(frozen=True, slots=True)
class Result:
    """What a successful reconcile asks for next.

    Attributes:
        requeue_after: seconds after which to reconcile the same key again, or ``None`` (the
            default) to wait for the next change. There is deliberately no ``requeue: bool``
            (deprecated upstream): raise :class:`aim_engine.errors.RetryableError` to retry with
            backoff.

    Raises:
        ValueError: ``requeue_after`` is negative or not finite.
    """

    requeue_after: float | None = None

    def __post_init__(self) -> None:
        if self.requeue_after is not None and (
            not math.isfinite(self.requeue_after) or self.requeue_after < 0
        ):
            raise ValueError("requeue_after must be a finite number of seconds >= 0")


@runtime_checkable
class Reconciler(Protocol):
    """Anything with an ``async reconcile(request) -> Result``."""

    async def reconcile(self, request: Request) -> Result:
        """Bring the object named by ``request`` to its desired state.

        Raises:
            aim_engine.errors.RetryableError: retry (after ``requeue_after`` or with backoff).
            aim_engine.errors.TerminalError: record the failure; do not retry until a change.
        """
        ...

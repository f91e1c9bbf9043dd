"""The per-kind half of the pipeline: the :class:`Domain` protocol and what it is handed.

A kind's reconciler is a :class:`Domain` plus :class:`PipelineOptions`; the generic
:class:`~controllers.engine.pipeline.Pipeline` does everything else. Only ``fetch`` does I/O;
the other four are pure functions of plain data, so they are tested with tables::

    class RuntimeConfigDomain:
        async def fetch(self, ctx, obj):            # reads only: ctx.reader (the cache), ctx.client
            return fetch(lambda: ctx.reader.get(CONFIG_MAP, ..., ...))
        def compose(self, obj, fetched):            # interpret: booleans, selections
            return fetched
        def health(self, obj, observation):         # -> [ComponentHealth(...), ...]
            return [downstream_health("EnvConfigMap", observation)]
        def plan(self, obj, observation):           # -> Plan(apply=[...], requeue_after=...)
            return Plan(apply=[config_map_for(obj)])
        def decorate(self, obj, observation, status):   # extra status fields and conditions
            status.fields["resolvedThing"] = ...

Rules for a domain:

* ``fetch`` reads everything the other steps need (the merged runtime config included) and
  returns it with each read's error captured (:class:`~controllers.engine.health.Fetched`), so
  one missing object does not hide the rest. If it raises an API or transport error anyway, the
  pipeline turns that into an infrastructure error of the whole reconcile.
* ``plan`` sees the object's *previous* status (it runs before the state engine, spec §14.1).
* ``decorate`` may add conditions (``status.conditions.set(...)``) and set status fields (wire
  names, JSON values); it must not write ``status``, ``conditions`` or ``observedGeneration``,
  which the engine owns.
* ``compose``, ``health``, ``plan`` and ``decorate`` do not raise on purpose: bad input is a
  :class:`~controllers.engine.health.CategorizedError` in a health record. An exception from
  them is a bug; it propagates, and the framework logs it with its traceback and retries with
  backoff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from aim_engine import Client, Clock, Reader
from aim_engine.api.v1alpha1 import AimObject, AIMStatus
from aim_engine.api.v1alpha1.labels import managed_by_value
from controllers.engine.conditions import ConditionManager
from controllers.engine.health import ComponentHealth
from controllers.engine.plan import Plan
from controllers.engine.status import identity_status
from controllers.engine.timing import INFRA_ERROR_GRACE

__all__ = ["Domain", "FetchContext", "PipelineOptions", "StatusDraft"]

M = TypeVar("M", bound=AimObject)
M_contra = TypeVar("M_contra", bound=AimObject, contravariant=True)
F = TypeVar("F")
O = TypeVar("O")  # noqa: E741 - O for Observation, as in the spec


@dataclass(frozen=True, slots=True)
class FetchContext:
    """What ``fetch`` may use.

    Attributes:
        reader: the informer cache (use it for every read it can serve).
        client: the API client, for reads the cache cannot serve (pod logs, a live read that
            must not lag; say why in a comment).
        clock: the injected clock.
    """

    reader: Reader
    client: Client
    clock: Clock


@dataclass(slots=True)
class StatusDraft:
    """The status being built, as ``decorate`` sees it.

    Attributes:
        fields: status fields other than ``status``, ``conditions`` and ``observedGeneration``
            (wire names), starting from the previous status; set a field to ``None`` to drop it.
        conditions: the condition manager (add domain conditions such as ``Discovered``).
    """

    fields: dict[str, Any]
    conditions: ConditionManager


class Domain(Protocol[M_contra, F, O]):
    """The per-kind logic the pipeline runs (see the module docstring)."""

    async def fetch(self, ctx: FetchContext, obj: M_contra) -> F:
        """Read everything the reconcile needs; capture errors in the result."""
        ...

    def compose(self, obj: M_contra, fetched: F) -> O:
        """Interpret the fetched data (pure)."""
        ...

    def health(self, obj: M_contra, observation: O) -> Sequence[ComponentHealth]:
        """One health record per component (pure)."""
        ...

    def plan(self, obj: M_contra, observation: O) -> Plan:
        """The desired children (pure)."""
        ...

    def decorate(self, obj: M_contra, observation: O, status: StatusDraft) -> None:
        """Kind-specific status fields and conditions (pure apart from editing ``status``)."""
        ...


@dataclass(frozen=True, slots=True)
class PipelineOptions(Generic[M]):
    """The static settings of one kind's pipeline.

    Attributes:
        controller: the controller name (``service``, ``cluster-model``...): the field manager,
            the event source and the managed-by label are ``aim-<controller>-controller``.
        model: the kind's API type; the object is validated against it once per reconcile.
        writes_status_field: whether the kind's status has an overall ``status`` field
            (runtime configs have conditions only).
        map_status: the per-kind spelling of the overall status
            (:func:`~controllers.engine.status.service_status` for AIMService).
        force_apply: server-side apply with ``force`` (the controller is the only writer of the
            fields it sends; without force a field someone else set would block every apply).
        grace: the infrastructure-error grace period in seconds.
    """

    controller: str
    model: type[M]
    writes_status_field: bool = True
    map_status: Callable[[AIMStatus], AIMStatus] = field(default=identity_status)
    force_apply: bool = True
    grace: float = INFRA_ERROR_GRACE

    @property
    def field_manager(self) -> str:
        """The server-side apply field manager: ``aim-<controller>-controller``."""
        return managed_by_value(self.controller)

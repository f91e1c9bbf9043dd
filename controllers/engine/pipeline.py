"""The generic reconcile pipeline (spec §4.1): the I/O edges around the pure state engine.

:class:`Pipeline` is an :class:`aim_engine.controller.Reconciler`. One reconcile:

1. **get** the object from the cache (gone ⇒ done). A kind with finalizers wraps the pipeline:
   it handles deletion itself and calls :meth:`Pipeline.run` with the object. An object being
   deleted is left alone (its children are garbage-collected);
2. **paused** (annotation ``aim.eai.amd.com/reconciliation-paused: "true"``) ⇒ done, nothing
   written;
3. **validate** the object against the kind's API model once; a malformed object becomes an
   InvalidSpec error (``ConfigValid=False``, ``Failed``) instead of an exception;
4. **fetch** (the domain's only I/O; the merged runtime config is one of its reads), then the
   pure **compose**, **plan** (sees the previous status) and **health**;
5. the pure **state engine** (:func:`~controllers.engine.state.evaluate`) decides conditions,
   overall status and whether to apply;
6. **delete** then **apply** the plan, owned objects first (server-side apply as
   ``aim-<controller>-controller``, deterministic order, the first failure stops the rest),
   skipping children that are unchanged since this pipeline last applied them
   (:mod:`controllers.engine.applier`). A failure re-runs the state engine with it
   (``DependenciesReachable=False``, "Failed to apply resources: ...");
7. **status**: written (server-side apply on the ``status`` subresource) only if it differs
   from the stored one. With ``lastTransitionTime`` moving only on status changes, Events only
   on transitions and unchanged children not re-applied, a reconcile that finds nothing new
   sends no request at all;
8. **events and logs** for condition transitions (:mod:`controllers.engine.events`);
9. **return**: raise the decision's error (see :mod:`controllers.engine.decision`; the
   framework's ``classify`` picks backoff, quiet requeue or no retry), else
   ``Result(requeue_after=plan.requeue_after)``.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from aim_engine import (
    ApiError,
    Client,
    Clock,
    ConflictError,
    EventRecorder,
    Manager,
    NotFoundError,
    OwnerReferenceError,
    RawObject,
    Reader,
    ResourceKind,
    TransportError,
    is_deleting,
    meta,
    write_status_if_changed,
)
from aim_engine.api.v1alpha1 import AimObject
from aim_engine.api.v1alpha1.labels import Annotations
from aim_engine.controller import Request, Result
from controllers.engine.applier import Applier
from controllers.engine.conditions import ConditionManager
from controllers.engine.domain import Domain, FetchContext, PipelineOptions, StatusDraft
from controllers.engine.events import EVENT_ACTION, event_intents, log_records
from controllers.engine.health import CategorizedError, ComponentHealth, ErrorCategory, categorize
from controllers.engine.plan import Plan, prepare
from controllers.engine.state import Evaluation, evaluate

__all__ = ["Pipeline"]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=AimObject)
F = TypeVar("F")
O = TypeVar("O")  # noqa: E741

_ENGINE_FIELDS = ("status", "conditions", "observedGeneration")


def _validation_message(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:3]]
    return "; ".join(parts) or str(exc)


class _Outcome(Generic[O]):
    """What the domain produced for one reconcile (empty when the object or fetch failed)."""

    __slots__ = ("components", "errors", "observed", "plan")

    def __init__(self) -> None:
        # The observation in a 1-tuple: compose may legitimately return None.
        self.observed: tuple[O] | None = None
        self.plan: Plan | None = None
        self.components: Sequence[ComponentHealth] = ()
        self.errors: list[CategorizedError] = []


class Pipeline(Generic[M, F, O]):
    """The reconciler of one AIM kind: a :class:`Domain` run through the generic pipeline.

    Args:
        domain: the kind's fetch/compose/health/plan/decorate.
        options: the kind's static settings.
        reader: the cache the object and its dependencies are read from.
        client: the API client (applies, deletes, status writes; handed to ``fetch``).
        clock: the injected clock (``now()`` stamps conditions and drives the grace period).
        recorder: where Events go (``None``: no Events, logs only).
    """

    def __init__(
        self,
        domain: Domain[M, F, O],
        options: PipelineOptions[M],
        *,
        reader: Reader,
        client: Client,
        clock: Clock,
        recorder: EventRecorder | None = None,
    ) -> None:
        self._domain = domain
        self._options = options
        self._kind: ResourceKind = options.model.resource_kind()
        self._reader = reader
        self._client = client
        self._clock = clock
        self._recorder = recorder
        self._ctx = FetchContext(reader=reader, client=client, clock=clock)
        self._applier = Applier(
            client, reader, field_manager=options.field_manager, force=options.force_apply
        )

    @classmethod
    def for_manager(
        cls,
        manager: Manager,
        domain: Domain[M, F, O],
        options: PipelineOptions[M],
        *,
        reporting_instance: str | None = None,
    ) -> Pipeline[M, F, O]:
        """A pipeline on the manager's cache, client and clock, with an Event recorder whose
        ``reportingController`` is ``aim-<controller>-controller``."""
        recorder = EventRecorder(
            manager.client,
            reporting_controller=options.field_manager,
            reporting_instance=reporting_instance or socket.gethostname(),
            clock=manager.clock,
        )
        return cls(
            domain,
            options,
            reader=manager.cache,
            client=manager.client,
            clock=manager.clock,
            recorder=recorder,
        )

    @property
    def kind(self) -> ResourceKind:
        """The reconciled kind."""
        return self._kind

    @property
    def options(self) -> PipelineOptions[M]:
        """The kind's settings."""
        return self._options

    async def reconcile(self, request: Request) -> Result:
        """Reconcile the object named by ``request`` (module docstring).

        Raises:
            aim_engine.errors.ApiError: an infrastructure or auth error from the server
                (retried by the framework).
            aim_engine.errors.TransportError: the server could not be reached (retried).
            aim_engine.errors.RetryableError: another infrastructure or auth error (retried).
            aim_engine.errors.InvalidSpecError: the spec is invalid (terminal until it changes).
            aim_engine.errors.MissingReferenceError: a referenced object is missing (terminal
                until it appears).
        """
        try:
            obj = self._reader.get(self._kind, request.name, request.namespace or None)
        except NotFoundError:
            return Result()
        return await self.run(obj)

    async def run(self, obj: RawObject) -> Result:
        """Run the pipeline for an object already read (for wrappers that handle deletion).

        Raises:
            aim_engine.errors.AimEngineError: as :meth:`reconcile`.
        """
        annotations = meta(obj).get("annotations") or {}
        if annotations.get(Annotations.RECONCILIATION_PAUSED) == "true" or is_deleting(obj):
            return Result()
        now = self._clock.now()
        generation = meta(obj).get("generation")
        old_status: dict[str, Any] = dict(obj.get("status") or {})
        fields = {k: v for k, v in old_status.items() if k not in _ENGINE_FIELDS}
        typed = self._validate(obj)
        outcome: _Outcome[O] = _Outcome()
        if isinstance(typed, CategorizedError):
            outcome.errors.append(typed)
        else:
            await self._observe(typed, outcome)

        def evaluate_with(
            apply_error: CategorizedError | None,
        ) -> tuple[Evaluation, dict[str, Any]]:
            draft = dict(fields)

            def decorate(conditions: ConditionManager) -> None:
                if outcome.observed is not None and not isinstance(typed, CategorizedError):
                    status = StatusDraft(draft, conditions)
                    self._domain.decorate(typed, outcome.observed[0], status)

            evaluation = evaluate(
                old_status.get("conditions"),
                outcome.components,
                now=now,
                generation=generation if isinstance(generation, int) else None,
                errors=outcome.errors,
                apply_error=apply_error,
                decorate=decorate,
                grace=self._options.grace,
            )
            return evaluation, draft

        evaluation, draft = evaluate_with(None)
        if evaluation.decision.apply and outcome.plan is not None:
            failure = await self._apply(obj, outcome.plan)
            if failure is not None:
                evaluation, draft = evaluate_with(failure)
        persisted = await self._write_status(obj, evaluation, draft, generation)
        await self._report(obj, evaluation, events=persisted)
        if evaluation.decision.error is not None:
            raise evaluation.decision.error
        requeue = outcome.plan.requeue_after if outcome.plan is not None else None
        return Result(requeue_after=requeue if requeue and requeue > 0 else None)

    def _validate(self, obj: RawObject) -> M | CategorizedError:
        model = self._options.model
        try:
            return model.model_validate(obj)
        except ValidationError as exc:
            error = exc
        try:
            # A status the operator cannot read (written by another version) must not make
            # the object unreconcilable: read it without, and the new status replaces it.
            typed = model.model_validate({k: v for k, v in obj.items() if k != "status"})
        except ValidationError as exc:
            message = f"Invalid {self._kind.kind}: {_validation_message(exc)}"
            return CategorizedError(ErrorCategory.INVALID_SPEC, "InvalidSpec", message, exc)
        logger.warning(
            "previous status does not validate; ignoring it",
            extra={"error": _validation_message(error)},
        )
        return typed

    async def _observe(self, typed: M, outcome: _Outcome[O]) -> None:
        try:
            fetched = await self._domain.fetch(self._ctx, typed)
        except (ApiError, TransportError) as exc:
            outcome.errors.append(categorize(exc))
            return
        observation = self._domain.compose(typed, fetched)
        outcome.observed = (observation,)
        outcome.plan = self._domain.plan(typed, observation)
        outcome.components = self._domain.health(typed, observation)

    async def _apply(self, obj: RawObject, plan: Plan) -> CategorizedError | None:
        """Delete, then apply owned, then unowned objects; the first failure, categorized."""
        try:
            await self._applier.delete(plan.delete)
            prepared = prepare(plan, obj, self._options.controller)
            await self._applier.apply([*prepared.owned, *prepared.unowned])
        except (ApiError, TransportError, OwnerReferenceError) as exc:
            return categorize(exc)
        return None

    async def _write_status(
        self, obj: RawObject, evaluation: Evaluation, draft: dict[str, Any], generation: object
    ) -> bool:
        """Write the status if it changed; whether the server now holds it."""
        status: dict[str, Any] = {k: v for k, v in draft.items() if v is not None}
        if self._options.writes_status_field:
            status["status"] = str(self._options.map_status(evaluation.verdict.status))
        status["conditions"] = evaluation.conditions
        if isinstance(generation, int):
            status["observedGeneration"] = generation
        try:
            written = await write_status_if_changed(
                self._client, self._kind, obj, status, field_manager=self._options.field_manager
            )
        except NotFoundError:
            logger.debug("object gone before its status was written")
            return False
        except ConflictError:
            # The object changed under us; its watch event brings the next reconcile, which
            # reports these transitions (they were not stored).
            logger.debug("status write conflicted; the next reconcile retries")
            return False
        if written is not None:
            logger.debug("status written", extra={"status": status.get("status", "")})
        return True

    async def _report(self, obj: RawObject, evaluation: Evaluation, *, events: bool) -> None:
        log_records(logger, evaluation.records)
        if self._recorder is None or not events:
            return
        for intent in event_intents(evaluation.records):
            await self._recorder.record(
                obj, type=intent.type, reason=intent.reason, action=EVENT_ACTION, note=intent.note
            )

    def __repr__(self) -> str:
        return f"Pipeline(controller={self._options.controller!r}, kind={self._kind.kind!r})"

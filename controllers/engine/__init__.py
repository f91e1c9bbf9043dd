"""The shared reconcile pipeline of the AIM controllers (spec §4), written once.

Every AIM kind is a :class:`Domain` (fetch → compose → health → plan → decorate; only fetch does
I/O) run by a :class:`Pipeline` with the kind's :class:`PipelineOptions`. The pipeline owns the
rest: validation, the paused annotation, server-side apply in a deterministic order, the state
engine (conditions, overall status, the infrastructure grace period), status writes only when
something changed, events and logs on transitions, and the requeue decision.

Modules: :mod:`~controllers.engine.health` (component health, error categories),
:mod:`~controllers.engine.conditions` (the condition manager), :mod:`~controllers.engine.status`
(overall status and ``Ready``), :mod:`~controllers.engine.state` (the state engine),
:mod:`~controllers.engine.decision` (apply and requeue), :mod:`~controllers.engine.events`,
:mod:`~controllers.engine.plan` (apply bodies), :mod:`~controllers.engine.timing` (constants),
:mod:`~controllers.engine.domain` (the protocol) and :mod:`~controllers.engine.pipeline` (I/O).
See ``docs/operator/engine.md``.
"""

from __future__ import annotations

from controllers.engine.conditions import ConditionManager as ConditionManager
from controllers.engine.conditions import ConditionRecord as ConditionRecord
from controllers.engine.conditions import Level as Level
from controllers.engine.decision import Decision as Decision
from controllers.engine.decision import decide as decide
from controllers.engine.domain import Domain as Domain
from controllers.engine.domain import FetchContext as FetchContext
from controllers.engine.domain import PipelineOptions as PipelineOptions
from controllers.engine.domain import StatusDraft as StatusDraft
from controllers.engine.events import EventIntent as EventIntent
from controllers.engine.events import event_intents as event_intents
from controllers.engine.health import CategorizedError as CategorizedError
from controllers.engine.health import ComponentHealth as ComponentHealth
from controllers.engine.health import DependencyType as DependencyType
from controllers.engine.health import ErrorCategory as ErrorCategory
from controllers.engine.health import Fetched as Fetched
from controllers.engine.health import ResolvedHealth as ResolvedHealth
from controllers.engine.health import categorize as categorize
from controllers.engine.health import downstream_health as downstream_health
from controllers.engine.health import fetch as fetch
from controllers.engine.health import resolve_health as resolve_health
from controllers.engine.health import upstream_health as upstream_health
from controllers.engine.pipeline import Pipeline as Pipeline
from controllers.engine.plan import ObjectRef as ObjectRef
from controllers.engine.plan import Plan as Plan
from controllers.engine.plan import prepare as prepare
from controllers.engine.plan import propagated_labels as propagated_labels
from controllers.engine.state import Evaluation as Evaluation
from controllers.engine.state import evaluate as evaluate
from controllers.engine.status import Verdict as Verdict
from controllers.engine.status import identity_status as identity_status
from controllers.engine.status import overall_status as overall_status
from controllers.engine.status import service_status as service_status

__all__ = [
    "CategorizedError",
    "ComponentHealth",
    "ConditionManager",
    "ConditionRecord",
    "Decision",
    "DependencyType",
    "Domain",
    "ErrorCategory",
    "Evaluation",
    "EventIntent",
    "FetchContext",
    "Fetched",
    "Level",
    "ObjectRef",
    "Pipeline",
    "PipelineOptions",
    "Plan",
    "ResolvedHealth",
    "StatusDraft",
    "Verdict",
    "categorize",
    "decide",
    "downstream_health",
    "evaluate",
    "event_intents",
    "fetch",
    "identity_status",
    "overall_status",
    "prepare",
    "propagated_labels",
    "resolve_health",
    "service_status",
    "upstream_health",
]

"""Controllers: watches feed a work queue, N workers run a level-based reconciler.

Public API: :data:`Request` (an :class:`~aim_engine.objects.ObjectKey`), :class:`Result`,
:class:`Reconciler`, :func:`builder` / :class:`ControllerBuilder`, :class:`Controller`, the
predicates and the event handlers, and :func:`classify` (the single mapping from an exception to
an :class:`ErrorCategory`). See ``docs/concepts/reconcile.md``.
"""

from __future__ import annotations

from aim_engine.controller._builder import ControllerBuilder as ControllerBuilder
from aim_engine.controller._builder import ControllerDeps as ControllerDeps
from aim_engine.controller._builder import ControllerHost as ControllerHost
from aim_engine.controller._builder import InformerSource as InformerSource
from aim_engine.controller._builder import builder as builder
from aim_engine.controller._builder import new_controller_metrics as new_controller_metrics
from aim_engine.controller._classify import POLICIES as POLICIES
from aim_engine.controller._classify import ErrorCategory as ErrorCategory
from aim_engine.controller._classify import Policy as Policy
from aim_engine.controller._classify import ReconcileTimeoutError as ReconcileTimeoutError
from aim_engine.controller._classify import classify as classify
from aim_engine.controller._controller import Controller as Controller
from aim_engine.controller._handler import EnqueueForObject as EnqueueForObject
from aim_engine.controller._handler import EnqueueForOwner as EnqueueForOwner
from aim_engine.controller._handler import EnqueueMapped as EnqueueMapped
from aim_engine.controller._handler import EventHandler as EventHandler
from aim_engine.controller._handler import InformerBinding as InformerBinding
from aim_engine.controller._handler import MapFunction as MapFunction
from aim_engine.controller._metrics import ControllerMetrics as ControllerMetrics
from aim_engine.controller._predicate import EventType as EventType
from aim_engine.controller._predicate import ObjectEvent as ObjectEvent
from aim_engine.controller._predicate import Predicate as Predicate
from aim_engine.controller._predicate import and_ as and_
from aim_engine.controller._predicate import annotations_changed as annotations_changed
from aim_engine.controller._predicate import generation_changed as generation_changed
from aim_engine.controller._predicate import label_selector as label_selector
from aim_engine.controller._predicate import labels_changed as labels_changed
from aim_engine.controller._predicate import not_ as not_
from aim_engine.controller._predicate import or_ as or_
from aim_engine.controller._predicate import resource_version_changed as resource_version_changed
from aim_engine.controller._types import Reconciler as Reconciler
from aim_engine.controller._types import Request as Request
from aim_engine.controller._types import Result as Result

__all__ = [
    "POLICIES",
    "Controller",
    "ControllerBuilder",
    "ControllerDeps",
    "ControllerHost",
    "ControllerMetrics",
    "EnqueueForObject",
    "EnqueueForOwner",
    "EnqueueMapped",
    "ErrorCategory",
    "EventHandler",
    "EventType",
    "InformerBinding",
    "InformerSource",
    "MapFunction",
    "ObjectEvent",
    "Policy",
    "Predicate",
    "ReconcileTimeoutError",
    "Reconciler",
    "Request",
    "Result",
    "and_",
    "annotations_changed",
    "builder",
    "classify",
    "generation_changed",
    "label_selector",
    "labels_changed",
    "new_controller_metrics",
    "not_",
    "or_",
    "resource_version_changed",
]

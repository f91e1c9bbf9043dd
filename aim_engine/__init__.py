"""aim-engine: an async controller framework for Kubernetes, and the AIM operator built on it.

This module re-exports what a controller author needs, so that ``import aim_engine as ae`` is
enough to write one: the client (:class:`Client`), the cache (:class:`Cache`, :class:`Reader`),
the work queue and its rate limiters, the controller builder and predicates, the
:class:`Manager`, leader election, events, the finalizer / ownership / condition / apply helpers,
resource kinds, raw objects, the clock, and every exception class of the framework (the tree is
drawn in :mod:`aim_engine.errors`).

Only these names, and the public subpackages and modules they come from (``aim_engine.client``,
``aim_engine.cache``, ``aim_engine.queue``, ``aim_engine.controller``, ``aim_engine.manager``,
``aim_engine.leader``, ``aim_engine.testing`` and the top-level modules without a leading
underscore), carry compatibility guarantees; ``_private`` modules may change at any time.

Importing this package has no side effects: it creates no loop, task, registry, logger handler or
global state. It does not import :mod:`aim_engine.testing` (import that explicitly in tests).
"""

from __future__ import annotations

from aim_engine.apply import apply_desired as apply_desired
from aim_engine.apply import write_status_if_changed as write_status_if_changed
from aim_engine.cache import Cache as Cache
from aim_engine.cache import CacheNotSyncedError as CacheNotSyncedError
from aim_engine.cache import Informer as Informer
from aim_engine.cache import Reader as Reader
from aim_engine.client import Client as Client
from aim_engine.client import PatchType as PatchType
from aim_engine.client import PropagationPolicy as PropagationPolicy
from aim_engine.client import WatchEvent as WatchEvent
from aim_engine.clock import Clock as Clock
from aim_engine.clock import SystemClock as SystemClock
from aim_engine.conditions import get_condition as get_condition
from aim_engine.conditions import is_true as is_true
from aim_engine.conditions import remove_condition as remove_condition
from aim_engine.conditions import set_condition as set_condition
from aim_engine.conditions import status_changed as status_changed
from aim_engine.controller import Controller as Controller
from aim_engine.controller import ControllerBuilder as ControllerBuilder
from aim_engine.controller import MapFunction as MapFunction
from aim_engine.controller import ObjectEvent as ObjectEvent
from aim_engine.controller import Predicate as Predicate
from aim_engine.controller import Reconciler as Reconciler
from aim_engine.controller import ReconcileTimeoutError as ReconcileTimeoutError
from aim_engine.controller import Request as Request
from aim_engine.controller import Result as Result
from aim_engine.controller import and_ as and_
from aim_engine.controller import annotations_changed as annotations_changed
from aim_engine.controller import builder as builder
from aim_engine.controller import generation_changed as generation_changed
from aim_engine.controller import label_selector as label_selector
from aim_engine.controller import labels_changed as labels_changed
from aim_engine.controller import not_ as not_
from aim_engine.controller import or_ as or_
from aim_engine.controller import resource_version_changed as resource_version_changed
from aim_engine.errors import AimEngineError as AimEngineError
from aim_engine.errors import AlreadyExistsError as AlreadyExistsError
from aim_engine.errors import AlreadyOwnedError as AlreadyOwnedError
from aim_engine.errors import ApiError as ApiError
from aim_engine.errors import BadRequestError as BadRequestError
from aim_engine.errors import ConfigurationError as ConfigurationError
from aim_engine.errors import ConflictError as ConflictError
from aim_engine.errors import DependencyNotReadyError as DependencyNotReadyError
from aim_engine.errors import ForbiddenError as ForbiddenError
from aim_engine.errors import GoneError as GoneError
from aim_engine.errors import InvalidError as InvalidError
from aim_engine.errors import InvalidSpecError as InvalidSpecError
from aim_engine.errors import MethodNotAllowedError as MethodNotAllowedError
from aim_engine.errors import MissingReferenceError as MissingReferenceError
from aim_engine.errors import NotFoundError as NotFoundError
from aim_engine.errors import OwnerReferenceError as OwnerReferenceError
from aim_engine.errors import ReconcileError as ReconcileError
from aim_engine.errors import ResourceExhaustedError as ResourceExhaustedError
from aim_engine.errors import RetryableError as RetryableError
from aim_engine.errors import ServerError as ServerError
from aim_engine.errors import StatusCause as StatusCause
from aim_engine.errors import TerminalError as TerminalError
from aim_engine.errors import TooManyRequestsError as TooManyRequestsError
from aim_engine.errors import TransportError as TransportError
from aim_engine.errors import UnauthorizedError as UnauthorizedError
from aim_engine.errors import UnsupportedMediaTypeError as UnsupportedMediaTypeError
from aim_engine.events import EventRecorder as EventRecorder
from aim_engine.finalizers import add_finalizer as add_finalizer
from aim_engine.finalizers import has_finalizer as has_finalizer
from aim_engine.finalizers import is_deleting as is_deleting
from aim_engine.finalizers import remove_finalizer as remove_finalizer
from aim_engine.finalizers import run_finalizer as run_finalizer
from aim_engine.kinds import BUILTIN_KINDS as BUILTIN_KINDS
from aim_engine.kinds import CLUSTER_ROLE as CLUSTER_ROLE
from aim_engine.kinds import CLUSTER_ROLE_BINDING as CLUSTER_ROLE_BINDING
from aim_engine.kinds import CONFIG_MAP as CONFIG_MAP
from aim_engine.kinds import CRD as CRD
from aim_engine.kinds import DEPLOYMENT as DEPLOYMENT
from aim_engine.kinds import EVENT as EVENT
from aim_engine.kinds import EVENT_V1 as EVENT_V1
from aim_engine.kinds import JOB as JOB
from aim_engine.kinds import LEASE as LEASE
from aim_engine.kinds import NAMESPACE as NAMESPACE
from aim_engine.kinds import NODE as NODE
from aim_engine.kinds import POD as POD
from aim_engine.kinds import PVC as PVC
from aim_engine.kinds import ROLE as ROLE
from aim_engine.kinds import ROLE_BINDING as ROLE_BINDING
from aim_engine.kinds import SECRET as SECRET
from aim_engine.kinds import SERVICE as SERVICE
from aim_engine.kinds import SERVICE_ACCOUNT as SERVICE_ACCOUNT
from aim_engine.kinds import KindCatalog as KindCatalog
from aim_engine.kinds import ResourceKind as ResourceKind
from aim_engine.leader import LeaderElectionConfig as LeaderElectionConfig
from aim_engine.leader import LeaseLostError as LeaseLostError
from aim_engine.manager import BindError as BindError
from aim_engine.manager import CacheSyncTimeoutError as CacheSyncTimeoutError
from aim_engine.manager import Manager as Manager
from aim_engine.manager import Runnable as Runnable
from aim_engine.objects import ObjectKey as ObjectKey
from aim_engine.objects import RawObject as RawObject
from aim_engine.objects import key_of as key_of
from aim_engine.objects import meta as meta
from aim_engine.objects import name_of as name_of
from aim_engine.objects import namespace_of as namespace_of
from aim_engine.objects import resource_version_of as resource_version_of
from aim_engine.objects import uid_of as uid_of
from aim_engine.ownership import controller_of as controller_of
from aim_engine.ownership import is_owned_by as is_owned_by
from aim_engine.ownership import owner_reference as owner_reference
from aim_engine.ownership import set_controller_reference as set_controller_reference
from aim_engine.ownership import set_owner_reference as set_owner_reference
from aim_engine.queue import ItemExponentialRateLimiter as ItemExponentialRateLimiter
from aim_engine.queue import MaxOfRateLimiter as MaxOfRateLimiter
from aim_engine.queue import QueueShutDown as QueueShutDown
from aim_engine.queue import RateLimiter as RateLimiter
from aim_engine.queue import TokenBucketRateLimiter as TokenBucketRateLimiter
from aim_engine.queue import WorkQueue as WorkQueue
from aim_engine.queue import default_controller_rate_limiter as default_controller_rate_limiter

__version__ = "0.1.0.dev0"

__all__ = [
    "BUILTIN_KINDS",
    "CLUSTER_ROLE",
    "CLUSTER_ROLE_BINDING",
    "CONFIG_MAP",
    "CRD",
    "DEPLOYMENT",
    "EVENT",
    "EVENT_V1",
    "JOB",
    "LEASE",
    "NAMESPACE",
    "NODE",
    "POD",
    "PVC",
    "ROLE",
    "ROLE_BINDING",
    "SECRET",
    "SERVICE",
    "SERVICE_ACCOUNT",
    "AimEngineError",
    "AlreadyExistsError",
    "AlreadyOwnedError",
    "ApiError",
    "BadRequestError",
    "BindError",
    "Cache",
    "CacheNotSyncedError",
    "CacheSyncTimeoutError",
    "Client",
    "Clock",
    "ConfigurationError",
    "ConflictError",
    "Controller",
    "ControllerBuilder",
    "DependencyNotReadyError",
    "EventRecorder",
    "ForbiddenError",
    "GoneError",
    "Informer",
    "InvalidError",
    "InvalidSpecError",
    "ItemExponentialRateLimiter",
    "KindCatalog",
    "LeaderElectionConfig",
    "LeaseLostError",
    "Manager",
    "MapFunction",
    "MaxOfRateLimiter",
    "MethodNotAllowedError",
    "MissingReferenceError",
    "NotFoundError",
    "ObjectEvent",
    "ObjectKey",
    "OwnerReferenceError",
    "PatchType",
    "Predicate",
    "PropagationPolicy",
    "QueueShutDown",
    "RateLimiter",
    "RawObject",
    "Reader",
    "ReconcileError",
    "ReconcileTimeoutError",
    "Reconciler",
    "Request",
    "ResourceExhaustedError",
    "ResourceKind",
    "Result",
    "RetryableError",
    "Runnable",
    "ServerError",
    "StatusCause",
    "SystemClock",
    "TerminalError",
    "TokenBucketRateLimiter",
    "TooManyRequestsError",
    "TransportError",
    "UnauthorizedError",
    "UnsupportedMediaTypeError",
    "WatchEvent",
    "WorkQueue",
    "__version__",
    "add_finalizer",
    "and_",
    "annotations_changed",
    "apply_desired",
    "builder",
    "controller_of",
    "default_controller_rate_limiter",
    "generation_changed",
    "get_condition",
    "has_finalizer",
    "is_deleting",
    "is_owned_by",
    "is_true",
    "key_of",
    "label_selector",
    "labels_changed",
    "meta",
    "name_of",
    "namespace_of",
    "not_",
    "or_",
    "owner_reference",
    "remove_condition",
    "remove_finalizer",
    "resource_version_changed",
    "resource_version_of",
    "run_finalizer",
    "set_condition",
    "set_controller_reference",
    "set_owner_reference",
    "status_changed",
    "uid_of",
    "write_status_if_changed",
]

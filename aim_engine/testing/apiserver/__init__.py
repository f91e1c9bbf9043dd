"""An in-process fake Kubernetes API server for tests and laptops.

:class:`FakeApiServer` speaks the kube-apiserver REST protocol closely enough that the unmodified
kubernetes-asyncio client and ``kubectl`` cannot tell: discovery and OpenAPI, built-in kinds and
CRDs (schema defaulting, pruning, validation, CEL), resourceVersion/generation, the status
subresource, optimistic concurrency, lists with selectors and pagination, watches with bookmarks
and 410 Expired, the four patch types including server-side apply, finalizers, propagation
policies, ownerReference garbage collection, Tables for ``kubectl get``, and fault injection.
Run it standalone with ``python -m aim_engine.testing.apiserver --port 0 --kubeconfig PATH``.
"""

from __future__ import annotations

from aim_engine.testing.apiserver._http._faults import FaultRule as FaultRule
from aim_engine.testing.apiserver._http._faults import Faults as Faults
from aim_engine.testing.apiserver._http._faults import RequestRecord as RequestRecord
from aim_engine.testing.apiserver._server import DEFAULT_NAMESPACES as DEFAULT_NAMESPACES
from aim_engine.testing.apiserver._server import FakeApiServer as FakeApiServer
from aim_engine.testing.apiserver._status import StatusError as StatusError
from aim_engine.testing.apiserver._storage._state import ServerOptions as ServerOptions

__all__ = [
    "DEFAULT_NAMESPACES",
    "FakeApiServer",
    "FaultRule",
    "Faults",
    "RequestRecord",
    "ServerOptions",
    "StatusError",
]

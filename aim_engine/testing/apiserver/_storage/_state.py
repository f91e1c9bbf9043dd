"""Everything one fake API server knows: options, clock, resource table, object store.

The container logs ``pods/log`` serves live here too.
:class:`ClusterState` is what the HTTP handlers, the watch streams, the background controllers
(garbage collector, namespace finalizer) and the direct test accessors of
:class:`~aim_engine.testing.apiserver.FakeApiServer` share. It has no I/O of its own; it
survives :meth:`FakeApiServer.restart`, which drops connections and, with ``keep_state=False``,
calls :meth:`ClusterState.reset` (the resource table and the store start over).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from aim_engine.clock import Clock
from aim_engine.testing.apiserver._schema._builtin_schemas import BuiltinSchemas
from aim_engine.testing.apiserver._storage._pod_logs import PodLogs
from aim_engine.testing.apiserver._storage._resource_table import ResourceTable, ServedResource
from aim_engine.testing.apiserver._storage._store import ObjKey, Store

__all__ = ["DEFAULT_VERSION_INFO", "ClusterState", "ServerOptions"]

DEFAULT_VERSION_INFO: Mapping[str, str] = {
    "major": "1",
    "minor": "34",
    "gitVersion": "v1.34.0-aim-fake",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2025-08-27T00:00:00Z",
    "goVersion": "go1.24.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """Tunables of the fake API server.

    Attributes:
        bookmark_interval: seconds between BOOKMARK events on watches that asked for them
            (kube-apiserver sends one about every minute).
        history: how many events the watch history keeps; older resourceVersions get 410.
        tokens: bearer token -> user name; ``None`` accepts any (or no) token.
        gc_delay: seconds the garbage collector waits before acting on a change (to expose
            ordering assumptions); 0 acts at the next loop iteration.
        max_watch_seconds: server-side cap on a watch without ``timeoutSeconds`` (the real
            default ``--min-request-timeout`` is 1800 s).
        version_info: the ``/version`` document.
    """

    bookmark_interval: float = 60.0
    history: int = 1000
    tokens: Mapping[str, str] | None = None
    gc_delay: float = 0.0
    max_watch_seconds: float = 1800.0
    version_info: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_VERSION_INFO))


class ClusterState:
    """The shared, in-memory cluster."""

    def __init__(self, options: ServerOptions, clock: Clock) -> None:
        self.options = options
        self.clock = clock
        self.resources = ResourceTable()
        self.builtin_schemas = BuiltinSchemas()  # read on the first write of a built-in kind
        self.store = Store(options.history)
        self.pod_logs = PodLogs()
        self.wake_controllers: Callable[[], None] = lambda: None

    def reset(self) -> None:
        """Forget every object, every CRD and the history; resourceVersions start again at 1."""
        self.resources = ResourceTable()
        self.store = Store(self.options.history)
        self.pod_logs = PodLogs()

    def now(self) -> str:
        """Current UTC time as RFC 3339 with seconds precision."""
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def now_micro(self) -> str:
        """Current UTC time as RFC 3339 with microseconds (``MicroTime``)."""
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    @staticmethod
    def new_uid() -> str:
        """A fresh object uid."""
        return str(uuid.uuid4())

    @staticmethod
    def key(res: ServedResource, namespace: str, name: str) -> ObjKey:
        """The storage key of an object."""
        return (res.group, res.plural, namespace if res.namespaced else "", name)

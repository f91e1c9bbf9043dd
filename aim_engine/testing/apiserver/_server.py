""":class:`FakeApiServer`: the in-process Kubernetes API server tests and laptops run.

It serves plain HTTP on loopback in the caller's event loop (a pytest fixture, or
``python -m aim_engine.testing.apiserver``), writes a kubeconfig with a bearer token that
kubernetes-asyncio and kubectl use unchanged, and offers tests direct access to the cluster state
(seed and inspect objects without HTTP), container logs for ``pods/log``
(:meth:`FakeApiServer.set_pod_log`), fault injection (:attr:`FakeApiServer.faults`),
:meth:`FakeApiServer.compact` and :meth:`FakeApiServer.restart` (every connection dropped, state
kept or, like a restore of etcd from an empty or old backup, lost). The garbage collector and
namespace controller run as one background task owned by the server; its lifetime spans
:meth:`start` to :meth:`stop`, not a lexical scope, so the server keeps the task reference itself
instead of a ``TaskGroup``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml
from aiohttp import web

from aim_engine.clock import Clock, SystemClock
from aim_engine.errors import ConfigurationError
from aim_engine.objects import RawObject
from aim_engine.testing.apiserver._builtin_controllers._loop import ControllerLoop
from aim_engine.testing.apiserver._http._app import build_app
from aim_engine.testing.apiserver._http._faults import Faults
from aim_engine.testing.apiserver._http._handlers import ResourceHandler
from aim_engine.testing.apiserver._http._pod_logs import container_names
from aim_engine.testing.apiserver._http._watch import WatchHub
from aim_engine.testing.apiserver._storage._pod_logs import ContainerLog
from aim_engine.testing.apiserver._storage._resource_table import ServedResource
from aim_engine.testing.apiserver._storage._state import ClusterState, ServerOptions
from aim_engine.testing.apiserver._verbs._deletion import delete_stored
from aim_engine.testing.apiserver._verbs._writes import (
    Target,
    commit_update,
    create_object,
    served_copy,
)

__all__ = ["DEFAULT_NAMESPACES", "FakeApiServer"]

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_SEED_MANAGER = "aim-engine-fake-apiserver"


class FakeApiServer:
    """An in-process fake kube-apiserver.

    Example::

        async with FakeApiServer() as server:
            server.write_kubeconfig(tmp_path / "kubeconfig")
            ...

    Args:
        options: tunables (bookmark interval, history size, token map, GC delay ...).
        clock: source of timestamps written into objects (default: the system clock); timers
            always run on the event loop's clock.
        token: the bearer token written into kubeconfigs (must be in ``options.tokens`` if a
            token map is configured).
        **overrides: shorthand for ``ServerOptions`` fields (``bookmark_interval=5``).
    """

    def __init__(
        self,
        options: ServerOptions | None = None,
        *,
        clock: Clock | None = None,
        token: str = "fake-token",
        **overrides: Any,
    ) -> None:
        opts = dataclasses.replace(options or ServerOptions(), **overrides)
        self.state = ClusterState(opts, clock or SystemClock())
        self.hub = WatchHub()
        self.faults = Faults(self.state, self.hub)
        self.token = token
        self._resources = ResourceHandler(self.state, self.hub, self.faults)
        self._controllers = ControllerLoop(self.state)
        self._runner: web.AppRunner | None = None
        self._task: asyncio.Task[None] | None = None
        self._host = "127.0.0.1"
        self._port = 0
        self._seed()

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeApiServer:
        """Listen on ``host:port`` (0 picks a free port) and start the controllers."""
        if self._runner is not None:
            raise ConfigurationError("the fake API server is already running")
        self._host = host
        await self._listen(port)
        self._task = asyncio.get_running_loop().create_task(self._controllers.run())
        return self

    async def _listen(self, port: int) -> None:
        runner = web.AppRunner(
            build_app(self.state, self.faults, self._resources),
            handle_signals=False,
            access_log=None,
            shutdown_timeout=0.5,
            handler_cancellation=True,  # a client that goes away ends its watch at once
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def _close_listener(self) -> None:
        self.hub.cut_all(self.state, abort=True)
        await asyncio.sleep(0)
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def stop(self) -> None:
        """Close every connection and stop serving (state is kept)."""
        await self._close_listener()
        if self._task is not None:
            task, self._task = self._task, None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def restart(self, *, keep_state: bool = True) -> None:
        """Drop every connection (open watches included) and listen again on the same port.

        Args:
            keep_state: ``False`` also loses the cluster, as a kube-apiserver restarted over an
                empty etcd: objects, CRDs and the watch history are gone, only the default
                namespaces are created again, and resourceVersions start over at 1, so the
                versions clients hold are in the server's future (a list at one gets 504 "Too
                large resource version", a watch from one stays silent).
        """
        if self._runner is None:
            raise ConfigurationError("the fake API server is not running")
        await self._close_listener()
        if not keep_state:
            self.state.reset()
            self._seed()
        await self._listen(self._port)

    def _seed(self) -> None:
        for ns in DEFAULT_NAMESPACES:
            self.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})

    async def __aenter__(self) -> FakeApiServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- connection details ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        if self._runner is None:
            raise ConfigurationError("the fake API server is not running")
        return f"http://{self._host}:{self._port}"

    def kubeconfig(self, context: str = "aim-fake") -> dict[str, Any]:
        """A kubeconfig document (cluster, user with the bearer token, current context)."""
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": {"token": self.token}}],
            "contexts": [
                {
                    "name": context,
                    "context": {"cluster": context, "user": context, "namespace": "default"},
                }
            ],
            "current-context": context,
            "preferences": {},
        }

    def write_kubeconfig(self, path: str | Path, context: str = "aim-fake") -> Path:
        """Write :meth:`kubeconfig` to ``path`` and return it."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(self.kubeconfig(context), sort_keys=False))
        return target

    # --- direct access (no HTTP, no faults) --------------------------------------------------

    async def settle(self) -> None:
        """Wait until the garbage collector and the namespace controller have nothing left to do.

        Use it instead of polling after deleting an owner or a namespace.
        """
        if self._task is None:
            self._controllers.run_now()
            return
        await self._controllers.wait_idle()

    async def wait_for_watches(self, count: int = 1) -> None:
        """Wait until at least ``count`` watch streams are open (to cut or restart under them)."""
        await self.hub.wait_open(count)

    async def wait_for_watches_closed(self) -> None:
        """Wait until every watch stream has ended (its handler returned)."""
        await self.hub.wait_closed()

    @property
    def open_watches(self) -> int:
        """How many watch streams are open right now."""
        return len(self.hub.streams)

    def compact(self) -> None:
        """Forget the watch history: every watch from an older resourceVersion gets 410."""
        self.state.store.compact()

    @property
    def resource_version(self) -> int:
        """The newest resourceVersion of the cluster."""
        return self.state.store.rv

    def resource_for(self, api_version: str, kind: str) -> ServedResource:
        """The served resource of ``apiVersion``/``kind``.

        Raises:
            ConfigurationError: nothing serves it.
        """
        res = self.state.resources.by_kind(api_version, kind)
        if res is None:
            raise ConfigurationError(f"no resource serves {kind} in {api_version}")
        return res

    def _target(self, api_version: str, kind: str, name: str, namespace: str | None) -> Target:
        res = self.resource_for(api_version, kind)
        version = api_version.rpartition("/")[2]
        return Target(res, version, (namespace or "") if res.namespaced else "", name)

    def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> RawObject | None:
        """A copy of one object, or ``None``."""
        t = self._target(api_version, kind, name, namespace)
        obj = self.state.store.get(self.state.key(t.resource, t.namespace, name))
        return None if obj is None else served_copy(t.resource, obj, t.version)

    def list(self, api_version: str, kind: str, namespace: str | None = None) -> list[RawObject]:
        """Copies of every object of a kind (in one namespace, or all)."""
        t = self._target(api_version, kind, "", namespace)
        return [
            served_copy(t.resource, o, t.version)
            for o in self.state.store.items(t.resource.group, t.resource.plural, namespace)
        ]

    def create(self, obj: RawObject) -> RawObject:
        """Create an object as a POST would (validation included), bypassing HTTP and faults.

        Raises:
            StatusError: what the POST would have answered.
        """
        md = obj.get("metadata") or {}
        t = self._target(str(obj.get("apiVersion")), str(obj.get("kind")), "", md.get("namespace"))
        return create_object(self.state, t, obj, manager=_SEED_MANAGER, dry_run=False)

    def update(self, obj: RawObject, *, subresource: str = "") -> RawObject:
        """Replace an object (or its status) as a PUT would, bypassing HTTP and faults."""
        md = obj.get("metadata") or {}
        t = self._target(
            str(obj.get("apiVersion")),
            str(obj.get("kind")),
            str(md.get("name", "")),
            md.get("namespace"),
        )
        t = dataclasses.replace(t, subresource=subresource)
        live = self.state.store.get(self.state.key(t.resource, t.namespace, t.name))
        if live is None:
            return self.create(obj)
        return commit_update(self.state, t, live, obj, manager=_SEED_MANAGER, dry_run=False)

    def delete(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str | None = None,
        *,
        propagation_policy: str = "Background",
    ) -> bool:
        """Delete an object as a DELETE would; returns whether it is gone (not just marked)."""
        t = self._target(api_version, kind, name, namespace)
        key = self.state.key(t.resource, t.namespace, name)
        obj = self.state.store.get(key)
        if obj is None:
            return False
        removed, _ = delete_stored(self.state, t.resource, key, obj, propagation_policy)
        return removed

    def set_pod_log(
        self, namespace: str, pod: str, container: str, text: str, *, previous: bool = False
    ) -> None:
        """Set what ``GET .../pods/{pod}/log?container={container}`` answers.

        The log replaces any earlier one of that container and goes away with the pod (a pod
        created later under the same name starts without logs).

        Args:
            namespace: the pod's namespace.
            pod: the pod's name; the pod must exist.
            container: one of the pod's containers (init and ephemeral ones included).
            text: the whole log, lines ending in ``\\n``.
            previous: set the log of the container's last terminated run (``previous=true``).

        Raises:
            ConfigurationError: no such pod, or no such container in it.
        """
        live = self.get("v1", "Pod", pod, namespace)
        if live is None:
            raise ConfigurationError(f"no pod {namespace}/{pod}")
        if container not in container_names(live):
            raise ConfigurationError(f"pod {namespace}/{pod} has no container {container}")
        self.state.pod_logs.forget(
            frozenset(str(p["metadata"].get("uid", "")) for p in self.list("v1", "Pod"))
        )
        stamp = self.state.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
        log = ContainerLog(str(live["metadata"]["uid"]), text, stamp)
        self.state.pod_logs.set(namespace, pod, container, log, previous=previous)

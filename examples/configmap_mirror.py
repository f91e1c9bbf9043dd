"""ConfigMap mirror: a complete aim-engine controller written only with the public API.

Every ConfigMap in the *source* namespace labelled ``mirror=true`` gets a copy in the *target*
namespace, with the same name, ``data``, ``binaryData`` and labels, plus the label
``aim-engine.example/mirror-of: <name>`` (a label rather than an annotation so that copies can be
selected, server-side, by the controller's watch and by ``kubectl get -l``). Changes to the source
propagate; when the source is deleted or loses the ``mirror=true`` label, the copy is deleted. The
source carries the finalizer ``aim-engine.example/mirror`` until its copy is gone, and an Event
(``events.k8s.io/v1``, reason ``MirrorCreated``) is recorded on it when a copy is created.

Run it against any cluster, or against the fake API server::

    python -m aim_engine.testing.apiserver --port 0 --kubeconfig /tmp/kubeconfig &
    python examples/configmap_mirror.py --kubeconfig /tmp/kubeconfig \\
        --source-namespace src --target-namespace dst

Design notes, each one a rule of the framework's reconcile contract:

* **Level-based.** :meth:`MirrorReconciler.reconcile` gets a key, reads the source and the copy
  from the cache, and converges: "the copy exists and matches" when the source exists, is
  labelled and is not being deleted; "no copy, no finalizer" otherwise. It never looks at which
  event woke it, so running it twice in a row is harmless.
* **Finalizer.** Deleting the copy when the source is deleted cannot rely on seeing the DELETE
  event (the controller may be down at that moment); the finalizer makes the API server keep the
  source until the copy is gone. A source that merely lost its label still carries the
  finalizer, which is why the primary watch lets through ConfigMaps that have *either* the label
  or the finalizer.
* **Server-side apply.** The copy is written with one apply as the field manager
  :data:`FIELD_MANAGER`, holding only the fields the mirror owns: removing a key or a label from
  the source removes it from the copy, while fields other managers set on the copy are kept.
* **No ownerReference.** Owner references cannot cross namespaces, so a second watch, on the
  copies (selected server-side by the ``mirror-of`` label), maps each copy event to the key of
  the source with the same name: a copy deleted or edited by hand is put back.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from prometheus_client import CollectorRegistry

from aim_engine.cache import Reader
from aim_engine.client import Client
from aim_engine.controller import (
    Controller,
    MapFunction,
    ObjectEvent,
    Predicate,
    Request,
    Result,
    builder,
    label_selector,
    or_,
)
from aim_engine.errors import AimEngineError, ConfigurationError, NotFoundError, RetryableError
from aim_engine.events import EventRecorder
from aim_engine.finalizers import add_finalizer, has_finalizer, is_deleting, remove_finalizer
from aim_engine.kinds import CONFIG_MAP
from aim_engine.leader import LeaderElectionConfig, LeaseLostError
from aim_engine.log import ContextFilter, JsonFormatter
from aim_engine.manager import Manager, parse_bind_address
from aim_engine.objects import RawObject, meta, name_of, uid_of

__all__ = [
    "CONTROLLER_NAME",
    "FIELD_MANAGER",
    "FINALIZER",
    "MIRROR_LABEL",
    "MIRROR_OF_LABEL",
    "MirrorOptions",
    "MirrorReconciler",
    "build_controller",
    "copy_requests",
    "desired_copy",
    "main",
    "parse_args",
    "run",
    "wants_copy",
]

logger = logging.getLogger("configmap_mirror")

CONTROLLER_NAME = "configmap-mirror"
"""The controller's name (metrics label, log field, work queue name)."""
MIRROR_LABEL = "mirror"
"""Sources are ConfigMaps with this label set to ``"true"``."""
MIRROR_OF_LABEL = "aim-engine.example/mirror-of"
"""Label on every copy: the name of its source."""
FINALIZER = "aim-engine.example/mirror"
"""Finalizer on every mirrored source, removed once its copy is gone."""
FIELD_MANAGER = "aim-engine.example/configmap-mirror"
"""Server-side apply field manager of the copies (and of the finalizer edits)."""
REPORTING_CONTROLLER = "aim-engine.example/configmap-mirror"
"""``reportingController`` of the Events."""
TERMINATING_POLL = 2.0
"""Seconds between looks at a copy that is still terminating (held by someone's finalizer)."""
CONFLICT_RETRY = 60.0
"""Seconds before retrying a source whose name is taken in the target by a foreign ConfigMap."""


# -- the pure part: what the copy should look like -------------------------------------------


def wants_copy(source: Mapping[str, Any]) -> bool:
    """Whether ``source`` should have a copy: labelled ``mirror=true`` and not being deleted."""
    labels = meta(source).get("labels") or {}
    return labels.get(MIRROR_LABEL) == "true" and not is_deleting(source)


def desired_copy(source: Mapping[str, Any], target_namespace: str) -> RawObject:
    """The apply body of ``source``'s copy: only the fields the mirror owns.

    Args:
        source: the source ConfigMap.
        target_namespace: where the copy lives.

    Returns:
        A ConfigMap with the source's name, labels (plus ``mirror-of``), ``data`` and
        ``binaryData`` (each left out when empty, so the copy loses what the source lost).
    """
    name = name_of(source)
    labels = {**(meta(source).get("labels") or {}), MIRROR_OF_LABEL: name}
    copy: RawObject = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": target_namespace, "labels": labels},
    }
    for field in ("data", "binaryData"):
        if source.get(field):
            copy[field] = dict(source[field])
    return copy


def is_copy_of(copy: Mapping[str, Any], name: str) -> bool:
    """Whether ``copy`` belongs to the mirror of source ``name``.

    True when it carries the ``mirror-of`` label for ``name``, or when the mirror's field
    manager wrote it (the label may have been removed by hand; the next apply restores it).
    """
    labels = meta(copy).get("labels") or {}
    if labels.get(MIRROR_OF_LABEL) == name:
        return True
    managers = meta(copy).get("managedFields") or ()
    return any(entry.get("manager") == FIELD_MANAGER for entry in managers)


def copy_requests(source_namespace: str) -> MapFunction:
    """The map function of the copy watch: a copy's key back to its source's key.

    A copy has its source's name, so the name alone finds the source. Mapping by name (rather
    than by the ``mirror-of`` value) also works for a copy whose label was just removed by hand:
    it leaves the label-selected watch as a DELETE event that may carry the unlabelled state.
    """

    def map_copy(copy: RawObject) -> Iterable[Request]:
        return (Request(source_namespace, name_of(copy)),)

    return map_copy


def _is_source(event: ObjectEvent) -> bool:
    return has_finalizer(event.obj, FINALIZER)


SOURCE_PREDICATE: Predicate = or_(label_selector({MIRROR_LABEL: "true"}), _is_source)
"""Events of the primary watch: labelled ConfigMaps, and those still carrying our finalizer."""


# -- the reconciler --------------------------------------------------------------------------


class MirrorReconciler:
    """Keeps the copy of one source ConfigMap in line with it.

    Args:
        reader: the cache (reads of sources in the source namespace, copies in the target).
        client: the API client (writes).
        recorder: where Events go.
        target_namespace: the namespace of the copies.
    """

    def __init__(
        self, reader: Reader, client: Client, recorder: EventRecorder, target_namespace: str
    ) -> None:
        self._reader = reader
        self._client = client
        self._recorder = recorder
        self._target = target_namespace

    async def reconcile(self, request: Request) -> Result:
        """Converge the copy of ``request`` (see the module docstring).

        Raises:
            RetryableError: the copy's name is taken by a ConfigMap the mirror does not own.
            aim_engine.errors.ApiError: a write failed (retried with backoff).
        """
        try:
            source = self._reader.get(CONFIG_MAP, request.name, request.namespace)
        except NotFoundError:
            # Gone without our finalizer (removed by hand, or never added): still no copy.
            await self._delete_copy(request.name)
            return Result()
        if not wants_copy(source):
            return await self._clean_up(source)
        return await self._mirror(source)

    async def _mirror(self, source: RawObject) -> Result:
        name = name_of(source)
        source = await add_finalizer(
            self._client, CONFIG_MAP, source, FINALIZER, field_manager=FIELD_MANAGER
        )
        existing = self._cached_copy(name)
        if existing is None:
            # The cache may lag behind our own create; a live read (only on this rare path)
            # keeps the "created" Event exact and protects foreign ConfigMaps.
            existing = await self._live_copy(name)
        if existing is not None and not is_copy_of(existing, name):
            await self._recorder.record(
                source,
                type="Warning",
                reason="MirrorConflict",
                action="Mirror",
                note=f"{self._target}/{name} exists and is not a mirror copy; not overwriting it",
            )
            raise RetryableError("target name taken", requeue_after=CONFLICT_RETRY)
        await self._client.apply(
            desired_copy(source, self._target), field_manager=FIELD_MANAGER, kind=CONFIG_MAP
        )
        if existing is None:
            logger.info("mirror copy created", extra={"target_namespace": self._target})
            await self._recorder.record(
                source,
                type="Normal",
                reason="MirrorCreated",
                action="Create",
                note=f"created mirror copy {self._target}/{name}",
            )
        return Result()

    async def _clean_up(self, source: RawObject) -> Result:
        if not await self._delete_copy(name_of(source)):
            return Result(requeue_after=TERMINATING_POLL)
        await remove_finalizer(
            self._client, CONFIG_MAP, source, FINALIZER, field_manager=FIELD_MANAGER
        )
        return Result()

    async def _delete_copy(self, name: str) -> bool:
        """Delete the copy of source ``name`` if there is one; whether it is gone."""
        copy = self._cached_copy(name)
        if copy is None or not is_copy_of(copy, name):
            return True
        try:
            left = await self._client.delete(
                CONFIG_MAP, name, self._target, preconditions={"uid": uid_of(copy)}
            )
        except NotFoundError:
            return True
        logger.info("mirror copy deleted", extra={"target_namespace": self._target})
        # Still there with a deletionTimestamp: someone else's finalizer holds it.
        return not (left is not None and left.get("kind") == "ConfigMap" and is_deleting(left))

    def _cached_copy(self, name: str) -> RawObject | None:
        try:
            return self._reader.get(CONFIG_MAP, name, self._target)
        except NotFoundError:
            return None

    async def _live_copy(self, name: str) -> RawObject | None:
        try:
            return await self._client.get(CONFIG_MAP, name, self._target)
        except NotFoundError:
            return None


def build_controller(
    manager: Manager,
    *,
    source_namespace: str,
    target_namespace: str,
    max_concurrent_reconciles: int = 1,
    reporting_instance: str | None = None,
) -> Controller:
    """Register the mirror controller on ``manager``.

    Args:
        manager: the manager to run it (its cache, client and clock are used).
        source_namespace: where the sources are.
        target_namespace: where the copies go (must differ from ``source_namespace``).
        max_concurrent_reconciles: worker count.
        reporting_instance: ``reportingInstance`` of the Events (default: the host name).

    Returns:
        The controller, already added to ``manager``.

    Raises:
        aim_engine.errors.ConfigurationError: the namespaces are equal, or the name is taken.
    """
    if source_namespace == target_namespace:
        raise ConfigurationError("source and target namespaces must differ")
    recorder = EventRecorder(
        manager.client,
        reporting_controller=REPORTING_CONTROLLER,
        reporting_instance=reporting_instance or socket.gethostname(),
        clock=manager.clock,
    )
    reconciler = MirrorReconciler(manager.cache, manager.client, recorder, target_namespace)
    return (
        builder(manager)
        .named(CONTROLLER_NAME)
        .for_(CONFIG_MAP, namespace=source_namespace, predicates=[SOURCE_PREDICATE])
        .watches(
            CONFIG_MAP,
            copy_requests(source_namespace),
            namespace=target_namespace,
            label_selector=MIRROR_OF_LABEL,
        )
        .with_options(max_concurrent_reconciles=max_concurrent_reconciles)
        .complete(reconciler)
    )


# -- the program -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MirrorOptions:
    """The command line, parsed."""

    kubeconfig: str | None
    source_namespace: str
    target_namespace: str
    metrics_bind_address: str
    health_probe_bind_address: str
    leader_elect: bool
    leader_election_namespace: str | None
    leader_election_id: str | None
    max_concurrent_reconciles: int


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error on one line (the usage itself is in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _bind_address(value: str) -> str:
    """``host:port`` with a port from 0 to 65535, or ``"0"`` to disable the server."""
    try:
        parse_bind_address(value)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def parse_args(argv: Sequence[str] | None = None) -> MirrorOptions:
    """Parse the command line (prints one line and exits with status 2 on a usage error)."""
    parser = _Parser(
        prog="configmap_mirror.py", description="Mirror labelled ConfigMaps to another namespace."
    )
    parser.add_argument("--kubeconfig", help="kubeconfig path (default: $KUBECONFIG, in-cluster)")
    parser.add_argument("--source-namespace", required=True, help="namespace of the sources")
    parser.add_argument("--target-namespace", required=True, help="namespace of the copies")
    parser.add_argument(
        "--metrics-bind-address",
        type=_bind_address,
        default=":8080",
        help='/metrics address; "0" disables',
    )
    parser.add_argument(
        "--health-probe-bind-address",
        type=_bind_address,
        default=":8081",
        help='/healthz address; "0" disables',
    )
    parser.add_argument("--leader-elect", action="store_true", help="enable leader election")
    parser.add_argument("--leader-election-namespace", help="namespace of the Lease")
    parser.add_argument("--leader-election-id", help="name of the Lease")
    parser.add_argument("--max-concurrent-reconciles", type=int, default=1, help="workers")
    args = parser.parse_args(argv)
    if args.source_namespace == args.target_namespace:
        parser.error("--source-namespace and --target-namespace must differ")
    if args.leader_elect and not (args.leader_election_namespace and args.leader_election_id):
        parser.error("--leader-elect needs --leader-election-namespace and --leader-election-id")
    if args.max_concurrent_reconciles < 1:
        parser.error("--max-concurrent-reconciles must be at least 1")
    return MirrorOptions(
        kubeconfig=args.kubeconfig,
        source_namespace=args.source_namespace,
        target_namespace=args.target_namespace,
        metrics_bind_address=args.metrics_bind_address,
        health_probe_bind_address=args.health_probe_bind_address,
        leader_elect=args.leader_elect,
        leader_election_namespace=args.leader_election_namespace,
        leader_election_id=args.leader_election_id,
        max_concurrent_reconciles=args.max_concurrent_reconciles,
    )


async def run(options: MirrorOptions) -> None:
    """Build the client and the manager, register the controller, run until SIGTERM/SIGINT.

    Raises:
        LeaseLostError: leadership was lost.
        aim_engine.errors.AimEngineError: no usable kubeconfig, caches did not sync, ...
    """
    registry = CollectorRegistry()
    leader = None
    if options.leader_elect:
        # parse_args checked both are given; the config rejects empty values anyway.
        leader = LeaderElectionConfig(
            name=options.leader_election_id or "",
            namespace=options.leader_election_namespace or "",
        )
    async with await Client.auto(kubeconfig=options.kubeconfig, registry=registry) as client:
        manager = Manager(
            client,
            registry=registry,
            metrics_bind_address=options.metrics_bind_address,
            health_probe_bind_address=options.health_probe_bind_address,
            leader_election=leader,
        )
        build_controller(
            manager,
            source_namespace=options.source_namespace,
            target_namespace=options.target_namespace,
            max_concurrent_reconciles=options.max_concurrent_reconciles,
        )

        async def announce() -> None:
            # Runs once the caches synced, when the servers are up: log where they listen
            # (useful with port 0). Ending early is fine for a runnable.
            logger.info(
                "endpoints ready",
                extra={
                    "metrics_port": manager.server_port("metrics"),
                    "probes_port": manager.server_port("probes"),
                },
            )

        manager.add_runnable(announce, needs_leader=False, name="announce")
        await manager.run(install_signal_handlers=True)


def configure_logging() -> None:
    """JSON lines on stderr, with the reconcile context stamped on every record."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status.

    Every failure ends with one line on stderr: 2 for a usage error (a bad flag, or a
    :class:`~aim_engine.errors.ConfigurationError` such as a missing or invalid kubeconfig), 1
    for a runtime failure (leadership lost, a bind address in use, caches not synced in time).
    An unreachable API server is retried with backoff (a warning per attempt) until the caches'
    sync timeout.
    """
    options = parse_args(argv)
    configure_logging()
    try:
        asyncio.run(run(options))
    except LeaseLostError:
        logger.error("leader election lost; exiting")
        return 1
    except ConfigurationError as exc:
        logger.error("invalid configuration", extra={"error": str(exc)})
        return 2
    except AimEngineError as exc:
        logger.error("configmap mirror failed", extra={"error": str(exc)})
        return 1
    except KeyboardInterrupt:  # Ctrl-C before the manager's signal handlers were installed
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

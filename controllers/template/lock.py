"""The discovery lock (spec §5.2.6): a Lease that makes "count active Jobs, then create" atomic.

At most :data:`~controllers.defaults.Defaults.MAX_CONCURRENT_DISCOVERY_JOBS` discovery Jobs run
cluster-wide. Counting them and creating one more must not interleave with another reconcile
doing the same, in this process or in another replica, so a template reconcile that may create
a Job runs while holding :class:`DiscoveryLock`:

* within the process an :class:`asyncio.Lock` serialises holders (the namespaced and the cluster
  template controllers share one :class:`DiscoveryLock`);
* across replicas the ``coordination.k8s.io/v1`` Lease ``aim-discovery-lock`` in the operator
  namespace, held under the process identity: absent ⇒ create it; held by us ⇒ renew; expired
  (no holder, no ``renewTime``, or ``renewTime + leaseDurationSeconds`` in the past) ⇒ take it
  over; otherwise poll every 100 ms until 30 s have passed. Release clears ``holderIdentity``
  and ``renewTime`` when we are the holder (a conflict is ignored: the Lease expires anyway).

The identity is the process's, so the Lease is re-entrant within the process, as in the
original; unlike the original the in-process mutex means the two template controllers never
hold it at the same time, so one's release cannot cut the other's critical section short.
Every wait uses the injected clock. :meth:`DiscoveryLock.held` tells code running inside
:meth:`DiscoveryLock.hold` (the same task) that it holds the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from aim_engine import (
    LEASE,
    AlreadyExistsError,
    ApiError,
    Clock,
    ConflictError,
    NotFoundError,
    RawObject,
    TransportError,
)
from aim_engine.leader import LeaseClient, format_micro_time, parse_micro_time
from controllers.defaults import Defaults

__all__ = ["DiscoveryLock"]

logger = logging.getLogger(__name__)


class DiscoveryLock:
    """The cluster-wide discovery lock (module docstring).

    Args:
        client: reads and writes the Lease (the API client, never the cache).
        clock: the injected clock (timestamps, polling, the 30 s wait).
        namespace: the operator namespace, where the Lease lives.
        identity: this process's identity (``POD_NAME``, else the host name).
        name: the Lease name.
        wait: seconds :meth:`hold` tries before giving up.
        lease_seconds: ``spec.leaseDurationSeconds`` written.
        poll: seconds between attempts.
    """

    def __init__(
        self,
        client: LeaseClient,
        clock: Clock,
        *,
        namespace: str,
        identity: str,
        name: str = Defaults.DISCOVERY_LOCK_NAME,
        wait: float = Defaults.DISCOVERY_LOCK_WAIT_SECONDS,
        lease_seconds: int = Defaults.DISCOVERY_LOCK_LEASE_SECONDS,
        poll: float = Defaults.DISCOVERY_LOCK_POLL_SECONDS,
    ) -> None:
        self._client = client
        self._clock = clock
        self._namespace = namespace
        self._identity = identity
        self._name = name
        self._wait = wait
        self._lease_seconds = lease_seconds
        self._poll = poll
        self._mutex = asyncio.Lock()
        self._held: ContextVar[bool] = ContextVar(f"discovery-lock-{id(self)}", default=False)

    @property
    def name(self) -> str:
        """The Lease name."""
        return self._name

    @property
    def namespace(self) -> str:
        """The Lease namespace (the operator namespace)."""
        return self._namespace

    @property
    def identity(self) -> str:
        """The holder identity written into the Lease."""
        return self._identity

    def held(self) -> bool:
        """Whether the calling task is inside :meth:`hold` with the lock acquired."""
        return self._held.get()

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[bool]:
        """Acquire the lock for the ``async with`` block; yields whether it was acquired.

        Waits at most ``wait`` seconds (mutex and Lease together); on ``False`` the block runs
        without the lock and should requeue. The Lease is released on exit.
        """
        deadline = self._clock.monotonic() + self._wait
        if not await self._lock_mutex(deadline):
            yield False
            return
        token = None
        try:
            if not await self._acquire_lease(deadline):
                yield False
                return
            token = self._held.set(True)
            try:
                yield True
            finally:
                self._held.reset(token)
                await self._release_lease()
        finally:
            self._mutex.release()

    async def _lock_mutex(self, deadline: float) -> bool:
        while self._mutex.locked():
            if self._clock.monotonic() >= deadline:
                return False
            await self._clock.sleep(self._poll)
        await self._mutex.acquire()  # free: returns at once (no await point since the check)
        return True

    async def _acquire_lease(self, deadline: float) -> bool:
        while True:
            try:
                if await self._try_acquire():
                    return True
            except (ApiError, TransportError) as exc:
                logger.debug("discovery lock attempt failed", extra={"error": str(exc)})
            if self._clock.monotonic() >= deadline:
                logger.info("discovery lock not acquired in time", extra={"lease": self._name})
                return False
            await self._clock.sleep(self._poll)

    def _spec(self, **extra: Any) -> dict[str, Any]:
        return {
            "holderIdentity": self._identity,
            "leaseDurationSeconds": self._lease_seconds,
            "renewTime": format_micro_time(self._clock.now()),
            **extra,
        }

    def _expired(self, spec: dict[str, Any]) -> bool:
        renew = spec.get("renewTime")
        if not spec.get("holderIdentity") or not renew:
            return True
        duration = float(spec.get("leaseDurationSeconds") or 0)
        try:
            until = parse_micro_time(str(renew)) + timedelta(seconds=duration)
        except ValueError:
            return True
        return until < self._clock.now()

    async def _try_acquire(self) -> bool:
        try:
            lease = await self._client.get(LEASE, self._name, self._namespace)
        except NotFoundError:
            body: RawObject = {
                "apiVersion": LEASE.api_version,
                "kind": LEASE.kind,
                "metadata": {"name": self._name, "namespace": self._namespace},
                "spec": self._spec(acquireTime=format_micro_time(self._clock.now())),
            }
            try:
                await self._client.create(LEASE, body, self._namespace)
            except AlreadyExistsError:
                return False
            return True
        spec = dict(lease.get("spec") or {})
        mine = spec.get("holderIdentity") == self._identity
        if not mine and not self._expired(spec):
            return False
        changes = self._spec() if mine else self._spec(acquireTime=self._spec()["renewTime"])
        lease["spec"] = {**spec, **changes}
        try:
            await self._client.replace(LEASE, lease, self._namespace)
        except ConflictError:
            return False
        return True

    async def _release_lease(self) -> None:
        try:
            lease = await self._client.get(LEASE, self._name, self._namespace)
            spec = dict(lease.get("spec") or {})
            if spec.get("holderIdentity") != self._identity:
                return
            spec.pop("holderIdentity", None)
            spec.pop("renewTime", None)
            lease["spec"] = spec
            await self._client.replace(LEASE, lease, self._namespace)
        except (ApiError, TransportError) as exc:
            # Conflict, gone, or unreachable: the Lease expires on its own.
            logger.debug("discovery lock release failed", extra={"error": str(exc)})

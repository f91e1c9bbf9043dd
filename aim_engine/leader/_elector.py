"""Leader election on a ``coordination.k8s.io/v1`` Lease, with client-go's algorithm.

One :class:`LeaderElector` per process and Lease. The algorithm (client-go
``tools/leaderelection``):

* **Acquire.** Every ``retry_period`` (jittered by up to ``jitter_factor``), read the Lease. If it
  is absent, create it. If another identity holds it, take it over only once
  ``lease_duration`` seconds have passed on *our* monotonic clock since we last saw the record
  change: remote timestamps are written for humans and never trusted, so clock skew between
  nodes does not matter (only skew *rate* would). Taking over increments
  ``spec.leaseTransitions``; every write is a ``replace`` conditional on the ``resourceVersion``
  we read, so two candidates racing for one Lease cannot both win (409 → try again later).
* **Renew.** The leader rewrites ``renewTime`` every ``retry_period`` (optimistically, with the
  record it wrote last; on failure it falls back to read-then-write). If no renewal succeeds
  within ``renew_deadline``, or another holder shows up, leadership is lost. Because
  ``renew_deadline < lease_duration``, the leader stops before any rival could consider the
  Lease expired.
* **Release.** On a clean stop, after leader-only work has finished, the leader writes an empty
  ``holderIdentity`` with ``leaseDurationSeconds: 1`` so a successor takes over at once.

:meth:`LeaderElector.run` packages this for the manager: acquire, run the leader-only coroutine
next to the renew loop in a task group, and on loss cancel that work (awaiting its end) before
raising :class:`LeaseLostError`, on which the process should exit non-zero. Unlike client-go, an
observed foreign holder ends leadership at once instead of after the renew deadline.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NoReturn, TypeVar

from prometheus_client import CollectorRegistry

from aim_engine.clock import Clock
from aim_engine.errors import AlreadyExistsError, ApiError, ConflictError, NotFoundError
from aim_engine.errors import TransportError as _TransportError
from aim_engine.kinds import LEASE
from aim_engine.leader._config import (
    LeaderElectionConfig,
    LeaseClient,
    LeaseLostError,
    format_micro_time,
)
from aim_engine.leader._metrics import master_status_gauge
from aim_engine.objects import RawObject

__all__ = ["LeaderElector"]

R = TypeVar("R")

_log = logging.getLogger(__name__)
_RETRYABLE = (ApiError, _TransportError, TimeoutError)


class LeaderElector:
    """Acquires, renews and releases one Lease.

    Args:
        client: Makes the Lease API calls (an :class:`aim_engine.client.Client`).
        config: Lease name, namespace, identity and timings.
        clock: Time source for every wait, timeout and expiry decision.
        registry: Where to export ``leader_election_master_status{name}``; ``None`` for none.
        rng: Source of retry jitter (tests pass a seeded one).
    """

    def __init__(
        self,
        client: LeaseClient,
        config: LeaderElectionConfig,
        *,
        clock: Clock,
        registry: CollectorRegistry | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._config = config
        self._clock = clock
        self._rng = rng or random.Random()
        self._observed: RawObject | None = None
        self._observed_spec: dict[str, Any] | None = None
        self._observed_at = 0.0
        self.leading = asyncio.Event()
        """Set while this process holds the Lease."""
        self._gauge = master_status_gauge(registry) if registry is not None else None
        if self._gauge is not None:
            self._gauge.labels(name=config.name).set(0)

    @property
    def config(self) -> LeaderElectionConfig:
        """The configuration this elector runs with."""
        return self._config

    @property
    def identity(self) -> str:
        """This candidate's identity."""
        return self._config.identity

    @property
    def observed_holder(self) -> str:
        """``holderIdentity`` of the record last seen (``""`` if none or released)."""
        return str((self._observed_spec or {}).get("holderIdentity") or "")

    def is_leader(self) -> bool:
        """Whether the last record we saw or wrote names us as the holder."""
        return self.observed_holder == self._config.identity

    # -- the manager-facing API --------------------------------------------------------------

    async def run(self, on_started_leading: Callable[[], Awaitable[None]]) -> None:
        """Acquire the Lease, run ``on_started_leading`` while renewing, release on a clean end.

        Returns when ``on_started_leading`` returns. If this call is cancelled, leader work is
        cancelled and the cancellation propagates. Either way, and also when the leader work
        raises, the Lease is released (if ``release_on_cancel``) once that work has ended.

        Raises:
            LeaseLostError: renewal failed; leader work was cancelled and awaited first, and
                the Lease is not written again.
        """
        await self.acquire()
        lost = False
        try:
            async with asyncio.TaskGroup() as tg:
                renewing = tg.create_task(self.hold(), name="leader-renew")
                tg.create_task(self._lead(on_started_leading, renewing), name="leader-work")
        except BaseExceptionGroup as group:
            lost_group = group.subgroup(LeaseLostError)
            if lost_group is not None:
                lost = True
                raise lost_group.exceptions[0] from None
            if len(group.exceptions) == 1:
                raise group.exceptions[0] from None
            raise
        finally:
            self._set_leading(False)
            # Leader work has ended here (the task group awaited it). After a loss the API is
            # probably unreachable and a rival may already hold the Lease: do not write it.
            if not lost and self._config.release_on_cancel:
                await self.release()

    async def _lead(
        self, on_started_leading: Callable[[], Awaitable[None]], renewing: asyncio.Task[NoReturn]
    ) -> None:
        await on_started_leading()
        renewing.cancel()

    async def wait_leader(self) -> None:
        """Wait until this process holds the Lease."""
        await self.leading.wait()

    async def acquire(self) -> None:
        """Try every jittered ``retry_period`` until the Lease is ours, then set :attr:`leading`."""
        cfg = self._config
        _log.info("attempting to acquire leader lease", extra=self._log_extra())
        while not await self._try_acquire_or_renew():
            jitter = 1.0 + self._rng.random() * cfg.jitter_factor
            await self._clock.sleep(cfg.retry_period * jitter)
        _log.info("successfully acquired lease", extra=self._log_extra())
        self._set_leading(True)

    async def hold(self) -> NoReturn:
        """Renew the Lease every ``retry_period`` until that fails.

        Raises:
            LeaseLostError: no renewal succeeded within ``renew_deadline``, another holder took
                the Lease, or we were not leading in the first place. :attr:`leading` is
                cleared first.
        """
        cfg = self._config
        clock = self._clock
        try:
            if not self.is_leader():
                raise LeaseLostError("not the leader")
            while True:
                await clock.sleep(cfg.retry_period)
                deadline = clock.monotonic() + cfg.renew_deadline
                while not await self._try_acquire_or_renew(deadline):
                    if self.observed_holder not in ("", cfg.identity):
                        raise LeaseLostError(f"lease taken over by {self.observed_holder}")
                    remaining = deadline - clock.monotonic()
                    if remaining <= 0:
                        raise LeaseLostError("failed to renew lease within the renew deadline")
                    await clock.sleep(min(cfg.retry_period, remaining))
        except LeaseLostError:
            self._set_leading(False)
            _log.error("leader lease lost", extra=self._log_extra())
            raise

    async def release(self) -> bool:
        """Give up the Lease if we hold it; returns whether the record was written.

        Only call this once every piece of leader-only work has stopped.
        """
        self._set_leading(False)
        if not self.is_leader() or self._observed is None:
            return False
        now = format_micro_time(self._clock.now())
        body = copy.deepcopy(self._observed)
        spec = body.setdefault("spec", {})
        spec.update(holderIdentity="", leaseDurationSeconds=1, acquireTime=now, renewTime=now)
        try:
            written = await self._call(self._client.replace(LEASE, body, self._config.namespace))
        except _RETRYABLE:
            _log.warning("failed to release leader lease", exc_info=True, extra=self._log_extra())
            return False
        self._observe(written)
        _log.info("released leader lease", extra=self._log_extra())
        return True

    # -- the algorithm -----------------------------------------------------------------------

    async def _try_acquire_or_renew(self, deadline: float | None = None) -> bool:
        cfg = self._config
        now = format_micro_time(self._clock.now())
        duration = max(1, round(cfg.lease_duration))
        if self.is_leader() and self._observed is not None and self._lease_valid():
            body = self._with_spec(self._observed, renewTime=now, leaseDurationSeconds=duration)
            try:
                written = await self._call(
                    self._client.replace(LEASE, body, cfg.namespace), deadline
                )
            except _RETRYABLE:
                _log.debug("optimistic lease renewal failed", extra=self._log_extra())
            else:
                self._observe(written)
                return True
        try:
            current = await self._call(self._client.get(LEASE, cfg.name, cfg.namespace), deadline)
        except NotFoundError:
            return await self._create(now, duration, deadline)
        except _RETRYABLE as exc:
            self._warn("failed to read leader lease", exc)
            return False
        self._observe(current)
        spec = self._observed_spec or {}
        if self.observed_holder and self._lease_valid() and not self.is_leader():
            return False
        if self.is_leader():
            changes: dict[str, Any] = {"renewTime": now, "leaseDurationSeconds": duration}
        else:
            transitions = int(spec.get("leaseTransitions") or 0) + 1
            changes = {
                "holderIdentity": cfg.identity,
                "leaseDurationSeconds": duration,
                "acquireTime": now,
                "renewTime": now,
                "leaseTransitions": transitions,
            }
        try:
            written = await self._call(
                self._client.replace(LEASE, self._with_spec(current, **changes), cfg.namespace),
                deadline,
            )
        except ConflictError:
            _log.debug("lost a race for the leader lease", extra=self._log_extra())
            return False
        except _RETRYABLE as exc:
            self._warn("failed to update leader lease", exc)
            return False
        self._observe(written)
        return True

    async def _create(self, now: str, duration: int, deadline: float | None) -> bool:
        cfg = self._config
        body: RawObject = {
            "apiVersion": LEASE.api_version,
            "kind": LEASE.kind,
            "metadata": {"name": cfg.name, "namespace": cfg.namespace},
            "spec": {
                "holderIdentity": cfg.identity,
                "leaseDurationSeconds": duration,
                "acquireTime": now,
                "renewTime": now,
                "leaseTransitions": 0,
            },
        }
        try:
            created = await self._call(self._client.create(LEASE, body, cfg.namespace), deadline)
        except AlreadyExistsError:
            return False
        except _RETRYABLE as exc:
            self._warn("failed to create leader lease", exc)
            return False
        self._observe(created)
        return True

    def _lease_valid(self) -> bool:
        spec = self._observed_spec or {}
        duration = float(spec.get("leaseDurationSeconds") or 0)
        return self._observed_at + duration > self._clock.monotonic()

    def _observe(self, obj: RawObject) -> None:
        spec = obj.get("spec")
        spec = dict(spec) if isinstance(spec, dict) else {}
        if spec != self._observed_spec:
            self._observed_spec = spec
            self._observed_at = self._clock.monotonic()
        self._observed = obj

    @staticmethod
    def _with_spec(obj: RawObject, **changes: Any) -> RawObject:
        body = copy.deepcopy(obj)
        spec = body.get("spec")
        if not isinstance(spec, dict):
            spec = body["spec"] = {}
        spec.update(changes)
        return body

    async def _call(self, call: Coroutine[Any, Any, R], deadline: float | None = None) -> R:
        """Await ``call``, cancelling it after the per-call timeout (or at ``deadline``)."""
        timeout = self._config.call_timeout
        if deadline is not None:
            timeout = min(timeout, deadline - self._clock.monotonic())
        task = asyncio.ensure_future(call)
        timer = asyncio.ensure_future(self._clock.sleep(max(timeout, 0.0)))
        try:
            await asyncio.wait((task, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            if not task.done():
                task.cancel()
            await asyncio.gather(task, timer, return_exceptions=True)
        if task.cancelled():
            raise TimeoutError("lease API call timed out")
        return task.result()

    def _set_leading(self, leading: bool) -> None:
        if leading:
            self.leading.set()
        else:
            self.leading.clear()
        if self._gauge is not None:
            self._gauge.labels(name=self._config.name).set(1 if leading else 0)

    def _warn(self, message: str, exc: BaseException) -> None:
        # One line per failed attempt (client-go logs these as errors): an unreachable API
        # server or missing RBAC must show in the logs of a replica that keeps retrying.
        error = str(exc) or type(exc).__name__
        _log.warning(message, extra={**self._log_extra(), "error": error})

    def _log_extra(self) -> dict[str, Any]:
        cfg = self._config
        return {"lease": cfg.name, "namespace": cfg.namespace, "identity": cfg.identity}

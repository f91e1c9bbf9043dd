"""Leader-election options, the Lease client protocol, and the MicroTime format.

Defaults are client-go's and controller-runtime's: a 15 s lease, a 10 s renew deadline, a 2 s
retry period with jitter factor 1.2, and an identity of ``<hostname>_<uuid4>``. The timings must
satisfy ``lease_duration > renew_deadline > jitter_factor * retry_period > 0``, which is what
guarantees that a leader that cannot renew gives up before any other candidate may take over.
"""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aim_engine.errors import AimEngineError, ConfigurationError
from aim_engine.kinds import ResourceKind
from aim_engine.objects import RawObject

__all__ = [
    "LeaderElectionConfig",
    "LeaseClient",
    "LeaseLostError",
    "default_identity",
    "format_micro_time",
    "parse_micro_time",
]

_MICRO_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


class LeaseLostError(AimEngineError):
    """Leadership was lost (renewal failed for ``renew_deadline`` or another holder appeared).

    Leader-only work has been cancelled by the time this is raised; the process should exit
    non-zero so that Kubernetes restarts it cleanly.
    """


class LeaseClient(Protocol):
    """The three API calls the elector makes (:class:`aim_engine.client.Client` has them)."""

    async def get(self, kind: ResourceKind, name: str, namespace: str | None = None) -> RawObject:
        """Read an object; raises :class:`~aim_engine.errors.NotFoundError` if absent."""
        ...

    async def create(
        self, kind: ResourceKind, obj: Mapping[str, Any], namespace: str | None = None
    ) -> RawObject:
        """Create an object; raises :class:`~aim_engine.errors.AlreadyExistsError` if taken."""
        ...

    async def replace(
        self, kind: ResourceKind, obj: Mapping[str, Any], namespace: str | None = None
    ) -> RawObject:
        """Replace an object; raises :class:`~aim_engine.errors.ConflictError` if stale."""
        ...


def default_identity() -> str:
    """``<hostname>_<uuid4>``, as controller-runtime builds it."""
    return f"{socket.gethostname()}_{uuid.uuid4()}"


def format_micro_time(when: dt.datetime) -> str:
    """Format a Kubernetes ``MicroTime``: ``2006-01-02T15:04:05.000000Z`` (UTC)."""
    return when.astimezone(dt.UTC).strftime(_MICRO_TIME)


def parse_micro_time(text: str) -> dt.datetime:
    """Parse a ``MicroTime`` (or an RFC 3339 ``Time``) into an aware UTC datetime."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class LeaderElectionConfig:
    """Where the Lease lives and how it is held.

    Raises:
        ConfigurationError: on an empty name or namespace, or timings that break
            ``lease_duration > renew_deadline > jitter_factor * retry_period > 0``.
    """

    name: str
    """Name of the Lease object (the leader-election id)."""
    namespace: str
    """Namespace of the Lease object."""
    identity: str = field(default_factory=default_identity)
    """This candidate's identity; default ``<hostname>_<uuid4>``."""
    lease_duration: float = 15.0
    """Seconds a non-leader waits, from when it last saw the record change, before taking over
    (written to ``spec.leaseDurationSeconds``, rounded to whole seconds)."""
    renew_deadline: float = 10.0
    """Seconds the leader keeps retrying a failing renewal before giving up leadership."""
    retry_period: float = 2.0
    """Seconds between attempts to acquire or renew."""
    jitter_factor: float = 1.2
    """Acquire attempts wait ``retry_period * (1 + random() * jitter_factor)``."""
    release_on_cancel: bool = True
    """Give the Lease up on a clean stop, so a successor takes over at once."""
    request_timeout: float | None = None
    """Timeout of each API call; default ``max(renew_deadline / 2, 1)`` (controller-runtime)."""

    def __post_init__(self) -> None:
        if not self.name or not self.namespace:
            raise ConfigurationError("leader election needs a lease name and namespace")
        if not self.identity:
            raise ConfigurationError("leader election needs a non-empty identity")
        if min(self.lease_duration, self.renew_deadline, self.retry_period) <= 0:
            raise ConfigurationError("leader election timings must be positive")
        if self.jitter_factor < 0:
            raise ConfigurationError("jitter_factor must not be negative")
        if self.lease_duration <= self.renew_deadline:
            raise ConfigurationError("lease_duration must be greater than renew_deadline")
        if self.renew_deadline <= self.jitter_factor * self.retry_period:
            raise ConfigurationError("renew_deadline must exceed jitter_factor * retry_period")

    @property
    def call_timeout(self) -> float:
        """The effective per-call timeout."""
        if self.request_timeout is not None:
            return self.request_timeout
        return max(self.renew_deadline / 2, 1.0)

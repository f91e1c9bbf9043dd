"""The clock and timings of scenario tests that run on the fake and on a real API server.

On the in-process fake server a scenario runs on a :class:`~aim_engine.testing.FakeClock` with
autojump: virtual time flies whenever the event loop is idle, which is sound because the fake's
I/O completes within loop cycles. Against a server in another process the loop is idle while a
request is in flight, so autojump would expire leases and deadlines mid-request; there the
scenario runs on the :class:`~aim_engine.clock.SystemClock` with short timings instead (the same
reasoning as ``manager_factory`` in :mod:`aim_engine.testing.fixtures`).

Tests pick each duration with :meth:`ScenarioClock.pick` (the fake value, unchanged from the
virtual-time version, and a short real one) and express ordering checks relative to the chosen
lease timings, allowing :attr:`ScenarioClock.tolerance` for real-time request latency.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aim_engine.clock import Clock, SystemClock
from aim_engine.leader import LeaderElectionConfig
from aim_engine.testing import FakeClock
from aim_engine.testing.pytest_plugin import TestCluster

__all__ = ["ScenarioClock", "scenario_clock"]


@dataclass(frozen=True, slots=True)
class ScenarioClock:
    """A clock for one scenario, with lease timings that suit it.

    Attributes:
        clock: the clock the framework and the test run on.
        is_fake: whether ``clock`` is a :class:`FakeClock` (virtual time, autojumped).
        lease_duration: ``LeaderElectionConfig.lease_duration`` for this scenario.
        renew_deadline: ``LeaderElectionConfig.renew_deadline``.
        retry_period: ``LeaderElectionConfig.retry_period``.
        tolerance: seconds of slack for lower bounds on elapsed time: request latency on a
            real server; on the fake, whose requests take no virtual time, only float rounding.
    """

    clock: Clock
    is_fake: bool
    lease_duration: float
    renew_deadline: float
    retry_period: float
    tolerance: float

    def pick(self, fake: float, real: float) -> float:
        """``fake`` seconds on the virtual clock, ``real`` seconds on the system clock."""
        return fake if self.is_fake else real

    def lease(
        self, name: str, namespace: str, identity: str, *, release_on_cancel: bool = True
    ) -> LeaderElectionConfig:
        """Leader-election settings with this scenario's timings."""
        return LeaderElectionConfig(
            name,
            namespace,
            identity=identity,
            lease_duration=self.lease_duration,
            renew_deadline=self.renew_deadline,
            retry_period=self.retry_period,
            release_on_cancel=release_on_cancel,
        )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Clock]:
        """Autojump the :class:`FakeClock` for the block; a no-op on the system clock."""
        if isinstance(self.clock, FakeClock):
            async with self.clock.autojump():
                yield self.clock
        else:
            yield self.clock


def scenario_clock(kube: TestCluster) -> ScenarioClock:
    """The clock for a scenario on ``kube``'s API server.

    The fake keeps client-go's default lease timings (15 s / 10 s / 2 s) in virtual time; a
    real server gets 4 s / 3 s / 0.5 s of real time, which still satisfy
    ``lease_duration > renew_deadline > jitter_factor * retry_period``.
    """
    if kube.is_fake:
        return ScenarioClock(
            clock=FakeClock(),
            is_fake=True,
            lease_duration=15.0,
            renew_deadline=10.0,
            retry_period=2.0,
            tolerance=1e-6,
        )
    return ScenarioClock(
        clock=SystemClock(),
        is_fake=False,
        lease_duration=4.0,
        renew_deadline=3.0,
        retry_period=0.5,
        tolerance=0.25,
    )

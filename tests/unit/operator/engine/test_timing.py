"""The timing constants of spec §4.5."""

from __future__ import annotations

import pytest

from aim_engine.clock import SystemClock
from aim_engine.queue import default_controller_rate_limiter
from controllers.engine import timing


def test_constants() -> None:
    assert timing.INFRA_ERROR_GRACE == 10.0
    assert timing.DISCOVERY_CONCURRENCY_RETRY == 5.0
    assert (timing.DISCOVERY_LOCK_WAIT, timing.DISCOVERY_LOCK_LEASE) == (30.0, 30.0)
    assert (timing.DISCOVERY_LOCK_POLL, timing.DISCOVERY_LOCK_RETRY) == (0.1, 2.0)
    assert (timing.DISCOVERY_JOB_TTL, timing.DISCOVERY_JOB_BACKOFF_LIMIT) == (60, 0)
    assert (timing.CHECK_SIZE_JOB_TTL, timing.CHECK_SIZE_JOB_BACKOFF_LIMIT) == (300, 2)
    assert (timing.DOWNLOAD_JOB_TTL, timing.DOWNLOAD_JOB_BACKOFF_LIMIT) == (600, 2)
    assert timing.ARTIFACT_POLL == 10.0
    assert (timing.DOWNLOADER_PROGRESS_INTERVAL, timing.DOWNLOADER_STALL_TIMEOUT) == (5.0, 120.0)
    assert timing.MODEL_SOURCE_RESYNC == 3600.0
    assert timing.POD_LOG_TAIL_LINES == 50
    assert (
        timing.LEADER_LEASE_DURATION,
        timing.LEADER_RENEW_DEADLINE,
        timing.LEADER_RETRY_PERIOD,
    ) == (15.0, 10.0, 2.0)


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(0, 0.0), (1, 60.0), (2, 120.0), (3, 240.0), (6, 1920.0), (7, 3600.0), (40, 3600.0)],
)
def test_discovery_backoff(attempts: int, seconds: float) -> None:
    assert timing.discovery_backoff(attempts) == seconds


def test_error_backoff_is_the_framework_default() -> None:
    limiter = default_controller_rate_limiter(SystemClock())
    delays = [limiter.when("key") for _ in range(20)]
    assert delays[0] == pytest.approx(timing.ERROR_BACKOFF_BASE)
    assert delays[1] == pytest.approx(2 * timing.ERROR_BACKOFF_BASE)
    assert max(limiter.when("key") for _ in range(40)) == pytest.approx(timing.ERROR_BACKOFF_MAX)

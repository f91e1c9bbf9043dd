"""The timing constants of the AIM controllers (spec §4.5), in one place and in seconds.

Values that are facts of the AIM API (Job TTLs, discovery backoff, polling periods) are defined
once in :class:`aim_engine.api.v1alpha1.constants.Defaults`; this module gives them the names the
pipeline and the controllers use, so nothing else spells a number of seconds. Error requeues have
no constant of their own: the pipeline raises and the framework's per-item rate limiter
(:func:`aim_engine.queue.default_controller_rate_limiter`: 5 ms doubling up to 1000 s, the same
as controller-runtime's) decides the delay; :data:`ERROR_BACKOFF_BASE` and
:data:`ERROR_BACKOFF_MAX` only document it.

Every wait is measured on the injected :class:`~aim_engine.clock.Clock` (the grace period is
compared with ``clock.now()``), never on the process's own clock.
"""

from __future__ import annotations

from typing import Final

from controllers.defaults import Defaults, discovery_backoff_seconds

__all__ = [
    "ARTIFACT_POLL",
    "CHECK_SIZE_JOB_BACKOFF_LIMIT",
    "CHECK_SIZE_JOB_TTL",
    "DISCOVERY_CONCURRENCY_RETRY",
    "DISCOVERY_JOB_BACKOFF_LIMIT",
    "DISCOVERY_JOB_TTL",
    "DISCOVERY_LOCK_LEASE",
    "DISCOVERY_LOCK_POLL",
    "DISCOVERY_LOCK_RETRY",
    "DISCOVERY_LOCK_WAIT",
    "DOWNLOADER_PROGRESS_INTERVAL",
    "DOWNLOADER_STALL_TIMEOUT",
    "DOWNLOAD_JOB_BACKOFF_LIMIT",
    "DOWNLOAD_JOB_TTL",
    "ERROR_BACKOFF_BASE",
    "ERROR_BACKOFF_MAX",
    "INFRA_ERROR_GRACE",
    "LEADER_LEASE_DURATION",
    "LEADER_RENEW_DEADLINE",
    "LEADER_RETRY_PERIOD",
    "MODEL_SOURCE_RESYNC",
    "POD_LOG_TAIL_LINES",
    "discovery_backoff",
]

INFRA_ERROR_GRACE: Final[float] = Defaults.INFRA_ERROR_GRACE_SECONDS
"""Seconds after ``DependenciesReachable`` turned False during which components that carry an
infrastructure error keep their previous condition status (anti-flap, spec §4.3 step 3)."""

ERROR_BACKOFF_BASE: Final[float] = 0.005
"""First delay of the per-item exponential backoff after a raised error (framework default)."""
ERROR_BACKOFF_MAX: Final[float] = 1000.0
"""Cap of the per-item exponential backoff (framework default)."""

DISCOVERY_CONCURRENCY_RETRY: Final[float] = Defaults.DISCOVERY_CONCURRENCY_REQUEUE_SECONDS
"""Requeue of a template whose discovery Job waits for a free slot (5 s)."""
DISCOVERY_LOCK_WAIT: Final[float] = Defaults.DISCOVERY_LOCK_WAIT_SECONDS
"""How long a template reconcile waits for the discovery lock (30 s)."""
DISCOVERY_LOCK_LEASE: Final[float] = float(Defaults.DISCOVERY_LOCK_LEASE_SECONDS)
"""Lease duration of the discovery lock (30 s)."""
DISCOVERY_LOCK_POLL: Final[float] = Defaults.DISCOVERY_LOCK_POLL_SECONDS
"""Poll period while waiting for the discovery lock (100 ms)."""
DISCOVERY_LOCK_RETRY: Final[float] = Defaults.DISCOVERY_LOCK_RETRY_SECONDS
"""Requeue when the discovery lock could not be taken (2 s)."""
DISCOVERY_JOB_TTL: Final[int] = Defaults.DISCOVERY_JOB_TTL_SECONDS
"""``ttlSecondsAfterFinished`` of discovery Jobs (60 s)."""
DISCOVERY_JOB_BACKOFF_LIMIT: Final[int] = Defaults.DISCOVERY_JOB_BACKOFF_LIMIT
"""``backoffLimit`` of discovery Jobs (0)."""
CHECK_SIZE_JOB_TTL: Final[int] = Defaults.CHECK_SIZE_JOB_TTL_SECONDS
"""``ttlSecondsAfterFinished`` of check-size Jobs (300 s)."""
CHECK_SIZE_JOB_BACKOFF_LIMIT: Final[int] = Defaults.CHECK_SIZE_JOB_BACKOFF_LIMIT
"""``backoffLimit`` of check-size Jobs (2)."""
DOWNLOAD_JOB_TTL: Final[int] = Defaults.DOWNLOAD_JOB_TTL_SECONDS
"""``ttlSecondsAfterFinished`` of download Jobs (600 s)."""
DOWNLOAD_JOB_BACKOFF_LIMIT: Final[int] = Defaults.DOWNLOAD_JOB_BACKOFF_LIMIT
"""``backoffLimit`` of download Jobs (2)."""
ARTIFACT_POLL: Final[float] = Defaults.ARTIFACT_POLL_SECONDS
"""Requeue of an artifact while it is ``Progressing`` (10 s)."""
DOWNLOADER_PROGRESS_INTERVAL: Final[float] = 5.0
"""How often the downloader pod reports progress (5 s)."""
DOWNLOADER_STALL_TIMEOUT: Final[float] = float(Defaults.DOWNLOAD_STALL_TIMEOUT_SECONDS)
"""``STALL_TIMEOUT`` of the downloader pod (120 s)."""
MODEL_SOURCE_RESYNC: Final[float] = Defaults.MODEL_SOURCE_SYNC_SECONDS
"""Default ``spec.syncInterval`` of model sources (1 h)."""
POD_LOG_TAIL_LINES: Final[int] = Defaults.POD_LOG_TAIL_LINES
"""Log lines read from a failed pod for failure analysis (50)."""
LEADER_LEASE_DURATION: Final[float] = 15.0
"""Leader election lease duration (15 s)."""
LEADER_RENEW_DEADLINE: Final[float] = 10.0
"""Leader election renew deadline (10 s)."""
LEADER_RETRY_PERIOD: Final[float] = 2.0
"""Leader election retry period (2 s)."""


def discovery_backoff(attempts: int) -> float:
    """Seconds before discovery attempt ``attempts + 1``: ``min(60 · 2^(attempts-1), 3600)``."""
    return discovery_backoff_seconds(attempts)

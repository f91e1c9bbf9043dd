"""The AIM operator's own defaults and limits: what the original hard-codes, not API fields.

Defaults of API fields (the GPU resource name, the downloader image, ...) are part of the API
and live in :mod:`aim_engine.api.v1alpha1.defaults`.
"""

from __future__ import annotations

from typing import Final

__all__ = ["Defaults", "discovery_backoff_seconds"]


class Defaults:
    """Default values and limits of the original operator (not part of the API)."""

    OPERATOR_NAMESPACE: Final = "aim-system"
    RUNTIME_CONFIG_NAME: Final = "default"
    INFERENCE_PORT: Final = 8000
    INFERENCE_PORT_NAME: Final = "http"
    INFERENCE_CONTAINER: Final = "kserve-container"
    GATEWAY_BACKEND_PORT: Final = 80
    CACHE_BASE_PATH: Final = "/workspace/cache"
    SHM_VOLUME: Final = "dshm"
    SHM_MOUNT_PATH: Final = "/dev/shm"
    SHM_SIZE: Final = "8Gi"
    DOWNLOADER_PROTOCOLS: Final = "XET,HF_TRANSFER"
    DOWNLOAD_MOUNT_PATH: Final = "/cache"
    DOWNLOAD_STALL_TIMEOUT_SECONDS: Final = 120
    DISCOVERY_BACKOFF_BASE_SECONDS: Final = 60.0
    DISCOVERY_BACKOFF_MAX_SECONDS: Final = 3600.0
    MAX_CONCURRENT_DISCOVERY_JOBS: Final = 10
    DISCOVERY_CONCURRENCY_REQUEUE_SECONDS: Final = 5.0
    DISCOVERY_LOCK_NAME: Final = "aim-discovery-lock"
    DISCOVERY_LOCK_WAIT_SECONDS: Final = 30.0
    DISCOVERY_LOCK_LEASE_SECONDS: Final = 30
    DISCOVERY_LOCK_POLL_SECONDS: Final = 0.1
    DISCOVERY_LOCK_RETRY_SECONDS: Final = 2.0
    DISCOVERY_JOB_TTL_SECONDS: Final = 60
    DISCOVERY_JOB_BACKOFF_LIMIT: Final = 0
    DISCOVERY_RUN_AS_USER: Final = 65532
    CHECK_SIZE_JOB_TTL_SECONDS: Final = 300
    CHECK_SIZE_JOB_BACKOFF_LIMIT: Final = 2
    DOWNLOAD_JOB_TTL_SECONDS: Final = 600
    DOWNLOAD_JOB_BACKOFF_LIMIT: Final = 2
    DOWNLOADER_RUN_AS_USER: Final = 1000
    ARTIFACT_POLL_SECONDS: Final = 10.0
    INFRA_ERROR_GRACE_SECONDS: Final = 10.0
    MODEL_SOURCE_SYNC_SECONDS: Final = 3600.0
    LEADER_ELECTION_ID: Final = "3be10d2f.eai.amd.com"
    POD_LOG_TAIL_LINES: Final = 50
    ARTIFACT_STATUS_UPDATER: Final = "aim-engine-artifact-status-updater"
    CPU_PER_GPU: Final = 4
    MEMORY_REQUEST_PER_GPU: Final = "32Gi"
    MEMORY_LIMIT_PER_GPU: Final = "48Gi"
    ISVC_NAME_RESERVED: Final = 11


def discovery_backoff_seconds(attempts: int) -> float:
    """Wait before the next discovery attempt: ``min(60 s · 2^(attempts-1), 3600 s)``; 0 → 0."""
    if attempts <= 0:
        return 0.0
    factor = float(1 << min(attempts - 1, 16))
    return min(
        Defaults.DISCOVERY_BACKOFF_BASE_SECONDS * factor, Defaults.DISCOVERY_BACKOFF_MAX_SECONDS
    )

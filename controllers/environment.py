"""Names of the environment variables the operator sets on what it runs, or reads itself."""

from __future__ import annotations

from typing import Final

__all__ = ["EnvVars"]


class EnvVars:
    """Environment variable names the operator sets or reads."""

    AIM_CACHE_PATH: Final = "AIM_CACHE_PATH"
    VLLM_ENABLE_METRICS: Final = "VLLM_ENABLE_METRICS"
    AIM_PROFILE_ID: Final = "AIM_PROFILE_ID"
    AIM_METRIC: Final = "AIM_METRIC"
    AIM_PRECISION: Final = "AIM_PRECISION"
    AIM_MODEL_ID: Final = "AIM_MODEL_ID"
    AIM_ENGINE_ARGS: Final = "AIM_ENGINE_ARGS"
    AIM_GPU_MODEL: Final = "AIM_GPU_MODEL"
    AIM_GPU_COUNT: Final = "AIM_GPU_COUNT"
    AIM_LOG_LEVEL_ROOT: Final = "AIM_LOG_LEVEL_ROOT"
    AIM_LOG_LEVEL: Final = "AIM_LOG_LEVEL"
    AIM_DOWNLOADER_PROTOCOL: Final = "AIM_DOWNLOADER_PROTOCOL"
    TMPDIR: Final = "TMPDIR"
    HF_HOME: Final = "HF_HOME"
    EXPECTED_SIZE_BYTES: Final = "EXPECTED_SIZE_BYTES"
    MOUNT_PATH: Final = "MOUNT_PATH"
    ARTIFACT_NAME: Final = "ARTIFACT_NAME"
    ARTIFACT_NAMESPACE: Final = "ARTIFACT_NAMESPACE"
    STALL_TIMEOUT: Final = "STALL_TIMEOUT"
    TARGET_DIR: Final = "TARGET_DIR"
    AWS_ENDPOINT_URL: Final = "AWS_ENDPOINT_URL"
    AIM_SYSTEM_NAMESPACE: Final = "AIM_SYSTEM_NAMESPACE"
    POD_NAME: Final = "POD_NAME"

"""AIMStatus priorities and the constants module."""

from __future__ import annotations

import pytest

from aim_engine.api.v1alpha1 import AIMStatus, status_priority, worst_status
from aim_engine.api.v1alpha1.constants import (
    LABEL_PREFIX,
    Defaults,
    Labels,
    controller_name_label,
    discovery_backoff_seconds,
    managed_by_value,
)


def test_priority_order_follows_the_code_not_the_docs() -> None:
    order = sorted(AIMStatus, key=lambda s: s.priority, reverse=True)
    assert order == [
        AIMStatus.RUNNING,
        AIMStatus.READY,
        AIMStatus.PROGRESSING,
        AIMStatus.STARTING,
        AIMStatus.PENDING,
        AIMStatus.DEGRADED,
        AIMStatus.NOT_AVAILABLE,
        AIMStatus.FAILED,
    ]


@pytest.mark.parametrize(("value", "expected"), [("Ready", 6), ("", 0), (None, 0), ("Bogus", 0)])
def test_status_priority_of_strings(value: str | None, expected: int) -> None:
    assert status_priority(value) == expected


def test_worst_status() -> None:
    assert worst_status([]) is None
    assert worst_status([AIMStatus.READY, AIMStatus.DEGRADED, AIMStatus.NOT_AVAILABLE]) is (
        AIMStatus.NOT_AVAILABLE
    )
    assert worst_status([AIMStatus.PENDING, AIMStatus.PROGRESSING]) is AIMStatus.PENDING


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(0, 0.0), (1, 60.0), (2, 120.0), (6, 1920.0), (7, 3600.0), (99, 3600.0)],
)
def test_discovery_backoff(attempts: int, seconds: float) -> None:
    assert discovery_backoff_seconds(attempts) == seconds


def test_label_keys_and_defaults() -> None:
    aim_keys = [v for k, v in vars(Labels).items() if k.isupper() and v.startswith("aim.")]
    assert aim_keys
    assert all(key.startswith(LABEL_PREFIX) for key in aim_keys)
    assert controller_name_label("service") == "aim.eai.amd.com/service.name"
    assert managed_by_value("cluster-model") == "aim-cluster-model-controller"
    assert Defaults.INFERENCE_PORT == 8000
    assert Defaults.GPU_RESOURCE_NAME == "amd.com/gpu"
    assert Defaults.CACHE_BASE_PATH == "/workspace/cache"
    assert Defaults.SHM_SIZE == "8Gi"
    assert Defaults.MAX_CONCURRENT_DISCOVERY_JOBS == 10

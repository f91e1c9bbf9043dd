"""AIMStatus priorities and the well-known labels."""

from __future__ import annotations

import pytest

from aim_engine.api.v1alpha1 import AIMStatus, status_priority, worst_status
from aim_engine.api.v1alpha1.defaults import FieldDefaults
from aim_engine.api.v1alpha1.labels import (
    LABEL_PREFIX,
    Labels,
    controller_name_label,
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


def test_label_keys_and_defaults() -> None:
    aim_keys = [v for k, v in vars(Labels).items() if k.isupper() and v.startswith("aim.")]
    assert aim_keys
    assert all(key.startswith(LABEL_PREFIX) for key in aim_keys)
    assert controller_name_label("service") == "aim.eai.amd.com/service.name"
    assert managed_by_value("cluster-model") == "aim-cluster-model-controller"
    assert FieldDefaults.GPU_RESOURCE_NAME == "amd.com/gpu"

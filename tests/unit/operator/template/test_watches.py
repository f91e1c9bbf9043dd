"""What retriggers templates: index values and event predicates (spec §6)."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.controller import EventType, ObjectEvent
from controllers.template.watches import (
    discovery_pod_changed,
    gpu_node_changed,
    template_gpu_values,
    template_model_values,
    template_runtime_config_values,
)


@pytest.mark.parametrize(
    ("spec", "model", "config", "gpu"),
    [
        ({"modelName": "m"}, ["m"], ["default"], []),
        ({"modelName": "m", "runtimeConfigName": "rc"}, ["m"], ["rc"], []),
        ({"modelName": "m", "hardware": {"gpu": {"requests": 2}}}, ["m"], ["default"], ["true"]),
        (
            {"modelName": "m", "hardware": {"gpu": {"model": "MI300X"}}},
            ["m"],
            ["default"],
            ["true"],
        ),
        ({"modelName": "m", "hardware": {"gpu": {"requests": 0}}}, ["m"], ["default"], []),
        ({"modelName": "m", "hardware": {"gpu": {"requests": "bad"}}}, ["m"], ["default"], []),
    ],
)
def test_template_index_values(
    spec: dict[str, Any], model: list[str], config: list[str], gpu: list[str]
) -> None:
    obj = {"metadata": {"name": "t"}, "spec": spec}
    assert template_model_values(obj) == model
    assert template_runtime_config_values(obj) == config
    assert template_gpu_values(obj) == gpu


def node(labels: dict[str, str], allocatable: dict[str, str] | None = None) -> dict[str, Any]:
    return {"metadata": {"labels": labels}, "status": {"allocatable": allocatable or {}}}


@pytest.mark.parametrize(
    ("old", "new", "passes"),
    [
        (node({"a": "1"}), node({"a": "2"}), False),
        (node({}), node({"amd.com/gpu.device-id": "74a1"}), True),
        (node({"beta.amd.com/gpu.family": "AI"}), node({}), True),
        (node({}, {"amd.com/gpu": "8"}), node({}, {"amd.com/gpu": "4"}), True),
        (node({}, {"cpu": "8"}), node({}, {"cpu": "4"}), False),
    ],
)
def test_node_updates_pass_on_amd_changes_only(
    old: dict[str, Any], new: dict[str, Any], passes: bool
) -> None:
    assert gpu_node_changed(ObjectEvent(EventType.UPDATE, new, old)) is passes
    assert gpu_node_changed(ObjectEvent(EventType.ADD, new)) is True
    assert gpu_node_changed(ObjectEvent(EventType.DELETE, new)) is True


def pod(phase: str, waiting: str = "", statuses: int = 1) -> dict[str, Any]:
    state = {"waiting": {"reason": waiting}} if waiting else {}
    return {
        "metadata": {"name": "p"},
        "status": {"phase": phase, "containerStatuses": [{"state": state}] * statuses},
    }


@pytest.mark.parametrize(
    ("event", "passes"),
    [
        (ObjectEvent(EventType.ADD, pod("Pending")), False),
        (ObjectEvent(EventType.ADD, pod("Pending", "ImagePullBackOff")), True),
        (ObjectEvent(EventType.UPDATE, pod("Pending", "ErrImagePull"), pod("Pending")), True),
        (ObjectEvent(EventType.UPDATE, pod("Running"), pod("Pending")), True),
        (ObjectEvent(EventType.UPDATE, pod("Pending", statuses=2), pod("Pending")), True),
        (ObjectEvent(EventType.UPDATE, pod("Running"), pod("Running")), False),
        (ObjectEvent(EventType.DELETE, pod("Succeeded")), True),
    ],
)
def test_discovery_pod_predicate(event: ObjectEvent, passes: bool) -> None:
    assert discovery_pod_changed(event) is passes

"""Apply bodies: controller labels, propagation, owner references, order (spec §4.1, §7.3)."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.errors import AlreadyOwnedError
from controllers.engine import Plan, prepare, propagated_labels

PARENT: dict[str, Any] = {
    "apiVersion": "aim.eai.amd.com/v1alpha1",
    "kind": "AIMService",
    "metadata": {"name": "svc", "namespace": "ns", "uid": "u-1", "labels": {"team": "a"}},
}


def cm(name: str, namespace: str = "ns", **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}


def test_owned_objects_get_labels_and_a_controller_reference() -> None:
    prepared = prepare(Plan(apply=[cm("b"), cm("a")]), PARENT, "service")
    assert [o["metadata"]["name"] for o in prepared.owned] == ["a", "b"]
    body = prepared.owned[0]
    assert body["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "aim-service-controller",
        "aim.eai.amd.com/service.name": "svc",
    }
    assert body["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "aim.eai.amd.com/v1alpha1",
            "kind": "AIMService",
            "name": "svc",
            "uid": "u-1",
            "controller": True,
        }
    ]


def test_unowned_objects_have_labels_but_no_owner() -> None:
    prepared = prepare(Plan(apply_unowned=[cm("shared")]), PARENT, "service")
    (body,) = prepared.unowned
    assert "ownerReferences" not in body["metadata"]
    assert body["metadata"]["labels"]["aim.eai.amd.com/service.name"] == "svc"


def test_existing_label_keys_are_never_overwritten_and_the_plan_is_untouched() -> None:
    original = cm("a", **{"app.kubernetes.io/managed-by": "someone", "team": "b"})
    plan = Plan(apply=[original], labels={"team": "a", "tier": "gold"})
    (body,) = prepare(plan, PARENT, "model").owned
    assert body["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "someone",
        "team": "b",
        "tier": "gold",
        "aim.eai.amd.com/model.name": "svc",
    }
    assert "ownerReferences" not in original["metadata"]


def test_jobs_get_the_labels_on_the_pod_template_except_managed_by() -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "discover", "namespace": "ns"},
        "spec": {"template": {"spec": {"containers": []}}},
    }
    (body,) = prepare(Plan(apply=[job], labels={"team": "a"}), PARENT, "service-template").owned
    assert body["spec"]["template"]["metadata"]["labels"] == {
        "team": "a",
        "aim.eai.amd.com/service-template.name": "svc",
    }


def test_deterministic_order_by_api_version_kind_namespace_name() -> None:
    objs = [
        cm("b", "ns2"),
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "z", "namespace": "ns"}},
        cm("a", "ns2"),
        cm("c", "ns"),
    ]
    prepared = prepare(Plan(apply_unowned=objs), PARENT, "service")
    assert [
        (o["kind"], o["metadata"]["namespace"], o["metadata"]["name"]) for o in prepared.unowned
    ] == [
        ("Job", "ns", "z"),  # "batch/v1" sorts before "v1"
        ("ConfigMap", "ns", "c"),
        ("ConfigMap", "ns2", "a"),
        ("ConfigMap", "ns2", "b"),
    ]


def test_an_object_controlled_by_someone_else_is_refused() -> None:
    other = cm("a")
    other["metadata"]["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "x", "uid": "u-2", "controller": True}
    ]
    with pytest.raises(AlreadyOwnedError):
        prepare(Plan(apply=[other]), PARENT, "service")


@pytest.mark.parametrize(
    ("labels", "patterns", "enabled", "expected"),
    [
        ({"team": "a", "env": "prod"}, ["team"], True, {"team": "a"}),
        (
            {"org.io/team": "a", "org.io/env": "p", "x": "y"},
            ["org.io/*"],
            True,
            {"org.io/team": "a", "org.io/env": "p"},
        ),
        ({"team": "a"}, ["te?m"], True, {"team": "a"}),
        ({"team": "a"}, ["team"], False, {}),
        ({"team": "a"}, [], True, {}),
        (None, ["*"], True, {}),
    ],
)
def test_propagated_labels(
    labels: dict[str, str] | None, patterns: list[str], enabled: bool, expected: dict[str, str]
) -> None:
    assert propagated_labels(labels, patterns, enabled=enabled) == expected

"""Pure parts of the finalizer, event and apply helpers (no client involved)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aim_engine.apply import apply_order
from aim_engine.events import format_micro_time, object_reference
from aim_engine.finalizers import _add_ops, _remove_ops, has_finalizer, is_deleting


def test_add_ops_guard_on_list_or_resource_version() -> None:
    with_list = {"metadata": {"finalizers": ["a"], "resourceVersion": "5"}}
    assert _add_ops(with_list, "b") == [
        {"op": "test", "path": "/metadata/finalizers", "value": ["a"]},
        {"op": "add", "path": "/metadata/finalizers/-", "value": "b"},
    ]
    without = {"metadata": {"resourceVersion": "5"}}
    assert _add_ops(without, "b") == [
        {"op": "test", "path": "/metadata/resourceVersion", "value": "5"},
        {"op": "add", "path": "/metadata/finalizers", "value": ["b"]},
    ]


def test_remove_ops_test_the_index() -> None:
    obj = {"metadata": {"finalizers": ["a", "b", "c"]}}
    assert _remove_ops(obj, "b") == [
        {"op": "test", "path": "/metadata/finalizers/1", "value": "b"},
        {"op": "remove", "path": "/metadata/finalizers/1"},
    ]


def test_predicates() -> None:
    obj = {"metadata": {"finalizers": ["x"], "deletionTimestamp": "2026-01-01T00:00:00Z"}}
    assert has_finalizer(obj, "x")
    assert not has_finalizer(obj, "y")
    assert is_deleting(obj)
    assert not is_deleting({"metadata": {}})
    assert not has_finalizer({}, "x")


def test_object_reference_and_micro_time() -> None:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "n", "namespace": "ns", "uid": "u", "resourceVersion": "3"},
    }
    assert object_reference(obj) == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": "n",
        "namespace": "ns",
        "uid": "u",
        "resourceVersion": "3",
    }
    assert "namespace" not in object_reference({"kind": "Node", "metadata": {"name": "n"}})
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    assert format_micro_time(when) == "2026-01-02T03:04:05.000006Z"


def test_apply_order_is_gvk_namespace_name() -> None:
    objs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "namespace": "x"}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "z"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "namespace": "x"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "y"}},
    ]
    ordered = [(o["kind"], o["metadata"]["name"]) for o in sorted(objs, key=apply_order)]
    assert ordered == [
        ("Deployment", "z"),
        ("ConfigMap", "b"),
        ("ConfigMap", "a"),
        ("Service", "a"),
    ]

"""Owner references with controller-runtime's validation rules."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.errors import AlreadyOwnedError, ConfigurationError, OwnerReferenceError
from aim_engine.ownership import (
    controller_of,
    is_owned_by,
    set_controller_reference,
    set_owner_reference,
)


def obj(
    kind: str, name: str, ns: str | None = "ns", uid: str = "", api: str = "v1"
) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name}
    if ns:
        m["namespace"] = ns
    if uid:
        m["uid"] = uid
    return {"apiVersion": api, "kind": kind, "metadata": m}


OWNER = obj("AIMService", "svc", uid="u-1", api="aim.amd.com/v1alpha1")


def test_sets_controller_reference() -> None:
    child = obj("ConfigMap", "c")
    set_controller_reference(OWNER, child)
    assert child["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "aim.amd.com/v1alpha1",
            "kind": "AIMService",
            "name": "svc",
            "uid": "u-1",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert controller_of(child) == child["metadata"]["ownerReferences"][0]
    assert is_owned_by(child, OWNER)


def test_setting_twice_is_idempotent_and_version_insensitive() -> None:
    child = obj("ConfigMap", "c")
    set_controller_reference(OWNER, child)
    moved = obj("AIMService", "svc", uid="u-1", api="aim.amd.com/v1beta1")
    set_controller_reference(moved, child, block_owner_deletion=False)
    refs = child["metadata"]["ownerReferences"]
    assert len(refs) == 1
    assert refs[0]["apiVersion"] == "aim.amd.com/v1beta1"
    assert "blockOwnerDeletion" not in refs[0]


def test_other_controller_is_refused() -> None:
    child = obj("ConfigMap", "c")
    set_controller_reference(OWNER, child)
    other = obj("AIMService", "other", uid="u-2", api="aim.amd.com/v1alpha1")
    with pytest.raises(AlreadyOwnedError):
        set_controller_reference(other, child)
    assert issubclass(AlreadyOwnedError, ConfigurationError)


def test_owner_without_uid_is_refused() -> None:
    with pytest.raises(OwnerReferenceError):
        set_controller_reference(obj("AIMService", "svc"), obj("ConfigMap", "c"))


def test_cross_namespace_and_cluster_scope_rules() -> None:
    with pytest.raises(OwnerReferenceError, match="cross-namespace"):
        set_controller_reference(OWNER, obj("ConfigMap", "c", ns="elsewhere"))
    with pytest.raises(OwnerReferenceError, match="cluster-scoped"):
        set_controller_reference(OWNER, obj("ClusterRole", "r", ns=None))
    cluster_owner = obj("AIMClusterModel", "m", ns=None, uid="u-9", api="aim.amd.com/v1alpha1")
    namespaced_child = obj("ConfigMap", "c")
    set_controller_reference(cluster_owner, namespaced_child)
    assert is_owned_by(namespaced_child, cluster_owner)


def test_owner_reference_keeps_existing_controller() -> None:
    child = obj("ConfigMap", "c")
    set_controller_reference(OWNER, child)
    set_owner_reference(OWNER, child)
    assert controller_of(child) is not None
    second = obj("Other", "o", uid="u-3", api="x.io/v1")
    set_owner_reference(second, child)
    refs = child["metadata"]["ownerReferences"]
    assert len(refs) == 2
    assert "controller" not in refs[1]
    assert is_owned_by(child, second)
    assert not is_owned_by(child, obj("Other", "o", uid="u-4"))

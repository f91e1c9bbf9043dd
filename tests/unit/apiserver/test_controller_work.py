"""The fake's control-plane pass runs only when a deletion or an ownership change could need it."""

from __future__ import annotations

from aim_engine.testing.apiserver._storage._store import Store


def _obj(name: str, **meta: object) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, **meta}}


def test_plain_writes_need_no_pass() -> None:
    store = Store()
    key = ("", "configmaps", "default", "a")
    store.put(key, _obj("a"), None)
    store.put(key, _obj("a", labels={"x": "1"}), store.get(key))
    assert not store.controllers_may_have_work()


def test_owned_object_needs_one_pass_until_seen() -> None:
    store = Store()
    key = ("", "configmaps", "default", "child")
    store.put(key, _obj("child", ownerReferences=[{"uid": "u1", "name": "p"}]), None)
    assert store.controllers_may_have_work()
    store.controllers_saw(store.gc_epoch)
    assert not store.controllers_may_have_work()
    # Removing any object while owned objects exist may orphan them: look again.
    other = ("", "configmaps", "default", "owner")
    store.put(other, _obj("owner"), None)
    store.remove(other)
    assert store.controllers_may_have_work()


def test_objects_being_deleted_keep_the_pass_running() -> None:
    store = Store()
    key = ("", "namespaces", "", "ns")
    store.put(key, _obj("ns", deletionTimestamp="2026-01-01T00:00:00Z"), None)
    store.controllers_saw(store.gc_epoch)
    assert store.controllers_may_have_work()
    store.remove(key)
    assert not store.controllers_may_have_work()

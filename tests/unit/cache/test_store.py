"""Store: copies on every read, relist deltas, indexes kept in step with every write."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.cache import NAMESPACE_INDEX, LabelSelector, Store
from aim_engine.errors import ConfigurationError
from aim_engine.objects import RawObject, name_of


def cm(name: str, ns: str = "default", rv: str = "1", **labels: str) -> RawObject:
    md: dict[str, Any] = {"name": name, "namespace": ns, "resourceVersion": rv}
    if labels:
        md["labels"] = labels
    return {"kind": "ConfigMap", "metadata": md, "data": {"k": "v"}}


def test_reads_are_independent_copies() -> None:
    store = Store()
    store.upsert(cm("a"))
    got = store.get("default/a")
    assert got is not None
    got["data"]["k"] = "changed"
    got["metadata"]["name"] = "evil"
    again = store.get("default/a")
    assert again == cm("a")
    listed = store.list()
    listed[0]["data"].clear()
    assert store.list() == [cm("a")]
    assert store.get("default/a") is not store.get("default/a")


def test_the_caller_cannot_corrupt_the_store_through_the_written_object() -> None:
    store = Store()
    obj = cm("a")
    store.upsert(obj)
    obj["data"]["k"] = "mutated after write"
    assert store.get("default/a") == cm("a")


def test_keys_for_namespaced_and_cluster_scoped() -> None:
    store = Store()
    store.upsert(cm("a", "ns1"))
    store.upsert({"kind": "Namespace", "metadata": {"name": "ns1", "resourceVersion": "2"}})
    assert store.keys() == ["ns1/a", "ns1"]
    assert "ns1" in store
    assert len(store) == 2


def test_upsert_and_delete_report_changes() -> None:
    store = Store()
    added = store.upsert(cm("a", rv="1"))
    assert (added.type, added.old) == ("added", None)
    updated = store.upsert(cm("a", rv="2"))
    assert updated.type == "updated"
    assert updated.old is not None
    assert updated.old["metadata"]["resourceVersion"] == "1"
    assert store.resource_version("default/a") == "2"
    deleted = store.delete("default/a")
    assert deleted is not None
    assert deleted.type == "deleted"
    assert deleted.old == cm("a", rv="2")
    assert store.delete("default/a") is None
    assert store.get("default/a") is None


def test_delete_with_the_final_state_reports_it_and_leaves_the_key_out() -> None:
    store = Store()
    store.upsert(cm("a", rv="1", app="web"), "default/a")
    final = cm("a", rv="7")
    deleted = store.delete("default/a", final=final)
    assert deleted is not None
    assert deleted.old is final  # the caller's object, not a decoded stored copy
    assert store.index_keys(NAMESPACE_INDEX, "default") == []
    assert store.list(LabelSelector.parse({"app": "web"})) == []


def test_replace_reports_only_real_differences() -> None:
    store = Store()
    for name in "abc":
        store.upsert(cm(name, rv="1"))
    changes = store.replace([cm("a", rv="1"), cm("b", rv="5"), cm("d", rv="6")])
    summary = [
        (c.type, name_of(c.new) if c.new is not None else name_of(c.old or {})) for c in changes
    ]
    assert summary == [("updated", "b"), ("added", "d"), ("deleted", "c")]
    assert sorted(store.keys()) == ["default/a", "default/b", "default/d"]


def test_namespace_index_and_label_filter() -> None:
    store = Store()
    store.upsert(cm("a", "ns1", app="web"))
    store.upsert(cm("b", "ns1", app="db"))
    store.upsert(cm("c", "ns2", app="web"))
    assert [name_of(o) for o in store.by_index(NAMESPACE_INDEX, "ns1")] == ["a", "b"]
    web = LabelSelector.parse("app=web")
    assert [name_of(o) for o in store.by_index(NAMESPACE_INDEX, "ns1", web)] == ["a"]
    assert [name_of(o) for o in store.list(web)] == ["a", "c"]
    assert sorted(store.index_values(NAMESPACE_INDEX)) == ["ns1", "ns2"]


def test_user_index_follows_updates_and_deletes() -> None:
    store = Store({"by-owner": lambda o: o["metadata"].get("labels", {}).values()})
    store.upsert(cm("a", rv="1", owner="x"))
    store.upsert(cm("b", rv="1", owner="x"))
    assert store.index_keys("by-owner", "x") == ["default/a", "default/b"]
    store.upsert(cm("a", rv="2", owner="y"))
    assert store.index_keys("by-owner", "x") == ["default/b"]
    assert store.index_keys("by-owner", "y") == ["default/a"]
    store.delete("default/b")
    assert store.index_keys("by-owner", "x") == []
    assert "x" not in store.index_values("by-owner")
    store.replace([cm("c", rv="3", owner="y")])
    assert store.index_keys("by-owner", "y") == ["default/c"]


def test_indexer_added_later_covers_existing_objects() -> None:
    store = Store()
    store.upsert(cm("a", app="web"))
    store.add_indexer("app", lambda o: [o["metadata"]["labels"]["app"]])
    assert [name_of(o) for o in store.by_index("app", "web")] == ["a"]
    store.upsert(cm("b", app="web"))
    assert [name_of(o) for o in store.by_index("app", "web")] == ["a", "b"]
    with pytest.raises(ConfigurationError):
        store.add_indexer("app", lambda o: [])
    with pytest.raises(ConfigurationError):
        store.by_index("nope", "x")


def test_a_failing_index_function_does_not_lose_the_object() -> None:
    def broken(obj: RawObject) -> list[str]:
        raise KeyError("boom")

    store = Store({"broken": broken})
    store.upsert(cm("a"))
    assert store.get("default/a") == cm("a")
    assert store.index_keys("broken", "anything") == []


def test_replace_without_trusted_versions_compares_contents() -> None:
    """After the server went back in time, a resourceVersion may name different contents."""
    store = Store()
    store.replace([cm("same"), cm("reused")])
    reused = cm("reused")
    reused["data"] = {"k": "another object"}
    assert store.replace([cm("same"), reused]) == []  # trusted: same version, same object
    changes = store.replace([cm("same"), reused], trust_versions=False)
    assert [(c.type, c.new) for c in changes] == [("updated", reused)]
    assert store.get("default/reused") == reused

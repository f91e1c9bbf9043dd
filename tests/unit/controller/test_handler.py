"""Event handlers and the informer binding: owner mapping, map functions, priorities."""

from __future__ import annotations

from typing import Any

from aim_engine.controller import (
    EnqueueForObject,
    EnqueueForOwner,
    EnqueueMapped,
    EventType,
    InformerBinding,
    ObjectEvent,
    Request,
    generation_changed,
)
from aim_engine.kinds import CONFIG_MAP, DEPLOYMENT, NODE, ResourceKind
from aim_engine.objects import ObjectKey
from aim_engine.queue import LOW_PRIORITY

MODEL = ResourceKind("aim.amd.com", "v1alpha1", "AIMModel", "aimmodels")


def child(*refs: dict[str, Any], ns: str = "ns", rv: str = "1", gen: int = 1) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "child",
            "namespace": ns,
            "resourceVersion": rv,
            "generation": gen,
            "ownerReferences": list(refs),
        }
    }


def ref(kind: str, name: str, api_version: str, controller: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": name,
        "uid": "u",
        "controller": controller,
    }


def test_request_is_the_object_key() -> None:
    # One type for "namespace and name": a reconcile's key is an ObjectKey.
    assert Request is ObjectKey
    assert Request("ns", "a") == ObjectKey("ns", "a")
    assert str(Request("", "node-1")) == "node-1"


def test_enqueue_for_object() -> None:
    event = ObjectEvent(EventType.ADD, child(ns="x"))
    assert list(EnqueueForObject().requests(event)) == [Request("x", "child")]


def test_owner_mapping_follows_only_the_matching_controller_reference() -> None:
    obj = child(
        ref("AIMModel", "not-controller", "aim.amd.com/v1alpha1", controller=False),
        ref("AIMModel", "owner", "aim.amd.com/v1beta1"),  # any version of the group matches
        ref("AIMModel", "other-group", "other.io/v1alpha1"),
        ref("Deployment", "wrong-kind", "aim.amd.com/v1alpha1"),
    )
    handler = EnqueueForOwner(MODEL)
    assert list(handler.requests(ObjectEvent(EventType.ADD, obj))) == [Request("ns", "owner")]
    every = EnqueueForOwner(MODEL, only_controller=False)
    assert list(every.requests(ObjectEvent(EventType.ADD, obj))) == [
        Request("ns", "not-controller"),
        Request("ns", "owner"),
    ]


def test_owner_mapping_of_core_and_cluster_scoped_owners() -> None:
    core = child(ref("ConfigMap", "cm", "v1"))
    assert list(EnqueueForOwner(CONFIG_MAP).requests(ObjectEvent(EventType.ADD, core))) == [
        Request("ns", "cm")
    ]
    owned_by_node = child(ref("Node", "n1", "v1"))
    assert list(EnqueueForOwner(NODE).requests(ObjectEvent(EventType.ADD, owned_by_node))) == [
        Request("", "n1")
    ]
    assert list(EnqueueForOwner(DEPLOYMENT).requests(ObjectEvent(EventType.ADD, core))) == []


def test_owner_mapping_on_update_covers_old_and_new_owner() -> None:
    old = child(ref("ConfigMap", "before", "v1"))
    new = child(ref("ConfigMap", "after", "v1"))
    reqs = list(EnqueueForOwner(CONFIG_MAP).requests(ObjectEvent(EventType.UPDATE, new, old)))
    assert reqs == [Request("ns", "after"), Request("ns", "before")]


def test_mapped_handler_deduplicates() -> None:
    handler = EnqueueMapped(lambda o: [Request("a", "x"), Request("a", "x"), Request("b", "y")])
    event = ObjectEvent(EventType.UPDATE, child(), child())
    assert list(handler.requests(event)) == [Request("a", "x"), Request("b", "y")]


class Sink:
    def __init__(self) -> None:
        self.added: list[tuple[Request, int]] = []

    def __call__(self, request: Request, *, priority: int = 0) -> None:
        self.added.append((request, priority))


def test_binding_priorities_and_predicates() -> None:
    sink = Sink()
    binding = InformerBinding(EnqueueForObject(), [generation_changed], sink)
    binding.on_add(child(), True)
    binding.on_add(child(), False)
    binding.on_update(child(rv="1"), child(rv="1"), True)  # resync replay
    binding.on_update(child(rv="1", gen=1), child(rv="2", gen=1), False)  # filtered out
    binding.on_update(child(rv="2", gen=1), child(rv="3", gen=2), False)
    binding.on_delete(child())
    key = Request("ns", "child")
    assert sink.added == [(key, LOW_PRIORITY), (key, 0), (key, 0), (key, 0)]


def test_binding_resync_without_a_filter_is_low_priority() -> None:
    sink = Sink()
    binding = InformerBinding(EnqueueForObject(), [], sink)
    same = child(rv="7")
    binding.on_update(same, same, True)
    assert sink.added == [(Request("ns", "child"), LOW_PRIORITY)]

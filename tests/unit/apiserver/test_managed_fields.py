"""Server-side apply and managedFields bookkeeping."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aim_engine.testing.apiserver._patches._fieldpath import FieldSet, path_string
from aim_engine.testing.apiserver._patches._managed_fields import (
    ApplyConflict,
    apply,
    record_update,
)
from aim_engine.testing.apiserver._schema._compiled import CompiledSchema

SCHEMA = CompiledSchema.compile(
    {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "replicas": {"type": "integer"},
                    "image": {"type": "string"},
                    "args": {"type": "array", "items": {"type": "string"}},
                    "tags": {
                        "type": "array",
                        "items": {"type": "string"},
                        "x-kubernetes-list-type": "set",
                    },
                    "sources": {
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name"],
                        "items": {
                            "type": "object",
                            "properties": {"name": {"type": "string"}, "uri": {"type": "string"}},
                        },
                    },
                },
            },
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        },
    }
)


def widget(spec: dict[str, Any] | None = None, **meta: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "ns", **meta},
    }
    if spec is not None:
        obj["spec"] = spec
    return obj


def do_apply(
    live: dict[str, Any] | None,
    config: dict[str, Any],
    manager: str,
    *,
    force: bool = False,
    subresource: str = "",
    now: str = "2026-01-01T00:00:00Z",
) -> dict[str, Any]:
    return apply(
        live,
        config,
        manager=manager,
        force=force,
        subresource=subresource,
        api_version="example.com/v1",
        now=now,
        schema=SCHEMA,
    )


def owned(obj: dict[str, Any], manager: str, operation: str = "Apply") -> set[str]:
    for entry in obj["metadata"].get("managedFields", []):
        if entry["manager"] == manager and entry["operation"] == operation:
            return {path_string(p) for p in FieldSet.from_fields_v1(entry["fieldsV1"])}
    return set()


# ------------------------------------------------------------------------- fieldsV1


def test_fields_v1_round_trip() -> None:
    tree = {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {
            ".": {},
            "f:containers": {'k:{"name":"nginx"}': {".": {}, "f:image": {}, "f:name": {}}},
            "f:finalizers": {'v:"a"': {}},
        },
    }
    fields = FieldSet.from_fields_v1(tree)
    assert ("f:spec",) in fields
    assert ("f:metadata", "f:labels") in fields
    assert ("f:metadata",) not in fields
    assert fields.to_fields_v1() == tree


def test_path_string_notation() -> None:
    assert path_string(("f:spec", "f:replicas")) == ".spec.replicas"
    assert path_string(("f:spec", 'k:{"name":"a"}', "f:image")) == '.spec[name="a"].image'
    assert path_string(("f:metadata", "f:finalizers", 'v:"x"')) == '.metadata.finalizers[="x"]'


# ---------------------------------------------------------------------------- apply


def test_apply_create_owns_exactly_the_config() -> None:
    config = widget({"replicas": 2, "image": "i"}, labels={"app": "a"})
    before = copy.deepcopy(config)
    obj = do_apply(None, config, "ctrl")
    assert config == before
    assert obj["spec"] == {"replicas": 2, "image": "i"}
    [entry] = obj["metadata"]["managedFields"]
    assert entry == {
        "manager": "ctrl",
        "operation": "Apply",
        "apiVersion": "example.com/v1",
        "time": "2026-01-01T00:00:00Z",
        "fieldsType": "FieldsV1",
        "fieldsV1": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:image": {}, "f:replicas": {}},
        },
    }


def test_apply_same_value_shares_ownership() -> None:
    obj = do_apply(None, widget({"replicas": 2}), "a")
    obj = do_apply(obj, widget({"replicas": 2}), "b")
    assert owned(obj, "a") == {".spec.replicas"}
    assert owned(obj, "b") == {".spec.replicas"}


def test_apply_conflict_status() -> None:
    obj = do_apply(None, widget({"replicas": 2}), "a")
    live = copy.deepcopy(obj)
    with pytest.raises(ApplyConflict) as info:
        do_apply(obj, widget({"replicas": 3}), "b")
    assert obj == live
    assert info.value.conflicts == [("a", ".spec.replicas")]
    assert info.value.status_body() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'Apply failed with 1 conflict: conflict with "a": .spec.replicas',
        "reason": "Conflict",
        "details": {
            "causes": [
                {
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "a"',
                    "field": ".spec.replicas",
                }
            ]
        },
        "code": 409,
    }


def test_apply_many_conflicts_message() -> None:
    obj = do_apply(None, widget({"replicas": 2, "image": "i"}), "a")
    with pytest.raises(ApplyConflict) as info:
        do_apply(obj, widget({"replicas": 3, "image": "j"}), "b")
    assert str(info.value) == (
        'Apply failed with 2 conflicts: conflicts with "a":\n- .spec.image\n- .spec.replicas'
    )
    assert len(info.value.status_body()["details"]["causes"]) == 2


def test_apply_force_takes_ownership() -> None:
    obj = do_apply(None, widget({"replicas": 2, "image": "i"}), "a")
    obj = do_apply(obj, widget({"replicas": 3}), "b", force=True)
    assert obj["spec"] == {"replicas": 3, "image": "i"}
    assert owned(obj, "a") == {".spec.image"}
    assert owned(obj, "b") == {".spec.replicas"}


def test_apply_force_drops_emptied_entries() -> None:
    obj = do_apply(None, widget({"replicas": 2}), "a")
    obj = do_apply(obj, widget({"replicas": 3}), "b", force=True)
    assert [e["manager"] for e in obj["metadata"]["managedFields"]] == ["b"]


def test_apply_removes_fields_no_longer_applied() -> None:
    obj = do_apply(None, widget({"replicas": 2, "image": "i"}, labels={"a": "1"}), "a")
    obj = do_apply(obj, widget({"replicas": 2}), "a")
    assert obj["spec"] == {"replicas": 2}
    assert "labels" not in obj["metadata"]
    assert owned(obj, "a") == {".spec.replicas"}


def test_apply_keeps_unapplied_field_owned_by_another_manager() -> None:
    obj = do_apply(None, widget({"replicas": 2, "image": "i"}), "a")
    obj = do_apply(obj, widget({"image": "i"}), "b")
    obj = do_apply(obj, widget({"replicas": 2}), "a")
    assert obj["spec"] == {"replicas": 2, "image": "i"}
    assert owned(obj, "b") == {".spec.image"}


def test_apply_leaves_fields_of_update_managers_alone() -> None:
    obj = do_apply(None, widget({"replicas": 2}), "a")
    new = copy.deepcopy(obj)
    new["spec"]["image"] = "edited"
    record_update(
        obj, new, manager="kubectl-edit", subresource="", api_version="example.com/v1", now="t"
    )
    obj = do_apply(new, widget({"replicas": 3}), "a")
    assert obj["spec"] == {"replicas": 3, "image": "edited"}


def test_apply_conflicts_with_update_manager_names_api_version() -> None:
    obj = do_apply(None, widget({"replicas": 2}), "a")
    new = copy.deepcopy(obj)
    new["spec"]["replicas"] = 5
    record_update(
        obj, new, manager="kubectl-edit", subresource="", api_version="example.com/v1", now="t"
    )
    assert owned(new, "a") == set()
    assert owned(new, "kubectl-edit", "Update") == {".spec.replicas"}
    with pytest.raises(ApplyConflict) as info:
        do_apply(new, widget({"replicas": 2}), "a")
    assert info.value.described == [('"kubectl-edit" using example.com/v1', ".spec.replicas")]
    assert info.value.conflicts == [("kubectl-edit", ".spec.replicas")]


def test_apply_map_list_merges_by_key_and_removes_own_items() -> None:
    obj = do_apply(None, widget({"sources": [{"name": "a", "uri": "1"}]}), "x")
    obj = do_apply(obj, widget({"sources": [{"name": "b", "uri": "2"}]}), "y")
    assert obj["spec"]["sources"] == [{"name": "a", "uri": "1"}, {"name": "b", "uri": "2"}]
    assert owned(obj, "y") == {
        '.spec.sources[name="b"]',
        '.spec.sources[name="b"].name',
        '.spec.sources[name="b"].uri',
    }
    obj = do_apply(obj, widget({}), "x")
    assert obj["spec"]["sources"] == [{"name": "b", "uri": "2"}]


def test_apply_map_list_item_field_conflict() -> None:
    obj = do_apply(None, widget({"sources": [{"name": "a", "uri": "1"}]}), "x")
    with pytest.raises(ApplyConflict) as info:
        do_apply(obj, widget({"sources": [{"name": "a", "uri": "2"}]}), "y")
    assert info.value.conflicts == [("x", '.spec.sources[name="a"].uri')]


def test_apply_set_list_unions_and_owns_values() -> None:
    obj = do_apply(None, widget({"tags": ["a"]}), "x")
    obj = do_apply(obj, widget({"tags": ["b"]}), "y")
    assert obj["spec"]["tags"] == ["a", "b"]
    assert owned(obj, "y") == {'.spec.tags[="b"]'}


def test_apply_atomic_list_is_replaced_and_conflicts_whole() -> None:
    obj = do_apply(None, widget({"args": ["a", "b"]}), "x")
    assert owned(obj, "x") == {".spec.args"}
    with pytest.raises(ApplyConflict):
        do_apply(obj, widget({"args": ["c"]}), "y")
    obj = do_apply(obj, widget({"args": ["c"]}), "x")
    assert obj["spec"]["args"] == ["c"]


def test_apply_status_subresource_entry() -> None:
    obj = do_apply(None, widget({"replicas": 1}), "ctrl")
    status_cfg = {**widget(), "status": {"phase": "Ready"}}
    obj = do_apply(obj, status_cfg, "ctrl", subresource="status")
    entries = {
        (e["manager"], e.get("subresource", "")): e for e in obj["metadata"]["managedFields"]
    }
    assert entries[("ctrl", "status")]["fieldsV1"] == {"f:status": {"f:phase": {}}}
    assert entries[("ctrl", "")]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert obj["spec"] == {"replicas": 1}
    assert obj["status"] == {"phase": "Ready"}


def test_apply_never_owns_server_fields() -> None:
    config = widget({"replicas": 1}, uid="u", resourceVersion="5", generation=3)
    config["metadata"]["managedFields"] = [{"manager": "evil"}]
    obj = do_apply(None, config, "ctrl")
    assert owned(obj, "ctrl") == {".spec.replicas"}
    assert [e["manager"] for e in obj["metadata"]["managedFields"]] == ["ctrl"]


def test_apply_builtin_containers_by_name() -> None:
    def deploy(containers: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {"template": {"spec": {"containers": containers}}},
        }

    kw: dict[str, Any] = {
        "force": False,
        "subresource": "",
        "api_version": "apps/v1",
        "now": "t",
        "schema": None,
    }
    obj = apply(
        None,
        deploy([{"name": "app", "image": "a:1", "ports": [{"containerPort": 80}]}]),
        manager="m1",
        **kw,
    )
    obj = apply(obj, deploy([{"name": "side", "image": "s:1"}]), manager="m2", **kw)
    names = [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]]
    assert names == ["app", "side"]
    paths = owned(obj, "m1")
    assert (
        '.spec.template.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"]' in paths
    )


def test_apply_conflict_message_with_subresource_update_manager() -> None:
    obj = do_apply(None, widget({"replicas": 1}), "ctrl")
    new = copy.deepcopy(obj)
    new["status"] = {"phase": "A"}
    record_update(
        obj, new, manager="kubelet", subresource="status", api_version="example.com/v1", now="t"
    )
    with pytest.raises(ApplyConflict) as info:
        do_apply(new, {**widget(), "status": {"phase": "B"}}, "ctrl", subresource="status")
    assert info.value.described == [
        ('"kubelet" with subresource "status" using example.com/v1', ".status.phase")
    ]


# --------------------------------------------------------------------- record_update


def test_record_update_on_create_owns_all_set_fields() -> None:
    obj = widget({"replicas": 1}, labels={"a": "b"})
    record_update(
        None, obj, manager="kubectl-create", subresource="", api_version="example.com/v1", now="t"
    )
    [entry] = obj["metadata"]["managedFields"]
    assert entry["operation"] == "Update"
    assert entry["fieldsV1"] == {
        "f:metadata": {"f:labels": {".": {}, "f:a": {}}},
        "f:spec": {".": {}, "f:replicas": {}},
    }


def test_record_update_takes_fields_without_conflict_and_drops_empty_entries() -> None:
    obj = do_apply(None, widget({"replicas": 2}), "a")
    new = copy.deepcopy(obj)
    new["spec"]["replicas"] = 9
    record_update(obj, new, manager="b", subresource="", api_version="example.com/v1", now="t2")
    assert [(e["manager"], e["operation"]) for e in new["metadata"]["managedFields"]] == [
        ("b", "Update")
    ]


def test_record_update_no_change_keeps_entries() -> None:
    obj = widget({"replicas": 1})
    record_update(None, obj, manager="m", subresource="", api_version="example.com/v1", now="t1")
    same = copy.deepcopy(obj)
    record_update(obj, same, manager="m", subresource="", api_version="example.com/v1", now="t2")
    assert same["metadata"]["managedFields"] == obj["metadata"]["managedFields"]


def test_record_update_removed_field_leaves_owner_sets() -> None:
    obj = do_apply(None, widget({"replicas": 2, "image": "i"}), "a")
    new = copy.deepcopy(obj)
    del new["spec"]["image"]
    record_update(obj, new, manager="b", subresource="", api_version="example.com/v1", now="t")
    assert owned(new, "a") == {".spec.replicas"}
    assert owned(new, "b", "Update") == set()
    assert [e["manager"] for e in new["metadata"]["managedFields"]] == ["a"]


def test_managed_fields_sorted_like_the_server() -> None:
    obj = do_apply(None, widget({"replicas": 1}), "z-apply", now="2026-01-01T00:00:05Z")
    new = copy.deepcopy(obj)
    new["spec"]["image"] = "i"
    record_update(
        obj,
        new,
        manager="a-update",
        subresource="",
        api_version="example.com/v1",
        now="2026-01-01T00:00:01Z",
    )
    assert [e["operation"] for e in new["metadata"]["managedFields"]] == ["Apply", "Update"]


def test_apply_status_endpoint_ignores_spec_and_labels() -> None:
    obj = do_apply(None, widget({"replicas": 1}), "ctrl")
    cfg = {**widget({"replicas": 9}, labels={"x": "y"}), "status": {"ready": True}}
    obj = do_apply(obj, cfg, "ctrl", subresource="status")
    assert obj["spec"] == {"replicas": 1}
    assert "labels" not in obj["metadata"]
    assert owned(obj, "ctrl") == {".spec.replicas"}


def test_apply_main_endpoint_reset_fields() -> None:
    cfg = {**widget({"replicas": 1}), "status": {"ready": True}}
    obj = apply(
        None,
        cfg,
        manager="m",
        force=False,
        subresource="",
        api_version="example.com/v1",
        now="t",
        schema=SCHEMA,
        reset_fields=("status",),
    )
    assert "status" not in obj
    assert owned(obj, "m") == {".spec.replicas"}


def test_apply_to_object_without_managed_fields_conflicts_with_before_first_apply() -> None:
    live = widget({"replicas": 1, "image": "i"})
    with pytest.raises(ApplyConflict) as info:
        do_apply(live, widget({"replicas": 2}), "m")
    assert info.value.described == [('"before-first-apply" using example.com/v1', ".spec.replicas")]
    obj = do_apply(live, widget({"replicas": 1}), "m")
    assert owned(obj, "m") == {".spec.replicas"}
    assert owned(obj, "before-first-apply", "Update") == {".spec.image", ".spec.replicas"}


def test_apply_removal_keeps_item_owned_by_another_manager() -> None:
    obj = do_apply(None, widget({"sources": [{"name": "a", "uri": "1"}]}), "x")
    obj = do_apply(obj, widget({"sources": [{"name": "a"}]}), "y")
    obj = do_apply(obj, widget({}), "x")
    assert obj["spec"]["sources"] == [{"name": "a"}]


def test_apply_does_not_mutate_live() -> None:
    live = do_apply(None, widget({"replicas": 1, "tags": ["a"]}), "x")
    snapshot = copy.deepcopy(live)
    do_apply(live, widget({"tags": ["b"], "image": "i"}), "y")
    do_apply(live, widget({}), "x")
    assert live == snapshot


def test_record_update_map_list_with_schema() -> None:
    old = widget({"sources": [{"name": "a", "uri": "1"}]})
    record_update(None, old, manager="c", subresource="", api_version="example.com/v1", now="t")
    new = copy.deepcopy(old)
    new["spec"]["sources"].append({"name": "b", "uri": "2"})
    record_update(
        old, new, manager="e", subresource="", api_version="example.com/v1", now="t", schema=SCHEMA
    )
    assert owned(new, "e", "Update") == {
        '.spec.sources[name="b"]',
        '.spec.sources[name="b"].name',
        '.spec.sources[name="b"].uri',
    }


def test_no_op_apply_leaves_object_unchanged() -> None:
    obj = do_apply(None, widget({"replicas": 1}), "m", now="2026-01-01T00:00:00Z")
    again = do_apply(obj, widget({"replicas": 1}), "m", now="2026-01-02T00:00:00Z")
    assert again == obj


def test_changed_apply_updates_time() -> None:
    obj = do_apply(None, widget({"replicas": 1}), "m", now="2026-01-01T00:00:00Z")
    again = do_apply(obj, widget({"replicas": 2}), "m", now="2026-01-02T00:00:00Z")
    assert again["metadata"]["managedFields"][0]["time"] == "2026-01-02T00:00:00Z"


def test_atomic_map_is_owned_and_replaced_whole() -> None:
    schema = CompiledSchema.compile(
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "selector": {
                            "type": "object",
                            "x-kubernetes-map-type": "atomic",
                            "additionalProperties": {"type": "string"},
                        }
                    },
                }
            },
        }
    )
    kw: dict[str, Any] = {
        "force": False,
        "subresource": "",
        "api_version": "example.com/v1",
        "now": "t",
        "schema": schema,
    }
    obj = apply(None, widget({"selector": {"a": "1", "b": "2"}}), manager="x", **kw)
    assert owned(obj, "x") == {".spec.selector"}
    with pytest.raises(ApplyConflict) as info:
        apply(obj, widget({"selector": {"c": "3"}}), manager="y", **kw)
    assert info.value.conflicts == [("x", ".spec.selector")]
    obj = apply(obj, widget({"selector": {"c": "3"}}), manager="x", **kw)
    assert obj["spec"]["selector"] == {"c": "3"}


def test_builtin_deployment_selector_is_atomic_but_service_selector_is_not() -> None:
    kw: dict[str, Any] = {"force": False, "subresource": "", "now": "t", "schema": None}
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"app": "a"}}},
    }
    obj = apply(None, deploy, manager="m", api_version="apps/v1", **kw)
    assert owned(obj, "m") == {".spec.selector"}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
    svc["spec"] = {"selector": {"app": "a"}}
    obj = apply(None, svc, manager="m", api_version="v1", **kw)
    assert owned(obj, "m") == {".spec.selector.app"}


def test_record_update_empty_list_keeps_and_single_empty_entry_strips() -> None:
    obj = widget({"replicas": 1})
    record_update(None, obj, manager="m", subresource="", api_version="example.com/v1", now="t")
    kept = copy.deepcopy(obj)
    kept["metadata"]["managedFields"] = []
    kept["spec"]["image"] = "i"
    record_update(obj, kept, manager="m", subresource="", api_version="example.com/v1", now="t")
    assert owned(kept, "m", "Update") == {".spec", ".spec.replicas", ".spec.image"}
    stripped = copy.deepcopy(obj)
    stripped["metadata"]["managedFields"] = [{}]
    record_update(obj, stripped, manager="m", subresource="", api_version="example.com/v1", now="t")
    assert "managedFields" not in stripped["metadata"]

"""JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aim_engine.testing.apiserver._patches._json_patches import (
    PatchError,
    json_patch,
    merge_patch,
    strategic_merge_patch,
)

# RFC 7386 appendix A, complete.
RFC7386 = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "expected"), RFC7386)
def test_merge_patch_rfc7386(target: Any, patch: Any, expected: Any) -> None:
    before = copy.deepcopy(target)
    assert merge_patch(target, patch) == expected
    assert target == before


def test_merge_patch_result_shares_nothing_with_inputs() -> None:
    target = {"spec": {"a": {"deep": [1]}}, "keep": {"x": [1]}}
    patch = {"spec": {"b": {"list": [2]}}}
    result = merge_patch(target, patch)
    result["keep"]["x"].append(9)
    result["spec"]["b"]["list"].append(9)
    assert target == {"spec": {"a": {"deep": [1]}}, "keep": {"x": [1]}}
    assert patch == {"spec": {"b": {"list": [2]}}}


# RFC 6902 appendix A examples.
RFC6902 = [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    (
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    (
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    (
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    (
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    (
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [
            {"op": "test", "path": "/baz", "value": "qux"},
            {"op": "test", "path": "/foo/1", "value": 2},
        ],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    (
        {"foo": "bar"},
        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
        {"foo": "bar", "child": {"grandchild": {}}},
    ),
    (
        {"foo": ["bar"]},
        [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
        {"foo": ["bar", ["abc", "def"]]},
    ),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ({"a/b": 1}, [{"op": "replace", "path": "/a~1b", "value": 2}], {"a/b": 2}),
    ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}], {"a": {"b": 1}, "c": {"b": 1}}),
    ({"a": 1}, [{"op": "replace", "path": "", "value": {"b": 2}}], {"b": 2}),
    (
        {"metadata": {"finalizers": ["a", "b"]}},
        [{"op": "remove", "path": "/metadata/finalizers/0"}],
        {"metadata": {"finalizers": ["b"]}},
    ),
]


@pytest.mark.parametrize(("target", "ops", "expected"), RFC6902)
def test_json_patch_rfc6902(target: Any, ops: list[dict[str, Any]], expected: Any) -> None:
    before = copy.deepcopy(target)
    assert json_patch(target, ops) == expected
    assert target == before


@pytest.mark.parametrize(
    ("target", "ops", "cause"),
    [
        pytest.param(
            {"baz": "qux"},
            [{"op": "test", "path": "/baz", "value": "bar"}],
            "testing value /baz failed: test failed",
            id="test-fails",
        ),
        pytest.param(
            {"a": 1},
            [{"op": "test", "path": "/a", "value": True}],
            "testing value /a failed: test failed",
            id="test-int-is-not-bool",
        ),
        pytest.param(
            {"foo": "bar"},
            [{"op": "add", "path": "/baz/bat", "value": "qux"}],
            'add operation does not apply: doc is missing path: "/baz/bat": missing value',
            id="add-missing-parent",
        ),
        pytest.param(
            {"foo": "bar"},
            [{"op": "remove", "path": "/nope"}],
            'remove operation does not apply: doc is missing path: "/nope": missing value',
            id="remove-missing",
        ),
        pytest.param(
            {"a": [1]},
            [{"op": "replace", "path": "/a/3", "value": 1}],
            "replace operation does not apply: doc is missing key: /a/3: missing value",
            id="replace-index-out-of-range",
        ),
        pytest.param(
            {"a": [1]},
            [{"op": "add", "path": "/a/5", "value": 1}],
            "Unable to access invalid index: 5: invalid index referenced",
            id="index-out-of-range",
        ),
        pytest.param(
            {"a": 1},
            [{"op": "move", "from": "/b", "path": "/c"}],
            "move operation does not apply: doc is missing from path: /b: missing value",
            id="move-missing-from",
        ),
        pytest.param(
            {"a": 1},
            [{"op": "frob", "path": "/a"}],
            "Unexpected kind: frob: unknown object type",
            id="bad-op",
        ),
    ],
)
def test_json_patch_failures_are_422(target: Any, ops: list[dict[str, Any]], cause: str) -> None:
    with pytest.raises(PatchError) as info:
        json_patch(target, ops)
    assert info.value.status == 422
    assert info.value.cause == cause
    body = info.value.status_body()
    assert body["reason"] == "Invalid"
    assert body["code"] == 422
    assert body["message"] == "the server rejected our request due to an error in our request"
    assert body["details"] == {}  # kube-apiserver sends no causes for JSON-patch failures


def test_json_patch_replace_of_a_missing_member_sets_it() -> None:
    assert json_patch(
        {"data": {"a": "1"}}, [{"op": "replace", "path": "/data/b", "value": "2"}]
    ) == {"data": {"a": "1", "b": "2"}}


def test_json_patch_failure_leaves_target_untouched() -> None:
    target = {"a": [1, 2]}
    with pytest.raises(PatchError):
        json_patch(
            target, [{"op": "remove", "path": "/a/0"}, {"op": "test", "path": "/a/0", "value": 9}]
        )
    assert target == {"a": [1, 2]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"op": "add"}, "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
        ("x", "json: cannot unmarshal string into Go value of type jsonpatch.Patch"),
        ([1], "json: cannot unmarshal number into Go value of type jsonpatch.Operation"),
    ],
)
def test_json_patch_non_list_body_is_400(body: Any, message: str) -> None:
    with pytest.raises(PatchError) as info:
        json_patch({}, body)
    assert info.value.status == 400
    assert info.value.message == message
    assert info.value.status_body()["reason"] == "BadRequest"


def test_json_patch_null_body_is_a_no_op() -> None:
    assert json_patch({"a": 1}, None) == {"a": 1}


@pytest.mark.parametrize(
    ("ops", "ok"),
    [
        ([{"op": "test", "path": "/missing", "value": None}], True),
        ([{"op": "test", "path": "/missing", "value": 1}], False),
        ([{"op": "test", "path": "/a/0", "value": 1}], True),
    ],
)
def test_json_patch_test_on_absent_members(ops: list[dict[str, Any]], ok: bool) -> None:
    if ok:
        assert json_patch({"a": [1]}, ops) == {"a": [1]}
    else:
        with pytest.raises(PatchError):
            json_patch({"a": [1]}, ops)


def test_json_patch_test_missing_parent() -> None:
    with pytest.raises(PatchError) as info:
        json_patch({}, [{"op": "test", "path": "/a/b", "value": 1}])
    assert info.value.cause == "test operation does not apply: is missing path: /a/b: missing value"


# ------------------------------------------------------------------ strategic merge patch

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "finalizers": ["a"], "labels": {"x": "1"}},
    "spec": {
        "containers": [
            {
                "name": "app",
                "image": "app:1",
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "ports": [{"containerPort": 80, "name": "http"}],
                "volumeMounts": [{"mountPath": "/data", "name": "data"}],
            },
            {"name": "side", "image": "side:1"},
        ],
        "volumes": [{"name": "data", "emptyDir": {}}],
        "tolerations": [{"key": "a", "operator": "Exists"}],
    },
}


@pytest.mark.parametrize(
    ("patch", "check"),
    [
        pytest.param(
            {"spec": {"containers": [{"name": "app", "image": "app:2"}]}},
            lambda r: (
                [c["image"] for c in r["spec"]["containers"]] == ["app:2", "side:1"]
                and r["spec"]["containers"][0]["env"][0] == {"name": "A", "value": "1"}
            ),
            id="containers-merge-by-name",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "new", "image": "n:1"}]}},
            lambda r: [c["name"] for c in r["spec"]["containers"]] == ["app", "side", "new"],
            id="containers-append-new",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "side", "$patch": "delete"}]}},
            lambda r: [c["name"] for c in r["spec"]["containers"]] == ["app"],
            id="containers-delete-item",
        ),
        pytest.param(
            {
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}],
                        }
                    ]
                }
            },
            lambda r: (
                r["spec"]["containers"][0]["env"]
                == [
                    {"name": "A", "value": "1"},
                    {"name": "B", "value": "3"},
                    {"name": "C", "value": "4"},
                ]
            ),
            id="env-merge-by-name",
        ),
        pytest.param(
            {
                "spec": {
                    "containers": [
                        {"name": "app", "ports": [{"containerPort": 80, "protocol": "TCP"}]}
                    ]
                }
            },
            lambda r: (
                r["spec"]["containers"][0]["ports"]
                == [{"containerPort": 80, "name": "http", "protocol": "TCP"}]
            ),
            id="ports-merge-by-container-port",
        ),
        pytest.param(
            {"spec": {"volumes": [{"name": "cache", "emptyDir": {}}]}},
            lambda r: [v["name"] for v in r["spec"]["volumes"]] == ["data", "cache"],
            id="volumes-merge-by-name",
        ),
        pytest.param(
            {"spec": {"tolerations": [{"key": "b", "operator": "Exists"}]}},
            lambda r: r["spec"]["tolerations"] == [{"key": "b", "operator": "Exists"}],
            id="tolerations-replace",
        ),
        pytest.param(
            {"metadata": {"finalizers": ["b", "a"]}},
            lambda r: r["metadata"]["finalizers"] == ["a", "b"],
            id="finalizers-set-merge",
        ),
        pytest.param(
            {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}},
            lambda r: r["metadata"]["finalizers"] == [],
            id="delete-from-primitive-list",
        ),
        pytest.param(
            {"metadata": {"labels": None}},
            lambda r: "labels" not in r["metadata"],
            id="null-deletes",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "only", "image": "o"}, {"$patch": "replace"}]}},
            lambda r: r["spec"]["containers"] == [{"name": "only", "image": "o"}],
            id="list-patch-replace",
        ),
        pytest.param(
            {"metadata": {"labels": {"$patch": "replace", "y": "2"}}},
            lambda r: r["metadata"]["labels"] == {"y": "2"},
            id="map-patch-replace",
        ),
        pytest.param(
            {
                "spec": {
                    "volumes": [
                        {
                            "name": "data",
                            "$retainKeys": ["name", "hostPath"],
                            "hostPath": {"path": "/x"},
                        }
                    ]
                }
            },
            lambda r: r["spec"]["volumes"] == [{"name": "data", "hostPath": {"path": "/x"}}],
            id="retain-keys",
        ),
        pytest.param(
            {
                "spec": {
                    "$setElementOrder/containers": [{"name": "side"}, {"name": "app"}],
                    "containers": [{"name": "app", "image": "app:3"}],
                }
            },
            lambda r: (
                [c["name"] for c in r["spec"]["containers"]] == ["side", "app"]
                and r["spec"]["containers"][1]["image"] == "app:3"
            ),
            id="set-element-order",
        ),
    ],
)
def test_strategic_merge_patch(patch: dict[str, Any], check: Any) -> None:
    before = copy.deepcopy(POD)
    result = strategic_merge_patch(POD, patch, "Pod")
    assert check(result), result
    assert before == POD


def test_strategic_service_ports_merge_by_port() -> None:
    svc = {"kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}}
    result = strategic_merge_patch(
        svc, {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}, "Service"
    )
    assert result["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 443}]


def test_strategic_conditions_merge_by_type() -> None:
    obj = {
        "status": {
            "conditions": [{"type": "Ready", "status": "False"}, {"type": "X", "status": "True"}]
        }
    }
    result = strategic_merge_patch(
        obj, {"status": {"conditions": [{"type": "Ready", "status": "True"}]}}, "Pod"
    )
    assert result["status"]["conditions"] == [
        {"type": "Ready", "status": "True"},
        {"type": "X", "status": "True"},
    ]


def test_strategic_owner_references_merge_by_uid() -> None:
    obj = {"metadata": {"ownerReferences": [{"uid": "1", "name": "a"}]}}
    patch = {"metadata": {"ownerReferences": [{"uid": "2", "name": "b"}]}}
    result = strategic_merge_patch(obj, patch, "ConfigMap")
    assert [o["uid"] for o in result["metadata"]["ownerReferences"]] == ["1", "2"]


def test_strategic_unknown_lists_replace() -> None:
    obj = {"data": {"k": "v"}, "spec": {"things": [1, 2]}}
    result = strategic_merge_patch(
        obj, {"spec": {"things": [3]}, "data": {"k2": "v2"}}, "ConfigMap"
    )
    assert result == {"data": {"k": "v", "k2": "v2"}, "spec": {"things": [3]}}


def test_strategic_new_list_item_drops_nulls_and_directives() -> None:
    patch = {"spec": {"containers": [{"name": "n", "image": None, "env": [{"name": "A"}]}]}}
    result = strategic_merge_patch({"spec": {}}, patch, "Pod")
    assert result == {"spec": {"containers": [{"name": "n", "env": [{"name": "A"}]}]}}


def test_strategic_map_patch_delete() -> None:
    obj = {"spec": {"securityContext": {"runAsUser": 1}, "x": 1}}
    result = strategic_merge_patch(obj, {"spec": {"securityContext": {"$patch": "delete"}}}, "Pod")
    assert result == {"spec": {"x": 1}}

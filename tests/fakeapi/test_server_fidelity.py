"""Status codes, messages and small behaviours first found different on a real kube-apiserver.

Each case here was compared with kube-apiserver v1.34 (``--apiserver=envtest``) and the fake
was changed to match; both must keep passing.
"""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from tests.fakeapi.server_scenarios import GROUP, PLURAL, raw, widget, widgets

__all__ = ["widgets"]

NOT_FOUND = "the server could not find the requested resource"
NOT_ALLOWED = "the server does not allow this method on the requested resource"
REJECTED = "the server rejected our request due to an error in our request"


def _cms(namespace: str) -> str:
    return f"/api/v1/namespaces/{namespace}/configmaps"


async def test_create_with_a_resource_version_is_a_reasonless_500(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = {"metadata": {"name": "rv", "resourceVersion": "5"}}
    status, out = await raw(api_client, "POST", _cms(namespace), body)
    assert status == 500
    assert out["message"] == "resourceVersion should not be set on objects to be created"
    assert "reason" not in out
    assert "details" not in out


async def test_wrong_methods_and_unknown_versions(
    api_client: client.ApiClient, namespace: str
) -> None:
    for method in ("PUT", "PATCH"):
        status, out = await raw(
            api_client, method, _cms(namespace), {}, content_type="application/merge-patch+json"
        )
        assert (status, out["message"], out["details"]) == (405, NOT_ALLOWED, {})
    status, out = await raw(api_client, "GET", "/apis/apps/v9/deployments")
    assert (status, out["reason"], out["message"], out["details"]) == (
        404,
        "NotFound",
        NOT_FOUND,
        {},
    )


async def test_bad_write_options_are_422_on_the_options_kind(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = {"metadata": {"name": "opts"}}
    status, out = await raw(
        api_client, "POST", _cms(namespace), body, query=[("dryRun", "All"), ("dryRun", "X")]
    )
    assert status == 422
    assert out["message"] == (
        'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["All","X"]: '
        'supported values: "All"'
    )
    assert out["details"] == {
        "group": "meta.k8s.io",
        "kind": "CreateOptions",
        "causes": [
            {
                "reason": "FieldValueNotSupported",
                "message": 'Unsupported value: ["All","X"]: supported values: "All"',
                "field": "dryRun",
            }
        ],
    }
    status, out = await raw(
        api_client, "POST", _cms(namespace), body, query=[("fieldManager", "m" * 129)]
    )
    assert status == 422
    assert out["message"] == (
        'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than '
        "128 bytes"
    )
    status, out = await raw(
        api_client, "DELETE", f"{_cms(namespace)}/opts", query=[("dryRun", "X")]
    )
    assert status == 422
    assert out["details"]["kind"] == "DeleteOptions"


async def test_unparsable_query_numbers(api_client: client.ApiClient, namespace: str) -> None:
    for param in ("limit", "timeoutSeconds"):
        status, out = await raw(api_client, "GET", _cms(namespace), query=[(param, "abc")])
        assert (status, out["message"]) == (400, 'strconv.ParseInt: parsing "abc": invalid syntax')
    status, out = await raw(api_client, "GET", _cms(namespace), query=[("resourceVersion", "x")])
    assert (status, out["message"]) == (
        400,
        'invalid resource version: resourceVersion: Invalid value: "x": strconv.ParseUint: '
        'parsing "x": invalid syntax',
    )
    status, out = await raw(
        api_client,
        "GET",
        _cms(namespace),
        query=[("watch", "true"), ("resourceVersion", "x"), ("timeoutSeconds", "1")],
    )
    assert (status, out["message"]) == (
        500,
        'resourceVersion: Invalid value: "x": strconv.ParseUint: parsing "x": invalid syntax',
    )


async def test_a_content_type_no_patch_route_takes_is_a_generic_415(
    api_client: client.ApiClient, namespace: str
) -> None:
    await raw(api_client, "POST", _cms(namespace), {"metadata": {"name": "ct"}})
    status, out = await raw(
        api_client, "PATCH", f"{_cms(namespace)}/ct", b"{}", content_type="text/plain"
    )
    assert (status, out["message"], out["details"]) == (415, "415: Unsupported Media Type", {})


async def test_secret_data_must_be_base64(api_client: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/secrets"
    for value, offset in (("abc", 0), ("YWJj==", 4), ("notbase64!", 9)):
        status, out = await raw(
            api_client, "POST", path, {"metadata": {"name": "s"}, "data": {"k": value}}
        )
        assert (status, out["message"]) == (
            400,
            'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at '
            f"input byte {offset}",
        )


def _causes(out: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["field"], c["message"]) for c in out["details"]["causes"]]


async def test_finalizer_owner_reference_and_data_key_validation(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = {
        "metadata": {
            "name": "v",
            "finalizers": ["kubernetes", "bad finalizer", "x/"],
            "ownerReferences": [{"apiVersion": "", "kind": "", "name": "", "uid": ""}],
        },
        "data": {"..": "y", "ok.key": "z"},
        "binaryData": {"b!": "eA=="},
    }
    status, out = await raw(api_client, "POST", _cms(namespace), body)
    assert status == 422
    assert sorted(_causes(out)) == sorted(
        [
            ("metadata.ownerReferences.apiVersion", 'Invalid value: "": version must not be empty'),
            ("metadata.ownerReferences.kind", 'Invalid value: "": must not be empty'),
            ("metadata.ownerReferences.name", 'Invalid value: "": must not be empty'),
            ("metadata.ownerReferences.uid", 'Invalid value: "": must not be empty'),
            (
                "metadata.finalizers",
                'Invalid value: "bad finalizer": name part must consist of alphanumeric '
                "characters, '-', '_' or '.', and must start and end with an alphanumeric "
                "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ),
            ("metadata.finalizers", 'Invalid value: "x/": name part must be non-empty'),
            (
                "metadata.finalizers",
                'Invalid value: "x/": name part must consist of alphanumeric characters, '
                "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ),
            (
                "metadata.finalizers[1]",
                'Invalid value: "bad finalizer": name is neither a standard finalizer name nor '
                "is it fully qualified",
            ),
            ("data[..]", "Invalid value: \"..\": must not be '..'"),
            (
                "binaryData[b!]",
                'Invalid value: "b!": a valid config key must consist of alphanumeric '
                "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', "
                "regex used for validation is '[-._a-zA-Z0-9]+')",
            ),
        ]
    )


async def test_invalid_status_omits_an_empty_name(
    api_client: client.ApiClient, namespace: str
) -> None:
    status, out = await raw(api_client, "POST", _cms(namespace), {"metadata": {}})
    assert status == 422
    assert out["details"] == {
        "kind": "ConfigMap",
        "causes": [
            {
                "reason": "FieldValueRequired",
                "message": "Required value: name or generateName is required",
                "field": "metadata.name",
            }
        ],
    }


async def test_namespace_update_keeps_its_name_label_and_finalizers(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = {"metadata": {"name": namespace}, "spec": {"finalizers": []}}
    status, out = await raw(api_client, "PUT", f"/api/v1/namespaces/{namespace}", body)
    assert status == 200
    assert out["metadata"]["labels"] == {"kubernetes.io/metadata.name": namespace}
    assert out["spec"] == {"finalizers": ["kubernetes"]}


async def test_delete_success_status_has_no_code(
    api_client: client.ApiClient, namespace: str
) -> None:
    await raw(api_client, "POST", _cms(namespace), {"metadata": {"name": "gone"}})
    status, out = await raw(api_client, "DELETE", f"{_cms(namespace)}/gone")
    assert status == 200
    assert out["status"] == "Success"
    assert "code" not in out


async def test_generate_name_is_a_managed_field(
    api_client: client.ApiClient, namespace: str
) -> None:
    status, out = await raw(
        api_client,
        "POST",
        _cms(namespace),
        {"metadata": {"generateName": "gen-"}},
        query=[("fieldManager", "maker")],
    )
    assert status == 201
    [entry] = out["metadata"]["managedFields"]
    assert (entry["manager"], entry["fieldsV1"]) == (
        "maker",
        {"f:metadata": {"f:generateName": {}}},
    )


async def test_json_patch_replace_sets_a_missing_member_and_failures_have_no_causes(
    api_client: client.ApiClient, namespace: str
) -> None:
    await raw(api_client, "POST", _cms(namespace), {"metadata": {"name": "jp"}, "data": {"a": "1"}})
    path = f"{_cms(namespace)}/jp"
    patch = [{"op": "replace", "path": "/data/b", "value": "2"}]
    status, out = await raw(
        api_client, "PATCH", path, patch, content_type="application/json-patch+json"
    )
    assert (status, out["data"]) == (200, {"a": "1", "b": "2"})
    for failing in (
        [{"op": "test", "path": "/data/a", "value": "9"}],
        [{"op": "remove", "path": "/data/zzz"}],
        [{"op": "add", "path": "/metadata/labels/x", "value": "1"}],
    ):
        status, out = await raw(
            api_client, "PATCH", path, failing, content_type="application/json-patch+json"
        )
        assert (status, out["reason"], out["message"], out["details"]) == (
            422,
            "Invalid",
            REJECTED,
            {},
        )


async def test_custom_resources_need_a_resource_version_to_update(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    path = f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}"
    status, _ = await raw(api_client, "POST", path, widget("u1", namespace, size=1))
    assert status == 201
    status, out = await raw(api_client, "PUT", f"{path}/u1", widget("u1", namespace, size=2))
    assert status == 422
    assert out["message"] == (
        f'{PLURAL}.{GROUP} "u1" is invalid: metadata.resourceVersion: Invalid value: 0: must be '
        "specified for an update"
    )
    assert out["details"]["kind"] == PLURAL
    status, out = await raw(api_client, "PUT", f"{path}/u1/status", widget("u1", namespace))
    assert status == 422


async def test_custom_resource_bodies_lists_and_field_selectors(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    path = f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}"
    body = widget("nv", namespace)
    del body["apiVersion"]
    status, out = await raw(api_client, "POST", path, body)
    assert (status, out["message"]) == (
        400,
        f"the API version in the data () does not match the expected API version ({GROUP}/v1)",
    )
    status, out = await raw(api_client, "GET", path)
    assert status == 200
    assert out["metadata"]["continue"] == ""  # unstructured lists always carry it
    status, out = await raw(api_client, "GET", path, query=[("fieldSelector", "spec.size=1")])
    assert (status, out["message"]) == (400, "field label not supported: spec.size")

"""Bodies of built-in kinds: Go decoding errors, unknown fields, size limits, kind mismatches.

kube-apiserver decodes a ConfigMap, Pod or Deployment body into its Go type: a field of the
wrong JSON type is a 400, an unknown field is dropped with a ``Warning`` header (or a 400 under
``fieldValidation=Strict``), a body over 3 MiB is a 413 and ConfigMap/Secret data over 1 MiB a 422.
Every message here was taken from kube-apiserver v1.34; both servers must give it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

import pytest
from kubernetes_asyncio import client

from tests.fakeapi.server_scenarios import GROUP, PLURAL, raw, widget, widgets

__all__ = ["widgets"]

QUANTITY = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
TOO_LARGE = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "Request entity too large: limit is 3145728",
    "reason": "RequestEntityTooLarge",
    "code": 413,
}
MIB = 1024 * 1024
# aiohttp warns that a body over 1 MiB is written in one go; that is what the size tests send.
pytestmark = pytest.mark.filterwarnings("ignore:Sending a large body:ResourceWarning")


async def _call(
    api: client.ApiClient,
    method: str,
    path: str,
    body: Any,
    *,
    content_type: str = "application/json",
    query: Sequence[tuple[str, str]] = (),
) -> tuple[int, Any, list[str]]:
    """One request; status, decoded body and the ``Warning`` headers."""
    resp = await api.call_api(
        path,
        method,
        query_params=list(query),
        header_params={"Accept": "application/json", "Content-Type": content_type},
        body=body,
        auth_settings=["BearerToken"],
        _preload_content=False,
        _return_http_data_only=True,
    )
    try:
        text = await resp.text()
        return resp.status, json.loads(text), list(resp.headers.getall("Warning", []))
    finally:
        resp.release()


def _cms(namespace: str) -> str:
    return f"/api/v1/namespaces/{namespace}/configmaps"


def _pod(**container: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "img", **container}]},
    }


_DECODING_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "configmaps",
        "ConfigMap",
        {"metadata": {"name": "a"}, "data": {"a": 5}},
        "json: cannot unmarshal number into Go struct field ConfigMap.data of type string",
    ),
    (
        "configmaps",
        "ConfigMap",
        {"metadata": {"name": "a", "labels": {"a": 1}}},
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
        "string",
    ),
    (
        "configmaps",
        "ConfigMap",
        {"metadata": {"name": 5}},
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type "
        "string",
    ),
    (
        "deployments",
        "Deployment",
        {"metadata": {"name": "d"}, "spec": {"replicas": "3"}},
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type "
        "int32",
    ),
    (
        "deployments",
        "Deployment",
        {"metadata": {"name": "d", "creationTimestamp": 5}},
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp "
        "of type string",
    ),
    (
        "pods",
        "Pod",
        {"metadata": {"name": "p"}, "spec": "x"},
        "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec",
    ),
    (
        "pods",
        "Pod",
        {"metadata": {"name": "p"}, "spec": {"containers": {}}},
        "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type "
        "[]v1.Container",
    ),
    (
        "pods",
        "Pod",
        _pod(args="x"),
        "json: cannot unmarshal string into Go struct field Container.spec.containers.args of "
        "type []string",
    ),
    (
        "pods",
        "Pod",
        _pod(ports=[{"containerPort": 1.5}]),
        "json: cannot unmarshal number 1.5 into Go struct field "
        "ContainerPort.spec.containers.ports.containerPort of type int32",
    ),
    (
        "pods",
        "Pod",
        _pod(ports=[{"containerPort": 3000000000}]),
        "json: cannot unmarshal number 3000000000 into Go struct field "
        "ContainerPort.spec.containers.ports.containerPort of type int32",
    ),
    (
        "pods",
        "Pod",
        _pod(env=[{"name": "a", "value": 1}]),
        "json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of "
        "type string",
    ),
    ("pods", "Pod", _pod(resources={"limits": {"cpu": "abc"}}), QUANTITY),
    ("pods", "Pod", _pod(resources={"limits": {"cpu": True}}), QUANTITY),
    (
        "pods",
        "Pod",
        _pod(resources={"limits": {"cpu": "1ki"}}),
        "unable to parse quantity's suffix",
    ),
    (
        "services",
        "Service",
        {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80, "targetPort": True}]}},
        "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of "
        "type int32",
    ),
    (
        "services",
        "Service",
        {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80, "targetPort": 1.5}]}},
        "json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort "
        "of type int32",
    ),
]


@pytest.mark.parametrize(
    ("plural", "kind", "body", "error"),
    _DECODING_CASES,
    ids=[f"{c[1]}-{i}" for i, c in enumerate(_DECODING_CASES)],
)
async def test_a_wrongly_typed_field_is_a_400_decoding_error(
    api_client: client.ApiClient,
    namespace: str,
    plural: str,
    kind: str,
    body: dict[str, Any],
    error: str,
) -> None:
    prefix = "/apis/apps/v1" if plural == "deployments" else "/api/v1"
    status, out = await raw(api_client, "POST", f"{prefix}/namespaces/{namespace}/{plural}", body)
    assert (status, out["reason"]) == (400, "BadRequest")
    assert out["message"] == f'{kind} in version "v1" cannot be handled as a {kind}: {error}'


async def test_numbers_are_quantities_and_ints_or_strings(
    api_client: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    body = _pod(resources={"limits": {"cpu": 1, "memory": "64Mi"}}, ports=[{"containerPort": 80}])
    status, _ = await raw(api_client, "POST", path, body)
    assert status == 201
    svc = {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80, "targetPort": "http"}]}}
    status, _ = await raw(api_client, "POST", f"/api/v1/namespaces/{namespace}/services", svc)
    assert status == 201


async def test_unknown_fields_are_dropped_with_a_warning(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = {"metadata": {"name": "u", "foo": 1}, "data": {"a": "5"}, "spec": {"x": 1}}
    status, out, warnings = await _call(api_client, "POST", _cms(namespace), body)
    assert status == 201
    assert warnings == [
        '299 - "unknown field \\"metadata.foo\\""',
        '299 - "unknown field \\"spec\\""',
    ]
    assert "spec" not in out
    assert "foo" not in out["metadata"]
    status, got = await raw(api_client, "GET", f"{_cms(namespace)}/u")
    assert status == 200
    assert "spec" not in got
    assert got["data"] == {"a": "5"}


async def test_unknown_nested_fields_are_named_by_their_full_path(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = _pod(foo=1, ports=[{"containerPort": 80, "bar": 2}])
    status, out, warnings = await _call(
        api_client, "POST", f"/api/v1/namespaces/{namespace}/pods", body
    )
    assert status == 201
    assert warnings == [
        '299 - "unknown field \\"spec.containers[0].foo\\""',
        '299 - "unknown field \\"spec.containers[0].ports[0].bar\\""',
    ]
    container = out["spec"]["containers"][0]
    assert "foo" not in container
    assert "bar" not in container["ports"][0]


async def test_strict_field_validation_refuses_unknown_fields_and_ignore_is_silent(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = {"metadata": {"name": "s"}, "data": {"a": "5"}, "spec": {"x": 1}, "zzz": 2}
    status, out, _ = await _call(
        api_client, "POST", _cms(namespace), body, query=[("fieldValidation", "Strict")]
    )
    assert (status, out["reason"]) == (400, "BadRequest")
    assert out["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
        'unknown field "spec", unknown field "zzz"'
    )
    status, out, warnings = await _call(
        api_client, "POST", _cms(namespace), body, query=[("fieldValidation", "Ignore")]
    )
    assert (status, warnings) == (201, [])
    assert "spec" not in out
    assert "zzz" not in out


async def test_updates_and_merge_patches_warn_about_unknown_fields(
    api_client: client.ApiClient, namespace: str
) -> None:
    status, _ = await raw(api_client, "POST", _cms(namespace), {"metadata": {"name": "w"}})
    assert status == 201
    body = {"metadata": {"name": "w"}, "data": {"a": "1"}, "foo": 1}
    status, out, warnings = await _call(api_client, "PUT", f"{_cms(namespace)}/w", body)
    assert (status, warnings) == (200, ['299 - "unknown field \\"foo\\""'])
    assert "foo" not in out
    status, out, warnings = await _call(
        api_client,
        "PATCH",
        f"{_cms(namespace)}/w",
        {"bar": {"x": 5}},
        content_type="application/merge-patch+json",
    )
    assert (status, warnings) == (200, ['299 - "unknown field \\"bar\\""'])
    assert "bar" not in out
    assert out["data"] == {"a": "1"}


async def test_a_body_over_3_mib_is_a_413_status(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = {"metadata": {"name": "big"}, "data": {"a": "x" * (3 * MIB)}}
    status, out = await raw(api_client, "POST", _cms(namespace), body)
    assert (status, out) == (413, TOO_LARGE)
    status, _ = await raw(api_client, "POST", _cms(namespace), {"metadata": {"name": "big"}})
    assert status == 201
    patch = {"data": {"a": "x" * (3 * MIB)}}
    status, out = await raw(
        api_client,
        "PATCH",
        f"{_cms(namespace)}/big",
        patch,
        content_type="application/merge-patch+json",
    )
    assert (status, out) == (413, TOO_LARGE)


async def test_a_body_over_64_mib_is_the_same_413_status(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = {"metadata": {"name": "huge"}, "data": {"a": "x" * (65 * MIB)}}
    status, out = await raw(api_client, "POST", _cms(namespace), body)
    assert (status, out) == (413, TOO_LARGE)


def _too_long(kind: str, name: str, field: str) -> dict[str, Any]:
    message = "Too long: may not be more than 1048576 bytes"
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'{kind} "{name}" is invalid: {field}: {message}',
        "reason": "Invalid",
        "details": {
            "name": name,
            "kind": kind,
            "causes": [{"reason": "FieldValueTooLong", "message": message, "field": field}],
        },
        "code": 422,
    }


async def test_configmap_data_over_1_mib_is_invalid(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = {"metadata": {"name": "c1"}, "data": {"a": "x" * MIB, "b": "y"}}
    status, out = await raw(api_client, "POST", _cms(namespace), body)
    assert (status, out) == (422, _too_long("ConfigMap", "c1", "[]"))
    binary = {
        "metadata": {"name": "c2"},
        "data": {"a": "x" * (MIB - 1)},
        "binaryData": {"b": base64.b64encode(b"xy").decode()},
    }
    status, out = await raw(api_client, "POST", _cms(namespace), binary)
    assert (status, out) == (422, _too_long("ConfigMap", "c2", "[]"))
    exact = {
        "metadata": {"name": "c3"},
        "data": {"a": "x" * (MIB - 1)},
        "binaryData": {"b": "eA=="},
    }
    status, _ = await raw(api_client, "POST", _cms(namespace), exact)
    assert status == 201


async def test_secret_data_over_1_mib_is_invalid(
    api_client: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/secrets"
    data = {"metadata": {"name": "s1"}, "data": {"a": base64.b64encode(b"x" * (MIB + 1)).decode()}}
    status, out = await raw(api_client, "POST", path, data)
    assert (status, out) == (422, _too_long("Secret", "s1", "data"))
    strings = {"metadata": {"name": "s2"}, "stringData": {"a": "x" * (MIB + 1)}}
    status, out = await raw(api_client, "POST", path, strings)
    assert (status, out) == (422, _too_long("Secret", "s2", "data"))


_MISMATCHES: list[tuple[str, str, str, str]] = [
    (
        "configmaps",
        "v1",
        "Secret",
        'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to '
        "(core.ConfigMap): unknown conversion",
    ),
    (
        "configmaps",
        "v1",
        "Foo",
        'Foo in version "v1" cannot be handled as a ConfigMap: no kind "Foo" is registered for '
        'version "v1" in scheme "pkg/runtime/scheme.go:110"',
    ),
    (
        "configmaps",
        "apps/v1",
        "ConfigMap",
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: no kind "ConfigMap" is '
        'registered for version "apps/v1" in scheme "pkg/runtime/scheme.go:110"',
    ),
    (
        "deployments",
        "v1",
        "Deployment",
        'Deployment in version "v1" cannot be handled as a Deployment: no kind "Deployment" is '
        'registered for version "v1" in scheme "pkg/runtime/scheme.go:110"',
    ),
    (
        "deployments",
        "apps/v1",
        "StatefulSet",
        'StatefulSet in version "v1" cannot be handled as a Deployment: converting '
        "(v1.StatefulSet) to (apps.Deployment): unknown conversion",
    ),
    (
        "deployments",
        "apps/v1beta1",
        "Deployment",
        "the API version in the data (apps/v1beta1) does not match the expected API version "
        "(apps/v1)",
    ),
]


@pytest.mark.parametrize(("plural", "api_version", "kind", "message"), _MISMATCHES)
async def test_a_body_of_another_kind_is_refused_with_the_real_message(
    api_client: client.ApiClient,
    namespace: str,
    plural: str,
    api_version: str,
    kind: str,
    message: str,
) -> None:
    prefix = "/apis/apps/v1" if plural == "deployments" else "/api/v1"
    body = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "m"}}
    status, out = await raw(api_client, "POST", f"{prefix}/namespaces/{namespace}/{plural}", body)
    assert (status, out["reason"], out["message"]) == (400, "BadRequest", message)


async def test_custom_resources_warn_about_pruned_fields(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    body = widget("pruned", namespace, size=1)
    body["spec"]["bogus"] = True
    body["top"] = 1
    path = f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}"
    status, out, warnings = await _call(api_client, "POST", path, body)
    assert status == 201
    assert warnings == [
        '299 - "unknown field \\"spec.bogus\\""',
        '299 - "unknown field \\"top\\""',
    ]
    assert out["spec"] == {"size": 1}
    assert "top" not in out

"""Runtime config resolution (§10.1): names, migration, namespace-over-cluster merge, health."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from aim_engine.api.v1alpha1.references import AIMResolutionScope
from aim_engine.api.v1alpha1.runtime_config import AIMRuntimeConfigSpec
from aim_engine.errors import ForbiddenError, InvalidSpecError, NotFoundError
from aim_engine.kinds import ResourceKind
from controllers.runtimeconfig import (
    fetch_runtime_config,
    merge_runtime_config_specs,
    migrate_deprecated_fields,
    resolve_runtime_config,
    runtime_config_name,
)


def spec(**wire: Any) -> AIMRuntimeConfigSpec:
    return AIMRuntimeConfigSpec.model_validate(wire)


def merged_wire(
    cluster: dict[str, Any] | None, namespace: dict[str, Any] | None
) -> dict[str, Any] | None:
    merged = merge_runtime_config_specs(
        spec(**cluster) if cluster is not None else None,
        spec(**namespace) if namespace is not None else None,
    )
    return merged.to_wire() if merged is not None else None


@pytest.mark.parametrize(
    ("name", "expected"), [(None, "default"), ("", "default"), ("  ", "default"), ("gpu", "gpu")]
)
def test_runtime_config_name(name: str | None, expected: str) -> None:
    assert runtime_config_name(name) == expected


@pytest.mark.parametrize(
    ("wire", "storage"),
    [
        ({"defaultStorageClassName": "nfs"}, {"defaultStorageClassName": "nfs"}),
        ({"pvcHeadroomPercent": 20}, {"pvcHeadroomPercent": 20}),
        ({"pvcHeadroomPercent": 0}, {"pvcHeadroomPercent": 0}),
        (
            {"defaultStorageClassName": "old", "storage": {"defaultStorageClassName": "new"}},
            {"defaultStorageClassName": "new"},
        ),
        (
            {"pvcHeadroomPercent": 20, "storage": {"pvcHeadroomPercent": 5}},
            {"pvcHeadroomPercent": 5},
        ),
        (
            {"pvcHeadroomPercent": 20, "storage": {"defaultStorageClassName": "x"}},
            {"defaultStorageClassName": "x", "pvcHeadroomPercent": 20},
        ),
        ({}, None),
    ],
)
def test_migrate_deprecated_fields(wire: dict[str, Any], storage: dict[str, Any] | None) -> None:
    migrated = migrate_deprecated_fields(spec(**wire)).to_wire()
    assert migrated.get("storage") == storage


CASES: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None]] = [
    ("neither", None, None, None),
    (
        "cluster only",
        {"env": [{"name": "A", "value": "1"}]},
        None,
        {"env": [{"name": "A", "value": "1"}]},
    ),
    ("namespace only", None, {"routing": {"enabled": True}}, {"routing": {"enabled": True}}),
    (
        "env merged by name",
        {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
        {"env": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}]},
        {
            "env": [
                {"name": "A", "value": "1"},
                {"name": "B", "value": "20"},
                {"name": "C", "value": "3"},
            ]
        },
    ),
    (
        "nested structs merge recursively",
        {"storage": {"defaultStorageClassName": "nfs", "pvcHeadroomPercent": 25}},
        {"storage": {"defaultStorageClassName": "longhorn"}},
        {"storage": {"defaultStorageClassName": "longhorn", "pvcHeadroomPercent": 25}},
    ),
    (
        "gateway ref merged field-wise",
        {"routing": {"gatewayRef": {"name": "gw", "namespace": "gw-ns"}, "pathTemplate": "/a"}},
        {"routing": {"gatewayRef": {"name": "gw2"}}},
        {"routing": {"gatewayRef": {"name": "gw2", "namespace": "gw-ns"}, "pathTemplate": "/a"}},
    ),
    (
        "maps merge key-wise",
        {"routing": {"annotations": {"a": "1", "b": "2"}}},
        {"routing": {"annotations": {"b": "20", "c": "3"}}},
        {"routing": {"annotations": {"a": "1", "b": "20", "c": "3"}}},
    ),
    (
        "non-empty lists replace",
        {"labelPropagation": {"enabled": True, "match": ["team-*"]}},
        {"labelPropagation": {"match": ["cost-*"]}},
        {"labelPropagation": {"enabled": True, "match": ["cost-*"]}},
    ),
    (
        "empty lists and strings do not override",
        {
            "labelPropagation": {"match": ["team-*"]},
            "routing": {"pathTemplate": "/a"},
            "env": [{"name": "A"}],
        },
        {"labelPropagation": {"match": []}, "routing": {"pathTemplate": ""}, "env": []},
        {
            "labelPropagation": {"match": ["team-*"]},
            "routing": {"pathTemplate": "/a"},
            "env": [{"name": "A"}],
        },
    ),
    (
        "explicit false of an optional field overrides (quirk fixed)",
        {"routing": {"enabled": True}},
        {"routing": {"enabled": False}},
        {"routing": {"enabled": False}},
    ),
    (
        "explicit zero of an optional field overrides (quirk fixed)",
        {"storage": {"pvcHeadroomPercent": 25}},
        {"pvcHeadroomPercent": 0},
        {"pvcHeadroomPercent": 0, "storage": {"pvcHeadroomPercent": 0}},
    ),
    (
        "false of an always-defaulted field does not override",
        {"labelPropagation": {"enabled": True}},
        {"labelPropagation": {"enabled": False}},
        {"labelPropagation": {"enabled": True}},
    ),
    (
        "deprecated cluster fields migrate before the merge",
        {"defaultStorageClassName": "nfs"},
        {"storage": {"pvcHeadroomPercent": 5}},
        {
            "defaultStorageClassName": "nfs",
            "storage": {"defaultStorageClassName": "nfs", "pvcHeadroomPercent": 5},
        },
    ),
    (
        "engine args deep-merged",
        {"env": [{"name": "AIM_ENGINE_ARGS", "value": '{"a": 1, "b": {"x": 1}}'}]},
        {"env": [{"name": "AIM_ENGINE_ARGS", "value": '{"b": {"y": 2}}'}]},
        {"env": [{"name": "AIM_ENGINE_ARGS", "value": '{"a":1,"b":{"x":1,"y":2}}'}]},
    ),
]


@pytest.mark.parametrize(
    ("case", "cluster", "namespace", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_merge_runtime_config_specs(
    case: str,
    cluster: dict[str, Any] | None,
    namespace: dict[str, Any] | None,
    expected: dict[str, Any] | None,
) -> None:
    assert merged_wire(cluster, namespace) == expected


def config(kind: str, name: str, namespace: str | None = None, **spec_wire: Any) -> dict[str, Any]:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {
        "apiVersion": "aim.eai.amd.com/v1alpha1",
        "kind": kind,
        "metadata": meta,
        "spec": spec_wire,
    }


@pytest.mark.parametrize(
    ("name", "ns_found", "cl_found", "scope", "ready", "reason", "message", "missing"),
    [
        (
            "default",
            True,
            True,
            AIMResolutionScope.MERGED,
            True,
            "ConfigFound",
            "RuntimeConfig default found",
            False,
        ),
        (
            "gpu",
            True,
            False,
            AIMResolutionScope.NAMESPACE,
            True,
            "ConfigFound",
            "RuntimeConfig gpu found",
            False,
        ),
        (
            "gpu",
            False,
            True,
            AIMResolutionScope.CLUSTER,
            True,
            "ConfigFound",
            "RuntimeConfig gpu found",
            False,
        ),
        (
            "default",
            False,
            False,
            None,
            True,
            "DefaultConfigNotFound",
            "RuntimeConfig default not found, using built-in defaults",
            False,
        ),
        ("gpu", False, False, None, False, "ConfigNotFound", "RuntimeConfig gpu not found", True),
    ],
)
def test_resolution_health(
    name: str,
    ns_found: bool,
    cl_found: bool,
    scope: AIMResolutionScope | None,
    ready: bool,
    reason: str,
    message: str,
    missing: bool,
) -> None:
    resolution = resolve_runtime_config(
        name,
        "team",
        config("AIMRuntimeConfig", name, "team") if ns_found else None,
        config("AIMClusterRuntimeConfig", name) if cl_found else None,
    )
    assert resolution.scope == scope
    assert resolution.found is (ns_found or cl_found)
    health = resolution.health()
    assert (health.ready, health.reason, health.message, health.missing_reference) == (
        ready,
        reason,
        message,
        missing,
    )


def test_resolve_rejects_a_config_that_does_not_validate() -> None:
    bad = config("AIMClusterRuntimeConfig", "default", routing={"requestTimeout": "soon"})
    with pytest.raises(InvalidSpecError, match="AIMClusterRuntimeConfig default"):
        resolve_runtime_config(None, None, None, bad)


class SyncReader:
    """A cache-like reader over a dict; records what was asked for."""

    def __init__(self, objects: Mapping[tuple[str, str, str | None], dict[str, Any]]) -> None:
        self.objects = objects
        self.calls: list[tuple[str, str, str | None]] = []

    def get(self, kind: ResourceKind, name: str, namespace: str | None = None) -> dict[str, Any]:
        key = (kind.kind, name, namespace)
        self.calls.append(key)
        if key not in self.objects:
            raise NotFoundError(404, "NotFound", f"{name} not found", {})
        return self.objects[key]


class AsyncReader(SyncReader):
    """An API-client-like reader: ``get`` is a coroutine."""

    async def get(  # type: ignore[override]
        self, kind: ResourceKind, name: str, namespace: str | None = None
    ) -> dict[str, Any]:
        return SyncReader.get(self, kind, name, namespace)


@pytest.mark.parametrize("reader_type", [SyncReader, AsyncReader])
async def test_fetch_merges_namespace_over_cluster(reader_type: type[SyncReader]) -> None:
    reader = reader_type(
        {
            ("AIMRuntimeConfig", "gpu", "team"): config(
                "AIMRuntimeConfig", "gpu", "team", env=[{"name": "A", "value": "ns"}]
            ),
            ("AIMClusterRuntimeConfig", "gpu", None): config(
                "AIMClusterRuntimeConfig",
                "gpu",
                env=[{"name": "A", "value": "cl"}, {"name": "B", "value": "cl"}],
            ),
        }
    )
    resolution = await fetch_runtime_config(reader, "gpu", "team")
    assert reader.calls == [
        ("AIMRuntimeConfig", "gpu", "team"),
        ("AIMClusterRuntimeConfig", "gpu", None),
    ]
    assert resolution.scope is AIMResolutionScope.MERGED
    assert resolution.spec is not None
    assert resolution.spec.to_wire() == {
        "env": [{"name": "A", "value": "ns"}, {"name": "B", "value": "cl"}]
    }


async def test_fetch_for_a_cluster_scoped_consumer_reads_only_the_cluster_config() -> None:
    reader = SyncReader({})
    resolution = await fetch_runtime_config(reader, "", None)
    assert reader.calls == [("AIMClusterRuntimeConfig", "default", None)]
    assert resolution.spec is None
    assert resolution.health().reason == "DefaultConfigNotFound"


async def test_fetch_propagates_errors_other_than_not_found() -> None:
    class Forbidden(SyncReader):
        def get(
            self, kind: ResourceKind, name: str, namespace: str | None = None
        ) -> dict[str, Any]:
            raise ForbiddenError(403, "Forbidden", "no", {})

    with pytest.raises(ForbiddenError):
        await fetch_runtime_config(Forbidden({}), "default", "team")

"""Kinds from discovery documents, and the per-client discovery cache."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.client._discovery import Discovery, kinds_from_resource_list
from aim_engine.errors import NotFoundError
from aim_engine.kinds import ResourceKind

DOC = {
    "kind": "APIResourceList",
    "groupVersion": "example.com/v1",
    "resources": [
        {
            "name": "widgets",
            "singularName": "widget",
            "namespaced": True,
            "kind": "Widget",
            "shortNames": ["wd"],
            "verbs": ["get"],
        },
        {"name": "widgets/status", "namespaced": True, "kind": "Widget", "verbs": ["get"]},
        {"name": "gadgets", "namespaced": False, "kind": "Gadget", "verbs": ["get"]},
    ],
}


def test_kinds_from_resource_list() -> None:
    kinds = kinds_from_resource_list("example.com/v1", DOC)
    assert kinds["Widget"] == ResourceKind("example.com", "v1", "Widget", "widgets", True)
    assert kinds["Widget"].has_status
    assert kinds["Widget"].short_names == ("wd",)
    assert not kinds["Gadget"].namespaced
    assert not kinds["Gadget"].has_status


def test_core_group() -> None:
    doc = {"resources": [{"name": "pods", "kind": "Pod", "namespaced": True}]}
    assert kinds_from_resource_list("v1", doc)["Pod"].group == ""


async def test_discovery_caches_and_refetches_once_for_missing_kind() -> None:
    calls: list[str] = []
    docs: list[dict[str, Any]] = [{"resources": []}, DOC]

    async def fetch(path: str) -> Any:
        calls.append(path)
        return docs[min(len(calls) - 1, 1)]

    disco = Discovery(fetch)
    with pytest.raises(NotFoundError):
        await disco.find("example.com/v1", "Widget")
    assert (await disco.find("example.com/v1", "Widget")).plural == "widgets"
    assert (await disco.find("example.com/v1", "Gadget")).plural == "gadgets"
    assert calls == ["/apis/example.com/v1", "/apis/example.com/v1"]

"""The applier: skips unchanged children and deletes of objects already gone."""

from __future__ import annotations

from typing import Any, cast

import pytest

from aim_engine.client import Client
from aim_engine.kinds import CONFIG_MAP
from controllers.engine import ObjectRef
from controllers.engine import applier as applier_module
from controllers.engine.applier import Applier
from tests.unit.operator.engine.test_pipeline import MemoryReader, RecordingClient


def cm(name: str, **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "ns"},
        "data": data,
    }


def make() -> tuple[Applier, RecordingClient, MemoryReader]:
    reader = MemoryReader()
    client = RecordingClient(reader)
    applier = Applier(cast(Client, client), reader, field_manager="aim-x-controller", force=True)
    return applier, client, reader


async def test_unchanged_bodies_are_sent_once() -> None:
    applier, client, _ = make()
    assert await applier.apply([cm("a", k="1"), cm("b")]) == 2
    assert await applier.apply([cm("a", k="1"), cm("b")]) == 0
    assert await applier.apply([cm("a", k="2"), cm("b")]) == 1
    assert [name for _, name, _ in client.calls] == ["a", "b", "a"]


async def test_a_cache_that_lags_or_misses_the_child_means_apply() -> None:
    applier, _, reader = make()
    await applier.apply([cm("a")])
    reader.objects.clear()  # e.g. deleted by someone; the cache no longer has it
    assert await applier.apply([cm("a")]) == 1


async def test_field_manager_and_force_are_part_of_the_digest() -> None:
    reader = MemoryReader()
    client = RecordingClient(reader)
    first = Applier(cast(Client, client), reader, field_manager="m", force=True)
    await first.apply([cm("a")])
    assert await first.apply([cm("a")]) == 0
    other = Applier(cast(Client, client), reader, field_manager="m", force=False)
    assert await other.apply([cm("a")]) == 1


async def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(applier_module, "MEMORY_SIZE", 2)
    applier, _, _ = make()
    await applier.apply([cm("a"), cm("b"), cm("c")])
    assert await applier.apply([cm("b"), cm("c")]) == 0
    assert await applier.apply([cm("a")]) == 1  # forgotten first


async def test_deletes_skip_objects_the_cache_knows_are_gone() -> None:
    applier, client, reader = make()
    reader.put(CONFIG_MAP, cm("present"))
    refs = [
        ObjectRef("v1", "ConfigMap", "ns", "gone"),
        ObjectRef("v1", "ConfigMap", "ns", "present"),
    ]
    assert await applier.delete(refs) == 1
    assert [(w, n) for w, n, _ in client.calls] == [("delete", "present")]

"""EventRecorder against an API server: events.k8s.io/v1 shape, series for repeats, best effort."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from aim_engine.client import Client
from aim_engine.events import SERIES_WINDOW, EventRecorder
from aim_engine.kinds import CONFIG_MAP, EVENT_V1
from aim_engine.testing.clock import FakeClock
from aim_engine.testing.pytest_plugin import TestCluster


@pytest_asyncio.fixture
async def client(kube: TestCluster) -> AsyncIterator[Client]:
    async with await Client.from_kubeconfig(kube.kubeconfig_path) as c:
        yield c


async def events_for(client: Client, namespace: str, name: str) -> list[dict[str, Any]]:
    lst = await client.list(EVENT_V1, namespace)
    return sorted(
        (e for e in lst["items"] if e["regarding"].get("name") == name),
        key=lambda e: e["metadata"]["name"],
    )


async def test_record_and_series(client: Client, namespace: str) -> None:
    clock = FakeClock()
    rec = EventRecorder(
        client, reporting_controller="aim-engine/test", reporting_instance="pod-1", clock=clock
    )
    src = await client.create(
        CONFIG_MAP,
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "src", "namespace": namespace},
        },
    )
    await rec.record(src, type="Normal", reason="Created", action="Create", note="made a copy")
    [event] = await events_for(client, namespace, "src")
    assert event["reason"] == "Created"
    assert event["action"] == "Create"
    assert event["type"] == "Normal"
    assert event["note"] == "made a copy"
    assert event["reportingController"] == "aim-engine/test"
    assert event["reportingInstance"] == "pod-1"
    assert event["regarding"]["uid"] == src["metadata"]["uid"]
    assert event["regarding"]["kind"] == "ConfigMap"
    assert event["eventTime"].endswith("Z")
    assert "series" not in event

    clock.advance(10)
    await rec.record(src, type="Normal", reason="Created", action="Create", note="made a copy")
    clock.advance(10)
    await rec.record(src, type="Normal", reason="Created", action="Create", note="made a copy")
    [event] = await events_for(client, namespace, "src")
    assert event["series"]["count"] == 3
    assert event["series"]["lastObservedTime"] > event["eventTime"]

    await rec.record(src, type="Warning", reason="Created", action="Create", note="other note")
    assert len(await events_for(client, namespace, "src")) == 2

    clock.advance(SERIES_WINDOW + 1)
    await rec.record(src, type="Normal", reason="Created", action="Create", note="made a copy")
    assert len(await events_for(client, namespace, "src")) == 3


async def test_failures_never_raise(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    rec = EventRecorder(client, reporting_controller="c", reporting_instance="i", clock=FakeClock())
    ghost = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "ghost", "namespace": "no-such-namespace-here", "uid": "u"},
    }
    with caplog.at_level(logging.WARNING, logger="aim_engine.events"):
        await rec.record(ghost, type="Warning", reason="Failed", action="Sync", note="x")
    assert [r.getMessage() for r in caplog.records] == ["event not recorded"]


async def test_distinct_events_at_the_same_instant_get_distinct_names(
    client: Client, namespace: str
) -> None:
    rec = EventRecorder(client, reporting_controller="c", reporting_instance="i", clock=FakeClock())
    src = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "same", "namespace": namespace},
    }
    for reason in ("A", "B", "C"):
        await rec.record(src, type="Normal", reason=reason, action="Sync", note="n")
    assert sorted(e["reason"] for e in await events_for(client, namespace, "same")) == [
        "A",
        "B",
        "C",
    ]

"""docs/reference/metrics.md lists exactly the metric families a Manager registers."""

from __future__ import annotations

import re
from pathlib import Path

from prometheus_client import CollectorRegistry

from aim_engine.client import Client
from aim_engine.controller import Request, Result, builder
from aim_engine.kinds import CONFIG_MAP
from aim_engine.leader import LeaderElectionConfig
from aim_engine.manager import Manager
from aim_engine.testing import FakeClock
from aim_engine.testing.pytest_plugin import TestCluster

DOC = Path(__file__).parents[2] / "docs" / "reference" / "metrics.md"
ROW = re.compile(r"^\| `(?P<name>[a-z_]+)` \| (?P<type>\w+) \| (?P<labels>[^|]*) \|")


class Noop:
    async def reconcile(self, request: Request) -> Result:
        return Result()


def documented() -> dict[str, tuple[str, frozenset[str]]]:
    rows = {}
    for line in DOC.read_text().splitlines():
        m = ROW.match(line)
        if m:
            labels = frozenset(re.findall(r"`([a-z_]+)`", m["labels"]))
            rows[m["name"]] = (m["type"], labels)
    return rows


def registered(registry: CollectorRegistry) -> dict[str, tuple[str, frozenset[str] | None]]:
    out: dict[str, tuple[str, frozenset[str] | None]] = {}
    for family in registry.collect():
        name = family.name + ("_total" if family.type == "counter" else "")
        labels = {k for s in family.samples for k in s.labels if k != "le"}
        out[name] = (family.type, frozenset(labels) if family.samples else None)
    return out


async def test_metrics_reference_matches_the_registry(kube: TestCluster) -> None:
    registry = CollectorRegistry()
    async with await Client.from_kubeconfig(kube.kubeconfig_path, registry=registry) as client:
        await client.list(CONFIG_MAP, "default")  # one request, so the family has a sample
        manager = Manager(
            client,
            clock=FakeClock(),
            registry=registry,
            metrics_bind_address="0",
            leader_election=LeaderElectionConfig("doc-test", "default"),
        )
        controller = builder(manager).for_(CONFIG_MAP, namespace="default").complete(Noop())
        controller.enqueue(Request("default", "x"))
        docs = documented()
        actual = registered(registry)
        assert sorted(docs) == sorted(actual)
        for name, (kind, labels) in actual.items():
            assert docs[name][0] == kind, name
            if labels is not None:
                assert docs[name][1] == labels, name

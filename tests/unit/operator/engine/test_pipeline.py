"""The pipeline's I/O edges with an in-memory reader and a recording client (no sockets).

The fake-API-server test (``tests/fakeapi/test_operator_engine.py``) runs the same toy domain
against a real HTTP server; these tests pin the order and the absence of requests.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

import pytest

from aim_engine.api.v1alpha1 import AIMClusterModelSource, AIMStatus
from aim_engine.client import Client
from aim_engine.controller import Request, Result
from aim_engine.errors import (
    ConflictError,
    ForbiddenError,
    InvalidSpecError,
    MissingReferenceError,
    NotFoundError,
    ServerError,
)
from aim_engine.events import EventRecorder
from aim_engine.kinds import CONFIG_MAP, ResourceKind
from aim_engine.objects import RawObject
from aim_engine.testing import FakeClock
from controllers.engine import (
    ComponentHealth,
    FetchContext,
    Pipeline,
    PipelineOptions,
    Plan,
    StatusDraft,
    service_status,
)
from tests.unit.operator.engine.toy_domain import (
    OPTIONS,
    REQUEUE_ANNOTATION,
    UPSTREAM_ANNOTATION,
    Observation,
    ToyDomain,
    runtime_config,
)

RC = OPTIONS.model.resource_kind()
START = dt.datetime(2026, 3, 1, 8, 0, 0, tzinfo=dt.UTC)


class MemoryReader:
    """A cache stand-in: objects by (kind, namespace, name)."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str], RawObject] = {}

    def put(self, kind: ResourceKind, obj: RawObject) -> None:
        meta = obj["metadata"]
        self.objects[(kind.kind, meta.get("namespace", ""), meta["name"])] = obj

    def get(self, kind: ResourceKind, name: str, namespace: str | None = None) -> RawObject:
        try:
            return copy.deepcopy(self.objects[(kind.kind, namespace or "", name)])
        except KeyError:
            raise NotFoundError(404, "NotFound", f"{kind.kind} {name} not found") from None

    def list(self, kind: ResourceKind, namespace: str | None = None, **_: Any) -> list[RawObject]:
        return [copy.deepcopy(o) for (k, _ns, _n), o in self.objects.items() if k == kind.kind]


class RecordingClient:
    """The client calls the pipeline makes, recorded; ``fail`` makes the next matching call fail.

    Applied children land in ``reader`` with a new resourceVersion, as the server and then the
    informer cache would have them.
    """

    def __init__(self, reader: MemoryReader) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.fail: dict[str, Exception] = {}
        self.reader = reader
        self.rv = 100

    def _check(self, what: str) -> None:
        if what in self.fail:
            raise self.fail.pop(what)

    async def apply(self, obj: Mapping[str, Any], **kwargs: Any) -> RawObject:
        what = "apply-status" if kwargs.get("subresource") == "status" else "apply"
        self.calls.append((what, str(obj["metadata"]["name"]), {"body": obj, **kwargs}))
        self._check(what)
        stored = copy.deepcopy(dict(obj))
        if what == "apply":
            self.rv += 1
            stored["metadata"]["resourceVersion"] = str(self.rv)
            self.reader.put(CONFIG_MAP, stored)
        return stored

    async def create(self, kind: ResourceKind, obj: RawObject, namespace: str) -> RawObject:
        self.calls.append(("create-" + kind.kind, obj["metadata"]["name"], {"body": obj}))
        return obj

    async def patch(self, kind: ResourceKind, name: str, body: Any, *a: Any, **k: Any) -> RawObject:
        self.calls.append(("patch-" + kind.kind, name, {"body": body}))
        return {}

    async def delete(
        self, kind: ResourceKind, name: str, namespace: str | None = None, **options: Any
    ) -> None:
        self.calls.append(("delete", name, dict(options)))

    async def resolve_kind(self, api_version: str, kind: str) -> ResourceKind:
        return CONFIG_MAP

    def named(self, what: str) -> list[dict[str, Any]]:
        return [extra for w, _, extra in self.calls if w == what]


class World:
    def __init__(self, domain: Any = None, options: Any = OPTIONS) -> None:
        self.reader = MemoryReader()
        self.client = RecordingClient(self.reader)
        self.clock = FakeClock(wall_start=START)
        client = cast(Client, self.client)
        recorder = EventRecorder(
            client,
            reporting_controller=options.field_manager,
            reporting_instance="t",
            clock=self.clock,
        )
        self.domain = domain or ToyDomain()
        self.pipeline: Pipeline[Any, Any, Any] = Pipeline(
            self.domain,
            options,
            reader=self.reader,
            client=client,
            clock=self.clock,
            recorder=recorder,
        )

    def store(self, kind: ResourceKind, obj: RawObject) -> RawObject:
        obj.setdefault("metadata", {}).setdefault("uid", "uid-" + obj["metadata"]["name"])
        obj["metadata"].setdefault("generation", 1)
        self.reader.put(kind, obj)
        return obj

    def last_status(self) -> dict[str, Any]:
        body: dict[str, Any] = self.client.named("apply-status")[-1]["body"]
        return dict(body["status"])

    def persist_status(self, obj: RawObject) -> None:
        """What the server (and then the cache) would hold after the status write."""
        obj["status"] = self.last_status()
        self.reader.put(RC, obj)

    async def reconcile(self, obj: RawObject) -> Result:
        return await self.pipeline.reconcile(
            Request(obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        )


def conditions(status: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]}


async def test_first_reconcile_applies_writes_status_and_records_events() -> None:
    world = World()
    obj = world.store(RC, runtime_config("rc", "ns", A="1"))
    assert await world.reconcile(obj) == Result()
    assert [w for w, _, _ in world.client.calls] == [
        "apply",
        "apply-status",
        "create-Event",
        "create-Event",
    ]
    (child,) = world.client.named("apply")
    assert child["field_manager"] == "aim-toy-controller"
    assert child["force"] is True
    assert child["body"]["metadata"]["ownerReferences"][0]["uid"] == "uid-rc"
    assert child["body"]["data"] == {"A": "1"}
    status = world.last_status()
    assert conditions(status) == {
        "RuntimeConfigReady": ("True", "ConfigFound"),
        "Ready": ("True", "AllComponentsReady"),
    }
    assert status["observedGeneration"] == 1
    assert "status" not in status  # runtime configs have no overall status field
    events = [c[2]["body"] for c in world.client.calls if c[0] == "create-Event"]
    assert [(e["type"], e["reason"], e["reportingController"]) for e in events] == [
        ("Normal", "ConfigFound", "aim-toy-controller"),
        ("Normal", "AllComponentsReady", "aim-toy-controller"),
    ]


async def test_second_reconcile_with_nothing_changed_sends_nothing() -> None:
    world = World()
    obj = world.store(RC, runtime_config("rc", "ns", A="1"))
    await world.reconcile(obj)
    world.persist_status(obj)
    world.client.calls.clear()
    world.clock.advance(120)  # later, but nothing changed: no transition, no new time
    await world.reconcile(obj)
    assert world.client.calls == []


async def test_child_is_reapplied_when_it_changed_or_the_plan_did() -> None:
    world = World()
    obj = world.store(RC, runtime_config("rc", "ns", A="1"))
    await world.reconcile(obj)
    world.persist_status(obj)
    # someone edits the child: the cache shows a new resourceVersion
    child = world.reader.get(CONFIG_MAP, "rc-env", "ns")
    child["data"] = {"A": "tampered"}
    child["metadata"]["resourceVersion"] = "999"
    world.reader.put(CONFIG_MAP, child)
    world.client.calls.clear()
    await world.reconcile(obj)
    assert [w for w, _, _ in world.client.calls] == ["apply"]
    # the desired body changes
    obj["spec"]["env"] = [{"name": "A", "value": "2"}]
    obj["metadata"]["generation"] = 2
    world.reader.put(RC, obj)
    world.client.calls.clear()
    await world.reconcile(obj)
    assert [w for w, _, _ in world.client.calls] == ["apply", "apply-status"]
    assert world.client.named("apply")[0]["body"]["data"] == {"A": "2"}
    assert world.last_status()["observedGeneration"] == 2


async def test_paused_and_deleting_objects_are_left_alone() -> None:
    world = World()
    paused = runtime_config("p", "ns")
    paused["metadata"]["annotations"] = {"aim.eai.amd.com/reconciliation-paused": "true"}
    deleting = runtime_config("d", "ns")
    deleting["metadata"]["deletionTimestamp"] = "2026-03-01T08:00:00Z"
    for obj in (world.store(RC, paused), world.store(RC, deleting)):
        assert await world.reconcile(obj) == Result()
    assert world.client.calls == []
    assert world.domain.fetches == 0


async def test_missing_object_is_done() -> None:
    world = World()
    assert await world.pipeline.reconcile(Request("ns", "nothing")) == Result()
    assert world.client.calls == []


async def test_malformed_object_becomes_invalid_spec_without_apply() -> None:
    world = World()
    obj = runtime_config("bad", "ns")
    obj["spec"]["storage"] = {"pvcHeadroomPercent": -5}
    world.store(RC, obj)
    with pytest.raises(InvalidSpecError, match="pvcHeadroomPercent"):
        await world.reconcile(obj)
    assert world.client.named("apply") == []
    assert conditions(world.last_status()) == {
        "ConfigValid": ("False", "InvalidSpec"),
        "Ready": ("False", "InvalidSpec"),
    }
    assert world.domain.fetches == 0


async def test_unreadable_previous_status_is_ignored_not_fatal() -> None:
    world = World()
    obj = runtime_config("rc", "ns", A="1")
    obj["status"] = {"conditions": [{"type": "Ready", "status": "Maybe"}]}
    world.store(RC, obj)
    assert await world.reconcile(obj) == Result()
    assert conditions(world.last_status())["Ready"] == ("True", "AllComponentsReady")


async def test_domain_invalid_spec_fails_without_apply() -> None:
    world = World()
    obj = world.store(RC, runtime_config("rc", "ns"))
    obj["spec"]["env"] = [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]
    world.reader.put(RC, obj)
    with pytest.raises(InvalidSpecError, match="DuplicateEnv"):
        await world.reconcile(obj)
    assert world.client.named("apply") == []
    got = conditions(world.last_status())
    assert got["RuntimeConfigReady"] == ("False", "DuplicateEnv")
    assert got["ConfigValid"] == ("False", "InvalidSpec")
    events = [c[2]["body"] for c in world.client.calls if c[0] == "create-Event"]
    assert {e["type"] for e in events} == {"Warning"}


async def test_missing_upstream_is_terminal_and_recovers_when_it_appears() -> None:
    world = World()
    obj = runtime_config("rc", "ns")
    obj["metadata"]["annotations"] = {UPSTREAM_ANNOTATION: "base"}
    world.store(RC, obj)
    with pytest.raises(MissingReferenceError):
        await world.reconcile(obj)
    assert conditions(world.last_status())["UpstreamReady"] == ("False", "ReferenceNotFound")
    assert conditions(world.last_status())["ConfigValid"] == ("False", "ReferenceNotFound")
    world.persist_status(obj)
    world.store(
        CONFIG_MAP,
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "base", "namespace": "ns"}},
    )
    assert await world.reconcile(obj) == Result()
    got = conditions(world.last_status())
    assert got["ConfigValid"] == ("True", "ConfigurationValid")
    assert got["Ready"] == ("True", "AllComponentsReady")


async def test_fetch_failure_is_infrastructure_and_raised_for_backoff() -> None:
    class Broken(ToyDomain):
        async def fetch(self, ctx: FetchContext, obj: Any) -> Any:
            raise ServerError(503, "ServiceUnavailable", "apiserver restarting")

    world = World(Broken())
    obj = world.store(RC, runtime_config("rc", "ns"))
    with pytest.raises(ServerError):
        await world.reconcile(obj)
    assert world.client.named("apply") == []
    got = conditions(world.last_status())
    assert got["DependenciesReachable"] == ("False", "InfrastructureError")


async def test_apply_failure_sets_dependencies_reachable_and_raises() -> None:
    world = World()
    obj = world.store(RC, runtime_config("rc", "ns", A="1"))
    denied = ForbiddenError(403, "Forbidden", "configmaps is forbidden")
    world.client.fail["apply"] = denied
    with pytest.raises(ForbiddenError):
        await world.reconcile(obj)
    status = world.last_status()
    dep = next(c for c in status["conditions"] if c["type"] == "DependenciesReachable")
    assert (dep["status"], dep["reason"]) == ("False", "InfrastructureError")
    assert dep["message"] == "Failed to apply resources: configmaps is forbidden"
    world.persist_status(obj)
    assert await world.reconcile(obj) == Result()
    assert conditions(world.last_status())["DependenciesReachable"] == ("True", "Reachable")


async def test_status_write_conflict_is_left_to_the_next_reconcile() -> None:
    world = World()
    obj = world.store(RC, runtime_config("rc", "ns"))
    world.client.fail["apply-status"] = ConflictError(409, "Conflict", "modified")
    assert await world.reconcile(obj) == Result()
    # the transitions were not stored, so their Events wait for the reconcile that stores them
    assert [w for w, _, _ in world.client.calls] == ["apply", "apply-status"]


async def test_requeue_after_comes_from_the_plan() -> None:
    world = World()
    obj = runtime_config("rc", "ns")
    obj["metadata"]["annotations"] = {REQUEUE_ANNOTATION: "10"}
    world.store(RC, obj)
    assert await world.reconcile(obj) == Result(requeue_after=10.0)


class SourceDomain:
    """Cluster-scoped, with an overall status field and a decorated field."""

    def __init__(self, state: AIMStatus) -> None:
        self.state = state

    async def fetch(self, ctx: FetchContext, obj: AIMClusterModelSource) -> None:
        return None

    def compose(self, obj: AIMClusterModelSource, fetched: None) -> None:
        return None

    def health(self, obj: AIMClusterModelSource, observation: None) -> list[ComponentHealth]:
        return [ComponentHealth("Filters", state=self.state)]

    def plan(self, obj: AIMClusterModelSource, observation: None) -> Plan:
        return Plan()

    def decorate(self, obj: AIMClusterModelSource, observation: None, status: StatusDraft) -> None:
        status.fields["discoveredModels"] = 3
        status.fields["stale"] = None


@pytest.mark.parametrize(
    ("state", "mapper", "written"),
    [
        (AIMStatus.READY, None, "Ready"),
        (AIMStatus.PROGRESSING, None, "Progressing"),
        (AIMStatus.READY, service_status, "Running"),
        (AIMStatus.PROGRESSING, service_status, "Starting"),
    ],
)
async def test_overall_status_field_and_decorated_fields(
    state: AIMStatus, mapper: Any, written: str
) -> None:
    options: PipelineOptions[AIMClusterModelSource] = (
        PipelineOptions("cluster-model-source", AIMClusterModelSource)
        if mapper is None
        else PipelineOptions("cluster-model-source", AIMClusterModelSource, map_status=mapper)
    )
    world = World(SourceDomain(state), options)
    kind = AIMClusterModelSource.resource_kind()
    obj = world.store(
        kind,
        {
            "apiVersion": "aim.eai.amd.com/v1alpha1",
            "kind": "AIMClusterModelSource",
            "metadata": {"name": "src"},
            "spec": {"filters": [{"image": "amdenterpriseai/aim-*"}]},
            "status": {"stale": "x", "lastSyncTime": "2026-01-01T00:00:00Z"},
        },
    )
    await world.reconcile(obj)
    status = world.last_status()
    assert status["status"] == written
    assert status["discoveredModels"] == 3
    assert status["lastSyncTime"] == "2026-01-01T00:00:00Z"  # kept from the previous status
    assert "stale" not in status  # decorate set it to None
    assert not world.client.named("apply")


def test_observation_type_is_plain_data() -> None:
    assert Observation({"A": "1"}, [], None) == Observation({"A": "1"}, [], None)

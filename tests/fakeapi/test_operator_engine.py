"""The AIM reconcile pipeline against an API server, with a toy domain over AIMRuntimeConfig.

Proves the engine's I/O contract: the first reconcile applies the child and writes status once;
a reconcile that finds nothing to change sends **no write request at all** (asserted with the
fake server's request log) and leaves every ``resourceVersion`` alone (asserted on a real
kube-apiserver too, where there is no request log); failures end in conditions, not crashes.
Runs on the fake by default and on a real server with ``--apiserver=envtest``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aim_engine.client import Client
from aim_engine.controller import Request, Result, builder
from aim_engine.errors import MissingReferenceError, NotFoundError, ServerError
from aim_engine.kinds import CONFIG_MAP, EVENT_V1
from aim_engine.manager import Manager
from aim_engine.objects import RawObject, meta
from aim_engine.testing.apiserver import RequestRecord
from aim_engine.testing.fixtures import ManagerFactory, eventually
from aim_engine.testing.pytest_plugin import TestCluster
from controllers.engine import Pipeline
from tests.fakeapi.test_crds_install import install_crds
from tests.unit.operator.engine.toy_domain import (
    OPTIONS,
    UPSTREAM_ANNOTATION,
    ToyDomain,
    runtime_config,
)

RC = OPTIONS.model.resource_kind()
WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})
Snapshot = Callable[[], list[RequestRecord]]


@pytest.fixture
async def crds(api_client: Any) -> None:
    await install_crds(api_client)


def request_log(kube: TestCluster) -> Snapshot | None:
    """A function returning the requests logged since it was made (``None`` on a real server)."""
    fake = kube.fake
    if fake is None:
        return None
    start = len(fake.faults.requests)
    return lambda: list(fake.faults.requests)[start:]


def writes(records: list[RequestRecord]) -> list[tuple[str, str, str]]:
    return [(r.verb, r.plural, r.name) for r in records if r.verb in WRITE_VERBS]


def conditions(obj: RawObject) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in obj["status"]["conditions"]}


def rv(obj: RawObject) -> str:
    return str(meta(obj)["resourceVersion"])


async def caught_up(manager: Manager, client: Client, namespace: str, *names: str) -> None:
    """Wait until the cache holds the server's current version of the RC and its child."""

    async def same() -> bool:
        for kind, name in [(RC, names[0]), *((CONFIG_MAP, n) for n in names[1:])]:
            live = await client.get(kind, name, namespace)
            try:
                cached = manager.cache.get(kind, name, namespace)
            except NotFoundError:
                return False
            if rv(cached) != rv(live):
                return False
        return True

    await eventually(manager.clock, same, timeout=30)


def setup(manager: Manager, namespace: str) -> Pipeline[Any, Any, Any]:
    manager.cache.informer(RC, namespace=namespace)
    manager.cache.informer(CONFIG_MAP, namespace=namespace)
    return Pipeline.for_manager(manager, ToyDomain(), OPTIONS, reporting_instance="test")


@pytest.mark.usefixtures("crds")
async def test_first_reconcile_writes_then_nothing_changes_nothing(
    kube: TestCluster, aim_client: Client, manager_factory: ManagerFactory, namespace: str
) -> None:
    manager = manager_factory()
    pipeline = setup(manager, namespace)
    await aim_client.create(RC, runtime_config("rc", namespace, LOG_LEVEL="debug"), namespace)
    async with manager_factory.running(manager):
        await caught_up(manager, aim_client, namespace, "rc")
        log = request_log(kube)
        assert await pipeline.reconcile(Request(namespace, "rc")) == Result()
        if log is not None:
            # the child, then the status (once), then one Event per new condition
            assert [(verb, plural) for verb, plural, _ in writes(log())] == [
                ("patch", "configmaps"),
                ("patch", "aimruntimeconfigs"),
                ("create", "events"),
                ("create", "events"),
            ]
            assert [r.path.endswith("/status") for r in log() if r.verb == "patch"] == [
                False,
                True,
            ]
        obj = await aim_client.get(RC, "rc", namespace)
        assert conditions(obj) == {
            "RuntimeConfigReady": ("True", "ConfigFound"),
            "Ready": ("True", "AllComponentsReady"),
        }
        assert obj["status"]["observedGeneration"] == meta(obj)["generation"]
        child = await aim_client.get(CONFIG_MAP, "rc-env", namespace)
        assert child["data"] == {"LOG_LEVEL": "debug"}
        assert child["metadata"]["ownerReferences"][0]["uid"] == meta(obj)["uid"]
        assert child["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "aim-toy-controller"
        assert {m["manager"] for m in child["metadata"]["managedFields"]} == {"aim-toy-controller"}
        events = (await aim_client.list(EVENT_V1, namespace))["items"]
        assert sorted((e["type"], e["reason"]) for e in events) == [
            ("Normal", "AllComponentsReady"),
            ("Normal", "ConfigFound"),
        ]

        await caught_up(manager, aim_client, namespace, "rc", "rc-env")
        log = request_log(kube)
        assert await pipeline.reconcile(Request(namespace, "rc")) == Result()
        if log is not None:
            assert writes(log()) == []
        assert rv(await aim_client.get(RC, "rc", namespace)) == rv(obj)
        assert rv(await aim_client.get(CONFIG_MAP, "rc-env", namespace)) == rv(child)
        assert len((await aim_client.list(EVENT_V1, namespace))["items"]) == len(events)


@pytest.mark.usefixtures("crds")
async def test_controller_settles_and_a_touch_changes_nothing(
    kube: TestCluster, aim_client: Client, manager_factory: ManagerFactory, namespace: str
) -> None:
    manager = manager_factory()
    pipeline = Pipeline.for_manager(manager, ToyDomain(), OPTIONS, reporting_instance="test")
    (
        builder(manager)
        .named("toy")
        .for_(RC, namespace=namespace)
        .owns(CONFIG_MAP, namespace=namespace)
        .complete(pipeline)
    )
    await aim_client.create(RC, runtime_config("rc", namespace, A="1"), namespace)

    def reconciles() -> float:
        return sum(
            manager.registry.get_sample_value(
                "controller_runtime_reconcile_total", {"controller": "toy", "result": result}
            )
            or 0.0
            for result in ("success", "error", "requeue", "requeue_after")
        )

    async with manager_factory.running(manager):

        async def ready() -> bool:
            obj = await aim_client.get(RC, "rc", namespace)
            got = conditions(obj) if obj.get("status") else {}
            return got.get("Ready") == ("True", "AllComponentsReady")

        await manager_factory.eventually(ready)
        await caught_up(manager, aim_client, namespace, "rc", "rc-env")
        # Let the reconciles queued by our own writes run (they find nothing to do either).
        await manager.clock.sleep(2.0 if kube.is_fake else 0.5)
        settled = await aim_client.get(RC, "rc", namespace)
        child = await aim_client.get(CONFIG_MAP, "rc-env", namespace)
        # Touch the primary without changing anything the pipeline reads: a reconcile runs...
        before = reconciles()
        touched = await aim_client.patch(
            RC, "rc", {"metadata": {"labels": {"touched": "yes"}}}, namespace
        )
        log = request_log(kube)
        await manager_factory.eventually(lambda: reconciles() > before)
        await manager.clock.sleep(2.0 if kube.is_fake else 0.5)
        # ...and sends nothing: no apply, no status write, no Event.
        if log is not None:
            assert writes(log()) == []
        assert rv(await aim_client.get(RC, "rc", namespace)) == rv(touched)
        assert rv(await aim_client.get(CONFIG_MAP, "rc-env", namespace)) == rv(child)
        assert settled["status"] == (await aim_client.get(RC, "rc", namespace))["status"]


@pytest.mark.fake_only
@pytest.mark.usefixtures("crds")
async def test_apply_failure_ends_in_a_condition_and_recovers(
    kube: TestCluster, aim_client: Client, manager_factory: ManagerFactory, namespace: str
) -> None:
    assert kube.fake is not None
    manager = manager_factory()
    pipeline = setup(manager, namespace)
    await aim_client.create(RC, runtime_config("rc", namespace, A="1"), namespace)
    async with manager_factory.running(manager):
        await caught_up(manager, aim_client, namespace, "rc")
        kube.fake.faults.fail_next("patch", status=500, plural="configmaps")
        with pytest.raises(ServerError):
            await pipeline.reconcile(Request(namespace, "rc"))
        obj = await aim_client.get(RC, "rc", namespace)
        assert conditions(obj)["DependenciesReachable"] == ("False", "InfrastructureError")
        dep = next(c for c in obj["status"]["conditions"] if c["type"] == "DependenciesReachable")
        assert dep["message"].startswith("Failed to apply resources:")
        with pytest.raises(NotFoundError):
            await aim_client.get(CONFIG_MAP, "rc-env", namespace)

        await caught_up(manager, aim_client, namespace, "rc")
        assert await pipeline.reconcile(Request(namespace, "rc")) == Result()
        obj = await aim_client.get(RC, "rc", namespace)
        assert conditions(obj)["DependenciesReachable"] == ("True", "Reachable")
        assert conditions(obj)["Ready"] == ("True", "AllComponentsReady")
        events = (await aim_client.list(EVENT_V1, namespace))["items"]
        assert ("Warning", "InfrastructureError") in {(e["type"], e["reason"]) for e in events}


@pytest.mark.usefixtures("crds")
async def test_missing_reference_is_a_condition_and_terminal(
    aim_client: Client, manager_factory: ManagerFactory, namespace: str
) -> None:
    manager = manager_factory()
    pipeline = setup(manager, namespace)
    body = runtime_config("rc", namespace)
    body["metadata"]["annotations"] = {UPSTREAM_ANNOTATION: "base"}
    await aim_client.create(RC, body, namespace)
    async with manager_factory.running(manager):
        await caught_up(manager, aim_client, namespace, "rc")
        with pytest.raises(MissingReferenceError):
            await pipeline.reconcile(Request(namespace, "rc"))
        obj = await aim_client.get(RC, "rc", namespace)
        assert conditions(obj)["UpstreamReady"] == ("False", "ReferenceNotFound")
        assert conditions(obj)["ConfigValid"] == ("False", "ReferenceNotFound")
        assert conditions(obj)["Ready"] == ("False", "ReferenceNotFound")
        with pytest.raises(NotFoundError):  # no apply while a reference is missing
            await aim_client.get(CONFIG_MAP, "rc-env", namespace)

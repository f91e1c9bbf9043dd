"""The ConfigMap mirror example, end to end: in-process on a virtual clock, and as a real process.

The in-process tests run the example's controller in a Manager from the testing kit's
``manager_factory`` fixture against the ``kube`` API server, in two fresh namespaces, so they
run against a real kube-apiserver too (``--apiserver=envtest``). The last test starts the example
script and a standalone fake API server as subprocesses, as a user would.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from aim_engine.client import Client
from aim_engine.errors import NotFoundError
from aim_engine.finalizers import remove_finalizer
from aim_engine.kinds import CONFIG_MAP, EVENT_V1, LEASE, NAMESPACE
from aim_engine.objects import RawObject, meta, uid_of
from aim_engine.testing.fixtures import ManagerFactory, eventually
from aim_engine.testing.pytest_plugin import TestCluster
from examples.configmap_mirror import (
    CONTROLLER_NAME,
    FINALIZER,
    MIRROR_OF_LABEL,
    build_controller,
    desired_copy,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "configmap_mirror.py"


def configmap(
    name: str, namespace: str, *, labels: dict[str, str] | None = None, **data: str
) -> RawObject:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "data": data,
    }


async def get_or_none(client: Client, name: str, namespace: str) -> RawObject | None:
    try:
        return await client.get(CONFIG_MAP, name, namespace)
    except NotFoundError:
        return None


@dataclass
class Mirror:
    """A running mirror controller and where it works."""

    client: Client
    factory: ManagerFactory
    src: str
    dst: str

    async def copy(self, name: str) -> RawObject | None:
        return await get_or_none(self.client, name, self.dst)

    async def source(self, name: str) -> RawObject | None:
        return await get_or_none(self.client, name, self.src)

    async def wait_copy(self, name: str, **expect: Any) -> RawObject:
        async def matches() -> RawObject | None:
            copy = await self.copy(name)
            if copy is None or any(copy.get(k) != v for k, v in expect.items()):
                return None
            return copy

        found: RawObject = await self.factory.eventually(matches)
        return found

    async def wait_gone(self, name: str, namespace: str) -> None:
        async def gone() -> bool:
            return await get_or_none(self.client, name, namespace) is None

        await self.factory.eventually(gone)


async def create_namespace(client: Client, name: str) -> None:
    await client.create(
        NAMESPACE, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    )


@pytest_asyncio.fixture
async def target_namespace(aim_client: Client, namespace: str) -> AsyncIterator[str]:
    name = f"{namespace}-dst"
    await create_namespace(aim_client, name)
    yield name
    with contextlib.suppress(NotFoundError):
        await aim_client.delete(NAMESPACE, name)


@pytest_asyncio.fixture
async def mirror(
    aim_client: Client, manager_factory: ManagerFactory, namespace: str, target_namespace: str
) -> AsyncIterator[Mirror]:
    manager = manager_factory()
    build_controller(
        manager,
        source_namespace=namespace,
        target_namespace=target_namespace,
        max_concurrent_reconciles=2,
        reporting_instance="test",
    )
    async with manager_factory.running(manager):
        yield Mirror(aim_client, manager_factory, namespace, target_namespace)
    # On a real server a leftover finalizer would keep the namespace terminating forever.
    items, _ = await aim_client.list_all(CONFIG_MAP, namespace)
    for item in items:
        await remove_finalizer(aim_client, CONFIG_MAP, item, FINALIZER)


def test_desired_copy_holds_only_owned_fields() -> None:
    source = configmap("a", "src", labels={"mirror": "true", "team": "x"}, k="v")
    source["binaryData"] = {"b": "AAE="}
    source["metadata"].update(uid="u1", resourceVersion="7", annotations={"note": "n"})
    assert desired_copy(source, "dst") == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "a",
            "namespace": "dst",
            "labels": {"mirror": "true", "team": "x", MIRROR_OF_LABEL: "a"},
        },
        "data": {"k": "v"},
        "binaryData": {"b": "AAE="},
    }
    assert "data" not in desired_copy(configmap("e", "src"), "dst")


async def test_copy_has_data_binary_data_and_labels_plus_mirror_of(mirror: Mirror) -> None:
    c = mirror.client
    await c.create(CONFIG_MAP, configmap("plain", mirror.src, k="v"))
    labelled = configmap("app", mirror.src, labels={"mirror": "true", "team": "x"}, k="v")
    labelled["binaryData"] = {"bin": base64.b64encode(b"\x00\x01").decode()}
    await c.create(CONFIG_MAP, labelled)

    copy = await mirror.wait_copy("app")
    assert meta(copy)["labels"] == {"mirror": "true", "team": "x", MIRROR_OF_LABEL: "app"}
    assert copy["data"] == {"k": "v"}
    assert copy["binaryData"] == {"bin": "AAE="}
    source = await mirror.source("app")
    assert source is not None
    assert FINALIZER in meta(source)["finalizers"]

    await mirror.factory.clock.sleep(5)  # virtual: plenty of time for a wrong reconcile
    assert await mirror.copy("plain") is None
    plain = await mirror.source("plain")
    assert plain is not None
    assert not meta(plain).get("finalizers")


async def test_changes_propagate_and_removed_keys_disappear(mirror: Mirror) -> None:
    c = mirror.client
    await c.create(CONFIG_MAP, configmap("app", mirror.src, labels={"mirror": "true"}, a="1"))
    await mirror.wait_copy("app", data={"a": "1"})

    patch = {"metadata": {"labels": {"tier": "web"}}, "data": {"a": None, "b": "2"}}
    await c.patch(CONFIG_MAP, "app", patch, mirror.src)
    copy = await mirror.wait_copy("app", data={"b": "2"})
    assert meta(copy)["labels"] == {"mirror": "true", "tier": "web", MIRROR_OF_LABEL: "app"}


async def test_label_removed_deletes_copy_and_finalizer(mirror: Mirror) -> None:
    c = mirror.client
    await c.create(CONFIG_MAP, configmap("app", mirror.src, labels={"mirror": "true"}, a="1"))
    await mirror.wait_copy("app")

    await c.patch(CONFIG_MAP, "app", {"metadata": {"labels": {"mirror": None}}}, mirror.src)
    await mirror.wait_gone("app", mirror.dst)

    async def finalizer_removed() -> bool:
        source = await mirror.source("app")
        return source is not None and not meta(source).get("finalizers")

    await mirror.factory.eventually(finalizer_removed)
    source = await mirror.source("app")
    assert source is not None  # only the label went, the source stays
    assert FINALIZER not in (meta(source).get("finalizers") or ())
    assert await mirror.copy("app") is None


async def test_source_deleted_deletes_copy_then_source(mirror: Mirror) -> None:
    c = mirror.client
    await c.create(CONFIG_MAP, configmap("app", mirror.src, labels={"mirror": "true"}, a="1"))
    await mirror.wait_copy("app")

    async def has_finalizer() -> bool:
        source = await mirror.source("app")
        return source is not None and FINALIZER in (meta(source).get("finalizers") or ())

    await mirror.factory.eventually(has_finalizer)
    await c.delete(CONFIG_MAP, "app", mirror.src)
    await mirror.wait_gone("app", mirror.dst)
    await mirror.wait_gone("app", mirror.src)
    assert await mirror.copy("app") is None
    assert await mirror.source("app") is None


async def test_copy_deleted_by_hand_is_recreated(mirror: Mirror) -> None:
    c = mirror.client
    await c.create(CONFIG_MAP, configmap("app", mirror.src, labels={"mirror": "true"}, a="1"))
    first = await mirror.wait_copy("app")

    await c.delete(CONFIG_MAP, "app", mirror.dst)

    async def recreated() -> RawObject | None:
        copy = await mirror.copy("app")
        return copy if copy is not None and uid_of(copy) != uid_of(first) else None

    second: RawObject = await mirror.factory.eventually(recreated)
    assert second["data"] == {"a": "1"}


async def test_mirror_of_label_removed_by_hand_is_restored(mirror: Mirror) -> None:
    c = mirror.client
    await c.create(CONFIG_MAP, configmap("app", mirror.src, labels={"mirror": "true"}, a="1"))
    await mirror.wait_copy("app")

    await c.patch(CONFIG_MAP, "app", {"metadata": {"labels": {MIRROR_OF_LABEL: None}}}, mirror.dst)

    async def restored() -> bool:
        copy = await mirror.copy("app")
        return copy is not None and meta(copy)["labels"].get(MIRROR_OF_LABEL) == "app"

    await mirror.factory.eventually(restored)
    copy = await mirror.copy("app")
    assert copy is not None
    assert meta(copy)["labels"][MIRROR_OF_LABEL] == "app"


async def test_one_event_per_created_copy(mirror: Mirror) -> None:
    c = mirror.client
    await c.create(CONFIG_MAP, configmap("app", mirror.src, labels={"mirror": "true"}, a="1"))
    await mirror.wait_copy("app")
    # More reconciles of the same source must not record the creation again.
    await c.patch(CONFIG_MAP, "app", {"data": {"a": "2"}}, mirror.src)
    await mirror.wait_copy("app", data={"a": "2"})

    async def created_events() -> list[RawObject]:
        found = (await c.list(EVENT_V1, mirror.src)).get("items") or []
        return [e for e in found if e.get("reason") == "MirrorCreated"]

    events = await mirror.factory.eventually(created_events)
    assert len(events) == 1
    (event,) = events
    assert event["type"] == "Normal"
    assert event["regarding"]["name"] == "app"
    assert event["regarding"]["kind"] == "ConfigMap"
    assert event["reportingController"] == "aim-engine.example/configmap-mirror"
    assert "series" not in event


@pytest.mark.fake_only
async def test_mirrors_again_after_the_api_server_restarts_without_its_state(
    kube: TestCluster, mirror: Mirror
) -> None:
    """The API server comes back empty (an etcd restore): the controller must not stay blind."""
    fake = kube.fake
    assert fake is not None
    await mirror.client.create(
        CONFIG_MAP, configmap("before", mirror.src, labels={"mirror": "true"}, a="1")
    )
    await mirror.wait_copy("before")
    await fake.restart(keep_state=False)
    for name in (mirror.src, mirror.dst):
        fake.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    fake.create(configmap("after", mirror.src, labels={"mirror": "true"}, b="2"))

    def mirrored() -> RawObject | None:  # read the fake directly: the client's pool just broke
        return fake.get("v1", "ConfigMap", "after", mirror.dst)

    copy = await mirror.factory.eventually(mirrored)
    assert copy["data"] == {"b": "2"}
    assert fake.get("v1", "ConfigMap", "before", mirror.dst) is None


async def test_foreign_configmap_in_target_is_not_overwritten(mirror: Mirror) -> None:
    c = mirror.client
    await c.create(CONFIG_MAP, configmap("taken", mirror.dst, mine="yes"))
    await c.create(CONFIG_MAP, configmap("taken", mirror.src, labels={"mirror": "true"}, a="1"))

    async def conflict_event() -> bool:
        found = (await c.list(EVENT_V1, mirror.src)).get("items") or []
        return any(e.get("reason") == "MirrorConflict" for e in found)

    await mirror.factory.eventually(conflict_event)
    foreign = await mirror.copy("taken")
    assert foreign is not None
    assert foreign["data"] == {"mine": "yes"}
    assert MIRROR_OF_LABEL not in (meta(foreign).get("labels") or {})


# -- the example as a program ------------------------------------------------------------------


async def _terminate(proc: asyncio.subprocess.Process) -> int:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), 30)
    except TimeoutError:
        proc.kill()
        return await proc.wait()


async def _read_logs(stream: asyncio.StreamReader, records: list[dict[str, Any]]) -> None:
    async for line in stream:
        with contextlib.suppress(ValueError):
            records.append(json.loads(line))


@contextlib.asynccontextmanager
async def standalone_fake_server(tmp_path: Path) -> AsyncIterator[Client]:
    """``python -m aim_engine.testing.apiserver`` in a subprocess, with src and dst namespaces."""
    kubeconfig = tmp_path / "kubeconfig"
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aim_engine.testing.apiserver",
        "--port",
        "0",
        "--kubeconfig",
        str(kubeconfig),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert server.stdout is not None
        url = (await asyncio.wait_for(server.stdout.readline(), 30)).decode().strip()
        assert url.startswith("http://127.0.0.1:")
        async with await Client.from_kubeconfig(kubeconfig) as client:
            for ns in ("src", "dst"):
                await create_namespace(client, ns)
            yield client
    finally:
        await _terminate(server)


@dataclass
class Program:
    """The example running as a subprocess, its JSON log records collected as they come."""

    proc: asyncio.subprocess.Process
    records: list[dict[str, Any]]

    def record(self, message: str) -> dict[str, Any] | None:
        assert self.proc.returncode is None, f"example exited: {self.records[-5:]}"
        return next((r for r in self.records if r.get("message") == message), None)


@contextlib.asynccontextmanager
async def example_program(kubeconfig: Path, *args: str) -> AsyncIterator[Program]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        "--kubeconfig",
        str(kubeconfig),
        "--source-namespace",
        "src",
        "--target-namespace",
        "dst",
        *args,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    records: list[dict[str, Any]] = []
    reader = asyncio.create_task(_read_logs(proc.stderr, records))
    try:
        yield Program(proc, records)
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
        await reader


async def test_example_program_mirrors_against_a_standalone_fake_server(tmp_path: Path) -> None:
    async with standalone_fake_server(tmp_path) as client:
        await client.create(CONFIG_MAP, configmap("app", "src", labels={"mirror": "true"}, k="v"))
        async with example_program(
            tmp_path / "kubeconfig",
            "--metrics-bind-address",
            "127.0.0.1:0",
            "--health-probe-bind-address",
            "127.0.0.1:0",
        ) as program:
            ready = await eventually(None, lambda: program.record("endpoints ready"), timeout=30)

            async def copied() -> RawObject | None:
                return await get_or_none(client, "app", "dst")

            copy = await eventually(None, copied, timeout=30)
            assert copy["data"] == {"k": "v"}
            assert meta(copy)["labels"][MIRROR_OF_LABEL] == "app"

            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{ready['probes_port']}/healthz") as r:
                    assert (r.status, await r.text()) == (200, "ok")
                metrics_url = f"http://127.0.0.1:{ready['metrics_port']}/metrics"
                async with session.get(metrics_url) as r:
                    assert r.status == 200
                    text = await r.text()
            assert f'controller_runtime_reconcile_total{{controller="{CONTROLLER_NAME}"' in text

            assert await _terminate(program.proc) == 0
        assert any(r.get("message") == "manager stopped" for r in program.records)


async def test_example_program_exits_non_zero_when_the_lease_is_lost(tmp_path: Path) -> None:
    async with standalone_fake_server(tmp_path) as client:
        await client.create(CONFIG_MAP, configmap("app", "src", labels={"mirror": "true"}, k="v"))
        async with example_program(
            tmp_path / "kubeconfig",
            "--metrics-bind-address",
            "0",
            "--health-probe-bind-address",
            "0",
            "--leader-elect",
            "--leader-election-namespace",
            "default",
            "--leader-election-id",
            "mirror-lock",
        ) as program:

            async def copied() -> RawObject | None:
                return await get_or_none(client, "app", "dst")

            await eventually(None, copied, timeout=30)  # it leads: the controller runs
            # Another candidate takes the Lease over.
            takeover = {"spec": {"holderIdentity": "someone-else"}}
            await client.patch(LEASE, "mirror-lock", takeover, "default")
            assert await asyncio.wait_for(program.proc.wait(), 30) == 1
        assert any(r.get("message") == "leader election lost; exiting" for r in program.records)

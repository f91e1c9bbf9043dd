"""The template controllers: cluster templates, recovery through the watches, registration.

The setting is that of ``test_operator_template.py``: the Job simulator plays the Job
controller, the operator namespace is the test's, and every test runs on the fake server and on
a real one (``--apiserver=envtest``).
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import pytest
import pytest_asyncio

from aim_engine.api.v1alpha1 import AIMRuntimeConfig
from aim_engine.client import Client
from aim_engine.controller import Request
from aim_engine.errors import MissingReferenceError, NotFoundError
from aim_engine.kinds import NODE
from aim_engine.objects import RawObject, meta
from aim_engine.testing.fixtures import ManagerFactory
from aim_engine.testing.nodes import MI300X, gpu_node
from aim_engine.testing.pytest_plugin import TestCluster
from aim_engine.testing.workload_fixtures import JobSimulatorFactory
from controllers.config import OperatorConfig
from controllers.registry import SETUPS
from tests.fakeapi.template_scenarios import (
    CLUSTER_MODEL,
    CLUSTER_TEMPLATE,
    MODEL,
    SUCCESS,
    TEMPLATE,
    condition,
    conditions,
    discovery_jobs,
    model,
    operator,
    settled,
    status_of,
    template,
    wait_status,
)
from tests.fakeapi.test_crds_install import install_crds
from tests.fakeapi.test_operator_engine import request_log, writes


@pytest_asyncio.fixture
async def crds(api_client: Any) -> None:
    await install_crds(api_client)


# -- cluster templates --------------------------------------------------------------------------


@pytest.mark.usefixtures("crds")
async def test_cluster_template_runs_its_job_in_the_operator_namespace(
    kube: TestCluster,
    aim_client: Client,
    manager_factory: ManagerFactory,
    job_simulator: JobSimulatorFactory,
    namespace: str,
) -> None:
    suffix = uuid.uuid4().hex[:6]
    model_name, name = f"cm-{suffix}", f"ct-{suffix}"
    await aim_client.create(CLUSTER_MODEL, model(model_name))
    await aim_client.create(CLUSTER_TEMPLATE, template(name, None, model_name))
    try:
        async with operator(kube, manager_factory, job_simulator, namespace, SUCCESS) as op:
            obj = await wait_status(op, aim_client, CLUSTER_TEMPLATE, name, None, "Ready")
            assert conditions(obj)["ClusterModelReady"] == ("True", "ClusterModelFound")
            assert conditions(obj)["Discovered"] == ("True", "DiscoveryComplete")
            assert obj["status"]["resolvedModel"] == {"name": model_name}
            assert obj["status"]["hardwareSummary"] == "1 x MI300X"
            (job,) = await discovery_jobs(aim_client, namespace)
            assert obj["status"]["discoveryJob"] == {
                "name": meta(job)["name"],
                "namespace": namespace,
                "uid": meta(job)["uid"],
            }
            owner = meta(job)["ownerReferences"][0]
            assert (owner["kind"], owner["name"], owner["uid"]) == (
                "AIMClusterServiceTemplate",
                name,
                meta(obj)["uid"],
            )
            labels = meta(job)["labels"]
            assert labels["aim.eai.amd.com/cluster-service-template.name"] == name
            env = job["spec"]["template"]["spec"]["containers"][0]["env"]
            assert [e["name"] for e in env] == [
                "AIM_LOG_LEVEL_ROOT",
                "AIM_LOG_LEVEL",
                "AIM_METRIC",
                "AIM_PRECISION",
            ]

            before = await settled(op, aim_client, CLUSTER_TEMPLATE, name, None)
            log = request_log(kube)
            await op.cluster.reconcile(Request("", name))
            if log is not None:
                assert writes(log()) == []
            after = await aim_client.get(CLUSTER_TEMPLATE, name, None)
            assert meta(after)["resourceVersion"] == meta(before)["resourceVersion"]
    finally:
        for kind, obj_name in ((CLUSTER_TEMPLATE, name), (CLUSTER_MODEL, model_name)):
            with contextlib.suppress(NotFoundError):
                await aim_client.delete(kind, obj_name)


# -- watches --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("crds")
async def test_missing_model_and_runtime_config_recover_through_their_watches(
    kube: TestCluster,
    aim_client: Client,
    manager_factory: ManagerFactory,
    job_simulator: JobSimulatorFactory,
    namespace: str,
) -> None:
    body = template("late", namespace, "m")
    body["spec"]["runtimeConfigName"] = "rc"
    await aim_client.create(TEMPLATE, body, namespace)
    async with operator(kube, manager_factory, job_simulator, namespace, SUCCESS) as op:
        obj = await wait_status(op, aim_client, TEMPLATE, "late", namespace, "Failed")

        async def reasons(**wanted: str) -> RawObject | None:
            obj = await aim_client.get(TEMPLATE, "late", namespace)
            got = {k: v[1] for k, v in conditions(obj).items()}
            return obj if all(got.get(k) == v for k, v in wanted.items()) else None

        obj = await op.eventually(lambda: reasons(ModelReady="ReferenceNotFound"))
        assert conditions(obj)["RuntimeConfigReady"] == ("False", "ConfigNotFound")
        assert conditions(obj)["ConfigValid"] == ("False", "ReferenceNotFound")

        await aim_client.create(MODEL, model("m", namespace), namespace)
        obj = await op.eventually(lambda: reasons(ModelReady="ModelFound"))
        assert status_of(obj) == "Failed"  # the runtime config is still missing
        assert await discovery_jobs(aim_client, namespace) == []
        # Waiting for the config: a reconcile sends nothing (not even a discovery-lock write).
        before = await settled(op, aim_client, TEMPLATE, "late", namespace)
        log = request_log(kube)
        with pytest.raises(MissingReferenceError):  # terminal until the config appears
            await op.namespaced.reconcile(Request(namespace, "late"))
        if log is not None:
            assert writes(log()) == []
        after = await aim_client.get(TEMPLATE, "late", namespace)
        assert meta(after)["resourceVersion"] == meta(before)["resourceVersion"]

        rc = {
            "apiVersion": "aim.eai.amd.com/v1alpha1",
            "kind": "AIMRuntimeConfig",
            "metadata": {"name": "rc", "namespace": namespace},
            "spec": {},
        }
        await aim_client.create(AIMRuntimeConfig.resource_kind(), rc, namespace)
        obj = await wait_status(op, aim_client, TEMPLATE, "late", namespace, "Ready")
        assert conditions(obj)["RuntimeConfigReady"] == ("True", "ConfigFound")
        assert conditions(obj)["ConfigValid"] == ("True", "ConfigurationValid")


@pytest.mark.usefixtures("crds")
async def test_a_gpu_node_appearing_starts_discovery(
    kube: TestCluster,
    aim_client: Client,
    manager_factory: ManagerFactory,
    job_simulator: JobSimulatorFactory,
    namespace: str,
) -> None:
    await aim_client.create(MODEL, model("m", namespace), namespace)
    body = template("waits", namespace, "m", gpu={"model": "MI300X", "requests": 1})
    await aim_client.create(TEMPLATE, body, namespace)
    node_name = f"gpu-late-{uuid.uuid4().hex[:6]}"
    try:
        async with operator(kube, manager_factory, job_simulator, namespace, SUCCESS) as op:
            obj = await wait_status(op, aim_client, TEMPLATE, "waits", namespace, "NotAvailable")
            assert condition(obj, "GPUReady")["message"].startswith(
                "Required GPU model 'MI300X' not available in cluster."
            )
            await aim_client.create(NODE, gpu_node(node_name, MI300X))
            obj = await wait_status(op, aim_client, TEMPLATE, "waits", namespace, "Ready")
            assert conditions(obj)["GPUReady"] == ("True", "GPUAvailable")
            assert conditions(obj)["Discovered"] == ("True", "DiscoveryComplete")
            assert obj["status"]["modelSources"][0]["modelId"] == "org/model"
    finally:
        with contextlib.suppress(NotFoundError):
            await aim_client.delete(NODE, node_name)


async def test_the_registry_registers_both_template_controllers(
    manager_factory: ManagerFactory, namespace: str
) -> None:
    manager = manager_factory()
    for setup in SETUPS:
        setup(manager, OperatorConfig(namespace=namespace, identity="test-operator"))
    names = {c.name for c in manager.controllers}
    assert {"service-template", "cluster-service-template"} <= names

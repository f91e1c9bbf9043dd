"""The template controllers against an API server, with the Job simulator and GPU worker Nodes.

Both template kinds run as the operator registers them (``setup_template_controllers``); the Job
simulator plays the Job controller, the ``gpu_nodes`` fixture provides an MI300X and an MI350X
worker. The operator namespace is the test's namespace (the discovery lock's Lease and cluster
templates' Jobs live there). On the fake server the discovery log is served by ``pods/log``; on a
real one (``--apiserver=envtest``, no kubelet) the simulator's in-memory logs are read instead,
and no garbage collector or TTL controller runs, so tests delete what must not outlive them.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
import pytest_asyncio

from aim_engine.client import Client
from aim_engine.controller import Request
from aim_engine.errors import NotFoundError
from aim_engine.kinds import JOB, LEASE
from aim_engine.objects import RawObject, meta
from aim_engine.testing.fixtures import ManagerFactory
from aim_engine.testing.pytest_plugin import TestCluster
from aim_engine.testing.workload_fixtures import JobSimulatorFactory
from tests.fakeapi.template_scenarios import (
    CACHE,
    FAILURE,
    HANG,
    IMAGE,
    MI300X_IDS,
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


# -- inline sources, caching, no-op reconcile --------------------------------------------------


@pytest.mark.usefixtures("crds")
async def test_inline_sources_are_ready_without_a_job_and_create_the_cache(
    kube: TestCluster,
    aim_client: Client,
    manager_factory: ManagerFactory,
    job_simulator: JobSimulatorFactory,
    namespace: str,
) -> None:
    await aim_client.create(MODEL, model("m", namespace), namespace)
    await aim_client.create(
        TEMPLATE, template("inline", namespace, "m", inline=True, caching=True), namespace
    )
    async with operator(kube, manager_factory, job_simulator, namespace, SUCCESS) as op:
        obj = await wait_status(op, aim_client, TEMPLATE, "inline", namespace, "Ready")
        assert conditions(obj) == {
            "RuntimeConfigReady": ("True", "DefaultConfigNotFound"),
            "ModelReady": ("True", "ModelFound"),
            "Ready": ("True", "AllComponentsReady"),
            "Discovered": ("True", "InlineModelSources"),
        }
        status = obj["status"]
        assert status["modelSources"] == [{"modelId": "org/inline", "sourceUri": "hf://org/inline"}]
        assert status["profile"] == {"metadata": {"metric": "latency", "precision": "fp8"}}
        assert status["hardwareSummary"] == "CPU"
        assert status["resolvedModel"] == {"name": "m", "namespace": namespace}
        assert await discovery_jobs(aim_client, namespace) == []

        async def cache() -> RawObject | None:
            with contextlib.suppress(NotFoundError):
                return await aim_client.get(CACHE, "inline", namespace)
            return None

        created = await op.eventually(cache)
        assert created["spec"]["templateName"] == "inline"
        assert created["spec"]["templateScope"] == "Namespace"
        owner = created["metadata"]["ownerReferences"][0]
        assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == (
            "AIMServiceTemplate",
            "inline",
            meta(obj)["uid"],
            True,
        )
        labels = created["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "aim-service-template-controller"
        assert labels["aim.eai.amd.com/service-template.name"] == "inline"

        # Nothing changed: a reconcile sends no request that writes.
        before = await settled(op, aim_client, TEMPLATE, "inline", namespace)
        log = request_log(kube)
        await op.namespaced.reconcile(Request(namespace, "inline"))
        if log is not None:
            assert writes(log()) == []
        after = await aim_client.get(TEMPLATE, "inline", namespace)
        assert meta(after)["resourceVersion"] == meta(before)["resourceVersion"]


# -- discovery ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("crds", "gpu_nodes")
async def test_discovery_resolves_profile_sources_hardware_and_affinity(
    kube: TestCluster,
    aim_client: Client,
    manager_factory: ManagerFactory,
    job_simulator: JobSimulatorFactory,
    namespace: str,
) -> None:
    await aim_client.create(MODEL, model("m", namespace), namespace)
    body = template("disc", namespace, "m", gpu={"model": "MI300X", "requests": 1})
    await aim_client.create(TEMPLATE, body, namespace)
    async with operator(kube, manager_factory, job_simulator, namespace, SUCCESS) as op:
        obj = await wait_status(op, aim_client, TEMPLATE, "disc", namespace, "Ready")
        status = obj["status"]
        assert condition(obj, "Discovered")["status"] == "True"
        assert condition(obj, "Discovered")["reason"] == "DiscoveryComplete"
        assert conditions(obj)["GPUReady"] == ("True", "GPUAvailable")
        assert conditions(obj)["RuntimeConfigReady"] == ("True", "DefaultConfigNotFound")
        assert status["modelSources"] == [
            {"modelId": "org/model", "sourceUri": "hf://org/model", "size": "1536Mi"}
        ]
        assert status["profile"] == {
            "engine_args": {"max-model-len": 4096},
            "env_vars": {"VLLM_USE_V1": "1"},
            "metadata": {
                "engine": "vllm",
                "gpu": "MI300X",
                "gpuCount": 1,
                "metric": "latency",
                "precision": "fp8",
                "type": "optimized",
            },
        }
        assert status["resolvedHardware"] == {
            "gpu": {"requests": 1, "model": "MI300X", "resourceName": "amd.com/gpu"}
        }
        assert status["hardwareSummary"] == "1 x MI300X"
        terms = status["resolvedNodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert terms["nodeSelectorTerms"] == [
            {
                "matchExpressions": [
                    {"key": "amd.com/gpu.device-id", "operator": "In", "values": MI300X_IDS}
                ]
            }
        ]

        (job,) = await discovery_jobs(aim_client, namespace)
        assert status["discoveryJob"] == {
            "name": meta(job)["name"],
            "namespace": namespace,
            "uid": meta(job)["uid"],
        }
        assert meta(job)["name"].startswith("discover-disc-")
        assert meta(job)["labels"] == {
            "app.kubernetes.io/name": "aim-discovery",
            "app.kubernetes.io/component": "discovery",
            "app.kubernetes.io/managed-by": "aim-controller",
            "aim.eai.amd.com/template": "disc",
            "aim.eai.amd.com/service-template.name": "disc",
        }
        owner = meta(job)["ownerReferences"][0]
        assert (owner["kind"], owner["uid"], owner["controller"]) == (
            "AIMServiceTemplate",
            meta(obj)["uid"],
            True,
        )
        spec = job["spec"]
        assert (spec["backoffLimit"], spec["ttlSecondsAfterFinished"]) == (0, 60)
        pod = spec["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        assert pod["securityContext"] == {
            "runAsNonRoot": True,
            "runAsUser": 65532,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
        (container,) = pod["containers"]
        assert (container["name"], container["image"], container["args"]) == (
            "discovery",
            IMAGE,
            ["dry-run", "--format=json"],
        )
        assert [(e["name"], e["value"]) for e in container["env"]] == [
            ("AIM_LOG_LEVEL_ROOT", "CRITICAL"),
            ("AIM_LOG_LEVEL", "CRITICAL"),
            ("AIM_METRIC", "latency"),
            ("AIM_PRECISION", "fp8"),
            ("AIM_GPU_MODEL", "MI300X"),
            ("AIM_GPU_COUNT", "1"),
        ]
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        }

        # The discovery lock was taken in the operator namespace and released.
        lease = await aim_client.get(LEASE, "aim-discovery-lock", namespace)
        assert lease["spec"]["leaseDurationSeconds"] == 30
        assert "holderIdentity" not in lease["spec"]
        assert "renewTime" not in lease["spec"]

        before = await settled(op, aim_client, TEMPLATE, "disc", namespace)
        log = request_log(kube)
        await op.namespaced.reconcile(Request(namespace, "disc"))
        if log is not None:
            assert writes(log()) == []
        after = await aim_client.get(TEMPLATE, "disc", namespace)
        assert meta(after)["resourceVersion"] == meta(before)["resourceVersion"]


@pytest.mark.usefixtures("crds", "gpu_nodes")
async def test_failed_job_counts_an_attempt_and_requeues_after_the_backoff(
    kube: TestCluster,
    aim_client: Client,
    manager_factory: ManagerFactory,
    job_simulator: JobSimulatorFactory,
    namespace: str,
) -> None:
    await aim_client.create(MODEL, model("m", namespace), namespace)
    body = template("fail", namespace, "m", gpu={"model": "MI300X", "requests": 1})
    await aim_client.create(TEMPLATE, body, namespace)
    async with operator(kube, manager_factory, job_simulator, namespace, FAILURE) as op:

        async def attempted() -> RawObject | None:
            obj = await aim_client.get(TEMPLATE, "fail", namespace)
            discovery = (obj.get("status") or {}).get("discovery") or {}
            return obj if discovery.get("attempts") == 1 else None

        obj = await op.eventually(attempted)
        discovery = obj["status"]["discovery"]
        assert discovery["lastFailureReason"] == "Job has reached the specified backoff limit"
        assert len(discovery["specHash"]) == 16
        assert status_of(obj) == "Failed"
        assert conditions(obj)["DiscoveryJobReady"] == ("False", "JobBackoffLimitExceeded")
        assert "ConfigValid" not in conditions(obj)  # the breaker owns the failure
        discovered = condition(obj, "Discovered")
        assert (discovered["status"], discovered["reason"]) == ("False", "AwaitingDiscovery")
        assert discovered["message"].startswith("Retrying at ")
        assert discovered["message"].endswith(
            "(attempt 1 failed: Job has reached the specified backoff limit)"
        )

        result = await op.namespaced.reconcile(Request(namespace, "fail"))
        assert result.requeue_after is not None
        assert 0 < result.requeue_after <= 60

        if kube.is_fake:  # virtual time: the backoff passes, the Job is rerun and fails again

            async def second() -> RawObject | None:
                obj = await aim_client.get(TEMPLATE, "fail", namespace)
                discovery = (obj.get("status") or {}).get("discovery") or {}
                return obj if discovery.get("attempts") == 2 else None

            obj = await op.eventually(second, timeout=600)
            assert obj["status"]["discovery"]["specHash"] == discovery["specHash"]


@pytest.mark.usefixtures("crds", "gpu_nodes")
async def test_spec_hash_change_resets_the_attempts(
    kube: TestCluster,
    aim_client: Client,
    manager_factory: ManagerFactory,
    job_simulator: JobSimulatorFactory,
    namespace: str,
) -> None:
    await aim_client.create(MODEL, model("m", namespace), namespace)
    body = template("reset", namespace, "m", gpu={"model": "MI300X", "requests": 1})
    await aim_client.create(TEMPLATE, body, namespace)
    async with operator(kube, manager_factory, job_simulator, namespace, FAILURE) as op:

        async def attempts(n: int, other_than: str = "") -> RawObject | None:
            obj = await aim_client.get(TEMPLATE, "reset", namespace)
            discovery = (obj.get("status") or {}).get("discovery") or {}
            if discovery.get("attempts") != n or discovery.get("specHash") == other_than:
                return None
            return obj

        first = await op.eventually(lambda: attempts(1))
        old_hash = first["status"]["discovery"]["specHash"]
        (old_job,) = await discovery_jobs(aim_client, namespace)
        await aim_client.patch(
            TEMPLATE, "reset", {"spec": {"profileId": "vllm-mi300x-fp8"}}, namespace
        )
        # A new spec: a new Job at once (no backoff), which fails as attempt 1 of the new hash.
        second = await op.eventually(lambda: attempts(1, other_than=old_hash))
        assert second["status"]["discovery"]["specHash"] != old_hash

        async def old_job_deleted() -> bool:
            names = [meta(j)["name"] for j in await discovery_jobs(aim_client, namespace)]
            return meta(old_job)["name"] not in names and len(names) == 1

        await op.eventually(old_job_deleted)
        (job,) = await discovery_jobs(aim_client, namespace)
        env = job["spec"]["template"]["spec"]["containers"][0]["env"]
        assert env[-1] == {"name": "AIM_PROFILE_ID", "value": "vllm-mi300x-fp8"}


@pytest.mark.usefixtures("crds", "gpu_nodes")
async def test_absent_gpu_model_is_not_available_and_runs_no_job(
    kube: TestCluster,
    aim_client: Client,
    manager_factory: ManagerFactory,
    job_simulator: JobSimulatorFactory,
    namespace: str,
) -> None:
    await aim_client.create(MODEL, model("m", namespace), namespace)
    body = template("nogpu", namespace, "m", gpu={"model": "MI325X", "requests": 1})
    await aim_client.create(TEMPLATE, body, namespace)
    async with operator(kube, manager_factory, job_simulator, namespace, SUCCESS) as op:
        obj = await wait_status(op, aim_client, TEMPLATE, "nogpu", namespace, "NotAvailable")
        gpu = condition(obj, "GPUReady")
        assert (gpu["status"], gpu["reason"]) == ("False", "GPUNotAvailable")
        assert gpu["message"] == (
            "Required GPU model 'MI325X' not available in cluster. Available: MI300X, MI350X"
        )
        assert conditions(obj)["Ready"] == ("False", "GPUNotAvailable")
        assert await discovery_jobs(aim_client, namespace) == []

        before = await settled(op, aim_client, TEMPLATE, "nogpu", namespace)
        log = request_log(kube)
        await op.namespaced.reconcile(Request(namespace, "nogpu"))
        if log is not None:
            assert writes(log()) == []
        after = await aim_client.get(TEMPLATE, "nogpu", namespace)
        assert meta(after)["resourceVersion"] == meta(before)["resourceVersion"]


@pytest.mark.usefixtures("crds")
async def test_at_most_ten_discovery_jobs_run_at_once(
    kube: TestCluster,
    aim_client: Client,
    manager_factory: ManagerFactory,
    job_simulator: JobSimulatorFactory,
    namespace: str,
) -> None:
    await aim_client.create(MODEL, model("m", namespace), namespace)
    names = [f"t{i:02d}" for i in range(12)]
    for name in names:
        await aim_client.create(TEMPLATE, template(name, namespace, "m"), namespace)
    try:
        async with operator(kube, manager_factory, job_simulator, namespace, HANG) as op:

            async def ten() -> bool:
                return len(await discovery_jobs(aim_client, namespace)) == 10

            await op.eventually(ten, timeout=120)
            # Let the two waiting templates retry (every 5 s) a few times: still ten.
            await op.manager.clock.sleep(12.0)
            jobs = await discovery_jobs(aim_client, namespace)
            assert len(jobs) == 10
            with_job = {meta(j)["labels"]["aim.eai.amd.com/template"] for j in jobs}
            waiting = [n for n in names if n not in with_job]
            assert len(waiting) == 2
            for name in waiting:
                obj = await aim_client.get(TEMPLATE, name, namespace)
                job = condition(obj, "DiscoveryJobReady")
                assert (job["status"], job["reason"]) == ("False", "JobNotCreated")
                assert "waiting for a free slot (10 discovery Jobs running)" in job["message"]
                assert status_of(obj) == "Pending"
    finally:
        # A real server has no garbage collector: hanging Jobs would hold slots for later tests.
        for job in await discovery_jobs(aim_client, namespace):
            with contextlib.suppress(NotFoundError):
                await aim_client.delete(
                    JOB, meta(job)["name"], namespace, propagation_policy="Background"
                )

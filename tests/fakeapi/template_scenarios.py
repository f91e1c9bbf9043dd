"""Scenario helpers for the template controllers: bodies, an operator on one manager, waits.

Used by ``test_operator_template.py`` and ``test_operator_template_watches.py``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aim_engine.api.v1alpha1 import (
    AIMClusterModel,
    AIMClusterServiceTemplate,
    AIMModel,
    AIMServiceTemplate,
    AIMTemplateCache,
)
from aim_engine.client import Client
from aim_engine.errors import NotFoundError
from aim_engine.kinds import JOB
from aim_engine.manager import Manager
from aim_engine.objects import RawObject, meta
from aim_engine.testing.fixtures import ManagerFactory
from aim_engine.testing.jobsim import JobOutcome
from aim_engine.testing.pytest_plugin import TestCluster
from aim_engine.testing.workload_fixtures import JobSimulatorFactory
from controllers.config import OperatorConfig
from controllers.template.discovery import DISCOVERY_JOB_LABELS
from controllers.template.reconciler import TemplateReconciler, setup_template_controllers

TEMPLATE = AIMServiceTemplate.resource_kind()
CLUSTER_TEMPLATE = AIMClusterServiceTemplate.resource_kind()
MODEL = AIMModel.resource_kind()
CLUSTER_MODEL = AIMClusterModel.resource_kind()
CACHE = AIMTemplateCache.resource_kind()
IMAGE = "ghcr.io/amd/aim-test:1.0"
MI300X_IDS = ["74a1", "74a9", "74b5", "74bd"]
RESULT = [
    {
        "filename": "vllm-mi300x-fp8-tp1-latency.yaml",
        "profile": {
            "model": "org/model",
            "quantized_model": "",
            "metadata": {
                "engine": "vllm",
                "gpu": "MI300X",
                "precision": "fp8",
                "gpu_count": 1,
                "metric": "latency",
                "type": "optimized",
            },
            "engine_args": {"max-model-len": 4096},
            "env_vars": {"VLLM_USE_V1": "1"},
        },
        "models": [{"name": "org/model", "source": "hf://org/model", "size_gb": 1.5}],
    }
]
DISCOVERY_LOG = "INFO starting dry run\n" + json.dumps(RESULT) + "\n"
SUCCESS = JobOutcome(log=DISCOVERY_LOG)
FAILURE = JobOutcome(succeed=False, log="Error: no profile matches\n")
HANG = JobOutcome(hang=True)


@dataclass
class Operator:
    """Both template controllers and the simulator on one manager, for one test."""

    manager: Manager
    namespaced: TemplateReconciler
    cluster: TemplateReconciler
    factory: ManagerFactory

    async def eventually(self, check: Callable[[], Any], timeout: float = 30.0) -> Any:
        return await self.factory.eventually(check, timeout=timeout)


@contextlib.asynccontextmanager
async def operator(
    kube: TestCluster,
    manager_factory: ManagerFactory,
    job_simulator: JobSimulatorFactory,
    namespace: str,
    outcome: JobOutcome | Callable[[RawObject], JobOutcome],
) -> AsyncIterator[Operator]:
    # Namespaced kinds are watched in the test's namespace only: a real server keeps earlier
    # tests' templates (no namespace controller), which would compete for the reconcile queue.
    manager = manager_factory(namespace=namespace)
    sim = job_simulator(manager, dict(DISCOVERY_JOB_LABELS), outcome)
    config = OperatorConfig(namespace=namespace, identity="test-operator")
    reader = None if kube.is_fake else sim.logs
    namespaced, cluster = setup_template_controllers(
        manager, config, log_reader=reader, reporting_instance="test"
    )
    async with manager_factory.running(manager):
        yield Operator(manager, namespaced, cluster, manager_factory)


def model(name: str, namespace: str | None = None) -> RawObject:
    kind = "AIMModel" if namespace else "AIMClusterModel"
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "aim.eai.amd.com/v1alpha1",
        "kind": kind,
        "metadata": metadata,
        "spec": {"image": IMAGE},
    }


def template(
    name: str,
    namespace: str | None,
    model_name: str,
    *,
    gpu: Mapping[str, Any] | None = None,
    inline: bool = False,
    caching: bool = False,
    profile_id: str | None = None,
) -> RawObject:
    spec: dict[str, Any] = {"modelName": model_name, "metric": "latency", "precision": "fp8"}
    if gpu is not None:
        spec["hardware"] = {"gpu": dict(gpu)}
    if inline:
        spec["modelSources"] = [{"modelId": "org/inline", "sourceUri": "hf://org/inline"}]
    if caching:
        spec["caching"] = {"enabled": True}
    if profile_id:
        spec["profileId"] = profile_id
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    kind = "AIMServiceTemplate" if namespace else "AIMClusterServiceTemplate"
    return {
        "apiVersion": "aim.eai.amd.com/v1alpha1",
        "kind": kind,
        "metadata": metadata,
        "spec": spec,
    }


def conditions(obj: RawObject) -> dict[str, tuple[str, str]]:
    items = (obj.get("status") or {}).get("conditions") or ()
    return {c["type"]: (c["status"], c["reason"]) for c in items}


def condition(obj: RawObject, type_: str) -> Mapping[str, Any]:
    return next(c for c in obj["status"]["conditions"] if c["type"] == type_)


def status_of(obj: RawObject) -> str:
    return str((obj.get("status") or {}).get("status") or "")


async def discovery_jobs(client: Client, namespace: str) -> list[RawObject]:
    items = (await client.list(JOB, namespace, label_selector="aim.eai.amd.com/template"))["items"]
    return list(items)


async def wait_status(
    op: Operator, client: Client, kind: Any, name: str, namespace: str | None, *wanted: str
) -> RawObject:
    async def reached() -> RawObject | None:
        obj = await client.get(kind, name, namespace)
        return obj if status_of(obj) in wanted else None

    found: RawObject = await op.eventually(reached)
    return found


async def settled(op: Operator, client: Client, kind: Any, name: str, ns: str | None) -> RawObject:
    """The object once the cache holds the server's version and self-triggered work drained."""

    async def same() -> RawObject | None:
        live = await client.get(kind, name, ns)
        try:
            cached = op.manager.cache.get(kind, name, ns)
        except NotFoundError:
            return None
        return live if meta(cached)["resourceVersion"] == meta(live)["resourceVersion"] else None

    await op.eventually(same)
    await op.manager.clock.sleep(1.0)
    found: RawObject = await op.eventually(same)
    return found

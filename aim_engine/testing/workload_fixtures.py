"""pytest fixtures for workloads: GPU worker Nodes and the Job simulator.

* ``gpu_nodes``: creates an MI300X and an MI350X worker Node (labels of spec §8.3, allocatable
  ``amd.com/gpu``, ``Ready``) on the test's API server, fake or real, and deletes them afterwards.
* ``job_simulator``: a :class:`JobSimulatorFactory`; ``job_simulator(manager, selector, outcome)``
  registers a :class:`~aim_engine.testing.jobsim.JobSimulator` on the test's manager (wired to the
  fake API server's ``pods/log`` when there is one), and ``async with
  job_simulator.running(selector, outcome) as sim`` runs one on a manager of its own.

Registered by the ``aim_engine`` pytest plugin. See ``docs/guides/testing.md``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest_asyncio

from aim_engine.client import Client
from aim_engine.errors import NotFoundError
from aim_engine.kinds import NODE
from aim_engine.manager import Manager
from aim_engine.objects import RawObject, name_of
from aim_engine.testing.fixtures import ManagerFactory
from aim_engine.testing.jobsim import JobSimulator, OutcomeSource
from aim_engine.testing.nodes import MI300X, MI350X, gpu_node, gpu_node_status

__all__ = ["JobSimulatorFactory", "gpu_nodes_fixture", "job_simulator_fixture"]


class JobSimulatorFactory:
    """Builds :class:`JobSimulator` instances for one test.

    Args:
        managers: the test's manager factory.
        fake: the fake API server (its ``set_pod_log`` receives the logs), or ``None``.
    """

    def __init__(self, managers: ManagerFactory, fake: Any) -> None:
        self._managers = managers
        self._fake = fake

    def __call__(
        self,
        manager: Manager,
        selector: str | Mapping[str, str] | None,
        outcome: OutcomeSource,
        **options: Any,
    ) -> JobSimulator:
        """A simulator registered on ``manager`` (which must not run yet).

        ``options`` are :class:`JobSimulator` keywords; ``log_writer`` defaults to the fake API
        server's ``set_pod_log``.
        """
        if self._fake is not None:
            options.setdefault("log_writer", self._fake.set_pod_log)
        return JobSimulator(manager, selector, outcome, **options)

    @contextlib.asynccontextmanager
    async def running(
        self, selector: str | Mapping[str, str] | None, outcome: OutcomeSource, **options: Any
    ) -> AsyncIterator[JobSimulator]:
        """Run a simulator on a manager of its own for the ``async with`` block."""
        manager = self._managers()
        sim = self(manager, selector, outcome, **options)
        async with self._managers.running(manager):
            yield sim


@pytest_asyncio.fixture(name="job_simulator")
async def job_simulator_fixture(
    kube: Any, manager_factory: ManagerFactory
) -> AsyncIterator[JobSimulatorFactory]:
    """A :class:`JobSimulatorFactory` for the test's cluster."""
    yield JobSimulatorFactory(manager_factory, kube.fake)


async def _create_node(client: Client, node: RawObject, now: str) -> RawObject:
    await client.create(NODE, node)
    return await client.patch(
        NODE, name_of(node), {"status": gpu_node_status(now)}, subresource="status"
    )


@pytest_asyncio.fixture(name="gpu_nodes")
async def gpu_nodes_fixture(aim_client: Client) -> AsyncIterator[list[RawObject]]:
    """An MI300X and an MI350X worker Node, in that order (deleted afterwards)."""
    suffix = uuid.uuid4().hex[:6]
    now = "2026-01-01T00:00:00Z"
    nodes = [
        await _create_node(aim_client, gpu_node(f"gpu-{m.model.lower()}-{suffix}", m), now)
        for m in (MI300X, MI350X)
    ]
    try:
        yield nodes
    finally:
        for node in nodes:
            with contextlib.suppress(NotFoundError):
                await aim_client.delete(NODE, name_of(node))

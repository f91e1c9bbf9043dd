""":class:`JobSimulator`: a stand-in for the Job controller, written on the framework itself.

The fake API server and the envtest tier (kube-apiserver + etcd) run no kube-controller-manager,
so nothing turns a ``batch/v1`` Job into a pod. For Jobs matching a label selector the simulator
does, step by step and level-based (each reconcile reads the Job and its pods and takes the next
step):

1. creates the pod (``<job>-<5 chars>``, the template's spec and labels plus ``job-name``,
   ``controller-uid`` and their ``batch.kubernetes.io/`` twins, controlled by the Job) and sets
   ``startTime``, ``active: 1`` on the Job;
2. marks the pod ``Running`` and ready, writes its log (to the fake's ``pods/log`` through the
   ``log_writer`` hook, and always to :attr:`JobSimulator.logs`) and sets ``ready: 1``;
3. after :attr:`JobOutcome.delay`, ends the pod (``Succeeded``/``Failed`` with terminated
   container states), counts it (``succeeded``/``failed``, with ``SuccessCriteriaMet`` or
   ``FailureTarget``) and then finishes the Job (``Complete`` with ``completionTime``, or
   ``Failed`` with reason ``BackoffLimitExceeded``).

A hanging outcome stops after step 2; a vanishing one deletes the Job instead of step 1.
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from typing import Any

from aim_engine.client import Client
from aim_engine.controller import Controller, Request, Result, builder
from aim_engine.errors import NotFoundError
from aim_engine.kinds import JOB, POD
from aim_engine.manager import Manager
from aim_engine.objects import RawObject, name_of, uid_of
from aim_engine.testing.jobsim._logs import SimulatedPodLogs
from aim_engine.testing.jobsim._outcome import (
    JobOutcome,
    finished,
    job_condition,
    owned_by,
    pod_for,
    pod_name,
    pod_running_status,
    pod_terminated_status,
)

__all__ = ["JobSimulator", "LogWriter", "OutcomeSource"]

logger = logging.getLogger("aim_engine.testing.jobsim")

LogWriter = Callable[[str, str, str, str], None]
"""``(namespace, pod, container, text)``: stores a container log where ``pods/log`` serves it."""
OutcomeSource = Callable[[RawObject], JobOutcome] | Mapping[str, JobOutcome] | JobOutcome
"""Per Job: a callable, a mapping by Job name (Jobs not in it hang), or one outcome for all."""

FIELD_MANAGER = "aim-engine-job-simulator"
_UID_LABEL = "batch.kubernetes.io/controller-uid"
_HANG = JobOutcome(hang=True)
_SUCCESS_MESSAGE = "Reached expected number of succeeded pods"
_FAILURE_MESSAGE = "Job has reached the specified backoff limit"


class JobSimulator:
    """Runs matching Jobs to the end a test scripts.

    Example::

        sim = JobSimulator(manager, {"app": "discovery"},
                           lambda job: JobOutcome(log='{"ok": true}\\n'),
                           log_writer=server.set_pod_log)
        async with manager_factory.running(manager):
            ...
            assert await sim.logs.read("ns", pod) == '{"ok": true}\\n'

    Args:
        manager: the manager that runs the simulator's controller (its client and clock).
        selector: the Jobs to simulate (a label selector string or map; ``None``: every Job).
        outcome: what each Job does (see :data:`OutcomeSource`).
        namespace: only Jobs in this namespace (default: all).
        log_writer: where pod logs are written besides :attr:`logs` (the fake API server's
            ``set_pod_log``); ``None`` on a real server, which cannot be told a log.
        node_name: ``spec.nodeName`` of the pods (default: unbound, so a real server answers
            ``pods/log`` with an empty body instead of calling a kubelet).
        seed: seeds the pod name suffixes (reproducible names).
        name: the controller's name.
    """

    def __init__(
        self,
        manager: Manager,
        selector: str | Mapping[str, str] | None,
        outcome: OutcomeSource,
        *,
        namespace: str | None = None,
        log_writer: LogWriter | None = None,
        node_name: str | None = None,
        seed: int | None = None,
        name: str = "job-simulator",
    ) -> None:
        self._client: Client = manager.client
        self._clock = manager.clock
        self._outcome = outcome
        self._log_writer = log_writer
        self._node_name = node_name
        self._rng = random.Random(seed)
        self._outcomes: dict[str, JobOutcome] = {}
        self._running_since: dict[str, float] = {}
        self.logs = SimulatedPodLogs()
        """Every log the simulator wrote: a :class:`~aim_engine.client.PodLogReader`."""
        self.controller: Controller = (
            builder(manager)
            .named(name)
            .for_(JOB, namespace=namespace, label_selector=selector)
            .owns(POD, namespace=namespace, label_selector=_UID_LABEL)
            .complete(self)
        )

    def outcome_of(self, job: RawObject) -> JobOutcome:
        """The outcome of ``job`` (asked once per Job uid)."""
        uid = uid_of(job)
        known = self._outcomes.get(uid)
        if known is not None:
            return known
        source = self._outcome
        if isinstance(source, JobOutcome):
            found = source
        elif isinstance(source, Mapping):
            found = source.get(name_of(job), _HANG)
        else:
            found = source(job)
        self._outcomes[uid] = found
        return found

    async def reconcile(self, request: Request) -> Result:
        """Take the next step of one Job (see the module docstring)."""
        try:
            job = await self._client.get(JOB, request.name, request.namespace)
        except NotFoundError:
            return Result()
        if finished(job) or (job.get("metadata") or {}).get("deletionTimestamp"):
            return Result()
        outcome = self.outcome_of(job)
        if outcome.vanish:
            await self._vanish(job)
            return Result()
        pods = await self._pods(job)
        if not pods:
            await self._start(job)
            return Result()
        pod = pods[0]
        phase = (pod.get("status") or {}).get("phase", "Pending")
        if phase == "Pending":
            await self._run(job, pod, outcome)
            phase = "Running"
        if phase == "Running":
            if outcome.hang:
                return Result()
            left = self._running_since.setdefault(uid_of(pod), self._clock.monotonic())
            left += outcome.delay - self._clock.monotonic()
            if left > 0:
                return Result(requeue_after=left)
            pod = await self._end_pod(pod, outcome)
        await self._finish(job, outcome)
        return Result()

    # -- steps ----------------------------------------------------------------------------------

    def _now(self) -> str:
        return self._clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    async def _pods(self, job: RawObject) -> list[RawObject]:
        listed = await self._client.list(
            POD, request_namespace(job), label_selector=f"{_UID_LABEL}={uid_of(job)}"
        )
        items: list[RawObject] = listed.get("items") or []
        return [p for p in items if owned_by(p, uid_of(job))]

    async def _vanish(self, job: RawObject) -> None:
        logger.info("job simulator deletes a job", extra={"job": name_of(job)})
        with contextlib.suppress(NotFoundError):
            await self._client.delete(
                JOB, name_of(job), request_namespace(job), propagation_policy="Background"
            )

    async def _start(self, job: RawObject) -> None:
        pod = pod_for(job, pod_name(job, self._rng), self._node_name)
        await self._client.create(POD, pod, field_manager=FIELD_MANAGER)
        status = dict(job.get("status") or {})
        status.setdefault("startTime", self._now())
        status.update(active=1, ready=0, terminating=0, uncountedTerminatedPods={})
        await self._job_status(job, status)

    async def _run(self, job: RawObject, pod: RawObject, outcome: JobOutcome) -> None:
        pod = await self._client.patch(
            POD,
            name_of(pod),
            {"status": pod_running_status(pod, self._now())},
            request_namespace(pod),
            subresource="status",
            field_manager=FIELD_MANAGER,
        )
        containers = [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or ()]
        logs = outcome.logs_for(containers)
        self.logs.write(request_namespace(pod), name_of(pod), logs, containers)
        if self._log_writer is not None:
            for container, text in logs.items():
                self._log_writer(request_namespace(pod), name_of(pod), container, text)
        status = dict(job.get("status") or {})
        status.update(active=1, ready=1)
        await self._job_status(job, status)

    async def _end_pod(self, pod: RawObject, outcome: JobOutcome) -> RawObject:
        return await self._client.patch(
            POD,
            name_of(pod),
            {"status": pod_terminated_status(pod, outcome, self._now())},
            request_namespace(pod),
            subresource="status",
            field_manager=FIELD_MANAGER,
        )

    async def _finish(self, job: RawObject, outcome: JobOutcome) -> None:
        now = self._now()
        status = dict(job.get("status") or {})
        status.setdefault("startTime", now)
        status.update(active=0, ready=0, terminating=0, uncountedTerminatedPods={})
        conditions = list(status.get("conditions") or [])
        if outcome.succeed:
            status["succeeded"] = int(status.get("succeeded") or 0) + 1
            interim = job_condition(
                "SuccessCriteriaMet", "CompletionsReached", _SUCCESS_MESSAGE, now
            )
            final = job_condition("Complete", "CompletionsReached", _SUCCESS_MESSAGE, now)
        else:
            status["failed"] = int(status.get("failed") or 0) + 1
            interim = job_condition("FailureTarget", "BackoffLimitExceeded", _FAILURE_MESSAGE, now)
            final = job_condition("Failed", "BackoffLimitExceeded", _FAILURE_MESSAGE, now)
        status["conditions"] = [*conditions, interim]
        job = await self._job_status(job, status)
        status = dict(job.get("status") or {})
        status["conditions"] = [*(status.get("conditions") or []), final]
        if outcome.succeed:
            status["completionTime"] = now
        await self._job_status(job, status)
        logger.info(
            "job simulator finished a job",
            extra={"job": name_of(job), "succeeded": outcome.succeed},
        )

    async def _job_status(self, job: RawObject, status: Mapping[str, Any]) -> RawObject:
        return await self._client.patch(
            JOB,
            name_of(job),
            {"status": dict(status)},
            request_namespace(job),
            subresource="status",
            field_manager=FIELD_MANAGER,
        )


def request_namespace(obj: Mapping[str, Any]) -> str:
    """The namespace of a namespaced object."""
    return str((obj.get("metadata") or {}).get("namespace", ""))

"""What a template reconcile observed, and the pure decisions taken from it (spec §5.2.2-5.2.4).

:class:`TemplateReads` is what ``fetch`` read; :func:`compose` interprets it into an
:class:`Observation`: the usable model, the GPU check, the template's current discovery Job
(the one named after the current spec, owned by this template), its outcome and parsed output,
the circuit-breaker state after this reconcile, and whether a new Job is wanted.

Choices:

* The current Job is the one whose name the current spec and model give (the name hashes the
  discovery inputs), owned by this template's UID, instead of "the newest Job with the template
  label": a Job of an older spec, or of a same-named template of the other scope in the operator
  namespace (spec §14.4), is never taken for this one. Finished Jobs of older specs are deleted.
* A Job that succeeded but printed nothing readable is a failed attempt (spec §14.1 suggests
  it): it counts in the circuit breaker and is retried after the backoff, instead of a Ready
  template without model sources.
* A ``NotAvailable`` template still checks discovery (spec §14.1), so the Job that starts when
  the GPU appears is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from aim_engine import RawObject, meta
from aim_engine.api.v1alpha1 import AIMStatus
from aim_engine.api.v1alpha1.conditions import ConditionType, Reasons
from aim_engine.api.v1alpha1.model import AIMModelSpec
from aim_engine.api.v1alpha1.template import (
    AIMClusterServiceTemplate,
    AIMDiscoveryState,
    AIMServiceTemplate,
)
from aim_engine.errors import InvalidSpecError
from controllers.engine import Fetched
from controllers.gpu import ClusterGpu, GpuCheck, check_gpu_availability, gpu_inventory
from controllers.gpu import requires_gpu as hardware_requires_gpu
from controllers.object_names import discovery_job_name
from controllers.runtimeconfig import RuntimeConfigResolution
from controllers.template.discovery import (
    discovery_backoff_remaining,
    discovery_job_digest,
    discovery_spec_hash,
    record_discovery_failure,
)
from controllers.template.discovery_output import (
    DiscoveryParseError,
    DiscoveryResult,
    parse_discovery_log,
)
from controllers.workload_health import JobOutcome, job_outcome, pods_of_job

__all__ = [
    "FAILURE_REASONS",
    "Observation",
    "Template",
    "TemplateReads",
    "checks_discovery",
    "compose",
    "current_job_name",
    "has_inline_sources",
    "job_finished",
    "previous_status",
]

Template = AIMServiceTemplate | AIMClusterServiceTemplate


@dataclass(frozen=True, slots=True)
class TemplateReads:
    """Everything ``fetch`` read (each read's error captured).

    Attributes:
        now: the reconcile's time.
        runtime_config: the merged runtime config.
        model: the raw model (AIMModel or AIMClusterModel).
        nodes: all Nodes; ``None`` when the template needs no GPU.
        jobs: this template's discovery Jobs; ``None`` while discovery is not checked.
        pods: pods of this template's discovery Jobs.
        log: the ``discovery`` container log of the current Job's succeeded pod.
        failure_logs: log tails of failed pods' containers, by pod name.
        caches: template caches owned by this template; ``None`` unless caching applies.
        active_jobs: active discovery Jobs cluster-wide, counted only while the discovery
            lock is held and a new Job is wanted.
        lock_held: the reconcile holds the discovery lock.
    """

    now: datetime
    runtime_config: Fetched[RuntimeConfigResolution]
    model: Fetched[RawObject]
    nodes: Fetched[list[RawObject]] | None = None
    jobs: Fetched[list[RawObject]] | None = None
    pods: Sequence[RawObject] = ()
    log: Fetched[str] | None = None
    failure_logs: dict[str, str] = field(default_factory=dict)
    caches: Fetched[list[RawObject]] | None = None
    active_jobs: Fetched[int] | None = None
    lock_held: bool = False


@dataclass(frozen=True, slots=True)
class Observation:
    """The interpreted reads (module docstring).

    Attributes:
        reads: the raw reads.
        model: the model's spec when it was read and validates.
        model_raw: the model object.
        model_error: why the model is unusable (validation), if it is.
        gpu_required: the template needs a GPU.
        inventory: the cluster's GPUs (empty when not read).
        gpu_check: the GPU check; ``None`` when not required or the nodes were not read.
        gpu_error: the GPU check could not be made (bad ``minVram``).
        inline: the template lists its model sources.
        checks_discovery: discovery is checked in this reconcile.
        spec_hash: the discovery spec hash (``""`` without a model).
        job_name: the name the current spec's Job has (``""`` without a model).
        job: the current Job, if it exists.
        outcome: its terminal condition.
        pods: its pods.
        result: its parsed output (or why it could not be read).
        stale_jobs: finished Jobs of this template with another name.
        failure: why the current Job's attempt failed, when it did.
        state: the circuit-breaker state after this reconcile.
        new_failure: the failure was not recorded before (it changes ``state``).
        backoff: seconds until another attempt may start.
        wants_job: a new Job is wanted (needs the discovery lock).
    """

    reads: TemplateReads
    model: AIMModelSpec | None
    model_raw: RawObject | None
    model_error: InvalidSpecError | None
    gpu_required: bool
    inventory: dict[str, ClusterGpu]
    gpu_check: GpuCheck | None
    gpu_error: InvalidSpecError | None
    inline: bool
    checks_discovery: bool
    spec_hash: str
    job_name: str
    job: RawObject | None
    outcome: JobOutcome | None
    pods: list[RawObject]
    result: DiscoveryResult | DiscoveryParseError | None
    stale_jobs: list[RawObject]
    failure: str | None
    state: AIMDiscoveryState | None
    new_failure: bool
    backoff: float
    wants_job: bool

    @property
    def gpu_ok(self) -> bool:
        """The template needs no GPU, or the cluster has what it needs."""
        if not self.gpu_required:
            return True
        return self.gpu_check is not None and self.gpu_check.available

    @property
    def image(self) -> str:
        """The model image (``""`` without a model)."""
        return self.model.image if self.model is not None else ""

    @property
    def succeeded(self) -> DiscoveryResult | None:
        """The discovery result, when the current Job succeeded and its output was read."""
        return self.result if isinstance(self.result, DiscoveryResult) else None


def has_inline_sources(template: Template) -> bool:
    """The template lists its model sources (no discovery)."""
    return bool(template.spec.model_sources)


def previous_status(template: Template) -> str:
    """The overall status the previous reconcile wrote (``""`` before the first)."""
    status = template.status.status if template.status is not None else None
    return str(status) if status else ""


def checks_discovery(template: Template) -> bool:
    """Discovery is checked: not Ready and no inline sources (NotAvailable included)."""
    return not has_inline_sources(template) and previous_status(template) != AIMStatus.READY


def current_job_name(template: Template, model: AIMModelSpec) -> str:
    """The name of the discovery Job for the template's current spec and model."""
    return discovery_job_name(template.metadata.name or "", discovery_job_digest(template, model))


def job_finished(job: RawObject) -> bool:
    """The Job completed or failed."""
    return job_outcome(job) is not None


def _model_spec(
    model: Fetched[RawObject],
) -> tuple[AIMModelSpec | None, InvalidSpecError | None]:
    if model.value is None:
        return None, None
    try:
        return AIMModelSpec.model_validate(model.value.get("spec") or {}), None
    except ValidationError as exc:
        name = meta(model.value).get("name")
        return None, InvalidSpecError(f"model {name} is invalid: {exc.error_count()} errors")


def _gpu(
    template: Template, nodes: Fetched[list[RawObject]] | None
) -> tuple[dict[str, ClusterGpu], GpuCheck | None, InvalidSpecError | None]:
    gpu = template.spec.hardware.gpu if template.spec.hardware is not None else None
    if nodes is None or nodes.value is None:
        return {}, None, None
    inventory = gpu_inventory(nodes.value)
    if gpu is None:
        return inventory, None, None
    try:
        return inventory, check_gpu_availability(gpu, inventory), None
    except InvalidSpecError as exc:
        return inventory, None, exc


def _failure(outcome: JobOutcome | None, result: object, log: Fetched[str] | None) -> str | None:
    if outcome is None:
        return None
    if not outcome.complete:
        return outcome.message or outcome.reason or "Unknown failure"
    if isinstance(result, DiscoveryParseError):
        return f"Discovery output unreadable ({result.reason}): {result.message}"
    if log is None:
        return "Discovery Job complete but no succeeded pod holds its output"
    return None


FAILURE_REASONS = frozenset(
    {
        Reasons.JOB_BACKOFF_LIMIT_EXCEEDED,
        Reasons.JOB_DEADLINE_EXCEEDED,
        Reasons.JOB_EVICTED,
        Reasons.JOB_FAILED,
    }
)
"""``DiscoveryJobReady`` reasons of a failed attempt."""


def _is_new_failure(template: Template, job: RawObject, spec_hash: str) -> bool:
    """Whether this Job's failure is not yet counted in ``status.discovery``.

    Counted means: the previous status already names this Job (by UID) in ``discoveryJob``
    and already reports ``DiscoveryJobReady`` with a failure reason, for the same spec hash.
    No timestamps are compared, so clock skew between the operator and the cluster cannot
    count one failure twice.
    """
    status = template.status
    if status is None or status.discovery is None or status.discovery.spec_hash != spec_hash:
        return True
    recorded = status.discovery_job.uid if status.discovery_job is not None else None
    if recorded != meta(job).get("uid"):
        return True
    for cond in status.conditions or ():
        if cond.type == ConditionType.DISCOVERY_JOB_READY:
            return not (cond.status == "False" and cond.reason in FAILURE_REASONS)
    return True


def compose(template: Template, reads: TemplateReads) -> Observation:
    """Interpret the reads (module docstring)."""
    model, model_error = _model_spec(reads.model)
    inventory, gpu_check, gpu_error = _gpu(template, reads.nodes)
    inline = has_inline_sources(template)
    checking = checks_discovery(template)
    spec_hash = discovery_spec_hash(template.spec, model.image) if model is not None else ""
    job_name = current_job_name(template, model) if model is not None else ""
    jobs = list(reads.jobs.value or ()) if reads.jobs is not None else []
    job = next((j for j in jobs if meta(j).get("name") == job_name), None)
    stale = [j for j in jobs if meta(j).get("name") != job_name and job_finished(j)]
    outcome = job_outcome(job) if job is not None else None
    pods = pods_of_job(reads.pods, job) if job is not None else []
    result: DiscoveryResult | DiscoveryParseError | None = None
    if outcome is not None and outcome.complete and reads.log is not None and reads.log.ok:
        result = parse_discovery_log(reads.log.value or "")
    failure = _failure(outcome, result, reads.log)
    previous = template.status.discovery if template.status is not None else None
    state = previous
    new_failure = False
    if job is not None and failure is not None and _is_new_failure(template, job, spec_hash):
        state = record_discovery_failure(previous, spec_hash, reads.now, failure)
        new_failure = True
    backoff = discovery_backoff_remaining(state, spec_hash, reads.now) if model else 0.0
    gpu_required = hardware_requires_gpu(template.spec.hardware)
    gpu_ok = not gpu_required or (gpu_check is not None and gpu_check.available)
    wants = (
        checking
        and model is not None
        and bool(model.image)
        and gpu_ok
        and _config_usable(reads)
        and reads.jobs is not None
        and reads.jobs.ok
        and job is None
        and backoff <= 0
    )
    return Observation(
        reads=reads,
        model=model,
        model_raw=reads.model.value,
        model_error=model_error,
        gpu_required=gpu_required,
        inventory=inventory,
        gpu_check=gpu_check,
        gpu_error=gpu_error,
        inline=inline,
        checks_discovery=checking,
        spec_hash=spec_hash,
        job_name=job_name,
        job=job,
        outcome=outcome,
        pods=pods,
        result=result,
        stale_jobs=stale,
        failure=failure,
        state=state,
        new_failure=new_failure,
        backoff=backoff,
        wants_job=wants,
    )


def _config_usable(reads: TemplateReads) -> bool:
    config = reads.runtime_config.value
    return config is not None and not config.health().missing_reference

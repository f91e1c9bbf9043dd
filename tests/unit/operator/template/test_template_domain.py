"""The template domain's pure steps as tables: compose, health, plan and status decoration."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from aim_engine.api.v1alpha1 import AIMServiceTemplate, AIMStatus
from aim_engine.api.v1alpha1.model import AIMModelSpec
from controllers.engine import ConditionManager, Fetched, StatusDraft, resolve_health
from controllers.runtimeconfig import RuntimeConfigResolution
from controllers.template.discovery import discovery_spec_hash
from controllers.template.health import template_health
from controllers.template.observation import TemplateReads, compose, current_job_name
from controllers.template.plan import template_plan
from controllers.template.scope import NAMESPACED
from controllers.template.status import decorate_template

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
IMAGE = "ghcr.io/amd/aim:1"
MI300X_NODE = {"metadata": {"name": "n", "labels": {"amd.com/gpu.device-id": "74a1"}}}
RESULT = [
    {
        "profile": {"metadata": {"gpu": "MI300X", "gpu_count": 1, "metric": "latency"}},
        "models": [{"name": "org/m", "source": "hf://org/m", "size_gb": 1}],
    }
]
FAILED = {
    "conditions": [
        {
            "type": "Failed",
            "status": "True",
            "reason": "BackoffLimitExceeded",
            "message": "Job has reached the specified backoff limit",
        }
    ]
}
COMPLETE = {"conditions": [{"type": "Complete", "status": "True"}]}


def template(
    *,
    status: dict[str, Any] | None = None,
    inline: bool = False,
    caching: bool = False,
    gpu: str | None = "MI300X",
) -> AIMServiceTemplate:
    spec: dict[str, Any] = {"modelName": "m", "metric": "latency"}
    if gpu:
        spec["hardware"] = {"gpu": {"model": gpu, "requests": 1}}
    if inline:
        spec["modelSources"] = [{"modelId": "org/inline", "sourceUri": "hf://org/inline"}]
    if caching:
        spec["caching"] = {"enabled": True}
    body: dict[str, Any] = {
        "metadata": {"name": "tpl", "namespace": "ns", "uid": "tpl-uid"},
        "spec": spec,
    }
    if status is not None:
        body["status"] = status
    return AIMServiceTemplate.model_validate(body)


def model(image: str = IMAGE, status: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "metadata": {"name": "m", "namespace": "ns"},
        "spec": {"image": image},
        "status": status or {},
    }


def job_name(tpl: AIMServiceTemplate) -> str:
    return current_job_name(tpl, AIMModelSpec(image=IMAGE))


def job(
    tpl: AIMServiceTemplate, status: dict[str, Any] | None = None, name: str = ""
) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name or job_name(tpl),
            "namespace": "ns",
            "uid": "job-uid",
            "creationTimestamp": "2026-03-01T11:00:00Z",
        },
        "status": status or {},
    }


def succeeded_pod() -> dict[str, Any]:
    return {
        "metadata": {"name": "p", "ownerReferences": [{"uid": "job-uid"}]},
        "status": {"phase": "Succeeded"},
    }


def reads(
    tpl: AIMServiceTemplate,
    *,
    model_obj: dict[str, Any] | None = None,
    jobs: list[dict[str, Any]] | None = None,
    nodes: list[dict[str, Any]] | None = None,
    log: str | None = None,
    active: int | None = None,
    lock: bool = False,
    caches: list[dict[str, Any]] | None = None,
    config_name: str = "default",
) -> TemplateReads:
    config = RuntimeConfigResolution(name=config_name, namespace="ns", spec=None)
    return TemplateReads(
        now=NOW,
        runtime_config=Fetched(config),
        model=Fetched(model_obj) if model_obj is not None else Fetched(error=_not_found()),
        nodes=Fetched(nodes if nodes is not None else [MI300X_NODE]),
        jobs=Fetched(jobs or []),
        pods=[succeeded_pod()] if log is not None else [],
        log=Fetched(log) if log is not None else None,
        caches=Fetched(caches) if caches is not None else None,
        active_jobs=Fetched(active) if active is not None else None,
        lock_held=lock,
    )


def _not_found() -> Exception:
    from aim_engine.errors import NotFoundError

    return NotFoundError(404, "NotFound", "not found")


def failed_state(seconds_ago: float, attempts: int = 1) -> dict[str, Any]:
    spec_hash = discovery_spec_hash(template().spec, IMAGE)
    when = (NOW - dt.timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "attempts": attempts,
        "lastAttemptTime": when,
        "specHash": spec_hash,
        "lastFailureReason": "boom",
    }


def counted_failure_status(seconds_ago: float) -> dict[str, Any]:
    return {
        "status": "Failed",
        "discovery": failed_state(seconds_ago),
        "discoveryJob": {"name": "x", "namespace": "ns", "uid": "job-uid"},
        "conditions": [
            {
                "type": "DiscoveryJobReady",
                "status": "False",
                "reason": "JobBackoffLimitExceeded",
                "message": "",
                "lastTransitionTime": "2026-03-01T11:00:00Z",
            }
        ],
    }


# -- plan -----------------------------------------------------------------------------------------


def _plan(tpl: AIMServiceTemplate, r: TemplateReads) -> tuple[list[str], list[str], float | None]:
    plan = template_plan(tpl, compose(tpl, r), operator_namespace="aim-system")
    return ([o["kind"] for o in plan.apply], [d.name for d in plan.delete], plan.requeue_after)


def test_plan_table() -> None:
    t = template()
    cases: list[
        tuple[str, AIMServiceTemplate, TemplateReads, tuple[list[str], list[str], float | None]]
    ] = [
        ("no model", t, reads(t), ([], [], None)),
        ("model without image", t, reads(t, model_obj=model(image="")), ([], [], None)),
        (
            "GPU model absent",
            template(gpu="MI325X"),
            reads(template(gpu="MI325X"), model_obj=model()),
            ([], [], None),
        ),
        (
            "lock held, slots free",
            t,
            reads(t, model_obj=model(), active=3, lock=True),
            (["Job"], [], None),
        ),
        (
            "lock held, ten running",
            t,
            reads(t, model_obj=model(), active=10, lock=True),
            ([], [], 5.0),
        ),
        ("no lock", t, reads(t, model_obj=model()), ([], [], 2.0)),
        ("job running", t, reads(t, model_obj=model(), jobs=[job(t)]), ([], [], None)),
        (
            "new failure: wait the first backoff",
            t,
            reads(t, model_obj=model(), jobs=[job(t, FAILED)]),
            ([], [], 60.0),
        ),
        (
            "stale finished job of an older spec",
            t,
            reads(t, model_obj=model(), jobs=[job(t), job(t, FAILED, name="discover-tpl-0ld")]),
            ([], ["discover-tpl-0ld"], None),
        ),
    ]
    for label, tpl, r, expected in cases:
        assert _plan(tpl, r) == expected, label


def test_plan_waits_for_the_backoff_then_deletes_the_failed_job() -> None:
    waiting = template(status=counted_failure_status(seconds_ago=10))
    t = template()
    assert _plan(waiting, reads(waiting, model_obj=model(), jobs=[job(t, FAILED)])) == (
        [],
        [],
        50.0,
    )
    # the failed Job is gone (TTL): still waiting, no lock needed
    assert _plan(waiting, reads(waiting, model_obj=model())) == ([], [], 50.0)
    over = template(status=counted_failure_status(seconds_ago=61))
    assert _plan(over, reads(over, model_obj=model(), jobs=[job(t, FAILED)])) == (
        [],
        [job_name(t)],
        None,
    )


def test_plan_template_cache_for_inline_sources_and_ready_templates() -> None:
    inline = template(inline=True, caching=True)
    assert _plan(inline, reads(inline, model_obj=model(), caches=[])) == (
        ["AIMTemplateCache"],
        [],
        None,
    )
    assert _plan(inline, reads(inline, model_obj=model(), caches=[{"metadata": {}}])) == (
        [],
        [],
        None,
    )
    ready = template(
        caching=True,
        status={
            "status": "Ready",
            "modelSources": [{"modelId": "org/m", "sourceUri": "hf://org/m"}],
        },
    )
    assert _plan(ready, reads(ready, model_obj=model(), caches=[])) == (
        ["AIMTemplateCache"],
        [],
        None,
    )
    no_sources = template(caching=True, status={"status": "Ready"})
    assert _plan(no_sources, reads(no_sources, model_obj=model(), caches=[])) == ([], [], None)


# -- health ---------------------------------------------------------------------------------------


def _health(tpl: AIMServiceTemplate, r: TemplateReads) -> dict[str, tuple[AIMStatus, str]]:
    components = template_health(NAMESPACED, tpl, compose(tpl, r))
    return {h.component: (h.state, h.reason) for h in map(resolve_health, components)}


@pytest.mark.parametrize(
    ("label", "tpl", "kwargs", "expected"),
    [
        (
            "model missing",
            template(),
            {},
            {
                "RuntimeConfig": (AIMStatus.READY, "DefaultConfigNotFound"),
                "Model": (AIMStatus.DEGRADED, "ReferenceNotFound"),
                "GPU": (AIMStatus.READY, "GPUAvailable"),
            },
        ),
        (
            "model that does not validate (empty image)",
            template(),
            {"model_obj": model(image="")},
            {
                "RuntimeConfig": (AIMStatus.READY, "DefaultConfigNotFound"),
                "Model": (AIMStatus.FAILED, "InvalidSpec"),
                "GPU": (AIMStatus.READY, "GPUAvailable"),
            },
        ),
        (
            "named config missing",
            template(),
            {"model_obj": model(), "config_name": "mine", "lock": True, "active": 0},
            {
                "RuntimeConfig": (AIMStatus.DEGRADED, "ConfigNotFound"),
                "Model": (AIMStatus.READY, "ModelFound"),
                "GPU": (AIMStatus.READY, "GPUAvailable"),
                "DiscoveryJob": (AIMStatus.PENDING, "JobNotCreated"),
            },
        ),
        (
            "GPU absent",
            template(gpu="MI325X"),
            {"model_obj": model()},
            {
                "RuntimeConfig": (AIMStatus.READY, "DefaultConfigNotFound"),
                "Model": (AIMStatus.READY, "ModelFound"),
                "GPU": (AIMStatus.NOT_AVAILABLE, "GPUNotAvailable"),
            },
        ),
        (
            "failed model (not because of its templates)",
            template(gpu=None),
            {
                "model_obj": model(
                    status={
                        "status": "Failed",
                        "conditions": [
                            {"type": "ImageMetadataReady", "status": "False"},
                            {"type": "ServiceTemplatesReady", "status": "False"},
                        ],
                    }
                ),
                "jobs": [job(template(gpu=None))],
            },
            {
                "RuntimeConfig": (AIMStatus.READY, "DefaultConfigNotFound"),
                "Model": (AIMStatus.FAILED, "ModelFailed"),
                "DiscoveryJob": (AIMStatus.PROGRESSING, "JobRunning"),
            },
        ),
        (
            "model failed only through its templates",
            template(gpu=None),
            {
                "model_obj": model(
                    status={
                        "status": "Failed",
                        "conditions": [{"type": "ServiceTemplatesReady", "status": "False"}],
                    }
                ),
                "jobs": [job(template(gpu=None))],
            },
            {
                "RuntimeConfig": (AIMStatus.READY, "DefaultConfigNotFound"),
                "Model": (AIMStatus.READY, "ModelFound"),
                "DiscoveryJob": (AIMStatus.PROGRESSING, "JobRunning"),
            },
        ),
        (
            "job failed",
            template(),
            {"model_obj": model(), "jobs": [job(template(), FAILED)]},
            {
                "RuntimeConfig": (AIMStatus.READY, "DefaultConfigNotFound"),
                "Model": (AIMStatus.READY, "ModelFound"),
                "GPU": (AIMStatus.READY, "GPUAvailable"),
                "DiscoveryJob": (AIMStatus.FAILED, "JobBackoffLimitExceeded"),
            },
        ),
        (
            "job complete, output unreadable",
            template(),
            {"model_obj": model(), "jobs": [job(template(), COMPLETE)], "log": "no json here"},
            {
                "RuntimeConfig": (AIMStatus.READY, "DefaultConfigNotFound"),
                "Model": (AIMStatus.READY, "ModelFound"),
                "GPU": (AIMStatus.READY, "GPUAvailable"),
                "DiscoveryJob": (AIMStatus.FAILED, "JobFailed"),
                "DiscoveryPods": (AIMStatus.READY, "PodsReady"),
            },
        ),
        (
            "job complete",
            template(),
            {"model_obj": model(), "jobs": [job(template(), COMPLETE)], "log": json.dumps(RESULT)},
            {
                "RuntimeConfig": (AIMStatus.READY, "DefaultConfigNotFound"),
                "Model": (AIMStatus.READY, "ModelFound"),
                "GPU": (AIMStatus.READY, "GPUAvailable"),
                "DiscoveryJob": (AIMStatus.READY, "Ready"),
                "DiscoveryPods": (AIMStatus.READY, "PodsReady"),
            },
        ),
        (
            "ready: discovery not checked",
            template(status={"status": "Ready"}),
            {"model_obj": model()},
            {
                "RuntimeConfig": (AIMStatus.READY, "DefaultConfigNotFound"),
                "Model": (AIMStatus.READY, "ModelFound"),
                "GPU": (AIMStatus.READY, "GPUAvailable"),
            },
        ),
    ],
)
def test_health_table(
    label: str, tpl: AIMServiceTemplate, kwargs: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert _health(tpl, reads(tpl, **kwargs)) == expected, label


def test_a_slot_wait_is_named_in_the_message() -> None:
    t = template()
    (job_health,) = [
        h
        for h in template_health(
            NAMESPACED, t, compose(t, reads(t, model_obj=model(), active=10, lock=True))
        )
        if h.component == "DiscoveryJob"
    ]
    assert job_health.message.endswith("waiting for a free slot (10 discovery Jobs running)")


# -- decoration -----------------------------------------------------------------------------------


def _decorate(tpl: AIMServiceTemplate, r: TemplateReads) -> tuple[dict[str, Any], dict[str, Any]]:
    conditions = ConditionManager(
        [c.to_wire() for c in (tpl.status.conditions or ())] if tpl.status else None,
        generation=None,
        now=NOW,
    )
    fields: dict[str, Any] = {}
    decorate_template(
        NAMESPACED, tpl, compose(tpl, r), StatusDraft(fields, conditions), "aim-system"
    )
    discovered = conditions.get("Discovered")
    return fields, dict(discovered) if discovered else {}


def test_decorate_discovery_success() -> None:
    t = template()
    fields, discovered = _decorate(
        t, reads(t, model_obj=model(), jobs=[job(t, COMPLETE)], log=json.dumps(RESULT))
    )
    assert (discovered["status"], discovered["reason"]) == ("True", "DiscoveryComplete")
    assert fields["modelSources"] == [
        {"modelId": "org/m", "sourceUri": "hf://org/m", "size": "1Gi"}
    ]
    assert fields["hardwareSummary"] == "1 x MI300X"
    assert fields["resolvedModel"] == {"name": "m", "namespace": "ns"}
    assert fields["discoveryJob"] == {"name": job_name(t), "namespace": "ns", "uid": "job-uid"}
    assert fields["resolvedNodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ][0]["matchExpressions"][0]["values"] == ["74a1", "74a9", "74b5", "74bd"]
    assert "discovery" not in fields


def test_decorate_inline_sources_clears_the_breaker() -> None:
    t = template(inline=True, gpu=None, status={"discovery": failed_state(5)})
    fields, discovered = _decorate(t, reads(t, model_obj=model()))
    assert (discovered["status"], discovered["reason"]) == ("True", "InlineModelSources")
    assert fields["modelSources"] == [{"modelId": "org/inline", "sourceUri": "hf://org/inline"}]
    assert fields["hardwareSummary"] == "CPU"
    assert fields["resolvedHardware"] is None
    assert fields["discovery"] is None


def test_decorate_failure_counts_once_and_names_the_retry_time() -> None:
    t = template()
    fields, discovered = _decorate(t, reads(t, model_obj=model(), jobs=[job(t, FAILED)]))
    assert fields["discovery"]["attempts"] == 1
    assert fields["discovery"]["lastFailureReason"] == "Job has reached the specified backoff limit"
    assert (discovered["status"], discovered["reason"]) == ("False", "AwaitingDiscovery")
    assert discovered["message"] == (
        "Retrying at 2026-03-01T12:01:00Z (attempt 1 failed: "
        "Job has reached the specified backoff limit)"
    )
    counted = template(status=counted_failure_status(seconds_ago=10))
    fields, _ = _decorate(counted, reads(counted, model_obj=model(), jobs=[job(t, FAILED)]))
    assert "discovery" not in fields  # already counted: unchanged


def test_decorate_spec_hash_change_resets_the_attempts() -> None:
    status = counted_failure_status(seconds_ago=10)
    status["discovery"]["attempts"] = 4
    status["discovery"]["specHash"] = "0" * 16
    t = template(status=status)
    fields, _ = _decorate(t, reads(t, model_obj=model(), jobs=[job(t, FAILED)]))
    assert fields["discovery"]["attempts"] == 1
    assert fields["discovery"]["specHash"] == discovery_spec_hash(t.spec, IMAGE)

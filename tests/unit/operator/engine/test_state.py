"""The state engine end to end, as pure data: conditions, lazy parents, grace, pruning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from aim_engine.api.v1alpha1 import AIMStatus, ConditionStatus
from aim_engine.errors import ForbiddenError, InvalidSpecError, MissingReferenceError, ServerError
from controllers.engine import (
    CategorizedError,
    ComponentHealth,
    ConditionManager,
    DependencyType,
    ErrorCategory,
    Evaluation,
    Level,
    categorize,
    evaluate,
)

T0 = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
S = AIMStatus
OK = ComponentHealth("Model")
BLIP = ServerError(503, "ServiceUnavailable", "etcd leader changed")


def by_type(ev: Evaluation) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in ev.conditions}


def status_of(ev: Evaluation, type_: str) -> tuple[str, str]:
    c = by_type(ev)[type_]
    return c["status"], c["reason"]


def run(
    old: Sequence[dict[str, Any]] | None,
    components: Sequence[ComponentHealth],
    *,
    at: float = 0.0,
    **kwargs: Any,
) -> Evaluation:
    return evaluate(old, components, now=T0 + dt.timedelta(seconds=at), generation=3, **kwargs)


def test_healthy_first_reconcile() -> None:
    ev = run(None, [OK, ComponentHealth("Template")])
    assert [c["type"] for c in ev.conditions] == ["ModelReady", "TemplateReady", "Ready"]
    assert status_of(ev, "Ready") == ("True", "AllComponentsReady")
    assert status_of(ev, "ModelReady") == ("True", "Ready")
    assert ev.verdict.status is S.READY
    assert ev.decision.apply
    assert ev.decision.error is None
    assert all(r.transitioned and r.level is Level.INFO for r in ev.records)
    assert all(c["observedGeneration"] == 3 for c in ev.conditions)


def test_a_second_evaluation_of_the_same_world_changes_nothing() -> None:
    first = run(None, [OK])
    again = run(first.conditions, [OK], at=60)
    assert again.conditions == first.conditions
    assert not any(r.transitioned for r in again.records)


def test_lazy_parent_conditions_are_absent_while_healthy() -> None:
    types = set(by_type(run(None, [OK])))
    assert not types & {"DependenciesReachable", "AuthValid", "ConfigValid"}


def test_infra_error_within_grace_keeps_previous_component_status() -> None:
    healthy = run(None, [OK])
    blip = run(healthy.conditions, [ComponentHealth("Model", errors=(BLIP,))], at=30)
    assert status_of(blip, "DependenciesReachable") == ("False", "InfrastructureError")
    assert by_type(blip)["DependenciesReachable"]["message"].startswith("Cannot reach dependencies")
    model = by_type(blip)["ModelReady"]
    assert (model["status"], model["reason"]) == ("True", "ServiceUnavailable")
    # everything still True: the overall status stays Ready during the grace period
    assert blip.verdict.status is S.READY
    assert not blip.decision.apply
    assert blip.decision.error is BLIP


def test_infra_error_after_grace_degrades() -> None:
    healthy = run(None, [OK])
    blip = run(healthy.conditions, [ComponentHealth("Model", errors=(BLIP,))], at=30)
    later = run(blip.conditions, [ComponentHealth("Model", errors=(BLIP,))], at=41)
    assert status_of(later, "ModelReady") == ("False", "ServiceUnavailable")
    assert later.verdict.status is S.DEGRADED
    assert status_of(later, "Ready") == ("False", "ServiceUnavailable")
    ready = by_type(later)["Ready"]
    assert ready["message"] == "Component Model is not ready: etcd leader changed"
    # DependenciesReachable went False at 30 s and keeps that time
    assert by_type(later)["DependenciesReachable"]["lastTransitionTime"] == "2026-01-01T12:00:30Z"


def test_grace_applies_only_to_components_that_had_a_condition() -> None:
    ev = run(None, [ComponentHealth("Model", errors=(BLIP,))])
    assert status_of(ev, "ModelReady") == ("False", "ServiceUnavailable")
    assert ev.verdict.status is S.DEGRADED


def test_grace_keeps_unknown_and_false() -> None:
    old = [
        {
            "type": "AReady",
            "status": "Unknown",
            "reason": "R",
            "message": "",
            "lastTransitionTime": "2026-01-01T11:00:00Z",
        },
        {
            "type": "BReady",
            "status": "False",
            "reason": "R",
            "message": "",
            "lastTransitionTime": "2026-01-01T11:00:00Z",
        },
    ]
    comps = [ComponentHealth("A", errors=(BLIP,)), ComponentHealth("B", errors=(BLIP,))]
    ev = run(old, comps, at=1)
    assert status_of(ev, "AReady")[0] == "Unknown"
    assert status_of(ev, "BReady")[0] == "False"


def test_infra_error_clearing_flips_dependencies_reachable_true_and_keeps_it() -> None:
    blip = run(run(None, [OK]).conditions, [ComponentHealth("Model", errors=(BLIP,))], at=5)
    cleared = run(blip.conditions, [OK], at=50)
    assert status_of(cleared, "DependenciesReachable") == ("True", "Reachable")
    assert cleared.verdict.status is S.READY
    assert cleared.decision.apply


def test_infra_error_from_fetch_blocks_apply_without_a_component() -> None:
    ev = run(None, [], errors=[categorize(BLIP)])
    assert status_of(ev, "DependenciesReachable")[0] == "False"
    assert not ev.decision.apply
    assert ev.decision.error is BLIP


def test_auth_error_then_recovery() -> None:
    denied = ForbiddenError(403, "Forbidden", "registry says no")
    ev = run(None, [ComponentHealth("ImageMetadata", errors=(denied,))])
    assert status_of(ev, "AuthValid") == ("False", "AuthError")
    assert by_type(ev)["AuthValid"]["message"] == "registry says no"
    assert status_of(ev, "Ready") == ("False", "AuthError")
    assert ev.verdict.status is S.FAILED
    assert not ev.decision.apply
    assert ev.decision.error is denied
    assert {r.type for r in ev.records if r.level is Level.ERROR} == {
        "ImageMetadataReady",
        "AuthValid",
        "Ready",
    }
    fixed = run(ev.conditions, [ComponentHealth("ImageMetadata")], at=60)
    assert status_of(fixed, "AuthValid") == ("True", "AuthenticationValid")
    assert fixed.verdict.status is S.READY


@pytest.mark.parametrize(
    ("errors", "reason", "raised"),
    [
        (
            [CategorizedError(ErrorCategory.INVALID_SPEC, "InvalidSpec", "bad")],
            "InvalidSpec",
            InvalidSpecError,
        ),
        (
            [CategorizedError(ErrorCategory.MISSING_UPSTREAM, "ReferenceNotFound", "no model")],
            "ReferenceNotFound",
            MissingReferenceError,
        ),
        (
            [
                CategorizedError(ErrorCategory.MISSING_UPSTREAM, "ReferenceNotFound", "no model"),
                CategorizedError(ErrorCategory.INVALID_SPEC, "InvalidSpec", "bad"),
            ],
            "InvalidSpec",
            InvalidSpecError,
        ),
    ],
)
def test_config_valid(errors: list[CategorizedError], reason: str, raised: type[Exception]) -> None:
    ev = run(None, [ComponentHealth("Model", errors=tuple(errors))])
    assert status_of(ev, "ConfigValid") == ("False", reason)
    assert ev.verdict.status is S.FAILED
    assert isinstance(ev.decision.error, raised)
    fixed = run(ev.conditions, [OK], at=60)
    assert status_of(fixed, "ConfigValid") == ("True", "ConfigurationValid")


def test_missing_downstream_applies_and_progresses() -> None:
    job = ComponentHealth(
        "DiscoveryJob",
        errors=(CategorizedError(ErrorCategory.MISSING_DOWNSTREAM, "JobNotFound", "no job"),),
        dependency=DependencyType.DOWNSTREAM,
    )
    ev = run(None, [OK, job])
    assert ev.decision.apply
    assert ev.decision.error is None
    assert ev.verdict.status is S.PROGRESSING
    assert status_of(ev, "Ready") == ("False", "Progressing")


def test_resource_exhaustion_fails_the_component_but_applies() -> None:
    full = CategorizedError(ErrorCategory.RESOURCE_EXHAUSTION, "StorageFull", "disk full")
    ev = run(None, [ComponentHealth("DownloadJob", errors=(full,))])
    assert ev.decision.apply
    assert ev.decision.error is None
    assert ev.verdict.status is S.FAILED
    assert status_of(ev, "Ready") == ("False", "StorageFull")


def test_stale_component_conditions_are_pruned() -> None:
    first = run(None, [OK, ComponentHealth("HPA", state=S.DEGRADED, reason="MetricsFailed")])
    assert first.verdict.status is S.DEGRADED
    later = run(first.conditions, [OK], at=60)
    assert "HPAReady" not in by_type(later)
    assert later.verdict.status is S.READY


def test_empty_component_is_skipped() -> None:
    ev = run(None, [OK, ComponentHealth("", state=S.READY)])
    assert [c["type"] for c in ev.conditions] == ["ModelReady", "Ready"]


def test_decorate_adds_conditions_that_count_and_survive() -> None:
    def decorate(conditions: ConditionManager) -> None:
        conditions.set("Discovered", ConditionStatus.TRUE, "DiscoveryComplete")
        conditions.set("CacheReady", ConditionStatus.FALSE, "CacheCreating", "creating")

    ev = run(None, [OK], decorate=decorate)
    assert status_of(ev, "Discovered") == ("True", "DiscoveryComplete")
    assert status_of(ev, "CacheReady") == ("False", "CacheCreating")
    assert ev.verdict.status is S.PROGRESSING
    assert [c["type"] for c in ev.conditions][-1] == "Ready"


def test_apply_failure_is_infrastructure_whatever_the_server_said() -> None:
    invalid = categorize(ForbiddenError(403, "Forbidden", "cannot create jobs"))
    ev = run(None, [OK], apply_error=invalid)
    dep = by_type(ev)["DependenciesReachable"]
    assert (dep["status"], dep["reason"]) == ("False", "InfrastructureError")
    assert dep["message"] == "Failed to apply resources: cannot create jobs"
    assert "AuthValid" not in by_type(ev)
    assert not ev.decision.apply
    assert ev.decision.error is invalid.cause


def test_apply_failure_degrades_a_ready_object_only_after_the_grace_period() -> None:
    conflict = categorize(ServerError(500, "InternalError", "etcd timeout"))
    healthy = run(None, [OK])
    first = run(healthy.conditions, [OK], at=10, apply_error=conflict)
    assert first.verdict.status is S.READY  # within grace: no flap
    persisting = run(first.conditions, [OK], at=25, apply_error=conflict)
    assert persisting.verdict.status is S.DEGRADED
    assert status_of(persisting, "Ready") == ("False", "InfrastructureError")
    assert by_type(persisting)["Ready"]["message"] == "Failed to apply resources: etcd timeout"

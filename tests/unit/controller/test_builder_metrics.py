"""The builder's wiring (with a fake informer source), zero-filled metrics, and classify()."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from aim_engine.controller import (
    POLICIES,
    ControllerDeps,
    ErrorCategory,
    InformerBinding,
    ReconcileTimeoutError,
    Request,
    Result,
    builder,
    classify,
    generation_changed,
    new_controller_metrics,
)
from aim_engine.controller._metrics import RECONCILE_TIME_BUCKETS
from aim_engine.errors import (
    AlreadyExistsError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    DependencyNotReadyError,
    ForbiddenError,
    GoneError,
    InvalidError,
    InvalidSpecError,
    MissingReferenceError,
    NotFoundError,
    RetryableError,
    ServerError,
    TooManyRequestsError,
    TransportError,
    UnauthorizedError,
)
from aim_engine.kinds import CONFIG_MAP, SECRET, ResourceKind
from aim_engine.testing import FakeClock


class FakeInformer:
    def __init__(self) -> None:
        self.handlers: list[InformerBinding] = []

    def add_handler(self, handler: InformerBinding) -> None:
        self.handlers.append(handler)


class FakeSource:
    def __init__(self) -> None:
        self.informers: dict[tuple[ResourceKind, str | None, str | None], FakeInformer] = {}

    def informer(
        self,
        kind: ResourceKind,
        *,
        namespace: str | None = None,
        label_selector: str | Mapping[str, str] | None = None,
        field_selector: str | None = None,
    ) -> FakeInformer:
        assert not isinstance(label_selector, Mapping)
        return self.informers.setdefault((kind, namespace, label_selector), FakeInformer())


class Noop:
    async def reconcile(self, request: Request) -> Result:
        return Result()


def cm(name: str, *, gen: int = 1, owner: str | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {
        "name": name,
        "namespace": "ns",
        "generation": gen,
        "resourceVersion": "1",
    }
    if owner:
        md["ownerReferences"] = [
            {"apiVersion": "v1", "kind": "ConfigMap", "name": owner, "controller": True}
        ]
    return {"metadata": md}


def test_builder_wires_each_watch_into_the_queue() -> None:
    source = FakeSource()
    deps = ControllerDeps(cache=source, clock=FakeClock())
    controller = (
        builder(deps)
        .for_(CONFIG_MAP, predicates=[generation_changed], namespace="ns")
        .owns(SECRET)
        .watches(SECRET, lambda o: [Request("ns", "mapped")], label_selector="team=a")
        .with_options(max_concurrent_reconciles=3)
        .complete(Noop())
    )
    assert controller.name == "configmap"
    assert deps.controllers == {"configmap": controller}
    assert controller.max_concurrent_reconciles == 3
    primary = source.informers[(CONFIG_MAP, "ns", None)].handlers
    owned = source.informers[(SECRET, None, None)].handlers
    mapped = source.informers[(SECRET, None, "team=a")].handlers
    assert (len(primary), len(owned), len(mapped)) == (1, 1, 1)
    primary[0].on_add(cm("a"), False)
    primary[0].on_update(cm("a"), cm("a"), False)  # same generation: filtered
    owned[0].on_add(cm("s", owner="parent"), False)
    mapped[0].on_delete(cm("whatever"))
    queue = controller.queue
    got = [queue.get_nowait() for _ in range(len(queue))]
    assert got == [Request("ns", "a"), Request("ns", "parent"), Request("ns", "mapped")]
    assert (
        deps.registry.get_sample_value(
            "controller_runtime_max_concurrent_reconciles", {"controller": "configmap"}
        )
        == 3
    )


def test_builder_misuse_is_a_configuration_error() -> None:
    deps = ControllerDeps(cache=FakeSource(), clock=FakeClock())
    with pytest.raises(ConfigurationError):
        builder(deps).owns(SECRET)
    with pytest.raises(ConfigurationError):
        builder(deps).complete(Noop())
    with pytest.raises(ConfigurationError):
        builder(deps).for_(CONFIG_MAP).for_(SECRET)
    builder(deps).named("x").for_(CONFIG_MAP).complete(Noop())
    with pytest.raises(ConfigurationError, match="duplicate"):
        builder(deps).named("x").for_(SECRET).complete(Noop())


def test_event_filter_applies_to_every_watch() -> None:
    source = FakeSource()
    deps = ControllerDeps(cache=source, clock=FakeClock())
    controller = (
        builder(deps)
        .for_(CONFIG_MAP)
        .owns(SECRET)
        .with_event_filter(lambda e: e.obj["metadata"]["name"] != "skip")
        .complete(Noop())
    )
    for (kind, _, _), informer in source.informers.items():
        informer.handlers[0].on_add(cm("skip", owner="p"), False)
        informer.handlers[0].on_add(cm(kind.plural, owner="p"), False)
    assert len(controller.queue) == 2


def test_metrics_are_zero_filled_with_controller_runtime_names() -> None:
    registry = CollectorRegistry()
    new_controller_metrics(registry).bind("mirror", 4)
    value = registry.get_sample_value
    c = {"controller": "mirror"}
    for result in ("success", "error", "requeue", "requeue_after"):
        assert value("controller_runtime_reconcile_total", {**c, "result": result}) == 0
    for name in (
        "controller_runtime_reconcile_errors_total",
        "controller_runtime_terminal_reconcile_errors_total",
        "controller_runtime_reconcile_panics_total",
        "controller_runtime_reconcile_timeouts_total",
        "controller_runtime_active_workers",
        "controller_runtime_reconcile_time_seconds_count",
    ):
        assert value(name, c) == 0, name
    assert value("controller_runtime_max_concurrent_reconciles", c) == 4
    for category in ErrorCategory:
        labels = {**c, "category": category.value}
        assert value("aim_engine_reconcile_errors_by_category_total", labels) == 0
    buckets = [
        s.labels["le"]
        for m in registry.collect()
        if m.name == "controller_runtime_reconcile_time_seconds"
        for s in m.samples
        if s.name.endswith("_bucket")
    ]
    assert len(RECONCILE_TIME_BUCKETS) == 40
    assert buckets == [*(str(float(b)) for b in RECONCILE_TIME_BUCKETS), "+Inf"]


CLASSIFY: list[tuple[BaseException, ErrorCategory]] = [
    (RetryableError("x"), ErrorCategory.RETRYABLE),
    (DependencyNotReadyError("Waiting"), ErrorCategory.DEPENDENCY_NOT_READY),
    (InvalidSpecError("x"), ErrorCategory.TERMINAL),
    (MissingReferenceError("x"), ErrorCategory.TERMINAL),
    (ConflictError(409), ErrorCategory.CONFLICT),
    (AlreadyExistsError(409), ErrorCategory.CONFLICT),
    (GoneError(410), ErrorCategory.GONE),
    (TooManyRequestsError(429, retry_after=1.0), ErrorCategory.THROTTLED),
    (UnauthorizedError(401), ErrorCategory.AUTH),
    (ForbiddenError(403), ErrorCategory.AUTH),
    (ServerError(503), ErrorCategory.SERVER),
    (NotFoundError(404), ErrorCategory.API),
    (InvalidError(422), ErrorCategory.API),
    (BadRequestError(400), ErrorCategory.API),
    (TransportError("reset"), ErrorCategory.TRANSPORT),
    (ReconcileTimeoutError("slow"), ErrorCategory.TIMEOUT),
    (KeyError("x"), ErrorCategory.UNKNOWN),
    (ConfigurationError("x"), ErrorCategory.UNKNOWN),
]


@pytest.mark.parametrize(("exc", "category"), CLASSIFY, ids=[type(e).__name__ for e, _ in CLASSIFY])
def test_classify(exc: BaseException, category: ErrorCategory) -> None:
    assert classify(exc) is category


def test_policies_cover_every_category_and_only_terminal_is_not_requeued() -> None:
    assert set(POLICIES) == set(ErrorCategory)
    assert [c for c, p in POLICIES.items() if not p.requeue] == [ErrorCategory.TERMINAL]
    quiet = {c for c, p in POLICIES.items() if not p.is_error}
    assert quiet == {
        ErrorCategory.CONFLICT,
        ErrorCategory.GONE,
        ErrorCategory.DEPENDENCY_NOT_READY,
    }


@pytest.mark.parametrize("bad", [-1.0, float("inf"), float("nan")])
def test_result_rejects_bad_delays(bad: float) -> None:
    with pytest.raises(ValueError):
        Result(requeue_after=bad)


def test_request_is_a_hashable_value() -> None:
    assert Request("ns", "a") == Request("ns", "a")
    assert len({Request("ns", "a"), Request("ns", "a"), Request("", "a")}) == 2
    assert str(Request("ns", "a")) == "ns/a"
    assert str(Request("", "node-1")) == "node-1"

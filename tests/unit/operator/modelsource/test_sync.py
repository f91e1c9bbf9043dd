"""New-image selection, planned models, status, conditions, health and timing of a sync (§5.6.2)."""

from __future__ import annotations

import datetime as dt

import pytest

from aim_engine.api.v1alpha1.conditions import ConditionStatus, ConditionType, Reasons
from aim_engine.api.v1alpha1.model import AIMClusterModel
from aim_engine.api.v1alpha1.model_source import AIMClusterModelSource, AIMClusterModelSourceSpec
from aim_engine.api.v1alpha1.status import AIMStatus
from controllers.modelsource.filters import DiscoveredImage
from controllers.modelsource.sync import (
    ERROR_TEXT_MAX,
    FilterResult,
    SyncSummary,
    available_images,
    existing_models_health,
    filters_health,
    limit_condition,
    model_body,
    parse_go_duration,
    plan_models,
    requeue_after,
    select_new_images,
    source_label_value,
    status_fields,
    summarize,
    sync_interval_seconds,
)

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
QWEN = DiscoveredImage("docker.io", "amdenterpriseai/aim-qwen-qwen3-32b", "0.8.5")


def _img(n: int, registry: str = "docker.io") -> DiscoveredImage:
    return DiscoveredImage(registry, f"org/m{n}", "1.0.0")


def _source(**spec: object) -> AIMClusterModelSource:
    body = {
        "apiVersion": "aim.eai.amd.com/v1alpha1",
        "kind": "AIMClusterModelSource",
        "metadata": {"name": "amd-models"},
        "spec": {"filters": [{"image": "amdenterpriseai/aim-*"}], **spec},
    }
    return AIMClusterModelSource.model_validate(body)


@pytest.mark.parametrize(
    ("existing", "found", "max_models", "new"),
    [
        ([], [[1, 2, 3]], 100, [1, 2, 3]),
        ([], [[1, 2, 3]], 2, [1, 2]),
        (["org/m1:1.0.0"], [[1, 2, 3]], 100, [2, 3]),
        (["org/m1:1.0.0"], [[1, 2, 3]], 2, [2]),
        (["a:1", "b:1"], [[1, 2]], 2, []),
        (["a:1", "b:1", "c:1"], [[1]], 2, []),
        ([], [[1, 2], [2, 3]], 100, [1, 2, 3]),
        ([], [[], [3]], None, [3]),
        (["org/m1:1.0.0"], [[1]], 1, []),
    ],
)
def test_select_new_images(
    existing: list[str], found: list[list[int]], max_models: int | None, new: list[int]
) -> None:
    results = [FilterResult("f", tuple(_img(n) for n in ns)) for ns in found]
    assert select_new_images(existing, results, max_models) == [_img(n) for n in new]


def test_max_models_defaults_to_100() -> None:
    results = [FilterResult("f", tuple(_img(n) for n in range(150)))]
    assert len(select_new_images([], results, None)) == 100


def test_available_images_are_distinct_by_uri() -> None:
    results = [
        FilterResult("a", (_img(1), _img(2))),
        FilterResult("b", (_img(2), _img(1, "ghcr.io")), RuntimeError("partial")),
    ]
    assert available_images(results) == [_img(1), _img(2), _img(1, "ghcr.io")]


def test_model_body() -> None:
    source = _source(imagePullSecrets=[{"name": "hub"}])
    assert model_body(source, QWEN) == {
        "apiVersion": "aim.eai.amd.com/v1alpha1",
        "kind": "AIMClusterModel",
        "metadata": {
            "name": "amdenterpriseai-aim-qwen-qwen3-32b-0-8-5-72f726",
            "labels": {
                "aim.eai.amd.com/model-source": "amd-models",
                "aim.eai.amd.com/origin": "auto-generated",
            },
            "annotations": {
                "aim.eai.amd.com/source-registry": "docker.io",
                "aim.eai.amd.com/source-repository": "amdenterpriseai/aim-qwen-qwen3-32b",
                "aim.eai.amd.com/source-tag": "0.8.5",
            },
        },
        "spec": {
            "image": "amdenterpriseai/aim-qwen-qwen3-32b:0.8.5",
            "imagePullSecrets": [{"name": "hub"}],
        },
    }
    AIMClusterModel.model_validate(model_body(source, QWEN))


def test_model_body_without_secrets_and_on_another_registry() -> None:
    body = model_body(_source(), DiscoveredImage("ghcr.io", "org/repo", "v1"))
    assert body["spec"] == {"image": "ghcr.io/org/repo:v1"}


def test_plan_models_creates_only_new_images_within_the_limit() -> None:
    source = _source(maxModels=2)
    results = [FilterResult("f", (QWEN, _img(1), _img(2)))]
    planned = plan_models(source, [QWEN.uri], results)
    assert [p["spec"]["image"] for p in planned] == ["org/m1:1.0.0"]


def test_source_label_value_shortens_long_names() -> None:
    assert source_label_value("amd-models") == "amd-models"
    assert len(source_label_value("x" * 100)) == 63


@pytest.mark.parametrize(
    ("existing", "found", "max_models", "summary", "reached"),
    [
        (0, 3, 100, SyncSummary(3, 3), False),
        (0, 3, 2, SyncSummary(2, 3), True),
        (2, 3, 2, SyncSummary(2, 3), True),
        (5, 1, 100, SyncSummary(6, 1), False),
        (0, 0, 100, SyncSummary(0, 0), False),
    ],
)
def test_summarize(
    existing: int, found: int, max_models: int, summary: SyncSummary, reached: bool
) -> None:
    existing_images = [f"e/{i}:1" for i in range(existing)]
    results = [FilterResult("f", tuple(_img(n) for n in range(found)))]
    assert summarize(existing_images, results, max_models) == summary
    assert summary.limit_reached is reached


def test_status_fields() -> None:
    assert status_fields(SyncSummary(2, 5), NOW) == {
        "discoveredModels": 2,
        "availableModels": 5,
        "modelsLimitReached": True,
        "lastSyncTime": "2026-01-02T03:04:05Z",
    }


@pytest.mark.parametrize(
    ("summary", "status", "reason", "message"),
    [
        (
            SyncSummary(2, 5),
            ConditionStatus.TRUE,
            "LimitReached",
            "Limit reached: 2 created, 5 available",
        ),
        (SyncSummary(3, 3), ConditionStatus.FALSE, "WithinLimit", "Created 3 models, within limit"),
        (SyncSummary(0, 0), ConditionStatus.FALSE, "WithinLimit", "Created 0 models, within limit"),
    ],
)
def test_limit_condition(
    summary: SyncSummary, status: ConditionStatus, reason: str, message: str
) -> None:
    cond = limit_condition(summary)
    assert cond.type == ConditionType.MAX_MODELS_LIMIT_REACHED
    assert str(cond.type) == "MaxModelsLimitReached"
    assert (cond.status, cond.reason, cond.message) == (status, reason, message)


def test_existing_models_health() -> None:
    ok = existing_models_health(4)
    assert (ok.state, ok.reason, ok.message) == (
        AIMStatus.READY,
        "Listed",
        "Found 4 existing models",
    )
    error = RuntimeError("list failed")
    failed = existing_models_health(0, error)
    assert failed.state is None
    assert failed.errors == (error,)


@pytest.mark.parametrize(
    ("errors", "state", "reason", "message"),
    [
        ([], AIMStatus.PROGRESSING, Reasons.NO_FILTERS, "No filters configured"),
        ([None, None], AIMStatus.READY, Reasons.ALL_FILTERS_SUCCEEDED, "All 2 filters succeeded"),
        (
            ["boom", None, None],
            AIMStatus.DEGRADED,
            "SomeFiltersFailed",
            "1 of 3 filters had errors: f0: boom",
        ),
        (["a", "b"], AIMStatus.FAILED, "AllFiltersFailed", "All 2 filters failed: f0: a; f1: b"),
    ],
)
def test_filters_health(
    errors: list[str | None], state: AIMStatus, reason: str, message: str
) -> None:
    results = [
        FilterResult(f"f{i}", (), RuntimeError(e) if e else None) for i, e in enumerate(errors)
    ]
    health = filters_health(results)
    assert (health.state, health.reason, health.message) == (state, reason, message)
    assert health.errors == ()


def test_filter_errors_are_shortened_in_the_message() -> None:
    results = [FilterResult("f", (), RuntimeError("x" * 500)), FilterResult("g")]
    message = filters_health(results).message
    assert message == "1 of 2 filters had errors: f: " + "x" * (ERROR_TEXT_MAX - 1) + "…"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h", 3600.0),
        ("90s", 90.0),
        ("1h30m", 5400.0),
        ("1.5h", 5400.0),
        ("500ms", 0.5),
        ("0s", 0.0),
    ],
)
def test_parse_go_duration(text: str, seconds: float) -> None:
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "1", "h", "1h 2m", "1d", "-1h"])
def test_parse_go_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_go_duration(text)


@pytest.mark.parametrize(("interval", "seconds"), [("30m", 1800.0), ("0s", 3600.0), ("1h", 3600.0)])
def test_sync_interval(interval: str, seconds: float) -> None:
    spec = AIMClusterModelSourceSpec.model_validate(
        {"filters": [{"image": "x"}], "syncInterval": interval}
    )
    assert sync_interval_seconds(spec) == seconds


@pytest.mark.parametrize(
    ("last_sync", "seconds"),
    [
        (None, 1800.0),
        (NOW, 1800.0),
        (NOW - dt.timedelta(minutes=10), 1200.0),
        (NOW - dt.timedelta(hours=2), 0.0),
        (NOW + dt.timedelta(minutes=5), 1800.0),
    ],
)
def test_requeue_after(last_sync: dt.datetime | None, seconds: float) -> None:
    spec = AIMClusterModelSourceSpec.model_validate(
        {"filters": [{"image": "x"}], "syncInterval": "30m"}
    )
    assert requeue_after(spec, last_sync, NOW) == seconds

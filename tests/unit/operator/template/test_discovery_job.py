"""The discovery Job body, its name and digests, and the discovery circuit breaker (§5.2.4-5)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aim_engine.api.v1alpha1.model import AIMModelSpec
from aim_engine.api.v1alpha1.template import (
    AIMClusterServiceTemplate,
    AIMDiscoveryState,
    AIMServiceTemplate,
)
from controllers.naming import is_dns1123_label
from controllers.template.discovery import (
    build_discovery_job,
    discovery_backoff_remaining,
    discovery_env,
    discovery_job_digest,
    discovery_spec_hash,
    discovery_template_label,
    record_discovery_failure,
)

IMAGE = "amdenterpriseai/aim-qwen-qwen3-32b:0.8.5"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def template(name: str = "qwen-tpl", **spec: Any) -> AIMServiceTemplate:
    return AIMServiceTemplate.model_validate(
        {
            "metadata": {"name": name, "namespace": "ml", "uid": "tpl-uid"},
            "spec": {"modelName": "qwen", **spec},
        }
    )


def cluster_template(**spec: Any) -> AIMClusterServiceTemplate:
    return AIMClusterServiceTemplate.model_validate(
        {"metadata": {"name": "qwen-cl", "uid": "cl-uid"}, "spec": {"modelName": "qwen", **spec}}
    )


def model(**spec: Any) -> AIMModelSpec:
    return AIMModelSpec.model_validate({"image": IMAGE, **spec})


FULL_SPEC: dict[str, Any] = {
    "metric": "latency",
    "precision": "fp8",
    "hardware": {"gpu": {"requests": 2, "model": "MI300X"}},
    "profileId": "p1",
    "env": [{"name": "EXTRA", "value": "1"}],
}


def test_full_job_body() -> None:
    job = build_discovery_job(
        template(**FULL_SPEC),
        model(serviceAccountName="model-sa", imagePullSecrets=[{"name": "pull"}]),
        operator_namespace="aim-system",
    )
    digest = discovery_job_digest(
        template(**FULL_SPEC),
        model(serviceAccountName="model-sa", imagePullSecrets=[{"name": "pull"}]),
    )
    assert job == {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"discover-qwen-tpl-{digest[:8]}",
            "namespace": "ml",
            "labels": {
                "app.kubernetes.io/name": "aim-discovery",
                "app.kubernetes.io/component": "discovery",
                "app.kubernetes.io/managed-by": "aim-controller",
                "aim.eai.amd.com/template": "qwen-tpl",
            },
            "ownerReferences": [
                {
                    "apiVersion": "aim.eai.amd.com/v1alpha1",
                    "kind": "AIMServiceTemplate",
                    "name": "qwen-tpl",
                    "uid": "tpl-uid",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "backoffLimit": 0,
            "ttlSecondsAfterFinished": 60,
            "template": {
                "metadata": {"labels": {"aim.eai.amd.com/template": "qwen-tpl"}},
                "spec": {
                    "restartPolicy": "Never",
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 65532,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "serviceAccountName": "model-sa",
                    "imagePullSecrets": [{"name": "pull"}],
                    "containers": [
                        {
                            "name": "discovery",
                            "image": IMAGE,
                            "args": ["dry-run", "--format=json"],
                            "env": [
                                {"name": "AIM_LOG_LEVEL_ROOT", "value": "CRITICAL"},
                                {"name": "AIM_LOG_LEVEL", "value": "CRITICAL"},
                                {"name": "EXTRA", "value": "1"},
                                {"name": "AIM_METRIC", "value": "latency"},
                                {"name": "AIM_PRECISION", "value": "fp8"},
                                {"name": "AIM_GPU_MODEL", "value": "MI300X"},
                                {"name": "AIM_GPU_COUNT", "value": "2"},
                                {"name": "AIM_PROFILE_ID", "value": "p1"},
                            ],
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "runAsNonRoot": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                        }
                    ],
                },
            },
        },
    }


def test_minimal_job_has_no_optional_env_account_or_secrets() -> None:
    job = build_discovery_job(template(), model(), operator_namespace="aim-system")
    pod = job["spec"]["template"]["spec"]
    assert "serviceAccountName" not in pod
    assert "imagePullSecrets" not in pod
    assert [e["name"] for e in pod["containers"][0]["env"]] == [
        "AIM_LOG_LEVEL_ROOT",
        "AIM_LOG_LEVEL",
    ]


def test_gpu_count_zero_is_not_passed() -> None:
    names = [
        e.name
        for e in discovery_env(template(hardware={"gpu": {"requests": 0, "model": "MI300X"}}))
    ]
    assert names == ["AIM_LOG_LEVEL_ROOT", "AIM_LOG_LEVEL", "AIM_GPU_MODEL"]


def test_cluster_template_job_runs_in_the_operator_namespace_without_template_env() -> None:
    job = build_discovery_job(
        cluster_template(**FULL_SPEC), model(), operator_namespace="aim-system"
    )
    assert job["metadata"]["namespace"] == "aim-system"
    assert job["metadata"]["ownerReferences"][0]["kind"] == "AIMClusterServiceTemplate"
    env = [e["name"] for e in job["spec"]["template"]["spec"]["containers"][0]["env"]]
    assert "EXTRA" not in env
    assert env[2:] == [
        "AIM_METRIC",
        "AIM_PRECISION",
        "AIM_GPU_MODEL",
        "AIM_GPU_COUNT",
        "AIM_PROFILE_ID",
    ]


def test_template_account_wins_and_pull_secrets_are_combined() -> None:
    tpl = template(serviceAccountName="tpl-sa", imagePullSecrets=[{"name": "a"}, {"name": "t"}])
    job = build_discovery_job(
        tpl,
        model(serviceAccountName="m-sa", imagePullSecrets=[{"name": "a"}, {"name": "m"}]),
        operator_namespace="x",
    )
    pod = job["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "tpl-sa"
    assert pod["imagePullSecrets"] == [{"name": "a"}, {"name": "m"}, {"name": "t"}]


def test_job_digest_is_the_plain_concatenation() -> None:
    tpl = template(**FULL_SPEC)
    spec = model(serviceAccountName="sa", imagePullSecrets=[{"name": "s1"}, {"name": "s2"}])
    text = "qwen" + IMAGE + "sa" + "EXTRA1" + "s1s2" + "latency" + "fp8" + "MI300X2" + "p1"
    assert discovery_job_digest(tpl, spec) == hashlib.sha256(text.encode()).hexdigest()


def test_job_digest_without_gpu_block_has_no_gpu_part() -> None:
    assert (
        discovery_job_digest(template(), model())
        == hashlib.sha256(("qwen" + IMAGE).encode()).hexdigest()
    )


@pytest.mark.parametrize(
    ("change", "same"),
    [
        ({"metric": "throughput"}, False),
        ({"profileId": "other"}, False),
        ({"env": [{"name": "EXTRA", "value": "2"}]}, False),
        ({"runtimeConfigName": "other"}, True),
        ({"resources": {"limits": {"cpu": "1"}}}, True),
    ],
)
def test_job_name_changes_with_what_discovery_sees(change: dict[str, Any], same: bool) -> None:
    base = build_discovery_job(template(**FULL_SPEC), model(), operator_namespace="x")
    changed = build_discovery_job(
        template(**{**FULL_SPEC, **change}), model(), operator_namespace="x"
    )
    assert (base["metadata"]["name"] == changed["metadata"]["name"]) is same


def test_long_template_names_give_valid_job_names_and_labels() -> None:
    name = "a" * 44 + "." + "b" * 200
    job = build_discovery_job(template(name), model(), operator_namespace="x")
    job_name = job["metadata"]["name"]
    assert len(job_name) <= 63
    assert is_dns1123_label(job_name)
    label = job["metadata"]["labels"]["aim.eai.amd.com/template"]
    assert len(label) <= 63
    assert job["spec"]["template"]["metadata"]["labels"]["aim.eai.amd.com/template"] == label


@pytest.mark.parametrize(
    ("name", "label"),
    [("qwen-tpl", "qwen-tpl"), ("v1.2", "v1.2"), ("x" * 63, "x" * 63), ("x" * 64, "x" * 63)],
)
def test_discovery_template_label(name: str, label: str) -> None:
    assert discovery_template_label(name) == label


def test_spec_hash() -> None:
    spec = template(**FULL_SPEC).spec
    text = "qwen" + IMAGE + "latency" + "fp8" + "MI300X2" + "p1"
    assert discovery_spec_hash(spec, IMAGE) == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert (
        discovery_spec_hash(template().spec, IMAGE)
        == hashlib.sha256(("qwen" + IMAGE).encode()).hexdigest()[:16]
    )
    # env does not enter the spec hash
    assert discovery_spec_hash(
        template(**{**FULL_SPEC, "env": []}).spec, IMAGE
    ) == discovery_spec_hash(spec, IMAGE)


def state(attempts: int, spec_hash: str = "h", ago: float = 0.0) -> AIMDiscoveryState:
    return AIMDiscoveryState(
        attempts=attempts,
        last_attempt_time=NOW - timedelta(seconds=ago),
        last_failure_reason="boom",
        spec_hash=spec_hash,
    )


@pytest.mark.parametrize(
    ("current", "remaining"),
    [
        (None, 0.0),
        (state(0), 0.0),
        (state(1), 60.0),
        (state(1, ago=59), 1.0),
        (state(1, ago=61), 0.0),
        (state(3, ago=40), 200.0),
        (state(20), 3600.0),
        (state(5, spec_hash="changed"), 0.0),
        (AIMDiscoveryState(attempts=2, spec_hash="h"), 0.0),
    ],
)
def test_discovery_backoff_remaining(current: AIMDiscoveryState | None, remaining: float) -> None:
    assert discovery_backoff_remaining(current, "h", NOW) == remaining


@pytest.mark.parametrize(
    ("current", "reason", "attempts", "stored_reason"),
    [
        (None, "BackoffLimitExceeded", 1, "BackoffLimitExceeded"),
        (
            state(2),
            "Job has reached the specified backoff limit",
            3,
            "Job has reached the specified backoff limit",
        ),
        (state(2, spec_hash="old"), "x", 1, "x"),
        (state(1), "", 2, "Unknown failure"),
    ],
)
def test_record_discovery_failure(
    current: AIMDiscoveryState | None, reason: str, attempts: int, stored_reason: str
) -> None:
    after = record_discovery_failure(current, "h", NOW, reason)
    assert after == AIMDiscoveryState(
        attempts=attempts, last_attempt_time=NOW, last_failure_reason=stored_reason, spec_hash="h"
    )

"""The operator's manifests: kustomization, RBAC per the spec, a hardened Deployment."""

from __future__ import annotations

import pathlib
import tomllib
from typing import Any

import yaml

import aim_engine
from aim_engine.api.v1alpha1 import ALL_KINDS
from controllers.__main__ import build_parser

ROOT = pathlib.Path(__file__).resolve().parents[3]
MANIFESTS = ROOT / "manifests"


def _docs(*parts: str) -> list[dict[str, Any]]:
    text = MANIFESTS.joinpath(*parts).read_text(encoding="utf-8")
    return [doc for doc in yaml.safe_load_all(text) if doc]


def _one(kind: str, *parts: str) -> dict[str, Any]:
    return next(doc for doc in _docs(*parts) if doc["kind"] == kind)


def _manager_pod() -> dict[str, Any]:
    pod: dict[str, Any] = _one("Deployment", "manager", "deployment.yaml")["spec"]["template"][
        "spec"
    ]
    return pod


def _rules_for(role: dict[str, Any], group: str, resource: str) -> set[str]:
    verbs: set[str] = set()
    for rule in role["rules"]:
        if group in rule["apiGroups"] and resource in rule["resources"]:
            verbs.update(rule["verbs"])
    return verbs


def test_every_kustomization_resource_exists() -> None:
    for kustomization in MANIFESTS.rglob("kustomization.yaml"):
        for resource in yaml.safe_load(kustomization.read_text())["resources"]:
            assert (kustomization.parent / resource).exists(), (kustomization, resource)
    top = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    assert top["resources"] == ["crds", "rbac", "manager"]


def test_cluster_role_covers_the_aim_kinds() -> None:
    role = _one("ClusterRole", "rbac", "role.yaml")
    crud = {"get", "list", "watch", "create", "update", "patch", "delete"}
    for kind in ALL_KINDS:
        plural = kind.CRD.plural
        assert _rules_for(role, "aim.eai.amd.com", plural) == crud
        assert _rules_for(role, "aim.eai.amd.com", f"{plural}/status") == {"get", "update", "patch"}
        assert _rules_for(role, "aim.eai.amd.com", f"{plural}/finalizers") == {"update"}


def test_cluster_role_built_ins() -> None:
    role = _one("ClusterRole", "rbac", "role.yaml")
    crud = {"get", "list", "watch", "create", "update", "patch", "delete"}
    read = {"get", "list", "watch"}
    assert _rules_for(role, "", "persistentvolumeclaims") == crud
    assert _rules_for(role, "batch", "jobs") == crud
    assert _rules_for(role, "serving.kserve.io", "inferenceservices") == crud
    assert _rules_for(role, "gateway.networking.k8s.io", "httproutes") == crud
    for resource in ("pods", "nodes", "secrets", "namespaces"):
        assert _rules_for(role, "", resource) == read
    assert _rules_for(role, "", "configmaps") == set()
    assert "create" not in _rules_for(role, "", "secrets")
    assert _rules_for(role, "events.k8s.io", "events") == {"create", "patch"}
    assert _rules_for(role, "autoscaling", "horizontalpodautoscalers") == read
    bind = [r for r in role["rules"] if "bind" in r["verbs"]]
    assert bind == [
        {
            "apiGroups": ["rbac.authorization.k8s.io"],
            "resources": ["clusterroles"],
            "resourceNames": ["aim-engine-artifact-status-updater"],
            "verbs": ["bind"],
        }
    ]


def test_leader_election_role_and_bindings() -> None:
    role = _one("Role", "rbac", "leader_election_role.yaml")
    assert role["metadata"]["namespace"] == "aim-system"
    assert _rules_for(role, "coordination.k8s.io", "leases") == {
        "get",
        "list",
        "watch",
        "create",
        "update",
        "patch",
        "delete",
    }
    assert _rules_for(role, "", "events") == {"create", "patch"}
    binding = _one("RoleBinding", "rbac", "leader_election_role.yaml")
    cluster_binding = _one("ClusterRoleBinding", "rbac", "role_binding.yaml")
    for b in (binding, cluster_binding):
        assert b["subjects"] == [
            {
                "kind": "ServiceAccount",
                "name": "aim-engine-controller-manager",
                "namespace": "aim-system",
            }
        ]


def test_deployment_is_hardened_and_probed() -> None:
    deployment = _one("Deployment", "manager", "deployment.yaml")
    assert deployment["metadata"]["namespace"] == "aim-system"
    pod = deployment["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "aim-engine-controller-manager"
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert container["command"] == ["aim-engine"]
    assert container["args"] == [
        "--leader-elect",
        "--metrics-bind-address=:8080",
        "--health-probe-bind-address=:8081",
    ]
    sc = container["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
    assert set(container["resources"]) == {"requests", "limits"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": 8081}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": 8081}
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"metrics": 8080, "health": 8081}
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = _one("Service", "manager", "metrics_service.yaml")
    assert service["spec"]["selector"] == labels
    assert service["spec"]["ports"][0]["targetPort"] == "metrics"


def test_image_is_pinned_to_the_package_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert aim_engine.__version__ == version
    images = [
        container["image"]
        for path in sorted(MANIFESTS.rglob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc and doc.get("kind") == "Deployment"
        for container in doc["spec"]["template"]["spec"]["containers"]
    ]
    assert images == [f"ghcr.io/aim-engine/aim-engine:{version}"]


def test_termination_grace_period_outlasts_the_graceful_shutdown() -> None:
    # The manager's own deadline, as the Deployment's flags set it (or the CLI's default), plus
    # room to release the Lease and stop the servers before the kubelet sends SIGKILL.
    pod = _manager_pod()
    (container,) = pod["containers"]
    shutdown = build_parser().parse_args(container["args"]).graceful_shutdown_timeout
    assert shutdown > 0
    assert pod["terminationGracePeriodSeconds"] >= shutdown + 10


def test_runs_as_the_nonroot_user_65532() -> None:
    pod = _manager_pod()
    (container,) = pod["containers"]
    effective = {**pod["securityContext"], **container["securityContext"]}
    assert effective["runAsUser"] == 65532
    assert effective["runAsGroup"] == 65532
    assert effective["runAsNonRoot"] is True
    assert effective["readOnlyRootFilesystem"] is True
    assert effective["allowPrivilegeEscalation"] is False
    assert effective["capabilities"] == {"drop": ["ALL"]}
    assert effective["seccompProfile"] == {"type": "RuntimeDefault"}

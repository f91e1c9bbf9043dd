"""A tiny domain over AIMRuntimeConfig for testing the pipeline (not the real runtime config).

It mirrors ``spec.env`` into an owned ConfigMap ``<name>-env`` and reports one component,
``RuntimeConfig``, which is Failed when two env entries share a name. The annotation
``toy.aim.eai.amd.com/upstream: <configmap>`` adds an ``Upstream`` component that needs that
ConfigMap to exist; ``toy.aim.eai.amd.com/requeue: <seconds>`` asks for a requeue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aim_engine.api.v1alpha1 import AIMRuntimeConfig
from aim_engine.kinds import CONFIG_MAP
from aim_engine.objects import RawObject
from controllers.engine import (
    CategorizedError,
    ComponentHealth,
    ErrorCategory,
    FetchContext,
    Fetched,
    PipelineOptions,
    Plan,
    StatusDraft,
    fetch,
    upstream_health,
)

UPSTREAM_ANNOTATION = "toy.aim.eai.amd.com/upstream"
REQUEUE_ANNOTATION = "toy.aim.eai.amd.com/requeue"
OPTIONS = PipelineOptions(controller="toy", model=AIMRuntimeConfig, writes_status_field=False)


@dataclass(frozen=True)
class Observation:
    env: dict[str, str]
    duplicates: list[str]
    upstream: Fetched[RawObject] | None


def _annotations(obj: AIMRuntimeConfig) -> dict[str, str]:
    return obj.metadata.annotations or {}


class ToyDomain:
    """The toy domain (module docstring)."""

    def __init__(self) -> None:
        self.fetches = 0

    async def fetch(self, ctx: FetchContext, obj: AIMRuntimeConfig) -> Fetched[RawObject] | None:
        self.fetches += 1
        upstream = _annotations(obj).get(UPSTREAM_ANNOTATION)
        if not upstream:
            return None
        return fetch(lambda: ctx.reader.get(CONFIG_MAP, upstream, obj.metadata.namespace))

    def compose(self, obj: AIMRuntimeConfig, fetched: Fetched[RawObject] | None) -> Observation:
        names = [e.name for e in obj.spec.env or ()]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        env = {e.name: e.value or "" for e in obj.spec.env or ()}
        return Observation(env, duplicates, fetched)

    def health(self, obj: AIMRuntimeConfig, observation: Observation) -> list[ComponentHealth]:
        components = []
        if observation.duplicates:
            error = CategorizedError(
                ErrorCategory.INVALID_SPEC,
                "DuplicateEnv",
                f"env names used twice: {', '.join(observation.duplicates)}",
            )
            components.append(ComponentHealth("RuntimeConfig", errors=(error,)))
        else:
            components.append(ComponentHealth("RuntimeConfig", reason="ConfigFound"))
        if observation.upstream is not None:
            components.append(upstream_health("Upstream", observation.upstream))
        return components

    def plan(self, obj: AIMRuntimeConfig, observation: Observation) -> Plan:
        body: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"{obj.metadata.name}-env", "namespace": obj.metadata.namespace},
            "data": observation.env,
        }
        requeue = _annotations(obj).get(REQUEUE_ANNOTATION)
        return Plan(apply=[body], requeue_after=float(requeue) if requeue else None)

    def decorate(
        self, obj: AIMRuntimeConfig, observation: Observation, status: StatusDraft
    ) -> None:
        """Nothing to add: runtime configs have conditions only."""


def runtime_config(name: str, namespace: str, **env: str) -> dict[str, Any]:
    """An AIMRuntimeConfig body."""
    return {
        "apiVersion": "aim.eai.amd.com/v1alpha1",
        "kind": "AIMRuntimeConfig",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"env": [{"name": k, "value": v} for k, v in env.items()]},
    }

"""Registering the ``model`` and ``cluster-model`` controllers on a manager (spec §5.3, §6).

Each is the generic :class:`~controllers.engine.Pipeline` around a
:class:`~controllers.model.domain.ModelDomain` of its scope. Watches (through cache indexes,
see :mod:`~controllers.model.watches`):

* ``model``: AIMModel; AIMServiceTemplate (owned, and any template ⇒ the model its
  ``spec.modelName`` names); AIMRuntimeConfig (models in its namespace naming it);
  AIMClusterRuntimeConfig (models in every namespace naming it);
* ``cluster-model``: AIMClusterModel; AIMClusterServiceTemplate (owned);
  AIMClusterRuntimeConfig (cluster models naming it).

Both share one :class:`~controllers.oci.RegistryClient` (its digest cache included), closed
when the manager stops.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping

from aim_engine import RawObject
from aim_engine.api.v1alpha1 import AIMClusterRuntimeConfig, AIMRuntimeConfig
from aim_engine.controller import Request, builder
from aim_engine.manager import Manager
from controllers.config import OperatorConfig
from controllers.engine import Pipeline, PipelineOptions
from controllers.model.domain import ModelDomain, ModelReads, Observation
from controllers.model.inspection import MetadataInspector
from controllers.model.scope import CLUSTER, NAMESPACED, Model, ModelScope
from controllers.model.watches import (
    MODEL_NAME_INDEX,
    RUNTIME_CONFIG_INDEX,
    add_index,
    by_index,
    model_runtime_config_values,
    template_model,
    template_model_values,
)
from controllers.oci import Keychain, RegistryClient, RegistryOptions, host_keychain

__all__ = ["ModelPipeline", "setup_model_controllers"]

ModelPipeline = Pipeline[Model, ModelReads, Observation]


def _register(
    manager: Manager,
    scope: ModelScope,
    inspector: MetadataInspector,
    config: OperatorConfig,
    reporting_instance: str | None,
) -> ModelPipeline:
    domain = ModelDomain(scope, inspector, operator_namespace=config.namespace)
    options: PipelineOptions[Model] = PipelineOptions(
        controller=scope.controller, model=scope.model
    )
    pipeline: ModelPipeline = Pipeline.for_manager(
        manager, domain, options, reporting_instance=reporting_instance
    )
    reader = manager.cache
    model_kind, template_kind = scope.model.resource_kind(), scope.template.resource_kind()

    def namespace_configs(obj: RawObject) -> list[Request]:
        namespace = obj["metadata"].get("namespace")
        return by_index(
            reader, model_kind, RUNTIME_CONFIG_INDEX, obj["metadata"]["name"], namespace
        )

    def cluster_configs(obj: RawObject) -> list[Request]:
        return by_index(reader, model_kind, RUNTIME_CONFIG_INDEX, obj["metadata"]["name"])

    b = builder(manager).named(scope.controller).for_(model_kind).owns(template_kind)
    if scope.namespaced:
        b = b.watches(template_kind, template_model).watches(
            AIMRuntimeConfig.resource_kind(), namespace_configs
        )
    b.watches(AIMClusterRuntimeConfig.resource_kind(), cluster_configs).complete(pipeline)
    add_index(reader.informer(template_kind), MODEL_NAME_INDEX, template_model_values)
    add_index(reader.informer(model_kind), RUNTIME_CONFIG_INDEX, model_runtime_config_values)
    return pipeline


def setup_model_controllers(
    manager: Manager,
    config: OperatorConfig,
    *,
    registry: RegistryClient | None = None,
    registry_options: RegistryOptions | None = None,
    keychain: Keychain | None = None,
    environ: Mapping[str, str] | None = None,
    reporting_instance: str | None = None,
) -> tuple[ModelPipeline, ModelPipeline]:
    """Register ``model`` and ``cluster-model`` on ``manager``.

    Args:
        manager: the manager.
        config: the operator configuration (a cluster model's pull secrets are read in
            ``config.namespace``).
        registry: the registry client to use (the caller closes it); by default one is made
            with ``registry_options`` on the manager's clock and closed when the manager stops.
        registry_options: options of the default client (timeouts, plain-HTTP hosts).
        keychain: the operator's own registry credentials; default: its docker config
            (:func:`~controllers.oci.host_keychain` of ``environ``).
        environ: the environment the default keychain is read from (default ``os.environ``).
        reporting_instance: the Event ``reportingInstance`` (default: the host name).

    Returns:
        The namespaced and the cluster pipeline.
    """
    if registry is None:
        owned = RegistryClient(clock=manager.clock, options=registry_options)
        registry = owned

        async def close_registry() -> None:
            try:
                await asyncio.Event().wait()  # until the manager cancels it on stop
            finally:
                await owned.close()

        manager.add_runnable(close_registry, needs_leader=False, name="model-registry-client")
    if keychain is None:
        keychain = host_keychain(os.environ if environ is None else environ)
    inspector = MetadataInspector(registry, keychain)
    namespaced = _register(manager, NAMESPACED, inspector, config, reporting_instance)
    cluster = _register(manager, CLUSTER, inspector, config, reporting_instance)
    return namespaced, cluster

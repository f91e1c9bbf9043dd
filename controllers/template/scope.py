"""What differs between AIMServiceTemplate and AIMClusterServiceTemplate (spec §5.2.8).

One reconciler implementation serves both kinds; a :class:`TemplateScope` holds everything
that differs: the controller name (labels, field manager, event source; spec §4.1), the
template and model kinds, the model's condition type and reasons, and where discovery Jobs run.
"""

from __future__ import annotations

from dataclasses import dataclass

from aim_engine.api.v1alpha1 import (
    AIMClusterModel,
    AIMClusterServiceTemplate,
    AIMModel,
    AIMServiceTemplate,
)
from aim_engine.api.v1alpha1.conditions import ConditionType, Reasons

__all__ = ["CLUSTER", "NAMESPACED", "TemplateScope"]


@dataclass(frozen=True, slots=True)
class TemplateScope:
    """One row of the spec's namespaced-vs-cluster table.

    Attributes:
        controller: controller name: ``service-template`` or ``cluster-service-template``.
        template: the template API type.
        model: the model API type the template's ``spec.modelName`` names.
        model_component: component name of the model (``Model`` / ``ClusterModel``).
        model_found: reason of a usable model.
        model_failed: reason of a failed or degraded model.
        model_templates_condition: the model's own aggregate over its templates, ignored when
            deciding whether the model failed (a template must not fail because of itself).
    """

    controller: str
    template: type[AIMServiceTemplate] | type[AIMClusterServiceTemplate]
    model: type[AIMModel] | type[AIMClusterModel]
    model_component: str
    model_found: str
    model_failed: str
    model_templates_condition: str

    @property
    def namespaced(self) -> bool:
        """Whether the template kind is namespaced."""
        return self.template is AIMServiceTemplate

    def job_namespace(self, template_namespace: str | None, operator_namespace: str) -> str:
        """Where the template's discovery Jobs run: its namespace, or the operator's."""
        return (template_namespace or "") if self.namespaced else operator_namespace


NAMESPACED = TemplateScope(
    controller="service-template",
    template=AIMServiceTemplate,
    model=AIMModel,
    model_component="Model",
    model_found=Reasons.MODEL_FOUND,
    model_failed=Reasons.MODEL_FAILED,
    model_templates_condition=ConditionType.SERVICE_TEMPLATES_READY,
)
"""AIMServiceTemplate: AIMModel in the same namespace, Jobs in the template's namespace."""

CLUSTER = TemplateScope(
    controller="cluster-service-template",
    template=AIMClusterServiceTemplate,
    model=AIMClusterModel,
    model_component="ClusterModel",
    model_found=Reasons.CLUSTER_MODEL_FOUND,
    model_failed=Reasons.CLUSTER_MODEL_FAILED,
    model_templates_condition=ConditionType.CLUSTER_SERVICE_TEMPLATES_READY,
)
"""AIMClusterServiceTemplate: AIMClusterModel, Jobs in the operator namespace."""

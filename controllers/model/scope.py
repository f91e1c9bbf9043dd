"""The two model kinds as one parameter: what differs between ``model`` and ``cluster-model``.

One reconciler serves both (spec §5.3); a :class:`ModelScope` says which kinds it reads and
creates, what its templates component is called and where pull secrets are read from (the
model's namespace, or the operator namespace for a cluster model, §5.3.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from aim_engine.api.v1alpha1.model import AIMClusterModel, AIMModel
from aim_engine.api.v1alpha1.template import AIMClusterServiceTemplate, AIMServiceTemplate
from controllers.model.health import templates_component

__all__ = ["CLUSTER", "NAMESPACED", "Model", "ModelScope"]

Model = AIMModel | AIMClusterModel
"""Either model kind."""


@dataclass(frozen=True, slots=True)
class ModelScope:
    """One of the two model controllers.

    Attributes:
        controller: the controller name (``model`` / ``cluster-model``).
        model: the reconciled kind.
        template: the kind of the templates it owns.
    """

    controller: str
    model: type[AIMModel] | type[AIMClusterModel]
    template: type[AIMServiceTemplate] | type[AIMClusterServiceTemplate]

    @property
    def namespaced(self) -> bool:
        """Whether the model kind is namespaced."""
        return self.model is AIMModel

    @property
    def templates_component(self) -> str:
        """``ServiceTemplates`` or ``ClusterServiceTemplates``."""
        return templates_component(not self.namespaced)

    def namespace(self, obj: Model) -> str | None:
        """Where the model's templates and runtime config live (``None``: cluster-scoped)."""
        return (obj.metadata.namespace or None) if self.namespaced else None

    def secret_namespace(self, obj: Model, operator_namespace: str) -> str:
        """Where the model's pull secrets are read: its namespace, or the operator's."""
        return self.namespace(obj) or operator_namespace


NAMESPACED: Final = ModelScope("model", AIMModel, AIMServiceTemplate)
CLUSTER: Final = ModelScope("cluster-model", AIMClusterModel, AIMClusterServiceTemplate)

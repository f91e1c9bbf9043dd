"""AIM API group ``aim.eai.amd.com``, version ``v1alpha1``: the ten AIM kinds and shared types.

:data:`ALL_KINDS` lists the top-level models in a stable order; CRD generation, docs and the
operator's kind registrations iterate it.
"""

from __future__ import annotations

from aim_engine.api.v1alpha1.artifact import AIMArtifact as AIMArtifact
from aim_engine.api.v1alpha1.artifact import AIMArtifactSpec as AIMArtifactSpec
from aim_engine.api.v1alpha1.artifact import AIMArtifactStatus as AIMArtifactStatus
from aim_engine.api.v1alpha1.base import API_VERSION as API_VERSION
from aim_engine.api.v1alpha1.base import GROUP as GROUP
from aim_engine.api.v1alpha1.base import VERSION as VERSION
from aim_engine.api.v1alpha1.base import AimBaseModel as AimBaseModel
from aim_engine.api.v1alpha1.base import AimObject as AimObject
from aim_engine.api.v1alpha1.base import CrdInfo as CrdInfo
from aim_engine.api.v1alpha1.base import ObjectMeta as ObjectMeta
from aim_engine.api.v1alpha1.base import PrinterColumn as PrinterColumn
from aim_engine.api.v1alpha1.cache import AIMCacheMode as AIMCacheMode
from aim_engine.api.v1alpha1.cache import AIMTemplateCache as AIMTemplateCache
from aim_engine.api.v1alpha1.cache import AIMTemplateCacheSpec as AIMTemplateCacheSpec
from aim_engine.api.v1alpha1.cache import AIMTemplateCacheStatus as AIMTemplateCacheStatus
from aim_engine.api.v1alpha1.cache import AIMTemplateScope as AIMTemplateScope
from aim_engine.api.v1alpha1.conditions import Condition as Condition
from aim_engine.api.v1alpha1.conditions import ConditionStatus as ConditionStatus
from aim_engine.api.v1alpha1.conditions import ConditionType as ConditionType
from aim_engine.api.v1alpha1.core import EnvVar as EnvVar
from aim_engine.api.v1alpha1.core import LocalObjectReference as LocalObjectReference
from aim_engine.api.v1alpha1.core import ParentReference as ParentReference
from aim_engine.api.v1alpha1.core import ResourceRequirements as ResourceRequirements
from aim_engine.api.v1alpha1.hardware import AIMCpuRequirements as AIMCpuRequirements
from aim_engine.api.v1alpha1.hardware import AIMGpuRequirements as AIMGpuRequirements
from aim_engine.api.v1alpha1.hardware import AIMHardwareRequirements as AIMHardwareRequirements
from aim_engine.api.v1alpha1.hardware import AIMMetric as AIMMetric
from aim_engine.api.v1alpha1.hardware import AIMPrecision as AIMPrecision
from aim_engine.api.v1alpha1.hardware import AIMProfileType as AIMProfileType
from aim_engine.api.v1alpha1.hardware import AIMRuntimeParameters as AIMRuntimeParameters
from aim_engine.api.v1alpha1.image_metadata import AIMProfile as AIMProfile
from aim_engine.api.v1alpha1.image_metadata import ImageMetadata as ImageMetadata
from aim_engine.api.v1alpha1.image_metadata import (
    RecommendedDeployment as RecommendedDeployment,
)
from aim_engine.api.v1alpha1.model import AIMClusterModel as AIMClusterModel
from aim_engine.api.v1alpha1.model import AIMModel as AIMModel
from aim_engine.api.v1alpha1.model import AIMModelSpec as AIMModelSpec
from aim_engine.api.v1alpha1.model import AIMModelStatus as AIMModelStatus
from aim_engine.api.v1alpha1.model_source import AIMClusterModelSource as AIMClusterModelSource
from aim_engine.api.v1alpha1.model_source import (
    AIMClusterModelSourceSpec as AIMClusterModelSourceSpec,
)
from aim_engine.api.v1alpha1.model_source import (
    AIMClusterModelSourceStatus as AIMClusterModelSourceStatus,
)
from aim_engine.api.v1alpha1.references import AIMResolutionScope as AIMResolutionScope
from aim_engine.api.v1alpha1.references import AIMResolvedReference as AIMResolvedReference
from aim_engine.api.v1alpha1.runtime_config import (
    AIMClusterRuntimeConfig as AIMClusterRuntimeConfig,
)
from aim_engine.api.v1alpha1.runtime_config import AIMRuntimeConfig as AIMRuntimeConfig
from aim_engine.api.v1alpha1.runtime_config import AIMRuntimeConfigSpec as AIMRuntimeConfigSpec
from aim_engine.api.v1alpha1.service import AIMCachingMode as AIMCachingMode
from aim_engine.api.v1alpha1.service import AIMService as AIMService
from aim_engine.api.v1alpha1.service import AIMServiceSpec as AIMServiceSpec
from aim_engine.api.v1alpha1.service import AIMServiceStatus as AIMServiceStatus
from aim_engine.api.v1alpha1.sources import AIMModelSource as AIMModelSource
from aim_engine.api.v1alpha1.status import AIMStatus as AIMStatus
from aim_engine.api.v1alpha1.status import status_priority as status_priority
from aim_engine.api.v1alpha1.status import worst_status as worst_status
from aim_engine.api.v1alpha1.template import (
    AIMClusterServiceTemplate as AIMClusterServiceTemplate,
)
from aim_engine.api.v1alpha1.template import AIMServiceTemplate as AIMServiceTemplate
from aim_engine.api.v1alpha1.template import AIMServiceTemplateSpec as AIMServiceTemplateSpec
from aim_engine.api.v1alpha1.template import (
    AIMServiceTemplateStatus as AIMServiceTemplateStatus,
)

ALL_KINDS: tuple[type[AimObject], ...] = (
    AIMModel,
    AIMClusterModel,
    AIMServiceTemplate,
    AIMClusterServiceTemplate,
    AIMService,
    AIMTemplateCache,
    AIMArtifact,
    AIMRuntimeConfig,
    AIMClusterRuntimeConfig,
    AIMClusterModelSource,
)
"""The ten top-level AIM kinds."""

__all__ = [
    "ALL_KINDS",
    "API_VERSION",
    "GROUP",
    "VERSION",
    "AIMArtifact",
    "AIMArtifactSpec",
    "AIMArtifactStatus",
    "AIMCacheMode",
    "AIMCachingMode",
    "AIMClusterModel",
    "AIMClusterModelSource",
    "AIMClusterModelSourceSpec",
    "AIMClusterModelSourceStatus",
    "AIMClusterRuntimeConfig",
    "AIMClusterServiceTemplate",
    "AIMCpuRequirements",
    "AIMGpuRequirements",
    "AIMHardwareRequirements",
    "AIMMetric",
    "AIMModel",
    "AIMModelSource",
    "AIMModelSpec",
    "AIMModelStatus",
    "AIMPrecision",
    "AIMProfile",
    "AIMProfileType",
    "AIMResolutionScope",
    "AIMResolvedReference",
    "AIMRuntimeConfig",
    "AIMRuntimeConfigSpec",
    "AIMRuntimeParameters",
    "AIMService",
    "AIMServiceSpec",
    "AIMServiceStatus",
    "AIMServiceTemplate",
    "AIMServiceTemplateSpec",
    "AIMServiceTemplateStatus",
    "AIMStatus",
    "AIMTemplateCache",
    "AIMTemplateCacheSpec",
    "AIMTemplateCacheStatus",
    "AIMTemplateScope",
    "AimBaseModel",
    "AimObject",
    "Condition",
    "ConditionStatus",
    "ConditionType",
    "CrdInfo",
    "EnvVar",
    "ImageMetadata",
    "LocalObjectReference",
    "ObjectMeta",
    "ParentReference",
    "PrinterColumn",
    "RecommendedDeployment",
    "ResourceRequirements",
    "status_priority",
    "worst_status",
]

"""Resource kinds: what the framework needs to know about a type to talk to the API server.

A :class:`ResourceKind` is the group/version/kind/plural/scope of one served type; it builds the
REST paths. :data:`BUILTIN_KINDS` holds the built-in types an operator uses; custom kinds are
added at run time to a :class:`KindCatalog` (one per client, never global). Kinds nobody
added are found through API discovery by :meth:`aim_engine.client.Client.resolve_kind`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from aim_engine.errors import ConfigurationError

__all__ = [
    "BUILTIN_KINDS",
    "CLUSTER_ROLE",
    "CLUSTER_ROLE_BINDING",
    "CONFIG_MAP",
    "CRD",
    "DEPLOYMENT",
    "EVENT",
    "EVENT_V1",
    "JOB",
    "LEASE",
    "NAMESPACE",
    "NODE",
    "POD",
    "PVC",
    "ROLE",
    "ROLE_BINDING",
    "SECRET",
    "SERVICE",
    "SERVICE_ACCOUNT",
    "KindCatalog",
    "ResourceKind",
]


@dataclass(frozen=True, slots=True)
class ResourceKind:
    """One served resource type.

    Attributes:
        group: API group, ``""`` for the core group.
        version: API version within the group (``v1``, ``v1alpha1``).
        kind: the ``kind`` of its objects (``ConfigMap``).
        plural: the lower-case plural used in URLs (``configmaps``).
        namespaced: whether objects live in namespaces.
        short_names: ``kubectl`` short names (``cm``).
        has_status: whether the type has a ``/status`` subresource.
    """

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    short_names: tuple[str, ...] = field(default=(), compare=False)
    has_status: bool = field(default=False, compare=False)

    @property
    def api_version(self) -> str:
        """``group/version``, or just ``version`` for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        """``plural.group`` (``configmaps`` for core), as in API error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def singular(self) -> str:
        """The lower-case kind."""
        return self.kind.lower()

    def base_path(self) -> str:
        """The API root of its group/version: ``/api/v1`` or ``/apis/G/V``."""
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    def collection_path(self, namespace: str | None = None) -> str:
        """URL path of the collection, across all namespaces when ``namespace`` is ``None``."""
        if self.namespaced and namespace:
            return f"{self.base_path()}/namespaces/{quote(namespace, safe='')}/{self.plural}"
        if not self.namespaced and namespace:
            raise ConfigurationError(f"{self.kind} is cluster-scoped; namespace must be empty")
        return f"{self.base_path()}/{self.plural}"

    def object_path(self, name: str, namespace: str | None = None, subresource: str = "") -> str:
        """URL path of one object (and optionally one of its subresources)."""
        if self.namespaced and not namespace:
            raise ConfigurationError(f"{self.kind} is namespaced; a namespace is required")
        path = f"{self.collection_path(namespace)}/{quote(name, safe='')}"
        return f"{path}/{subresource}" if subresource else path

    def __str__(self) -> str:
        return f"{self.kind}.{self.version}.{self.group}" if self.group else f"{self.kind}.v1"


NAMESPACE = ResourceKind("", "v1", "Namespace", "namespaces", False, ("ns",), True)
CONFIG_MAP = ResourceKind("", "v1", "ConfigMap", "configmaps", True, ("cm",))
SECRET = ResourceKind("", "v1", "Secret", "secrets", True)
EVENT = ResourceKind("", "v1", "Event", "events", True, ("ev",))
EVENT_V1 = ResourceKind("events.k8s.io", "v1", "Event", "events", True, ("ev",))
NODE = ResourceKind("", "v1", "Node", "nodes", False, ("no",), True)
POD = ResourceKind("", "v1", "Pod", "pods", True, ("po",), True)
SERVICE = ResourceKind("", "v1", "Service", "services", True, ("svc",), True)
SERVICE_ACCOUNT = ResourceKind("", "v1", "ServiceAccount", "serviceaccounts", True, ("sa",))
PVC = ResourceKind(
    "", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ("pvc",), True
)
LEASE = ResourceKind("coordination.k8s.io", "v1", "Lease", "leases", True)
JOB = ResourceKind("batch", "v1", "Job", "jobs", True, (), True)
DEPLOYMENT = ResourceKind("apps", "v1", "Deployment", "deployments", True, ("deploy",), True)
ROLE = ResourceKind("rbac.authorization.k8s.io", "v1", "Role", "roles", True)
ROLE_BINDING = ResourceKind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True)
CLUSTER_ROLE = ResourceKind("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False)
CLUSTER_ROLE_BINDING = ResourceKind(
    "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False
)
CRD = ResourceKind(
    "apiextensions.k8s.io",
    "v1",
    "CustomResourceDefinition",
    "customresourcedefinitions",
    False,
    ("crd", "crds"),
    True,
)

BUILTIN_KINDS: tuple[ResourceKind, ...] = (
    NAMESPACE,
    CONFIG_MAP,
    SECRET,
    EVENT,
    EVENT_V1,
    NODE,
    POD,
    SERVICE,
    SERVICE_ACCOUNT,
    PVC,
    LEASE,
    JOB,
    DEPLOYMENT,
    ROLE,
    ROLE_BINDING,
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    CRD,
)


class KindCatalog:
    """The kinds a client knows, by ``(apiVersion, kind)``, built-ins first.

    One per client (:attr:`aim_engine.client.Client.kinds`), never global. Add custom kinds with
    :meth:`add`; a kind not in the catalog is looked up through API discovery and then added.
    """

    def __init__(self, kinds: Iterable[ResourceKind] = BUILTIN_KINDS) -> None:
        self._by_gvk: dict[tuple[str, str], ResourceKind] = {}
        for k in kinds:
            self.add(k)

    def add(self, kind: ResourceKind) -> ResourceKind:
        """Add (or replace) a kind and return it."""
        self._by_gvk[(kind.api_version, kind.kind)] = kind
        return kind

    def get(self, api_version: str, kind: str) -> ResourceKind | None:
        """The kind for an ``apiVersion``/``kind`` pair, or ``None``."""
        return self._by_gvk.get((api_version, kind))

    def __iter__(self) -> Iterator[ResourceKind]:
        return iter(self._by_gvk.values())

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, ResourceKind) and (kind.api_version, kind.kind) in self._by_gvk

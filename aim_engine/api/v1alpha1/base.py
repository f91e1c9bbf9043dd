"""The base model every AIM API type derives from, and the CRD facts a top-level kind declares.

All AIM types share one pydantic configuration: snake_case in Python, camelCase on the wire
(``alias_generator``), construction by either name, immutable instances and unknown fields ignored.
Ignoring unknown fields is safe only because the operator never PUTs whole objects (it applies the
fields it owns), so fields of a newer CRD are never clobbered. Free-form parts of the API (engine
arguments, ``valueFrom``, node affinity) are typed as plain JSON so they survive a round trip.

A top-level kind (:class:`AimObject` subclass) carries a :class:`CrdInfo` class constant with what
the model itself cannot say: plural, scope, short names, categories and printer columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel

from aim_engine.kinds import ResourceKind

__all__ = [
    "AGE_COLUMN",
    "API_VERSION",
    "GROUP",
    "QUANTITY_PATTERN",
    "VERSION",
    "AimBaseModel",
    "AimObject",
    "CrdInfo",
    "FreeForm",
    "ObjectMeta",
    "PrinterColumn",
    "Quantity",
    "Time",
]

GROUP = "aim.eai.amd.com"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"

QUANTITY_PATTERN = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))"
    r"(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)


class AimBaseModel(BaseModel):
    """Base of every AIM API model: one shared configuration (see the module docstring).

    Named apart from the ``AIMModel`` kind: this is the pydantic base class, not a resource.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="ignore",
    )

    def to_wire(self) -> dict[str, Any]:
        """The object as wire JSON: camelCase keys, only the fields that were set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _format_time(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` suffix, as the API server writes ``metav1.Time``."""
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    text = utc.replace(tzinfo=None).isoformat()
    return f"{text}Z"


Quantity = Annotated[
    int | Annotated[str, Field(pattern=QUANTITY_PATTERN)],
    WithJsonSchema(
        {
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "pattern": QUANTITY_PATTERN,
            "x-kubernetes-int-or-string": True,
        }
    ),
]
"""A Kubernetes resource quantity (``8Gi``, ``500m``, ``4``): integer or string on the wire."""

Time = Annotated[
    datetime,
    PlainSerializer(_format_time, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A ``metav1.Time``: RFC 3339 on the wire, an aware :class:`~datetime.datetime` in Python."""

FreeForm = Annotated[
    dict[str, JsonValue],
    WithJsonSchema({"type": "object", "x-kubernetes-preserve-unknown-fields": True}),
]
"""A JSON object whose content the API does not constrain (kept verbatim)."""


class ObjectMeta(BaseModel):
    """The parts of ``metadata`` the operator reads; every other key is kept as is.

    Unlike the spec and status models, metadata keeps unknown keys (``managedFields``,
    ``ownerReferences``...) so that a round trip of a served object loses nothing.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="allow"
    )

    name: str | None = None
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    uid: str | None = None
    resource_version: str | None = None
    generation: int | None = None


@dataclass(frozen=True, slots=True)
class PrinterColumn:
    """One ``additionalPrinterColumns`` entry of a CRD version (what ``kubectl get`` shows).

    Attributes:
        name: column header.
        type: OpenAPI type of the value (``string``, ``integer``, ``date``...).
        json_path: simple JSONPath into the object, e.g. ``.status.status``.
        priority: 0 shows in the default view, higher only with ``-o wide``.
        description: human-readable description.
    """

    name: str
    type: str
    json_path: str
    priority: int = 0
    description: str = ""

    def to_crd(self) -> dict[str, Any]:
        """The column as it appears in a CRD."""
        column: dict[str, Any] = {"jsonPath": self.json_path, "name": self.name, "type": self.type}
        if self.description:
            column["description"] = self.description
        if self.priority:
            column["priority"] = self.priority
        return column


AGE_COLUMN = PrinterColumn("Age", "date", ".metadata.creationTimestamp")


@dataclass(frozen=True, slots=True)
class CrdInfo:
    """What a CRD says about a kind besides its schema.

    Attributes:
        plural: lower-case plural used in URLs.
        scope: ``Namespaced`` or ``Cluster``.
        short_names: ``kubectl`` short names.
        categories: ``kubectl get <category>`` groups (``aim``, ``all``).
        printer_columns: columns of ``kubectl get``.
        description: one-line summary of the kind.
    """

    plural: str
    scope: Literal["Namespaced", "Cluster"]
    short_names: tuple[str, ...]
    printer_columns: tuple[PrinterColumn, ...] = ()
    categories: tuple[str, ...] = ("aim", "all")
    description: str = ""


class AimObject(AimBaseModel):
    """A top-level AIM object: ``apiVersion``, ``kind``, ``metadata``, ``spec``, ``status``.

    Subclasses set :attr:`CRD` and narrow ``kind``, ``spec`` and ``status``.
    """

    CRD: ClassVar[CrdInfo]

    api_version: Literal["aim.eai.amd.com/v1alpha1"] = Field(default="aim.eai.amd.com/v1alpha1")
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)

    def to_wire(self) -> dict[str, Any]:
        """The object as wire JSON; ``apiVersion`` and ``kind`` are always included."""
        return {"apiVersion": self.api_version, "kind": self.kind_name(), **super().to_wire()}

    @classmethod
    def kind_name(cls) -> str:
        """The ``kind`` of this type (the class name)."""
        return cls.__name__

    @classmethod
    def resource_kind(cls) -> ResourceKind:
        """The :class:`~aim_engine.kinds.ResourceKind` to add to a client's kind catalog."""
        return ResourceKind(
            group=GROUP,
            version=VERSION,
            kind=cls.__name__,
            plural=cls.CRD.plural,
            namespaced=cls.CRD.scope == "Namespaced",
            short_names=cls.CRD.short_names,
            has_status=True,
        )

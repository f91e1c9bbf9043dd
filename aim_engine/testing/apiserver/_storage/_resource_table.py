"""The resource table: which resources the fake API server serves, and how.

A :class:`ServedResource` is one ``group``/``plural`` with its kind names, scope, short names,
categories and one :class:`ServedVersion` per served version (each with its compiled CRD schema,
printer columns and whether it has a ``/status`` subresource). The built-in kinds of
:data:`aim_engine.kinds.BUILTIN_KINDS` are registered at start; a CustomResourceDefinition adds
(or replaces) its resource the moment it is created and removes it when it is deleted. Objects are
stored once per ``group``/``plural`` whatever version they were written in; with the ``None``
conversion strategy serving another version is only an ``apiVersion`` rewrite.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from aim_engine.kinds import BUILTIN_KINDS, ResourceKind
from aim_engine.testing.apiserver._schema._compiled import CompiledSchema

__all__ = [
    "STANDARD_VERBS",
    "PrinterColumn",
    "ResourceTable",
    "ServedResource",
    "ServedVersion",
    "resource_from_crd",
]

STANDARD_VERBS: tuple[str, ...] = (
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
)
_ALL_CATEGORY = frozenset({"pods", "services", "deployments", "jobs"})


@dataclass(frozen=True, slots=True)
class PrinterColumn:
    """One ``additionalPrinterColumns`` entry of a CRD version."""

    name: str
    type: str
    json_path: str
    description: str = ""
    priority: int = 0
    format: str = ""


@dataclass(slots=True)
class ServedVersion:
    """One served version of a resource."""

    name: str
    served: bool = True
    storage: bool = True
    has_status: bool = False
    schema: CompiledSchema | None = None
    openapi_schema: Mapping[str, Any] | None = None
    printer_columns: tuple[PrinterColumn, ...] = ()


@dataclass(slots=True)
class ServedResource:
    """One resource (``group``/``plural``) and its versions."""

    group: str
    plural: str
    kind: str
    singular: str
    namespaced: bool
    versions: dict[str, ServedVersion]
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    list_kind: str = ""
    builtin: bool = True
    crd_uid: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """``(group, plural)``: where its objects are stored."""
        return (self.group, self.plural)

    @property
    def storage_version(self) -> str:
        """The version objects are stored in."""
        for v in self.versions.values():
            if v.storage:
                return v.name
        return next(iter(self.versions))

    def api_version(self, version: str) -> str:
        """``group/version`` (or just ``version`` for the core group)."""
        return f"{self.group}/{version}" if self.group else version

    @property
    def group_resource(self) -> str:
        """``plural.group`` as in error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def served_versions(self) -> list[str]:
        """Names of the versions that are served, in declaration order."""
        return [v.name for v in self.versions.values() if v.served]

    def has_status(self, version: str) -> bool:
        """Whether ``version`` has a ``/status`` subresource."""
        v = self.versions.get(version)
        return bool(v and v.has_status)


def _builtin(kind: ResourceKind) -> ServedResource:
    return ServedResource(
        group=kind.group,
        plural=kind.plural,
        kind=kind.kind,
        singular=kind.singular,
        namespaced=kind.namespaced,
        versions={kind.version: ServedVersion(kind.version, has_status=kind.has_status)},
        short_names=kind.short_names,
        categories=("all",)
        if kind.plural in _ALL_CATEGORY and kind.group in ("", "apps", "batch")
        else (),
        list_kind=f"{kind.kind}List",
    )


def _columns(raw: Any) -> tuple[PrinterColumn, ...]:
    return tuple(
        PrinterColumn(
            name=str(c.get("name", "")),
            type=str(c.get("type", "string")),
            json_path=str(c.get("jsonPath", "")),
            description=str(c.get("description", "")),
            priority=int(c.get("priority", 0) or 0),
            format=str(c.get("format", "")),
        )
        for c in raw or ()
    )


def resource_from_crd(crd: Mapping[str, Any]) -> ServedResource:
    """Build the served resource a CustomResourceDefinition describes.

    Compiles each version's ``openAPIV3Schema`` once (the compiled schema defaults, prunes and
    validates objects of that version, CEL rules included).
    """
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    versions: dict[str, ServedVersion] = {}
    for v in spec.get("versions") or ():
        raw_schema = (v.get("schema") or {}).get("openAPIV3Schema")
        versions[str(v["name"])] = ServedVersion(
            name=str(v["name"]),
            served=bool(v.get("served", True)),
            storage=bool(v.get("storage", False)),
            has_status="status" in (v.get("subresources") or {}),
            schema=CompiledSchema.compile(raw_schema) if raw_schema else None,
            openapi_schema=raw_schema,
            printer_columns=_columns(v.get("additionalPrinterColumns")),
        )
    kind = str(names.get("kind", ""))
    return ServedResource(
        group=str(spec.get("group", "")),
        plural=str(names.get("plural", "")),
        kind=kind,
        singular=str(names.get("singular") or kind.lower()),
        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        versions=versions,
        short_names=tuple(names.get("shortNames") or ()),
        categories=tuple(names.get("categories") or ()),
        list_kind=str(names.get("listKind") or f"{kind}List"),
        builtin=False,
        crd_uid=str((crd.get("metadata") or {}).get("uid", "")),
    )


class ResourceTable:
    """Served resources by ``(group, plural)``; built-ins are added at construction."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], ServedResource] = {}
        for kind in BUILTIN_KINDS:
            self.add(_builtin(kind))

    def add(self, resource: ServedResource) -> None:
        """Serve (or re-serve) a resource."""
        self._by_key[resource.key] = resource

    def remove(self, group: str, plural: str) -> ServedResource | None:
        """Stop serving a resource; returns what was removed."""
        return self._by_key.pop((group, plural), None)

    def get(self, group: str, plural: str) -> ServedResource | None:
        """The resource for ``group``/``plural``, served or not."""
        return self._by_key.get((group, plural))

    def lookup(self, group: str, version: str, plural: str) -> ServedResource | None:
        """The resource if ``version`` of it is served."""
        res = self._by_key.get((group, plural))
        if res is None or version not in res.served_versions():
            return None
        return res

    def by_kind(self, api_version: str, kind: str) -> ServedResource | None:
        """The resource serving ``kind`` in ``api_version`` (for owner references)."""
        group, _, version = api_version.rpartition("/")
        for res in self._by_key.values():
            if res.group == group and res.kind == kind and version in res.versions:
                return res
        return None

    def groups(self) -> dict[str, list[str]]:
        """Served versions per group, core group under ``""``; versions newest-declared first."""
        out: dict[str, list[str]] = {}
        for res in self._by_key.values():
            for v in res.served_versions():
                versions = out.setdefault(res.group, [])
                if v not in versions:
                    versions.append(v)
        return out

    def in_group_version(self, group: str, version: str) -> list[ServedResource]:
        """Resources served in ``group``/``version``."""
        return [
            r for r in self._by_key.values() if r.group == group and version in r.served_versions()
        ]

    def __iter__(self) -> Iterator[ServedResource]:
        return iter(list(self._by_key.values()))

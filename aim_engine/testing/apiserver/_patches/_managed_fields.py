"""Server-side apply and ``metadata.managedFields`` bookkeeping, like kube-apiserver.

Two entry points, both pure (inputs are never mutated except ``new`` in :func:`record_update`):

* :func:`apply` - a server-side apply (``application/apply-patch+yaml``): merge the configuration
  into the live object, detect conflicts with other managers (409 :class:`ApplyConflict` unless
  ``force``), remove fields the manager applied before and no longer applies (unless someone
  else owns them), and record the manager's ``Apply`` entry owning exactly what it applied.
* :func:`record_update` - for every other write (create, update, merge/JSON/strategic patch):
  the writing manager's ``Update`` entry takes the fields that changed, other managers lose them
  (no conflicts for updates), entries left empty are dropped.

Entries are keyed like the server keys them: ``Apply`` entries by manager and subresource,
``Update`` entries by manager, subresource and apiVersion. Server-maintained fields (name,
namespace, uid, resourceVersion, generation, creationTimestamp, managedFields...) and
``apiVersion``/``kind`` are never owned. Callers reset the fields the endpoint ignores
(``status`` on the main resource, everything but ``status`` on ``/status``) before calling.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aim_engine.testing.apiserver._patches._builtin_lists import builtin_atomic_object, builtin_list
from aim_engine.testing.apiserver._patches._fieldpath import FieldSet, Path, path_string
from aim_engine.testing.apiserver._patches._ssa_merge import (
    ListShape,
    ListTypeOf,
    apply_merge,
    compare,
    remove_paths,
    to_field_set,
)

if TYPE_CHECKING:
    from aim_engine.testing.apiserver._schema._compiled import CompiledSchema

__all__ = ["ApplyConflict", "FieldSet", "ManagerEntry", "apply", "list_types_for", "record_update"]

_SERVER_FIELDS = (
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
)
_IGNORED: frozenset[Path] = frozenset(
    {("f:apiVersion",), ("f:kind",)} | {("f:metadata", f"f:{n}") for n in _SERVER_FIELDS}
)


@dataclass
class ManagerEntry:
    """One ``managedFields`` entry, decoded.

    Attributes:
        manager: The field manager's name.
        operation: ``Apply`` or ``Update``.
        api_version: The apiVersion the manager wrote with.
        time: RFC 3339 time of the manager's last change.
        fields: The owned fields.
        subresource: ``""`` for the main resource, else e.g. ``status``.
    """

    manager: str
    operation: str
    api_version: str
    time: str
    fields: FieldSet
    subresource: str = ""

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """What the server keys entries by (Apply entries ignore the apiVersion)."""
        version = "" if self.operation == "Apply" else self.api_version
        return (self.manager, self.operation, self.subresource, version)

    def describe(self) -> str:
        """The manager as conflict messages print it."""
        text = f'"{self.manager}"'
        if self.subresource:
            text += f' with subresource "{self.subresource}"'
        if self.operation == "Update":
            text += f" using {self.api_version}"
        return text

    def encode(self) -> dict[str, Any]:
        """The entry as it appears in ``metadata.managedFields``."""
        out: dict[str, Any] = {
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "time": self.time,
            "fieldsType": "FieldsV1",
            "fieldsV1": self.fields.to_fields_v1(),
        }
        if self.subresource:
            out["subresource"] = self.subresource
        return out

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> ManagerEntry:
        """Read one ``metadata.managedFields`` entry."""
        return cls(
            manager=str(raw.get("manager", "")),
            operation=str(raw.get("operation", "Update")),
            api_version=str(raw.get("apiVersion", "")),
            time=str(raw.get("time", "")),
            fields=FieldSet.from_fields_v1(raw.get("fieldsV1") or {}),
            subresource=str(raw.get("subresource", "")),
        )


class ApplyConflict(Exception):  # noqa: N818 - the name the fake server uses
    """A server-side apply would change fields other managers own (HTTP 409).

    Attributes:
        conflicts: ``(manager, field path)`` pairs, e.g. ``("kubectl", ".spec.replicas")``.
        described: The same conflicts with the manager as the server prints it, e.g.
            ``('"kubectl-edit" using v1', ".spec.replicas")``.
    """

    def __init__(self, items: list[tuple[str, str, str]]) -> None:
        """Create the error from ``(manager, printed manager, path)`` triples."""
        ordered = sorted(items, key=lambda item: (item[1], item[2]))
        self.conflicts: list[tuple[str, str]] = [(m, p) for m, _, p in ordered]
        self.described: list[tuple[str, str]] = [(d, p) for _, d, p in ordered]
        super().__init__(self.message())

    def message(self) -> str:
        """The Status message, worded like the server's."""
        if len(self.described) == 1:
            manager, path = self.described[0]
            return f"Apply failed with 1 conflict: conflict with {manager}: {path}"
        lines: list[str] = []
        for manager in sorted({m for m, _ in self.described}):
            lines.append(f"conflicts with {manager}:")
            lines.extend(f"- {p}" for m, p in self.described if m == manager)
        return f"Apply failed with {len(self.described)} conflicts: " + "\n".join(lines)

    def status_body(self) -> dict[str, Any]:
        """The 409 Status body."""
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message(),
            "reason": "Conflict",
            "details": {
                "causes": [
                    {
                        "reason": "FieldManagerConflict",
                        "message": f"conflict with {manager}",
                        "field": path,
                    }
                    for manager, path in self.described
                ]
            },
            "code": 409,
        }


def list_types_for(kind: str, schema: CompiledSchema | None) -> ListTypeOf:
    """The list-shape lookup for a kind: the CRD schema, else the built-in table.

    Args:
        kind: The object's kind.
        schema: The CRD version's schema, None for built-ins.

    Returns:
        A function from field-name path to :class:`ListShape`.
    """
    cache: dict[tuple[str, ...], ListShape] = {}

    def lookup(names: tuple[str, ...]) -> ListShape:
        shape = cache.get(names)
        if shape is not None:
            return shape
        if schema is not None:
            node = schema.node_at(names)
            found = schema.list_type_at(names)
            if found is not None and node is not None:
                shape = ListShape(found[0], found[1], node.list_key_defaults())
            else:
                atomic = node is not None and node.map_type == "atomic"
                shape = ListShape(atomic_object=atomic)
        else:
            rule = builtin_list(kind, names)
            shape = ListShape(
                rule.ssa_type,
                rule.ssa_keys,
                dict(rule.key_defaults),
                atomic_object=builtin_atomic_object(kind, names),
            )
        cache[names] = shape
        return shape

    return lookup


def _entries(obj: Mapping[str, Any] | None) -> list[ManagerEntry]:
    if not obj:
        return []
    raw = (obj.get("metadata") or {}).get("managedFields") or []
    return [ManagerEntry.decode(e) for e in raw if isinstance(e, Mapping)]


def _bare(obj: Mapping[str, Any] | None) -> dict[str, Any]:
    out = copy.deepcopy(dict(obj)) if obj else {}
    meta = out.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return out


def _clean(paths: set[Path]) -> set[Path]:
    kept = FieldSet(paths).without_prefixes(_IGNORED)
    return set(kept.paths) - {("f:metadata",)}


def _store(obj: dict[str, Any], entries: list[ManagerEntry]) -> None:
    kept = [e for e in entries if len(e.fields)]
    kept.sort(key=lambda e: (e.operation, e.time, e.manager, e.api_version, e.subresource))
    meta = obj.setdefault("metadata", {})
    if kept:
        meta["managedFields"] = [e.encode() for e in kept]
    else:
        meta.pop("managedFields", None)


def _reset(
    config: dict[str, Any], subresource: str, reset_fields: Collection[str] | None
) -> dict[str, Any]:
    if reset_fields is None:
        if subresource != "status":
            return config
        meta = config.get("metadata") or {}
        kept = {k: meta[k] for k in ("name", "namespace") if k in meta}
        out: dict[str, Any] = {
            k: config[k] for k in ("apiVersion", "kind", "status") if k in config
        }
        out["metadata"] = kept
        return out
    return {k: v for k, v in config.items() if k not in reset_fields}


def apply(
    live: dict[str, Any] | None,
    config: dict[str, Any],
    *,
    manager: str,
    force: bool,
    subresource: str,
    api_version: str,
    now: str,
    schema: CompiledSchema | None,
    reset_fields: Collection[str] | None = None,
) -> dict[str, Any]:
    """Server-side apply ``config`` to ``live``.

    Args:
        live: The stored object, or None when the apply creates it.
        config: The apply configuration (already decoded from YAML/JSON).
        manager: The ``fieldManager``.
        force: ``force=true``: take conflicting fields from their owners.
        subresource: ``""`` for the main resource, ``status`` for ``/status``.
        api_version: The request's apiVersion (``group/version`` or ``v1``).
        now: The RFC 3339 time to record.
        schema: The CRD version's schema (list types), None for built-ins.
        reset_fields: Top-level fields this endpoint ignores in the configuration (neither
            applied nor owned). None: everything but ``status`` on ``/status``, nothing on the
            main resource; pass ``("status",)`` for the main resource of a kind with a status
            subresource.

    Returns:
        The new object with ``metadata.managedFields`` updated. A live object without
        managedFields first gets a ``before-first-apply`` Update entry owning all its fields,
        as the server does.

    Raises:
        ApplyConflict: Another manager owns a field the configuration changes and ``force`` is
            false.
    """
    kind = str(config.get("kind") or (live or {}).get("kind") or "")
    lt = list_types_for(kind, schema)
    base = _bare(live)
    applied = _reset(_bare(config), subresource, reset_fields)
    entries = _entries(live)
    if live is not None and not entries:
        first = ManagerEntry(
            "before-first-apply",
            "Update",
            str(live.get("apiVersion") or api_version),
            now,
            FieldSet(_clean(to_field_set(base, lt))),
        )
        entries = [first]
    me = ManagerEntry(manager, "Apply", api_version, now, FieldSet(), subresource)
    previous = next((e for e in entries if e.identity == me.identity), None)
    others = [e for e in entries if e.identity != me.identity]
    me.fields = FieldSet(_clean(to_field_set(applied, lt)))

    merged = apply_merge(base, applied, lt)
    if previous is not None:
        owned = me.fields
        for other in others:
            owned = owned.union(other.fields)
        stale = {p for p in previous.fields.difference(me.fields) if not owned.has_prefix(p)}
        merged = remove_paths(merged, stale, lt)

    diff = compare(base, merged, lt)
    changed = _clean(diff.added | diff.modified)
    conflicts = [
        (other.manager, other.describe(), path_string(path))
        for other in others
        for path in other.fields.intersection(changed)
    ]
    if conflicts and not force:
        raise ApplyConflict(conflicts)
    removed = diff.removed
    if previous is not None and previous.fields == me.fields and not (changed or removed):
        me.time, me.api_version = previous.time, previous.api_version  # a no-op apply
    for other in others:
        other.fields = other.fields.difference(changed).without_prefixes(removed)
    result: dict[str, Any] = merged
    _store(result, [*others, me])
    return result


def record_update(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    *,
    manager: str,
    subresource: str,
    api_version: str,
    now: str,
    schema: CompiledSchema | None = None,
) -> None:
    """Record a non-apply write in ``new['metadata']['managedFields']`` (in place).

    Args:
        old: The stored object before the write, None on create.
        new: The object about to be stored. Its managedFields, if the request set a non-empty
            list, are the starting point, else the old object's (an empty list does not reset
            them); ``[{}]`` strips managedFields altogether, as on the real server.
        manager: The ``fieldManager`` (the server defaults it from the user agent).
        subresource: ``""`` or ``status``.
        api_version: The request's apiVersion.
        now: The RFC 3339 time to record.
        schema: The CRD version's schema (list types), None for built-ins.
    """
    meta = new.setdefault("metadata", {})
    requested = meta.get("managedFields")
    if requested == [{}]:
        meta.pop("managedFields", None)  # the documented way to strip managedFields
        return
    entries = _entries(new) if requested else _entries(old)
    kind = str(new.get("kind") or "")
    lt = list_types_for(kind, schema)
    diff = compare(_bare(old), _bare(new), lt)
    changed = _clean(diff.added | diff.modified)
    removed = diff.removed
    me = ManagerEntry(manager, "Update", api_version, now, FieldSet(), subresource)
    kept: list[ManagerEntry] = []
    for entry in entries:
        if entry.identity == me.identity:
            me.fields = entry.fields
            continue
        entry.fields = entry.fields.difference(changed).without_prefixes(removed)
        kept.append(entry)
    if changed or removed:
        me.fields = me.fields.union(changed).without_prefixes(removed)
    else:
        me.time = next((e.time for e in entries if e.identity == me.identity), now)
    kept.append(me)
    _store(new, kept)

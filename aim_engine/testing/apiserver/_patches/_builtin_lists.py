"""How lists of built-in kinds merge: strategic-merge keys and server-side-apply list types.

Built-in kinds have no CRD schema, so the fake carries a small table of the lists operators
touch. :func:`builtin_list` answers, for a list at a field path (field names only, list
positions left out), both:

* the strategic-merge-patch behaviour (``patchStrategy``/``patchMergeKey``): merge items by a
  key, merge a list of primitives as a set, or replace the list; and
* the server-side-apply behaviour (``x-kubernetes-list-type`` and ``list-map-keys``), which for a
  few lists uses more keys than strategic merge (container ports by ``containerPort`` and
  ``protocol``).

Lists not in the table are atomic (replaced whole) in both. :func:`builtin_atomic_object`
names the few objects server-side apply treats as one leaf (label selectors of workloads).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ListRule", "builtin_atomic_object", "builtin_list"]


@dataclass(frozen=True)
class ListRule:
    """Merge behaviour of one built-in list.

    Attributes:
        smp_key: Strategic-merge ``patchMergeKey`` (None: no key).
        smp_merge: True when strategic merge merges the list (``patchStrategy: merge``).
        ssa_type: Server-side-apply list type: ``map``, ``set`` or ``atomic``.
        ssa_keys: Server-side-apply list-map keys.
        key_defaults: Defaults of key fields an item may omit (``protocol: TCP``).
    """

    smp_key: str | None
    smp_merge: bool
    ssa_type: str
    ssa_keys: tuple[str, ...] = ()
    key_defaults: tuple[tuple[str, str], ...] = ()


_BY_NAME = ListRule("name", True, "map", ("name",))
_ATOMIC = ListRule(None, False, "atomic")
_SET = ListRule(None, True, "set")
_CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})
_TCP = (("protocol", "TCP"),)

# (parent list or field, list field) -> rule; parent "*" matches anywhere.
_TABLE: dict[tuple[str, str], ListRule] = {
    ("*", "containers"): _BY_NAME,
    ("*", "initContainers"): _BY_NAME,
    ("*", "ephemeralContainers"): _BY_NAME,
    ("*", "volumes"): _BY_NAME,
    ("*", "imagePullSecrets"): _BY_NAME,
    ("*", "env"): _BY_NAME,
    ("*", "volumeMounts"): ListRule("mountPath", True, "map", ("mountPath",)),
    ("*", "volumeDevices"): ListRule("devicePath", True, "map", ("devicePath",)),
    ("*", "hostAliases"): ListRule("ip", True, "map", ("ip",)),
    ("*", "conditions"): ListRule("type", True, "map", ("type",)),
    ("*", "ownerReferences"): ListRule("uid", True, "map", ("uid",)),
    ("*", "finalizers"): _SET,
    ("*", "tolerations"): _ATOMIC,
    ("*", "envFrom"): _ATOMIC,
    ("*", "args"): _ATOMIC,
    ("*", "command"): _ATOMIC,
    ("*", "topologySpreadConstraints"): ListRule(
        "topologyKey", True, "map", ("topologyKey", "whenUnsatisfiable")
    ),
    ("*", "resourceClaims"): _BY_NAME,
    ("*", "secrets"): _BY_NAME,
}


def builtin_list(kind: str, path: tuple[str, ...]) -> ListRule:
    """The merge rule of the built-in list at ``path``.

    Args:
        kind: The object's kind (``Service`` ports differ from container ports).
        path: Field names from the root, list positions left out.

    Returns:
        The rule; atomic for lists the table does not know.
    """
    if not path:
        return _ATOMIC
    name = path[-1]
    parent = path[-2] if len(path) > 1 else ""
    if name == "ports":
        if parent in _CONTAINER_LISTS:
            return ListRule("containerPort", True, "map", ("containerPort", "protocol"), _TCP)
        if kind == "Service" and path == ("spec", "ports"):
            return ListRule("port", True, "map", ("port", "protocol"), _TCP)
        return _ATOMIC
    if name == "conditions" and parent != "status" and path[:1] != ("status",):
        return _ATOMIC
    return _TABLE.get(("*", name), _ATOMIC)


_ATOMIC_SELECTOR_KINDS = frozenset(
    {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "PodDisruptionBudget"}
)


def builtin_atomic_object(kind: str, path: tuple[str, ...]) -> bool:
    """Whether server-side apply treats the built-in object at ``path`` as atomic.

    Args:
        kind: The object's kind.
        path: Field names from the root, list positions left out.

    Returns:
        True for ``spec.selector`` of workloads (a ``LabelSelector``, atomic in the API).
    """
    return path == ("spec", "selector") and kind in _ATOMIC_SELECTOR_KINDS

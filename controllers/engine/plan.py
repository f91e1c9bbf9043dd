"""A domain's plan, and how the pipeline turns it into apply bodies (spec §4.1 step 10).

:class:`Plan` is what a domain's pure ``plan`` returns: objects to apply with an owner reference
to the reconciled object (``apply``), objects to apply without one (``apply_unowned``, e.g. a
shared cache that must outlive its creator), objects to delete, labels to propagate, and an
optional ``requeue_after``.

:func:`prepare` makes the apply bodies, without touching the domain's objects:

* propagated labels (the parent's labels the runtime config selects, see
  :func:`propagated_labels`), then the controller labels ``app.kubernetes.io/managed-by:
  aim-<controller>-controller`` and ``aim.eai.amd.com/<controller>.name: <parent>``; a key the
  object already has is never overwritten; Jobs get the same labels (except managed-by) on their
  pod template;
* owned objects get a controller ``ownerReference`` to the parent (``controller: true``, no
  ``blockOwnerDeletion``, an existing reference to the same owner replaced);
* each group is sorted by ``(apiVersion, kind, namespace, name)``, so two reconciles of the same
  state send the same requests in the same order.
"""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aim_engine import RawObject, name_of, namespace_of, set_controller_reference
from aim_engine.api.v1alpha1.labels import Labels, controller_name_label, managed_by_value

__all__ = ["ObjectRef", "Plan", "Prepared", "apply_order", "prepare", "propagated_labels"]


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """An object to delete: ``apiVersion``, ``kind``, namespace (``""``: cluster) and name."""

    api_version: str
    kind: str
    namespace: str
    name: str


@dataclass(frozen=True, slots=True)
class Plan:
    """What a domain wants the world to look like.

    Attributes:
        apply: objects owned by the reconciled object (garbage-collected with it).
        apply_unowned: objects applied without an owner reference.
        delete: objects to delete (a missing one is fine).
        labels: labels to propagate from the parent onto every applied object.
        requeue_after: seconds after which to reconcile again, or ``None``.
    """

    apply: Sequence[RawObject] = ()
    apply_unowned: Sequence[RawObject] = ()
    delete: Sequence[ObjectRef] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    requeue_after: float | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """Apply bodies in apply order: the owned group first, then the unowned one."""

    owned: list[RawObject]
    unowned: list[RawObject]


def apply_order(obj: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The sort key of an apply body: ``(apiVersion, kind, namespace, name)``."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    return (api_version, kind, namespace_of(obj), name_of(obj))


def propagated_labels(
    parent_labels: Mapping[str, str] | None, patterns: Iterable[str] | None, *, enabled: bool
) -> dict[str, str]:
    """The parent's labels whose keys match any pattern (shell-style, Go ``filepath.Match``).

    Returns an empty mapping when propagation is disabled or there is nothing to match.
    """
    if not enabled or not parent_labels:
        return {}
    pats = list(patterns or ())
    return {k: v for k, v in parent_labels.items() if any(fnmatch.fnmatchcase(k, p) for p in pats)}


def _add_missing(target: dict[str, Any], labels: Mapping[str, str]) -> None:
    for key, value in labels.items():
        target.setdefault(key, value)


def _label(obj: RawObject, labels: Mapping[str, str]) -> None:
    _add_missing(obj.setdefault("metadata", {}).setdefault("labels", {}), labels)
    if obj.get("kind") == "Job" and str(obj.get("apiVersion", "")).startswith("batch/"):
        template = obj.setdefault("spec", {}).setdefault("template", {})
        pod_labels = template.setdefault("metadata", {}).setdefault("labels", {})
        _add_missing(pod_labels, {k: v for k, v in labels.items() if k != Labels.K8S_MANAGED_BY})


def prepare(plan: Plan, parent: RawObject, controller: str) -> Prepared:
    """Apply bodies for ``plan`` (module docstring); the plan's objects are not modified.

    Raises:
        aim_engine.errors.OwnerReferenceError: an owned object cannot be owned by the parent
            (another controller owns it, or a cross-namespace reference).
    """
    labels = {
        **plan.labels,
        Labels.K8S_MANAGED_BY: managed_by_value(controller),
        controller_name_label(controller): name_of(parent),
    }
    # Later entries win in the dict above, so the controller labels beat propagated ones.
    owned: list[RawObject] = []
    for obj in plan.apply:
        body = copy.deepcopy(obj)
        _label(body, labels)
        set_controller_reference(parent, body, block_owner_deletion=False)
        owned.append(body)
    unowned: list[RawObject] = []
    for obj in plan.apply_unowned:
        body = copy.deepcopy(obj)
        _label(body, labels)
        unowned.append(body)
    return Prepared(sorted(owned, key=apply_order), sorted(unowned, key=apply_order))

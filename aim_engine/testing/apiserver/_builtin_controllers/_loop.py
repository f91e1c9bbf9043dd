"""The control-plane loops a real cluster runs in kube-controller-manager.

kube-apiserver alone never deletes dependents or empties a terminating namespace; the garbage
collector and the namespace controller do (and kube-apiserver's own CRD finalizer deletes the
objects of a deleted CRD before the CRD goes). The fake runs them here, as one task woken after
every write (optionally after ``gc_delay`` seconds of loop time, to expose code that assumes
deletion is instantaneous). :func:`reconcile_once` is synchronous and returns whether it
changed anything; the loop repeats it until the cluster is quiet.
"""

from __future__ import annotations

import asyncio
import copy
import logging

from aim_engine.testing.apiserver._storage._state import ClusterState
from aim_engine.testing.apiserver._verbs import _crd as crd
from aim_engine.testing.apiserver._verbs._crd import CLEANUP_FINALIZER
from aim_engine.testing.apiserver._verbs._deletion import FOREGROUND, delete_stored, dependents_of

__all__ = ["ControllerLoop", "reconcile_once"]

_log = logging.getLogger(__name__)


def _collect_garbage(state: ClusterState) -> bool:
    changed = False
    live = {obj["metadata"].get("uid"): obj for _, obj in state.store.all_items()}
    for key, obj in state.store.all_items():
        refs = obj["metadata"].get("ownerReferences") or ()
        if not refs:
            continue
        res = state.resources.get(key[0], key[1])
        if res is None:
            continue
        owners = [live.get(r.get("uid")) for r in refs]
        alive = [o for o in owners if o is not None]
        foreground = any(
            o["metadata"].get("deletionTimestamp")
            and FOREGROUND in (o["metadata"].get("finalizers") or ())
            for o in alive
        )
        if (not alive or foreground) and not obj["metadata"].get("deletionTimestamp"):
            delete_stored(state, res, key, obj, "Foreground" if foreground else "Background")
            changed = True
    for key, obj in state.store.all_items():
        md = obj["metadata"]
        if not md.get("deletionTimestamp") or FOREGROUND not in (md.get("finalizers") or ()):
            continue
        if dependents_of(state, md.get("uid", "")):
            continue
        new = copy.deepcopy(obj)
        new["metadata"]["finalizers"] = [f for f in md["finalizers"] if f != FOREGROUND]
        if not new["metadata"]["finalizers"]:
            del new["metadata"]["finalizers"]
            state.store.remove(key, final=new)
        else:
            state.store.put(key, new, obj)
        changed = True
    return changed


def _finalize_namespaces(state: ClusterState) -> bool:
    changed = False
    for key, ns in state.store.all_items():
        if key[:2] != ("", "namespaces") or not ns["metadata"].get("deletionTimestamp"):
            continue
        name = ns["metadata"]["name"]
        remaining = [
            (k, o)
            for k, o in state.store.all_items()
            if k[2] == name and k[:2] != ("", "namespaces")
        ]
        for k, obj in remaining:
            res = state.resources.get(k[0], k[1])
            if res is not None and res.namespaced and not obj["metadata"].get("deletionTimestamp"):
                delete_stored(state, res, k, obj, "Background")
                changed = True
        if any(k[2] == name for k, _ in state.store.all_items() if k[:2] != ("", "namespaces")):
            continue
        final = copy.deepcopy(ns)
        final.setdefault("spec", {})["finalizers"] = []
        if ns["metadata"].get("finalizers"):
            if final != ns:
                state.store.put(key, final, ns)
                changed = True
            continue
        state.store.remove(key, final=final)
        changed = True
    return changed


def _clean_up_crds(state: ClusterState) -> bool:
    """kube-apiserver's CRD finalizer: delete a terminating CRD's objects, then the CRD."""
    changed = False
    for key, obj in state.store.all_items():
        md = obj["metadata"]
        if not crd.is_crd(obj) or CLEANUP_FINALIZER not in (md.get("finalizers") or ()):
            continue
        if not md.get("deletionTimestamp"):
            continue
        group, plural = crd.served_names(obj)
        res = state.resources.get(group, plural)
        remaining = state.store.items(group, plural) if res is not None else []
        for item in remaining:
            imd = item["metadata"]
            if res is not None and not imd.get("deletionTimestamp"):
                item_key = state.key(res, imd.get("namespace", ""), imd["name"])
                delete_stored(state, res, item_key, item, "Background")
                changed = True
        if state.store.items(group, plural):
            continue  # objects held by their own finalizers
        new = copy.deepcopy(obj)
        finalizers = [f for f in md["finalizers"] if f != CLEANUP_FINALIZER]
        if finalizers:
            new["metadata"]["finalizers"] = finalizers
            state.store.put(key, new, obj)
        else:
            del new["metadata"]["finalizers"]
            gone = state.store.remove(key, final=new)
            crd.after_remove(state, gone or new)
        changed = True
    return changed


def reconcile_once(state: ClusterState) -> bool:
    """One pass of the garbage collector, the namespace controller and the CRD cleanup.

    The pass walks every object, so it is skipped when the store knows that nothing is being
    deleted and no ownership changed since the last pass (writes that touch neither, the common
    case, then cost nothing here however many objects the fake holds).
    """
    store = state.store
    if not store.controllers_may_have_work():
        return False
    epoch = store.gc_epoch
    changed = _collect_garbage(state)
    changed = _clean_up_crds(state) or changed
    changed = _finalize_namespaces(state) or changed
    store.controllers_saw(epoch)
    return changed


class ControllerLoop:
    """Runs :func:`reconcile_once` whenever the state changes; :meth:`wait_idle` awaits quiet."""

    def __init__(self, state: ClusterState) -> None:
        self._state = state
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        state.wake_controllers = self._wake_up

    def _wake_up(self) -> None:
        self._idle.clear()
        self._wake.set()

    def run_now(self) -> None:
        """Reconcile synchronously until nothing changes (for a server that is not running)."""
        for _ in range(100):
            if not reconcile_once(self._state):
                break
        self._wake.clear()
        self._idle.set()

    async def wait_idle(self) -> None:
        """Wait until every pending garbage collection and namespace cleanup is done."""
        await self._idle.wait()

    async def run(self) -> None:
        """Serve until cancelled."""
        while True:
            if not self._wake.is_set():
                self._idle.set()
            await self._wake.wait()
            self._wake.clear()
            if self._state.options.gc_delay > 0:
                await asyncio.sleep(self._state.options.gc_delay)
            try:
                for _ in range(100):
                    if not reconcile_once(self._state):
                        break
            except Exception:  # a bug here must not kill the server  # noqa: BLE001
                _log.exception("fake apiserver controller pass failed")

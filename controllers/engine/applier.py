"""Sending a plan to the API server, and *not* sending it when nothing changed.

Server-side apply of an unchanged body is a no-op on the server, but it is still a write
request; a level-based controller reconciles often (every status change of a child, every
resync), so "apply everything every time" is a steady stream of PATCHes for nothing. The
:class:`Applier` remembers, per child, a digest of the body it last applied and the
``resourceVersion`` the server answered. An apply is skipped when the desired body has the same
digest **and** the informer cache still holds that ``resourceVersion`` (nobody, including the
child's own controller, has written the object since). Anything else (a new body, someone's
edit, a status update of the child, a cache that has not caught up, a kind the cache does not
watch, a restart that emptied the memory) sends the apply, which is always correct.

Deletes are skipped when the cache says the object is already gone. The memory is bounded
(:data:`MEMORY_SIZE` children, oldest forgotten first) and belongs to one pipeline instance.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence

from aim_engine import (
    AimEngineError,
    Client,
    NotFoundError,
    RawObject,
    Reader,
    ResourceKind,
    meta,
    name_of,
    namespace_of,
)
from controllers.engine.plan import ObjectRef

__all__ = ["MEMORY_SIZE", "Applier"]

MEMORY_SIZE = 10_000
"""Children whose last apply is remembered."""

_Key = tuple[str, str, str, str]


def _digest(body: RawObject, field_manager: str, force: bool) -> str:
    text = json.dumps([body, field_manager, force], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _key(body: RawObject) -> _Key:
    return (str(body.get("apiVersion")), str(body.get("kind")), namespace_of(body), name_of(body))


class Applier:
    """Applies and deletes for one pipeline (module docstring).

    Args:
        client: the API client.
        reader: the informer cache, consulted to skip unneeded requests.
        field_manager: the server-side apply field manager.
        force: apply with ``force``.
    """

    def __init__(self, client: Client, reader: Reader, *, field_manager: str, force: bool) -> None:
        self._client = client
        self._reader = reader
        self._manager = field_manager
        self._force = force
        self._applied: OrderedDict[_Key, tuple[str, str]] = OrderedDict()

    def _cached(self, kind: ResourceKind, name: str, namespace: str) -> RawObject | None:
        """The cached object; ``None`` if absent or the cache cannot tell."""
        try:
            return self._reader.get(kind, name, namespace or None)
        except AimEngineError:  # not found, kind not watched, cache not synced: cannot tell
            return None

    async def apply(self, bodies: Sequence[RawObject]) -> int:
        """Apply ``bodies`` in order, skipping unchanged ones; returns how many were sent.

        Raises:
            aim_engine.errors.ApiError, aim_engine.errors.TransportError: the first failure
                (later bodies are not attempted).
        """
        sent = 0
        for body in bodies:
            key = _key(body)
            digest = _digest(body, self._manager, self._force)
            kind = await self._client.resolve_kind(key[0], key[1])
            remembered = self._applied.get(key)
            if remembered is not None and remembered[0] == digest:
                cached = self._cached(kind, key[3], key[2])
                if cached is not None and meta(cached).get("resourceVersion") == remembered[1]:
                    continue
            self._applied.pop(key, None)
            result = await self._client.apply(
                body, field_manager=self._manager, force=self._force, kind=kind
            )
            sent += 1
            self._applied[key] = (digest, str(meta(result).get("resourceVersion") or ""))
            while len(self._applied) > MEMORY_SIZE:
                self._applied.popitem(last=False)
        return sent

    async def delete(self, refs: Sequence[ObjectRef]) -> int:
        """Delete each object the cache does not already know to be gone; returns requests sent.

        Raises:
            aim_engine.errors.ApiError, aim_engine.errors.TransportError: a delete failed
                (NotFound is success).
        """
        sent = 0
        for ref in refs:
            kind = await self._client.resolve_kind(ref.api_version, ref.kind)
            self._applied.pop((ref.api_version, ref.kind, ref.namespace, ref.name), None)
            try:
                self._reader.get(kind, ref.name, ref.namespace or None)
            except NotFoundError:
                continue
            except AimEngineError:
                pass  # the cache cannot tell: ask the server
            sent += 1
            try:
                # Background: dependents go with it (a Job's default would orphan its pods).
                await self._client.delete(
                    kind, ref.name, ref.namespace or None, propagation_policy="Background"
                )
            except NotFoundError:
                continue
        return sent

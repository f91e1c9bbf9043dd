"""The :class:`Client`: typed verbs over raw JSON objects.

Callers hand in a :class:`~aim_engine.kinds.ResourceKind` and plain ``dict`` objects and get
plain ``dict`` objects back; errors are always from :mod:`aim_engine.errors`. The verbs mirror
controller-runtime's client (get, list, create, replace, patch, apply, delete, plus watch for the
informers). Subresources (``status``, ``scale``) are a keyword on the verbs that support them;
``pods/log``, which answers text, has its own :meth:`Client.pod_logs`.

Namespaces: for ``create``, ``replace`` and ``apply`` the namespace defaults to the object's
``metadata.namespace``; it is ignored for cluster-scoped kinds.
"""

from __future__ import annotations

import asyncio
import builtins
import enum
import os
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Literal

from prometheus_client import CollectorRegistry

from aim_engine.client import _config
from aim_engine.client._discovery import Discovery
from aim_engine.client._pod_logs import read_pod_log
from aim_engine.client._query import QueryValue, build_query
from aim_engine.client._rest import Transport, json_body
from aim_engine.client._watch import WatchStream
from aim_engine.clock import Clock
from aim_engine.errors import ConfigurationError
from aim_engine.kinds import KindCatalog, ResourceKind
from aim_engine.objects import RawObject, name_of, namespace_of, resource_version_of

__all__ = ["Client", "PatchType", "PropagationPolicy"]

PropagationPolicy = Literal["Background", "Foreground", "Orphan"]


class PatchType(enum.StrEnum):
    """Patch flavours, by the ``Content-Type`` that selects them."""

    MERGE = "application/merge-patch+json"
    """RFC 7386 JSON merge patch: maps merge, ``null`` deletes, lists are replaced."""
    JSON = "application/json-patch+json"
    """RFC 6902 JSON patch: a list of operations (``test`` makes it conditional)."""
    STRATEGIC = "application/strategic-merge-patch+json"
    """Strategic merge patch: built-in kinds only (custom resources answer 415)."""
    APPLY = "application/apply-patch+yaml"
    """Server-side apply; needs a field manager."""


def _dry_run(dry_run: bool) -> str | None:
    return "All" if dry_run else None


class Client:
    """An async Kubernetes API client working in raw JSON.

    Build one with :meth:`auto`, :meth:`from_kubeconfig`, :meth:`in_cluster` or
    :meth:`from_host`, and close it with :meth:`close` (or use ``async with``).

    Args:
        configuration: a kubernetes-asyncio ``Configuration`` (advanced; prefer the
            constructors).
        registry: where ``rest_client_requests_total`` is counted; ``None`` disables metrics.
        kinds: the kind registry (defaults to a fresh one with the built-in kinds).
        timeout: total seconds per non-watch request; ``None`` (default) for no limit.

    Attributes:
        kinds: the client's :class:`~aim_engine.kinds.KindCatalog`; add custom kinds to it.
    """

    def __init__(
        self,
        configuration: Any,
        *,
        registry: CollectorRegistry | None = None,
        kinds: KindCatalog | None = None,
        timeout: float | None = None,
    ) -> None:
        self.kinds = kinds if kinds is not None else KindCatalog()
        self._transport = Transport(configuration, registry=registry, timeout=timeout)
        self._discovery = Discovery(self._get_path)

    # -- construction -----------------------------------------------------------------------

    @classmethod
    async def from_kubeconfig(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        context: str | None = None,
        registry: CollectorRegistry | None = None,
    ) -> Client:
        """A client for a kubeconfig file (default: ``$KUBECONFIG``, then ``~/.kube/config``).

        Raises:
            ConfigurationError: no kubeconfig found, or it is invalid.
        """
        found = await asyncio.to_thread(_config.find_kubeconfig, path)
        if found is None:
            raise ConfigurationError("no kubeconfig: pass a path or set KUBECONFIG")
        cfg = await _config.configuration_from_kubeconfig(found, context=context)
        return cls(cfg, registry=registry)

    @classmethod
    async def from_kubeconfig_dict(
        cls,
        config: Mapping[str, Any],
        *,
        context: str | None = None,
        registry: CollectorRegistry | None = None,
    ) -> Client:
        """A client for an already parsed kubeconfig document.

        Raises:
            ConfigurationError: the document is invalid.
        """
        cfg = await _config.configuration_from_kubeconfig_dict(config, context=context)
        return cls(cfg, registry=registry)

    @classmethod
    def in_cluster(
        cls,
        *,
        registry: CollectorRegistry | None = None,
        token_file: str = _config.SERVICE_ACCOUNT_TOKEN,
        ca_file: str = _config.SERVICE_ACCOUNT_CA,
        environ: Mapping[str, str] | None = None,
        clock: Clock | None = None,
    ) -> Client:
        """A client for the pod's service account (token re-read every minute on rotation).

        Raises:
            ConfigurationError: not running in a pod, or the token or CA file is unusable.
        """
        cfg = _config.configuration_in_cluster(
            token_file=token_file, ca_file=ca_file, environ=environ, clock=clock
        )
        return cls(cfg, registry=registry)

    @classmethod
    def from_host(
        cls,
        host: str,
        *,
        token: str | None = None,
        ca_file: str | None = None,
        verify_ssl: bool = True,
        cert_file: str | None = None,
        key_file: str | None = None,
        registry: CollectorRegistry | None = None,
    ) -> Client:
        """A client for an explicit server URL (``https://host:port``)."""
        cfg = _config.configuration_for_host(
            host,
            token=token,
            ca_file=ca_file,
            verify_ssl=verify_ssl,
            cert_file=cert_file,
            key_file=key_file,
        )
        return cls(cfg, registry=registry)

    @classmethod
    async def auto(
        cls, *, kubeconfig: str | None = None, registry: CollectorRegistry | None = None
    ) -> Client:
        """Kubeconfig (argument, ``$KUBECONFIG``, ``~/.kube/config``) if any, else in-cluster.

        Raises:
            ConfigurationError: neither a kubeconfig nor an in-cluster environment was found.
        """
        found = await asyncio.to_thread(_config.find_kubeconfig, kubeconfig)
        if found is not None:
            return await cls.from_kubeconfig(found, registry=registry)
        if _config.in_cluster_available():
            return cls.in_cluster(registry=registry)
        raise ConfigurationError("no kubeconfig found and not running in a cluster")

    async def close(self) -> None:
        """Close the HTTP session."""
        await self._transport.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def host(self) -> str:
        """The API server URL."""
        return self._transport.host

    # -- kinds ------------------------------------------------------------------------------

    async def _get_path(self, path: str) -> Any:
        return (await self._transport.request("GET", path, resource=path)).body

    async def resolve_kind(self, api_version: str, kind: str) -> ResourceKind:
        """The :class:`ResourceKind` for ``apiVersion``/``kind``: the catalog first, then discovery.

        A kind found by discovery is added to :attr:`kinds`.

        Raises:
            NotFoundError: the server does not serve that kind.
        """
        known = self.kinds.get(api_version, kind)
        if known is not None:
            return known
        found = await self._discovery.find(api_version, kind)
        return self.kinds.add(found)

    # -- reads ------------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        kind: ResourceKind,
        path: str,
        *,
        query: Mapping[str, QueryValue] | None = None,
        body: Any = None,
        content_type: str = "application/json",
    ) -> Any:
        resp = await self._transport.request(
            method,
            path,
            query=build_query(query or {}),
            body=body,
            content_type=content_type,
            resource=kind.group_resource,
        )
        return resp.body

    async def get(
        self, kind: ResourceKind, name: str, namespace: str | None = None, *, subresource: str = ""
    ) -> RawObject:
        """Read one object (or one of its subresources).

        Raises:
            NotFoundError: it does not exist.
        """
        path = kind.object_path(name, namespace if kind.namespaced else None, subresource)
        obj: RawObject = await self._call("GET", kind, path)
        return obj

    async def list(
        self,
        kind: ResourceKind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_token: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
    ) -> RawObject:
        """One ``LIST`` request; returns the raw ``<Kind>List`` (``items``, ``metadata``).

        Raises:
            GoneError: ``continue_token`` expired; start the list again.
        """
        query: dict[str, QueryValue] = {
            "labelSelector": label_selector,
            "fieldSelector": field_selector,
            "limit": limit,
            "continue": continue_token,
            "resourceVersion": resource_version,
            "resourceVersionMatch": resource_version_match,
        }
        path = kind.collection_path(namespace if kind.namespaced else None)
        lst: RawObject = await self._call("GET", kind, path, query=query)
        return lst

    async def list_all(
        self,
        kind: ResourceKind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> tuple[builtins.list[RawObject], str]:
        """All objects, following ``continue`` tokens page by page.

        Returns:
            The items and the list's ``resourceVersion`` (of the first page, the snapshot
            every page belongs to), to start a watch from.

        Raises:
            GoneError: a continue token expired midway; list again.
        """
        items: builtins.list[RawObject] = []
        token: str | None = None
        list_rv: str | None = None
        while True:
            page = await self.list(
                kind,
                namespace,
                label_selector=label_selector,
                field_selector=field_selector,
                limit=page_size,
                continue_token=token,
            )
            meta = page.get("metadata") or {}
            if list_rv is None:
                list_rv = resource_version_of(page)
            items.extend(page.get("items") or [])
            token = meta.get("continue") or None
            if not token:
                return items, list_rv

    def watch(
        self,
        kind: ResourceKind,
        namespace: str | None = None,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int | None = None,
        allow_bookmarks: bool = True,
        send_initial_events: bool = False,
        read_timeout: float | None = None,
    ) -> WatchStream:
        """One watch request, as an async iterator of :class:`WatchEvent` (no reconnects).

        The request is sent on the first iteration. A normal close by the server ends the
        iteration; an in-stream error raises its :class:`~aim_engine.errors.ApiError`
        (:class:`~aim_engine.errors.GoneError` for an expired ``resource_version``); a dropped
        connection or ``read_timeout`` seconds without data raise
        :class:`~aim_engine.errors.TransportError`. Close it early with ``aclose()``.
        """
        query: dict[str, QueryValue] = {
            "watch": True,
            "resourceVersion": resource_version,
            "labelSelector": label_selector,
            "fieldSelector": field_selector,
            "timeoutSeconds": timeout_seconds,
            "allowWatchBookmarks": True if allow_bookmarks else None,
        }
        if send_initial_events:
            query["sendInitialEvents"] = True
            query["resourceVersionMatch"] = "NotOlderThan"
        path = kind.collection_path(namespace if kind.namespaced else None)
        pairs = build_query(query)

        def open_stream() -> Any:
            return self._transport.stream(
                path, query=pairs, read_timeout=read_timeout, resource=kind.group_resource
            )

        return WatchStream(open_stream)

    # -- writes -----------------------------------------------------------------------------

    @staticmethod
    def _namespace_for(
        kind: ResourceKind, obj: Mapping[str, Any], namespace: str | None
    ) -> str | None:
        if not kind.namespaced:
            return None
        return namespace or namespace_of(obj) or None

    async def create(
        self,
        kind: ResourceKind,
        obj: Mapping[str, Any],
        namespace: str | None = None,
        *,
        field_manager: str | None = None,
        dry_run: bool = False,
    ) -> RawObject:
        """Create an object (``POST``).

        Raises:
            AlreadyExistsError: the name is taken.
            InvalidError: the object failed validation.
        """
        path = kind.collection_path(self._namespace_for(kind, obj, namespace))
        query = {"fieldManager": field_manager, "dryRun": _dry_run(dry_run)}
        created: RawObject = await self._call("POST", kind, path, query=query, body=dict(obj))
        return created

    async def replace(
        self,
        kind: ResourceKind,
        obj: Mapping[str, Any],
        namespace: str | None = None,
        *,
        subresource: str = "",
        field_manager: str | None = None,
        dry_run: bool = False,
    ) -> RawObject:
        """Replace an object (``PUT``); with ``metadata.resourceVersion`` set this is conditional.

        Raises:
            ConflictError: the object changed since ``resourceVersion`` was read.
            NotFoundError: it does not exist.
        """
        ns = self._namespace_for(kind, obj, namespace)
        path = kind.object_path(name_of(obj), ns, subresource)
        query = {"fieldManager": field_manager, "dryRun": _dry_run(dry_run)}
        replaced: RawObject = await self._call("PUT", kind, path, query=query, body=dict(obj))
        return replaced

    async def patch(
        self,
        kind: ResourceKind,
        name: str,
        body: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        namespace: str | None = None,
        *,
        patch_type: PatchType = PatchType.MERGE,
        field_manager: str | None = None,
        force: bool | None = None,
        subresource: str = "",
        dry_run: bool = False,
    ) -> RawObject:
        """Patch an object; the ``Content-Type`` always follows ``patch_type``.

        ``force`` is only sent for :attr:`PatchType.APPLY` (the server rejects it otherwise).
        An apply that creates the object (HTTP 201) returns the created object.

        Raises:
            ConfigurationError: an apply patch without ``field_manager``, or a JSON patch body
                that is not a list of operations.
            NotFoundError: the object does not exist (for non-apply patches).
            InvalidError: the patched object is invalid, or a JSON patch ``test`` failed.
            ConflictError: server-side apply field conflict without ``force``.
        """
        if patch_type is PatchType.APPLY and not field_manager:
            raise ConfigurationError("server-side apply needs a field_manager")
        if (patch_type is PatchType.JSON) == isinstance(body, Mapping):
            raise ConfigurationError(
                "a JSON patch is a list of operations; other patch types take one object"
            )
        query: dict[str, QueryValue] = {
            "fieldManager": field_manager,
            "force": force if patch_type is PatchType.APPLY else None,
            "dryRun": _dry_run(dry_run),
        }
        path = kind.object_path(name, namespace if kind.namespaced else None, subresource)
        patched: RawObject = await self._call(
            "PATCH", kind, path, query=query, body=json_body(body), content_type=patch_type.value
        )
        return patched

    async def apply(
        self,
        obj: Mapping[str, Any],
        *,
        field_manager: str,
        force: bool = True,
        subresource: str = "",
        kind: ResourceKind | None = None,
        dry_run: bool = False,
    ) -> RawObject:
        """Server-side apply ``obj`` (creating it if needed) as ``field_manager``.

        The kind comes from ``obj``'s ``apiVersion``/``kind`` (registry, then discovery) unless
        given. ``obj`` should hold only the fields this manager owns.

        Raises:
            ConflictError: another manager owns a field and ``force`` is false.
            InvalidError: the result failed validation.
        """
        if kind is None:
            kind = await self.resolve_kind(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        return await self.patch(
            kind,
            name_of(obj),
            obj,
            self._namespace_for(kind, obj, None),
            patch_type=PatchType.APPLY,
            field_manager=field_manager,
            force=force,
            subresource=subresource,
            dry_run=dry_run,
        )

    async def delete(
        self,
        kind: ResourceKind,
        name: str,
        namespace: str | None = None,
        *,
        propagation_policy: PropagationPolicy | None = None,
        preconditions: Mapping[str, str] | None = None,
        grace_period_seconds: int | None = None,
        dry_run: bool = False,
    ) -> RawObject | None:
        """Delete an object.

        Returns:
            The object as the server last saw it (still present while finalizers or foreground
            deletion hold it), or the final ``Status``; ``None`` for an empty answer.

        Raises:
            NotFoundError: it does not exist.
            ConflictError: a precondition (``uid``, ``resourceVersion``) did not hold.
        """
        options: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if propagation_policy is not None:
            options["propagationPolicy"] = propagation_policy
        if preconditions:
            options["preconditions"] = dict(preconditions)
        if grace_period_seconds is not None:
            options["gracePeriodSeconds"] = grace_period_seconds
        if dry_run:
            options["dryRun"] = ["All"]
        path = kind.object_path(name, namespace if kind.namespaced else None)
        body = await self._call("DELETE", kind, path, body=options)
        return body if isinstance(body, dict) else None

    # -- text subresources -------------------------------------------------------------------

    async def pod_logs(
        self,
        namespace: str,
        name: str,
        container: str | None = None,
        *,
        tail_lines: int | None = None,
        limit_bytes: int | None = None,
        previous: bool = False,
    ) -> str:
        """The log of a container of pod ``namespace/name`` (``GET .../pods/{name}/log``).

        Args:
            namespace: the pod's namespace.
            name: the pod's name.
            container: which container; may be left out when the pod has exactly one.
            tail_lines: only the last lines.
            limit_bytes: at most this many bytes (default and cap when ``None``:
                :data:`~aim_engine.client.DEFAULT_LOG_LIMIT_BYTES`); the server cuts the log and
                the client never reads past the limit.
            previous: the log of the container's last terminated run.

        Raises:
            NotFoundError: no such pod.
            BadRequestError: no such container, several containers and none named, no
                previous run, or the kubelet refused (container still waiting).
            InvalidError: ``tail_lines`` below 0 or ``limit_bytes`` below 1.
        """
        return await read_pod_log(
            self._transport,
            namespace,
            name,
            container,
            tail_lines=tail_lines,
            limit_bytes=limit_bytes,
            previous=previous,
        )

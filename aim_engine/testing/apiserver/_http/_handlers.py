"""Resource requests: one handler that resolves the URL and dispatches on the API verb.

The verb follows kube-apiserver's request-info rules: GET on a collection is ``list`` (``watch``
with ``?watch=true|True|1``), GET on an object ``get``, POST ``create``, PUT ``update``, PATCH
``patch``, DELETE on an object ``delete`` and on a collection ``deletecollection``. Before
dispatching, fault rules and injected latency apply; :class:`ResourceHandler` also returns the
request's verb and resource for the request log.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from aiohttp import web

from aim_engine.testing.apiserver._http import _protobuf as protobuf
from aim_engine.testing.apiserver._http._faults import Faults
from aim_engine.testing.apiserver._http._pod_logs import serve_pod_log
from aim_engine.testing.apiserver._http._protobuf import PROTOBUF
from aim_engine.testing.apiserver._http._request_body import read_body
from aim_engine.testing.apiserver._http._request_options import check_write_options, timeout_seconds
from aim_engine.testing.apiserver._http._routing import ResourcePath
from aim_engine.testing.apiserver._http._tables import table_for, wants_table
from aim_engine.testing.apiserver._http._warning_headers import warning_headers
from aim_engine.testing.apiserver._http._watch import WatchHub, WatchParams, serve_watch
from aim_engine.testing.apiserver._status import (
    PageNotFoundError,
    StatusError,
    bad_request,
    method_not_allowed,
    parse_error,
    reasonless_status,
    status_body,
    unsupported_media_type,
)
from aim_engine.testing.apiserver._storage._selectors import (
    Selector,
    parse_field_selector,
    parse_label_selector,
)
from aim_engine.testing.apiserver._storage._state import ClusterState
from aim_engine.testing.apiserver._verbs._deletion import (
    delete_object,
    delete_stored,
    parse_delete_options,
)
from aim_engine.testing.apiserver._verbs._listing import list_objects
from aim_engine.testing.apiserver._verbs._patching import patch_object
from aim_engine.testing.apiserver._verbs._writes import (
    Target,
    commit_update,
    create_object,
    get_stored,
    require_resource_version,
    served_copy,
)

__all__ = ["RequestInfo", "ResourceHandler", "is_true", "json_response"]

_TRUE = frozenset({"1", "t", "T", "true", "True", "TRUE"})


def is_true(value: str | None) -> bool:
    """Go ``strconv.ParseBool`` truth, as kube-apiserver parses boolean query parameters."""
    return value in _TRUE


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A JSON response with kube-apiserver's content type."""
    return web.Response(
        status=status,
        body=json.dumps(body, separators=(",", ":")).encode(),
        content_type="application/json",
        headers=headers,
    )


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """What the request log records about a resource request."""

    verb: str
    plural: str
    namespace: str
    name: str


def _not_found_path() -> StatusError:
    return StatusError(
        404, status_body(404, "NotFound", "the server could not find the requested resource", {})
    )


def _verb(method: str, rp: ResourcePath, query: Mapping[str, str]) -> str:
    if method == "GET":
        if is_true(query.get("watch")):
            return "watch"
        return "get" if rp.name else "list"
    return {
        "POST": "create",
        "PUT": "update",
        "PATCH": "patch",
        "DELETE": "delete" if rp.name else "deletecollection",
    }.get(method, "")


async def _json_body(request: web.Request) -> Any:
    media = request.headers.get("Content-Type", "").split(";")[0].strip()
    accepted = ["application/json", "application/yaml", PROTOBUF]
    if media and media not in (*accepted, "*/*"):
        raise unsupported_media_type(media, accepted)
    raw = await read_body(request)
    if media == PROTOBUF:
        try:
            decoded = protobuf.decode(raw)
        except ValueError as exc:
            raise bad_request(f"unable to decode protobuf body: {exc}") from exc
        if decoded is None:
            raise unsupported_media_type(media, ["application/json", "application/yaml"])
        return decoded
    if not raw:
        return None
    try:
        if media == "application/yaml":
            return yaml.safe_load(raw.decode())
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise bad_request(f"couldn't get version/kind; json parse error: {exc}") from exc


def _manager(request: web.Request) -> str:
    manager = request.query.get("fieldManager")
    if manager:
        return manager
    agent = request.headers.get("User-Agent", "unknown")
    return agent.split("/")[0] or "unknown"


class ResourceHandler:
    """Serves every resource URL of one server."""

    def __init__(self, state: ClusterState, hub: WatchHub, faults: Faults) -> None:
        self.state, self.hub, self.faults = state, hub, faults

    def info(self, request: web.Request, rp: ResourcePath) -> RequestInfo:
        """Verb and resource of a request, for logging and fault matching."""
        return RequestInfo(
            _verb(request.method, rp, request.query), rp.plural, rp.namespace or "", rp.name
        )

    async def handle(self, request: web.Request, rp: ResourcePath) -> web.StreamResponse:
        """Answer one resource request.

        Raises:
            StatusError: for every failure (turned into a ``Status`` response by the app).
        """
        groups = self.state.resources.groups()
        if rp.version not in groups.get(rp.group, ()):
            if rp.group in groups:  # a known group (or the core API) without that version
                raise _not_found_path()
            raise PageNotFoundError()
        res = self.state.resources.lookup(rp.group, rp.version, rp.plural)
        if res is None or (rp.namespace is not None and not res.namespaced):
            raise _not_found_path()
        if rp.subresource == "log" and res.plural == "pods" and rp.namespace and rp.name:
            return await self._pod_log(request, rp)
        if (
            rp.subresource
            and not (rp.subresource == "status" and res.has_status(rp.version))
            and not (rp.subresource == "finalize" and res.plural == "namespaces")
        ):
            raise _not_found_path()
        query = request.query
        verb = _verb(request.method, rp, query)
        if not verb:
            raise method_not_allowed()
        if res.namespaced and rp.name and rp.namespace is None:
            raise _not_found_path()
        if res.namespaced and not rp.namespace and verb in ("create", "deletecollection"):
            raise method_not_allowed()
        if not rp.name and verb in ("update", "patch"):
            raise method_not_allowed()
        check_write_options(verb, query)
        delay = self.faults.delay_for(verb, res.plural)
        if delay > 0:
            await asyncio.sleep(delay)
        fault = self.faults.take(verb, res.plural, res.kind, res.group, rp.name)
        if fault is not None:
            raise fault
        validation = query.get("fieldValidation", "")
        if validation not in ("", "Ignore", "Warn", "Strict"):
            raise bad_request(
                f'fieldValidation: Unsupported value: "{validation}": supported values: "Ignore", '
                '"Strict", "Warn"'
            )
        t = Target(res, rp.version, rp.namespace or "", rp.name, rp.subresource, validation)
        table = wants_table(request.headers.get("Accept", ""))
        dry_run = query.get("dryRun") == "All"
        if verb in ("list", "watch", "deletecollection"):
            selector = Selector(
                parse_label_selector(query.get("labelSelector")),
                parse_field_selector(
                    query.get("fieldSelector"), res.plural, res.namespaced, custom=not res.builtin
                ),
            )
            if verb == "watch":
                return await self._watch(request, t, rp, selector, table)
            timeout_seconds(query)  # validated; a list answers at once
            if verb == "list":
                return self._list(request, t, rp, selector, table)
            return await self._delete_collection(request, t, selector)
        if verb == "get":
            obj = served_copy(res, get_stored(self.state, t), t.version)
            if table:
                return json_response(
                    table_for(
                        res,
                        t.version,
                        [obj],
                        self.state.clock.now(),
                        include_object=query.get("includeObject", "Metadata"),
                    )
                )
            return json_response(obj)
        if verb == "create":
            if rp.name:
                raise method_not_allowed()
            body = await _json_body(request)
            return json_response(
                create_object(self.state, t, body, manager=_manager(request), dry_run=dry_run),
                201,
                warning_headers(t.warnings),
            )
        if verb == "update":
            body = await _json_body(request)
            live = get_stored(self.state, t)
            require_resource_version(t, body)
            return json_response(
                commit_update(
                    self.state, t, live, body, manager=_manager(request), dry_run=dry_run
                ),
                headers=warning_headers(t.warnings),
            )
        if verb == "patch":
            code, obj = patch_object(
                self.state,
                t,
                request.headers.get("Content-Type", ""),
                await read_body(request),
                query,
                manager=_manager(request),
                dry_run=dry_run,
            )
            return json_response(obj, code, warning_headers(t.warnings))
        options = parse_delete_options(await _json_body(request), query)
        code, body = delete_object(self.state, t, options)
        return json_response(body, code)

    async def _pod_log(self, request: web.Request, rp: ResourcePath) -> web.Response:
        if request.method != "GET":
            raise method_not_allowed()
        delay = self.faults.delay_for("get", "pods/log")
        if delay > 0:
            await asyncio.sleep(delay)
        fault = self.faults.take("get", "pods/log", "Pod", "", rp.name)
        if fault is not None:
            raise fault
        return serve_pod_log(self.state, request.query, rp.namespace or "", rp.name)

    def _list(
        self, request: web.Request, t: Target, rp: ResourcePath, selector: Selector, table: bool
    ) -> web.Response:
        meta, items = list_objects(self.state, t, rp.namespace, selector, request.query)
        if table:
            return json_response(
                table_for(
                    t.resource,
                    t.version,
                    items,
                    self.state.clock.now(),
                    include_object=request.query.get("includeObject", "Metadata"),
                    list_meta=meta,
                )
            )
        if t.resource.builtin:
            for item in items:
                item.pop("apiVersion", None)
                item.pop("kind", None)
        else:
            meta.setdefault("continue", "")  # unstructured lists always carry it
        return json_response(
            {
                "apiVersion": t.api_version,
                "items": items,
                "kind": t.resource.list_kind,
                "metadata": meta,
            }
        )

    async def _watch(
        self, request: web.Request, t: Target, rp: ResourcePath, selector: Selector, table: bool
    ) -> web.StreamResponse:
        query = request.query
        timeout = timeout_seconds(query)
        rv = query.get("resourceVersion", "")
        if rv and not rv.isdigit():
            raise StatusError(
                500,
                reasonless_status(
                    500,
                    f'resourceVersion: Invalid value: "{rv}": ' + parse_error(rv, unsigned=True),
                ),
            )
        params = WatchParams(
            resource_version=query.get("resourceVersion", ""),
            timeout_seconds=timeout,
            bookmarks=is_true(query.get("allowWatchBookmarks")),
            send_initial_events=is_true(query.get("sendInitialEvents")),
            table=table,
            include_object=query.get("includeObject", "Metadata"),
        )
        return await serve_watch(
            request, self.state, self.hub, t.resource, t.version, rp.namespace, selector, params
        )

    async def _delete_collection(
        self, request: web.Request, t: Target, selector: Selector
    ) -> web.Response:
        options = parse_delete_options(await _json_body(request), request.query)
        policy = str(options.get("propagationPolicy") or "Background")
        dry_run = "All" in (options.get("dryRun") or ())
        deleted = []
        for obj in self.state.store.items(t.resource.group, t.resource.plural, t.namespace or None):
            if selector.matches(obj):
                key = self.state.key(
                    t.resource, obj["metadata"].get("namespace", ""), obj["metadata"]["name"]
                )
                _, last = delete_stored(self.state, t.resource, key, obj, policy, dry_run=dry_run)
                deleted.append(served_copy(t.resource, last, t.version))
        meta = {"resourceVersion": str(self.state.store.rv)}
        if not t.resource.builtin:
            meta["continue"] = ""
        return json_response(
            {
                "apiVersion": t.api_version,
                "kind": t.resource.list_kind,
                "metadata": meta,
                "items": deleted,
            }
        )

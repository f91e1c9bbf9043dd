"""The aiohttp application: authentication, the request log, errors as ``Status``, routing.

Every request goes through one middleware that checks the bearer token (when a token map is
configured), turns a raised :class:`~aim_engine.testing.apiserver.StatusError` into its JSON
``Status`` response (a handler bug is logged at ERROR and answers 500; a client that closed its
connection mid-response is a normal end, logged at DEBUG and recorded as status 499) and appends a
:class:`~aim_engine.testing.apiserver.RequestRecord` to the request log. One catch-all route
serves discovery, health, OpenAPI and (through
:class:`~aim_engine.testing.apiserver._http._handlers.ResourceHandler`) every resource URL,
because CRDs add resource URLs while the server runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from aim_engine.testing.apiserver._http import _discovery as discovery
from aim_engine.testing.apiserver._http import _openapi as openapi
from aim_engine.testing.apiserver._http._faults import Faults, RequestRecord
from aim_engine.testing.apiserver._http._handlers import ResourceHandler, json_response
from aim_engine.testing.apiserver._http._routing import parse_resource_path
from aim_engine.testing.apiserver._status import (
    PageNotFoundError,
    StatusError,
    internal_error,
    status_body,
    unauthorized,
)
from aim_engine.testing.apiserver._storage._state import ClusterState

__all__ = ["build_app"]

_log = logging.getLogger(__name__)
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_HEALTH = frozenset({"healthz", "readyz", "livez"})
CLIENT_CLOSED_REQUEST = 499
"""Status recorded in the request log when the client went away before the response ended."""


def _not_found() -> PageNotFoundError:
    return PageNotFoundError()


def _client_gone(request: web.Request) -> bool:
    """Whether the client's connection is closed or closing."""
    transport = request.transport
    return transport is None or transport.is_closing()


def _failure(request: web.Request, exc: Exception) -> web.StreamResponse:
    """Log a handler bug with its traceback and answer 500 like kube-apiserver."""
    _log.error("fake apiserver handler failed", extra={"path": request.path}, exc_info=exc)
    failure = internal_error(f"{type(exc).__name__}: {exc}")
    return json_response(failure.body, failure.code)


class _Api:
    def __init__(self, state: ClusterState, faults: Faults, resources: ResourceHandler) -> None:
        self.state, self.faults, self.resources = state, faults, resources

    def _authenticate(self, request: web.Request) -> None:
        tokens = self.state.options.tokens
        if tokens is None:
            return
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in tokens:
            raise unauthorized()

    @web.middleware
    async def middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        rp = parse_resource_path(request.path)
        info = self.resources.info(request, rp) if rp is not None else None
        status = 500
        try:
            self._authenticate(request)
            response = await handler(request)
            status = response.status
            return response
        except StatusError as err:
            status = err.code
            return json_response(err.body, err.code, err.headers)
        except PageNotFoundError:
            status = 404
            return web.Response(status=404, text="404 page not found\n", content_type="text/plain")
        except web.HTTPException:
            raise
        except asyncio.CancelledError:
            status = CLIENT_CLOSED_REQUEST  # aiohttp cancels the handler of a closed connection
            raise
        except ConnectionError as exc:
            if not _client_gone(request):
                status = 500
                return _failure(request, exc)
            # The client closed the connection mid-response: a normal end, not a failure.
            _log.debug("client closed the connection", extra={"path": request.path})
            status = CLIENT_CLOSED_REQUEST
            return web.Response(status=CLIENT_CLOSED_REQUEST)  # never reaches the client
        except Exception as exc:  # noqa: BLE001 - a bug in the fake answers 500 like the real one
            status = 500
            return _failure(request, exc)
        finally:
            self.faults.requests.append(
                RequestRecord(
                    method=request.method,
                    path=request.path,
                    query=dict(request.query),
                    verb=info.verb if info else "",
                    plural=info.plural if info else "",
                    namespace=info.namespace if info else "",
                    name=info.name if info else "",
                    status=status,
                    content_type=request.headers.get("Content-Type", ""),
                )
            )

    async def route(self, request: web.Request) -> web.StreamResponse:
        rp = parse_resource_path(request.path)
        if rp is not None:
            return await self.resources.handle(request, rp)
        if request.method != "GET":
            raise _not_found()
        return self._non_resource(request)

    def _non_resource(self, request: web.Request) -> web.StreamResponse:
        parts = [p for p in request.path.split("/") if p]
        table = self.state.resources
        if not parts:
            paths = [
                "/api",
                "/api/v1",
                "/apis",
                "/healthz",
                "/livez",
                "/openapi/v2",
                "/openapi/v3",
                "/readyz",
                "/version",
            ]
            return json_response({"paths": paths})
        if parts[0] in _HEALTH:
            return web.Response(text="ok", content_type="text/plain")
        doc = None
        if parts == ["version"]:
            doc = dict(self.state.options.version_info)
        elif parts == ["api"]:
            doc = discovery.api_versions(request.host)
        elif parts == ["apis"]:
            doc = discovery.api_group_list(table)
        elif len(parts) == 2 and parts[0] == "apis":
            doc = discovery.api_group(table, parts[1])
        elif len(parts) == 3 and parts[0] == "apis":
            doc = discovery.resource_list(table, parts[1], parts[2])
        elif len(parts) == 2 and parts[0] == "api":
            doc = discovery.resource_list(table, "", parts[1])
        elif parts == ["openapi", "v2"]:
            if "protobuf" in request.headers.get(
                "Accept", ""
            ) and "json" not in request.headers.get("Accept", ""):
                raise StatusError(
                    406, status_body(406, "NotAcceptable", "only application/json is served")
                )
            doc = openapi.v2_document(table)
        elif parts == ["openapi", "v3"]:
            doc = openapi.v3_root(table)
        elif len(parts) >= 4 and parts[:2] == ["openapi", "v3"]:
            gv = parts[2:]
            if gv[0] == "api" and len(gv) == 2:
                doc = openapi.v3_document(table, "", gv[1])
            elif gv[0] == "apis" and len(gv) == 3:
                doc = openapi.v3_document(table, gv[1], gv[2])
        if doc is None:
            raise _not_found()
        return json_response(doc)


def build_app(state: ClusterState, faults: Faults, resources: ResourceHandler) -> web.Application:
    """The aiohttp application of one fake API server."""
    api = _Api(state, faults, resources)
    app = web.Application(middlewares=[api.middleware], client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", api.route)
    return app

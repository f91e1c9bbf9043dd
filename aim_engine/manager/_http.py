"""The manager's HTTP servers: ``/metrics`` and the ``/healthz``/``/readyz`` probes (aiohttp).

Bind addresses follow kubebuilder flags: ``":8080"`` (all interfaces), ``"127.0.0.1:8081"``,
``"[::1]:8080"``; ``"0"`` (or an empty value) disables the server. Port ``0`` picks a free port,
reported by :attr:`HttpServer.port` (handy for tests). The socket is bound by us and handed to
aiohttp, so the real port is known before the first request. An address that parses but cannot
be bound (in use, not an address of this host, a privileged port) raises :class:`BindError`.
"""

from __future__ import annotations

import logging
import socket

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from aim_engine.errors import AimEngineError, ConfigurationError
from aim_engine.manager._health import HealthChecks

__all__ = ["BindError", "HttpServer", "metrics_app", "parse_bind_address", "probes_app"]

logger = logging.getLogger(__name__)


MAX_PORT = 65535


class BindError(AimEngineError):
    """A manager HTTP server cannot listen on its address (in use, not local, no permission)."""


def parse_bind_address(address: str | None) -> tuple[str, int] | None:
    """Split ``host:port``; ``None`` when the address disables the server.

    Raises:
        ConfigurationError: the address has no port, or the port is not a number from 0 to
            65535.
    """
    if address is None or address in ("", "0"):
        return None
    host, sep, port = address.rpartition(":")
    if not sep or not (port.isascii() and port.isdigit()):
        raise ConfigurationError(f"bind address {address!r} must look like host:port")
    if int(port) > MAX_PORT:
        raise ConfigurationError(f"bind address {address!r}: port must be 0 to {MAX_PORT}")
    return host.strip("[]"), int(port)


def _format_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def metrics_app(registry: CollectorRegistry) -> web.Application:
    """An app serving ``registry`` in the Prometheus text format at ``/metrics``."""

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    return app


def probes_app(*checks: HealthChecks) -> web.Application:
    """An app serving ``/<endpoint>`` and ``/<endpoint>/<check>`` for each set of checks."""
    app = web.Application()
    for group in checks:

        async def endpoint(request: web.Request, group: HealthChecks = group) -> web.Response:
            only = request.match_info.get("check")
            if only is not None and only not in group.names():
                return web.Response(status=404, text=f"no {group.endpoint} check {only!r}\n")
            results = await group.run(only=only, exclude=request.query.getall("exclude", []))
            status, body = group.render(results, verbose="verbose" in request.query)
            return web.Response(status=status, text=body)

        app.router.add_get(f"/{group.endpoint}", endpoint)
        app.router.add_get(f"/{group.endpoint}/{{check}}", endpoint)
    return app


class HttpServer:
    """One aiohttp application on one bound socket.

    Args:
        name: for logs (``metrics``, ``probes``).
        app: the application.
        host: interface to bind (``""`` for all).
        port: TCP port (``0`` picks one).
    """

    def __init__(self, name: str, app: web.Application, host: str, port: int) -> None:
        self.name = name
        self._app = app
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`; the configured one before)."""
        return self._port

    @property
    def serving(self) -> bool:
        """Whether :meth:`start` succeeded and :meth:`stop` was not called yet."""
        return self._runner is not None

    async def start(self) -> None:
        """Bind the socket and start serving.

        Raises:
            BindError: the address cannot be bound (or the host name does not resolve).
        """
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        try:
            sock = socket.create_server((self._host, self._port), family=family)
        except (OSError, OverflowError) as exc:
            # socket.create_server appends "(while attempting to bind on address ...)".
            reason = str(exc.strerror or exc) if isinstance(exc, OSError) else str(exc)
            reason = reason.split(" (while attempting", 1)[0]
            where = _format_address(self._host, self._port)
            raise BindError(f"{self.name} server cannot listen on {where}: {reason}") from exc
        sock.setblocking(False)
        self._port = sock.getsockname()[1]
        runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        self._runner = runner
        logger.info("serving", extra={"server": self.name, "host": self._host, "port": self._port})

    async def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

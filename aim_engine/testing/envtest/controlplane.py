"""A real kube-apiserver + etcd on loopback, for tests: :class:`ControlPlane`.

The API is synchronous on purpose: it is driven from pytest session fixtures and from the
``run`` command, never from an operator's event loop (an async test that needs one starts it in a
session fixture, or through ``asyncio.to_thread``)::

    with ControlPlane() as plane:              # binaries from find_assets()
        plane.kubeconfig_path                  # admin kubeconfig (CA embedded, bearer token)
        plane.url                              # https://127.0.0.1:<port>

``start()`` picks free loopback ports, writes throw-away certificates and an admin token file
into a temp dir, starts etcd (waits for ``/health``) and kube-apiserver (waits for ``/readyz``
and for the ``default`` namespace, which the apiserver creates shortly after it is ready), then
writes the kubeconfig. On any failure it stops what it started and raises
:class:`ControlPlaneStartError` with the tail of the failing process's log. ``stop()`` is
idempotent, also runs at interpreter exit, and removes the temp dir. ``restart()`` kills both
processes and starts them again on the same ports with the same certificates and token, so
clients keep working; ``restart(keep_state=False)`` first empties etcd's data directory, as a
restore of an empty etcd would: every object is gone and resourceVersions start over.

What this control plane does not do (the same as controller-runtime's envtest): there is no
kube-controller-manager, so no ownerReference garbage collection, no namespace finalization
(deleted namespaces stay ``Terminating``) and no default ServiceAccount; no scheduler, no kubelet.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aim_engine.testing.envtest.assets import (
    APISERVER,
    ENV_KUBECTL,
    ETCD,
    KUBECTL,
    find_assets,
    find_kubectl,
    has_control_plane,
)
from aim_engine.testing.envtest.certs import Certificates, generate_certificates
from aim_engine.testing.envtest.errors import (
    AssetsNotFoundError,
    ControlPlaneStartError,
    EnvtestError,
)
from aim_engine.testing.envtest.flags import (
    LOOPBACK,
    ApiserverConfig,
    EtcdConfig,
    apiserver_flags,
    etcd_flags,
    render_flags,
)
from aim_engine.testing.envtest.kubeconfig import USER_NAME, build_kubeconfig, write_kubeconfig
from aim_engine.testing.envtest.processes import ManagedProcess, log_tail

__all__ = ["ControlPlane", "free_ports", "token_file_line"]

_PROBE_INTERVAL = 0.25
_PROBE_TIMEOUT = 5.0
_ADMIN_GROUP = "system:masters"


def free_ports(count: int) -> list[int]:
    """``count`` distinct free TCP ports on loopback.

    The sockets are held open together (so the ports differ) and closed before returning; a
    process could in theory take one in between, as with any "find a free port" scheme.
    """
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind((LOOPBACK, 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def token_file_line(token: str, user: str, uid: str, groups: list[str]) -> str:
    """One line of kube-apiserver's ``--token-auth-file`` (CSV: token,user,uid,"group,...")."""
    return f'{token},{user},{uid},"{",".join(groups)}"\n'


@dataclass(frozen=True, slots=True)
class _Running:
    """State of a started control plane."""

    url: str
    token: str
    certs: Certificates
    kubeconfig_path: Path
    apiserver_log: Path
    etcd_log: Path
    etcd_config: EtcdConfig
    api_config: ApiserverConfig


class ControlPlane:
    """etcd + kube-apiserver processes with envtest's flags, an admin kubeconfig, and cleanup."""

    def __init__(
        self,
        assets_dir: Path | None = None,
        *,
        startup_timeout: float = 60.0,
        stop_grace: float = 10.0,
        extra_apiserver_flags: Mapping[str, str] | None = None,
        extra_etcd_flags: Mapping[str, str] | None = None,
    ) -> None:
        """Configure (not start) a control plane.

        Args:
            assets_dir: directory with kube-apiserver and etcd (default: :func:`find_assets`).
            startup_timeout: seconds for etcd and kube-apiserver to become ready.
            stop_grace: seconds between SIGTERM and SIGKILL on stop.
            extra_apiserver_flags: flags added to (or overriding, by name) the defaults, e.g.
                ``{"feature-gates": "Foo=true"}``.
            extra_etcd_flags: the same for etcd.
        """
        self._assets_dir = assets_dir
        self._startup_timeout = startup_timeout
        self._stop_grace = stop_grace
        self._extra_apiserver = dict(extra_apiserver_flags or {})
        self._extra_etcd = dict(extra_etcd_flags or {})
        self._tmp: Path | None = None
        self._processes: list[ManagedProcess] = []
        self._running: _Running | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start etcd and kube-apiserver and wait until the API answers.

        Raises:
            AssetsNotFoundError: no binaries were found.
            ControlPlaneStartError: a process exited or was not ready within the timeout.
            EnvtestError: already started.
        """
        if self._tmp is not None:
            raise EnvtestError("control plane already started")
        assets = self._resolve_assets()
        self._tmp = Path(tempfile.mkdtemp(prefix="aim-envtest-"))
        atexit.register(self.stop)
        try:
            self._running = self._start_in(assets, self._tmp)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop kube-apiserver, then etcd, and remove the temp dir. Safe to call twice."""
        atexit.unregister(self.stop)
        for process in reversed(self._processes):
            process.stop(self._stop_grace)
        self._processes.clear()
        self._running = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def restart(self, *, keep_state: bool = True) -> None:
        """Kill kube-apiserver and etcd (SIGKILL) and start them again on the same ports.

        Args:
            keep_state: ``False`` also deletes etcd's data directory first: the new cluster is
                empty (only what kube-apiserver creates at start-up), and the resourceVersions
                clients hold from before are in its future.

        Raises:
            ControlPlaneStartError: a process exited or was not ready within the timeout (the
                control plane is stopped).
            EnvtestError: not started.
        """
        running = self._state()
        for process in reversed(self._processes):
            process.kill()
        self._processes.clear()
        if not keep_state:
            shutil.rmtree(running.etcd_config.data_dir, ignore_errors=True)
        try:
            self._run_processes(
                self._resolve_assets(),
                running.etcd_config,
                running.api_config,
                running.token,
                time.monotonic() + self._startup_timeout,
            )
        except BaseException:
            self.stop()
            raise

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def is_running(self) -> bool:
        """Whether the control plane was started and both processes are alive."""
        return self._running is not None and all(p.is_running() for p in self._processes)

    # -- what tests use ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server URL, ``https://127.0.0.1:<port>``."""
        return self._state().url

    @property
    def token(self) -> str:
        """The admin's bearer token (user ``envtest-admin``, group ``system:masters``)."""
        return self._state().token

    @property
    def ca_cert_path(self) -> Path:
        """The CA certificate clients must trust."""
        return self._state().certs.ca_cert

    @property
    def kubeconfig_path(self) -> Path:
        """An admin kubeconfig (inside the temp dir, removed on stop)."""
        return self._state().kubeconfig_path

    @property
    def apiserver_log_path(self) -> Path:
        """kube-apiserver's combined output."""
        return self._state().apiserver_log

    @property
    def kubectl_path(self) -> Path | None:
        """kubectl: ``AIM_TEST_KUBECTL``, the one next to the binaries, or :func:`find_kubectl`."""
        explicit = os.environ.get(ENV_KUBECTL, "")
        if explicit:
            return Path(explicit)
        assets = self._assets_dir or find_assets()
        if assets is not None and (assets / KUBECTL).is_file():
            return assets / KUBECTL
        return find_kubectl()

    def kubeconfig(self) -> dict[str, Any]:
        """The admin kubeconfig as a dict."""
        state = self._state()
        return build_kubeconfig(state.url, state.certs.ca_cert.read_bytes(), state.token)

    def write_kubeconfig(self, path: Path) -> Path:
        """Write the admin kubeconfig to ``path`` too (mode 0600) and return it."""
        return write_kubeconfig(path, self.kubeconfig())

    # -- internals --------------------------------------------------------------------------

    def _state(self) -> _Running:
        if self._running is None:
            raise EnvtestError("control plane not started")
        return self._running

    def _resolve_assets(self) -> Path:
        assets = self._assets_dir or find_assets()
        if assets is None or not has_control_plane(assets):
            raise AssetsNotFoundError(
                f"no kube-apiserver and etcd in {assets or 'KUBEBUILDER_ASSETS or the cache'}; "
                "build them with: python -m aim_engine.testing.envtest install"
            )
        return assets

    def _start_in(self, assets: Path, tmp: Path) -> _Running:
        deadline = time.monotonic() + self._startup_timeout
        certs = generate_certificates(tmp / "pki")
        token = secrets.token_urlsafe(32)
        token_file = tmp / "tokens.csv"
        token_file.write_text(token_file_line(token, USER_NAME, USER_NAME, [_ADMIN_GROUP]))
        token_file.chmod(0o600)
        etcd_port, peer_port, api_port = free_ports(3)

        etcd_config = EtcdConfig(tmp / "etcd", etcd_port, peer_port)
        api_config = ApiserverConfig(etcd_config.client_url, certs, api_port, token_file)
        etcd, apiserver = self._run_processes(assets, etcd_config, api_config, token, deadline)
        kubeconfig = build_kubeconfig(api_config.url, certs.ca_cert.read_bytes(), token)
        kubeconfig_path = write_kubeconfig(tmp / "kubeconfig", kubeconfig)
        return _Running(
            api_config.url,
            token,
            certs,
            kubeconfig_path,
            apiserver.log_path,
            etcd.log_path,
            etcd_config,
            api_config,
        )

    def _run_processes(
        self,
        assets: Path,
        etcd_config: EtcdConfig,
        api_config: ApiserverConfig,
        token: str,
        deadline: float,
    ) -> tuple[ManagedProcess, ManagedProcess]:
        """Start etcd, then kube-apiserver, each waited for until ready."""
        tmp = api_config.token_file.parent
        etcd = self._spawn(
            ETCD, assets / ETCD, render_flags(etcd_flags(etcd_config, self._extra_etcd)), tmp
        )
        self._wait(etcd, deadline, lambda: _etcd_healthy(etcd_config.client_url), "etcd /health")
        flags = render_flags(apiserver_flags(api_config, self._extra_apiserver))
        apiserver = self._spawn(APISERVER, assets / APISERVER, flags, tmp)
        context = ssl.create_default_context(cafile=str(api_config.certs.ca_cert))
        probe = _ApiProbe(api_config.url, token, context)
        self._wait(apiserver, deadline, lambda: probe.ok("/readyz"), "kube-apiserver /readyz")
        self._wait(
            apiserver, deadline, lambda: probe.ok("/api/v1/namespaces/default"), "namespace default"
        )
        return etcd, apiserver

    def _spawn(self, name: str, binary: Path, flags: list[str], tmp: Path) -> ManagedProcess:
        process = ManagedProcess(name, [str(binary), *flags], tmp / f"{name}.log")
        self._processes.append(process)
        return process

    def _wait(
        self, process: ManagedProcess, deadline: float, ready: Callable[[], bool], what: str
    ) -> None:
        while not ready():
            if time.monotonic() >= deadline:
                raise ControlPlaneStartError(
                    f"{what} not ready after {self._startup_timeout:g}s; last lines of "
                    f"{process.name}'s log:",
                    log_tail(process.log_path),
                )
            code = process.wait_exit(_PROBE_INTERVAL)
            if code is not None:
                raise ControlPlaneStartError(
                    f"{process.name} exited with code {code} while waiting for {what}; "
                    "last lines of its log:",
                    log_tail(process.log_path),
                )


def _etcd_healthy(client_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{client_url}/health", timeout=_PROBE_TIMEOUT) as response:
            body = json.loads(response.read())
    except (OSError, ValueError):
        return False
    return isinstance(body, dict) and body.get("health") == "true"


@dataclass(frozen=True, slots=True)
class _ApiProbe:
    """Authenticated GETs against kube-apiserver during start-up."""

    url: str
    token: str
    context: ssl.SSLContext

    def ok(self, path: str) -> bool:
        request = urllib.request.Request(
            f"{self.url}{path}", headers={"Authorization": f"Bearer {self.token}"}
        )
        try:
            with urllib.request.urlopen(
                request, timeout=_PROBE_TIMEOUT, context=self.context
            ) as response:
                return int(response.status) == 200
        except (urllib.error.HTTPError, OSError):
            return False

"""Where connection settings come from: kubeconfig, in-cluster service account, or a host.

Each function returns a fresh kubernetes-asyncio ``Configuration``; none of them ever touches that
library's process-global default (its loaders mutate it unless handed an explicit object). Work that
would block the event loop (reading and parsing kubeconfig files, reading the service-account
token) runs in :func:`asyncio.to_thread`. Credentials that expire are refreshed lazily through the
``Configuration.refresh_api_key_hook`` the library awaits before every request:

* in-cluster: the projected service-account token is re-read from its file once a minute, so a
  rotated token is picked up without a restart (client-go does the same);
* kubeconfig ``exec`` plugins that report an ``expirationTimestamp``: the plugin is run again once
  the token has expired.

Loader failures surface as :class:`aim_engine.errors.ConfigurationError`, with a one-line
message that names the file and the problem (not found, unreadable, not YAML, not a mapping, no
such context) so that a command can print it as is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from kubernetes_asyncio.client import Configuration
from kubernetes_asyncio.config import kube_config
from kubernetes_asyncio.config.config_exception import ConfigException

from aim_engine.clock import Clock, SystemClock
from aim_engine.errors import ConfigurationError

__all__ = [
    "SERVICE_ACCOUNT_CA",
    "SERVICE_ACCOUNT_TOKEN",
    "TOKEN_REFRESH_SECONDS",
    "InClusterToken",
    "configuration_for_host",
    "configuration_from_kubeconfig",
    "configuration_from_kubeconfig_dict",
    "configuration_in_cluster",
    "find_kubeconfig",
    "in_cluster_available",
]

logger = logging.getLogger(__name__)

SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
SERVICE_ACCOUNT_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
TOKEN_REFRESH_SECONDS = 60.0
"""How often the in-cluster token file is re-read (client-go re-reads it every minute)."""

_LOADER_ERRORS = (
    ConfigException,
    yaml.YAMLError,
    AssertionError,
    AttributeError,
    KeyError,
    TypeError,
    ValueError,
    OSError,
)


def _one_line(exc: BaseException) -> str:
    """``exc``'s message on one line (YAML errors as ``problem (line L, column C)``)."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"{exc.problem} (line {mark.line + 1}, column {mark.column + 1})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_kubeconfig_files(paths: str, context: str | None = None) -> None:
    """Read the kubeconfig file(s) and name the first problem the library's loader would hit.

    Args:
        paths: one path or a ``:``-separated list (missing entries are skipped, as kubectl does).
        context: the context to use; ``None`` means the files' ``current-context`` (the last
            file that sets one wins, as the loader merges them).

    Raises:
        ConfigurationError: no file exists, one cannot be read, is empty, is not YAML or not a
            mapping, or the context is not defined in any file.
    """
    existing = [Path(p).expanduser() for p in paths.split(os.pathsep) if p]
    existing = [p for p in existing if p.exists()]
    if not existing:
        raise ConfigurationError(f"kubeconfig not found: {paths}")
    contexts: set[str] = set()
    current: object = None
    for path in existing:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else _one_line(exc)
            raise ConfigurationError(f"cannot read kubeconfig {path}: {reason}") from exc
        except yaml.YAMLError as exc:
            raise ConfigurationError(f"kubeconfig {path} is not YAML: {_one_line(exc)}") from exc
        if doc is None:
            raise ConfigurationError(f"kubeconfig {path} is empty")
        if not isinstance(doc, dict):
            kind = type(doc).__name__
            raise ConfigurationError(f"kubeconfig {path} is a YAML {kind}, not a mapping")
        entries = doc.get("contexts")
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                contexts.add(entry["name"])
        if "current-context" in doc:
            current = doc["current-context"]
    wanted = context if context is not None else current
    if not wanted or not isinstance(wanted, str):
        raise ConfigurationError(f"kubeconfig {paths} sets no current-context")
    if wanted not in contexts:
        known = ", ".join(sorted(contexts)) or "none"
        raise ConfigurationError(f"kubeconfig {paths} has no context {wanted!r} (defined: {known})")


def _new_configuration() -> Any:
    cfg = Configuration()
    # Never pick proxies or credentials up from the library's global default.
    cfg.api_key = {}
    cfg.api_key_prefix = {}
    return cfg


def find_kubeconfig(
    explicit: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """Return the kubeconfig path(s) to use, or ``None`` when there is none.

    Order: ``explicit``, then ``$KUBECONFIG`` (a ``:``-separated list, kept as is when any entry
    exists), then ``~/.kube/config``.
    """
    if explicit is not None:
        return os.fspath(explicit)
    env = os.environ if environ is None else environ
    from_env = env.get("KUBECONFIG", "")
    if from_env and any(p and Path(p).expanduser().exists() for p in from_env.split(os.pathsep)):
        return from_env
    home = Path("~/.kube/config").expanduser()
    return str(home) if home.exists() else None


def in_cluster_available(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``KUBERNETES_SERVICE_HOST``/``PORT`` are set (we run in a pod)."""
    env = os.environ if environ is None else environ
    return bool(env.get("KUBERNETES_SERVICE_HOST")) and bool(env.get("KUBERNETES_SERVICE_PORT"))


def _exec_refresh_hook(loader: Any) -> Any:
    """A refresh hook that reruns an exec plugin once its token has expired."""

    async def refresh(cfg: Any) -> None:
        # load_from_exec_plugin returns at once while the cached token is still valid.
        try:
            await loader.load_from_exec_plugin()
        except _LOADER_ERRORS as exc:
            # Keep the old token: the server answers 401 if it really expired, which callers
            # see as UnauthorizedError rather than a loader exception from inside a request.
            logger.warning("exec credential plugin failed", extra={"error": str(exc)})
            return
        token = getattr(loader, "token", None)
        if token:
            cfg.api_key["BearerToken"] = token

    return refresh


async def _finish_kubeconfig(loader: Any) -> Any:
    cfg = _new_configuration()
    try:
        # load_and_set(), split so that writing inline CA/cert data to temporary files (blocking
        # file I/O) runs in a thread; authentication may await an exec plugin subprocess.
        await loader._load_authentication()
        await asyncio.to_thread(loader._load_cluster_info)
        loader._set_config(cfg)
    except _LOADER_ERRORS as exc:
        raise ConfigurationError(f"invalid kubeconfig: {_one_line(exc)}") from exc
    user = getattr(loader, "_user", None)
    if user is not None and "exec" in user and hasattr(loader, "exec_plugin_expiry"):
        cfg.refresh_api_key_hook = _exec_refresh_hook(loader)
    return cfg


async def configuration_from_kubeconfig(
    path: str | os.PathLike[str], *, context: str | None = None
) -> Any:
    """Load a kubeconfig file (or a ``:``-separated list of them, merged as kubectl does).

    Raises:
        ConfigurationError: no file exists, or it is invalid, or ``context`` is unknown.
    """
    paths = os.fspath(path)

    def parse() -> Any:
        _check_kubeconfig_files(paths, context)
        # Reading and merging YAML is blocking file I/O: keep it off the loop. Tokens the
        # library refreshes are never written back to the user's file (persist_config=False).
        return kube_config._get_kube_config_loader_for_yaml_file(
            paths, persist_config=False, active_context=context
        )

    try:
        loader = await asyncio.to_thread(parse)
    except _LOADER_ERRORS as exc:
        raise ConfigurationError(f"invalid kubeconfig {paths}: {_one_line(exc)}") from exc
    return await _finish_kubeconfig(loader)


async def configuration_from_kubeconfig_dict(
    config: Mapping[str, Any], *, context: str | None = None
) -> Any:
    """Load an already parsed kubeconfig document.

    Raises:
        ConfigurationError: the document is invalid or ``context`` is unknown.
    """
    try:
        loader = kube_config.KubeConfigLoader(
            config_dict=dict(config), active_context=context, config_base_path=None
        )
    except _LOADER_ERRORS as exc:
        raise ConfigurationError(f"invalid kubeconfig: {_one_line(exc)}") from exc
    return await _finish_kubeconfig(loader)


class InClusterToken:
    """The service-account token, re-read from its file every :data:`TOKEN_REFRESH_SECONDS`.

    Used as the ``refresh_api_key_hook`` of the configuration; the file read happens in a
    worker thread, and the refresh period is measured on the injected clock.
    """

    def __init__(self, token_file: str, clock: Clock, token: str) -> None:
        self._token_file = token_file
        self._clock = clock
        self._token = token
        self._read_at = clock.monotonic()

    @property
    def token(self) -> str:
        """The current token (without the ``Bearer`` prefix)."""
        return self._token

    async def __call__(self, cfg: Any) -> None:
        """Refresh the token on ``cfg`` when the cached one is older than the refresh period."""
        if self._clock.monotonic() - self._read_at >= TOKEN_REFRESH_SECONDS:
            # On a failed read keep the old token; the server says 401 if it really expired.
            with contextlib.suppress(ConfigurationError):
                self._token = await asyncio.to_thread(_read_token, self._token_file)
            self._read_at = self._clock.monotonic()
        cfg.api_key["BearerToken"] = f"Bearer {self._token}"


def _read_token(path: str) -> str:
    try:
        token = Path(path).read_text().strip()
    except OSError as exc:
        raise ConfigurationError(f"cannot read service-account token {path}: {exc}") from exc
    if not token:
        raise ConfigurationError(f"service-account token file {path} is empty")
    return token


def configuration_in_cluster(
    *,
    token_file: str = SERVICE_ACCOUNT_TOKEN,
    ca_file: str = SERVICE_ACCOUNT_CA,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
) -> Any:
    """Configure from the pod's service account and ``KUBERNETES_SERVICE_HOST``/``PORT``.

    Raises:
        ConfigurationError: not in a pod, or the token or CA file is missing or empty.
    """
    env = os.environ if environ is None else environ
    host = env.get("KUBERNETES_SERVICE_HOST", "")
    port = env.get("KUBERNETES_SERVICE_PORT", "")
    if not host or not port:
        raise ConfigurationError("KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    token = _read_token(token_file)
    try:
        has_ca = Path(ca_file).stat().st_size > 0
    except OSError:
        has_ca = False
    if not has_ca:
        raise ConfigurationError(f"service-account CA file {ca_file} is missing or empty")
    cfg = _new_configuration()
    cfg.host = f"https://{host}:{port}"
    cfg.ssl_ca_cert = ca_file
    cfg.api_key["BearerToken"] = f"Bearer {token}"
    cfg.refresh_api_key_hook = InClusterToken(token_file, clock or SystemClock(), token)
    return cfg


def configuration_for_host(
    host: str,
    *,
    token: str | None = None,
    ca_file: str | None = None,
    verify_ssl: bool = True,
    cert_file: str | None = None,
    key_file: str | None = None,
) -> Any:
    """Configure an explicit API server URL with optional bearer token, CA and client cert."""
    cfg = _new_configuration()
    cfg.host = host.rstrip("/")
    if token:
        cfg.api_key["BearerToken"] = f"Bearer {token}"
    cfg.ssl_ca_cert = ca_file
    cfg.verify_ssl = verify_ssl
    cfg.cert_file = cert_file
    cfg.key_file = key_file
    return cfg

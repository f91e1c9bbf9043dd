"""A real distribution registry on loopback, for tests: :class:`RegistryServer`.

Synchronous on purpose, like the envtest control plane: it is driven from pytest session
fixtures. Three flavours, chosen by the arguments::

    with RegistryServer() as reg:                               # anonymous read and write
    with RegistryServer(users={"alice": "s3cret"}) as reg:      # htpasswd (basic auth)
    with TokenServer({"alice": "s3cret"}) as tokens, RegistryServer(token=tokens) as reg:
        ...                                                     # bearer tokens from ``tokens``

``start()`` writes a config file (filesystem storage in a temp dir, ``127.0.0.1:<free port>``),
starts the binary in its own process group (killed with the test process, see
:mod:`aim_engine.testing.envtest.processes`) and waits until ``/v2/`` answers 200 or 401.
``stop()`` is idempotent and removes the temp dir. The htpasswd file needs ``bcrypt`` (the
``test`` extra): distribution accepts bcrypt hashes only.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

import yaml

from aim_engine.testing.envtest.controlplane import free_ports
from aim_engine.testing.envtest.errors import ControlPlaneStartError, EnvtestError
from aim_engine.testing.envtest.processes import ManagedProcess, log_tail
from aim_engine.testing.registry.build import find_registry
from aim_engine.testing.registry.tokens import TokenServer

__all__ = ["RegistryServer", "htpasswd_line"]

_PROBE_INTERVAL = 0.1
_STOP_GRACE = 5.0


def htpasswd_line(user: str, password: str) -> str:
    """One ``user:bcrypt-hash`` line (cost 4: these are throw-away test passwords)."""
    import bcrypt

    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    return f"{user}:{hashed}"


class RegistryServer:
    """One distribution registry process with throw-away storage."""

    def __init__(
        self,
        binary: Path | None = None,
        *,
        users: Mapping[str, str] | None = None,
        token: TokenServer | None = None,
        startup_timeout: float = 30.0,
    ) -> None:
        """Configure (not start) a registry.

        Args:
            binary: the registry binary (default :func:`find_registry`).
            users: htpasswd users (name → password): basic auth on every request.
            token: a started token service: bearer-token auth against it.
            startup_timeout: seconds for ``/v2/`` to answer.
        """
        if users and token:
            raise ValueError("choose htpasswd users or a token service, not both")
        self._binary = binary
        self.users = dict(users or {})
        self.token = token
        self._startup_timeout = startup_timeout
        self._dir: Path | None = None
        self._process: ManagedProcess | None = None
        self.port = 0

    @property
    def host(self) -> str:
        """``127.0.0.1:<port>``: the registry part of image references."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}"

    def _config(self, directory: Path) -> dict[str, object]:
        config: dict[str, object] = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": True}},
            "storage": {
                "filesystem": {"rootdirectory": str(directory / "data")},
                "delete": {"enabled": True},
            },
            "http": {"addr": self.host, "secret": secrets.token_hex(16)},
        }
        if self.users:
            htpasswd = directory / "htpasswd"
            htpasswd.write_text("".join(htpasswd_line(u, p) + "\n" for u, p in self.users.items()))
            config["auth"] = {"htpasswd": {"realm": "aim-test", "path": str(htpasswd)}}
        elif self.token is not None:
            bundle = self.token.write_certificate(directory / "token-ca.pem")
            config["auth"] = {
                "token": {
                    "realm": self.token.realm,
                    "service": self.token.service,
                    "issuer": self.token.issuer,
                    "rootcertbundle": str(bundle),
                }
            }
        return config

    def start(self) -> Self:
        """Start the registry and wait until it answers.

        Raises:
            EnvtestError: no binary, or already started.
            ControlPlaneStartError: it exited or did not answer in time (with its log tail).
        """
        if self._process is not None:
            raise EnvtestError("registry already started")
        binary = self._binary or find_registry()
        if binary is None:
            raise EnvtestError("no registry binary: python -m aim_engine.testing.registry build")
        self._dir = Path(tempfile.mkdtemp(prefix="aim-registry-"))
        self.port = free_ports(1)[0]
        config = self._dir / "config.yml"
        config.write_text(yaml.safe_dump(self._config(self._dir)))
        log = self._dir / "registry.log"
        self._process = ManagedProcess("registry", [str(binary), "serve", str(config)], log)
        deadline = time.monotonic() + self._startup_timeout
        while not self._answers():
            if self._process.wait_exit(_PROBE_INTERVAL) is not None or time.monotonic() > deadline:
                tail = log_tail(log)
                self.stop()
                raise ControlPlaneStartError("the registry did not start", tail)
        return self

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/v2/", timeout=2) as resp:
                return int(resp.status) == 200
        except urllib.error.HTTPError as exc:
            return exc.code == 401
        except OSError:
            return False

    def log(self) -> str:
        """The last lines of the registry's log."""
        return log_tail(self._dir / "registry.log") if self._dir else ""

    def stop(self) -> None:
        """Stop the process and delete its storage (idempotent)."""
        if self._process is not None:
            self._process.stop(_STOP_GRACE)
            self._process = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

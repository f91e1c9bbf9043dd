"""The operator's process-wide configuration, handed to every controller setup.

Built once by ``controllers/__main__.py`` from the environment (and flags); tests build their
own. No module reads the environment itself.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass

from controllers.defaults import Defaults
from controllers.environment import EnvVars

__all__ = ["OperatorConfig"]


@dataclass(frozen=True, slots=True)
class OperatorConfig:
    """What controllers need to know about the operator process.

    Attributes:
        namespace: the operator namespace (cluster templates' discovery Jobs, the discovery
            lock Lease).
        identity: this process's identity (the discovery lock holder): ``POD_NAME``, else
            the host name.
    """

    namespace: str = Defaults.OPERATOR_NAMESPACE
    identity: str = ""

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str], *, namespace: str | None = None
    ) -> OperatorConfig:
        """The configuration of a process with ``environ``.

        Args:
            environ: the environment (``os.environ``).
            namespace: the operator namespace when known (the pod's); else the default.
        """
        identity = environ.get(EnvVars.POD_NAME) or socket.gethostname() or f"unknown-{os.getpid()}"
        return cls(namespace=namespace or Defaults.OPERATOR_NAMESPACE, identity=identity)

"""The kubeconfig of a test control plane: one cluster, one admin user with a bearer token.

The CA certificate is embedded (``certificate-authority-data``) so the file stays valid when the
certificate directory is gone and can be copied anywhere; the token is the static admin token
from kube-apiserver's ``--token-auth-file``.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import yaml

__all__ = ["CONTEXT_NAME", "USER_NAME", "build_kubeconfig", "write_kubeconfig"]

CONTEXT_NAME = "aim-envtest"
"""Name of the cluster and the context in the kubeconfig."""

USER_NAME = "envtest-admin"
"""Name of the admin user (member of ``system:masters``)."""


def build_kubeconfig(
    server_url: str, ca_pem: bytes, token: str, namespace: str = "default"
) -> dict[str, Any]:
    """Build a kubeconfig document for ``server_url``.

    Args:
        server_url: e.g. ``https://127.0.0.1:41234``.
        ca_pem: PEM of the CA that signed the serving certificate.
        token: the admin's bearer token.
        namespace: the context's default namespace.

    Returns:
        The kubeconfig as a plain dict (``apiVersion: v1``, ``kind: Config``).
    """
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": CONTEXT_NAME,
                "cluster": {
                    "server": server_url,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode("ascii"),
                },
            }
        ],
        "users": [{"name": USER_NAME, "user": {"token": token}}],
        "contexts": [
            {
                "name": CONTEXT_NAME,
                "context": {"cluster": CONTEXT_NAME, "user": USER_NAME, "namespace": namespace},
            }
        ],
        "current-context": CONTEXT_NAME,
        "preferences": {},
    }


def write_kubeconfig(path: Path, kubeconfig: dict[str, Any]) -> Path:
    """Write ``kubeconfig`` as YAML to ``path`` with mode 0600 (it holds a credential).

    The file is written next to its final name and renamed into place, so a reader never sees
    half of it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        yaml.safe_dump(kubeconfig, out, sort_keys=False)
    os.replace(partial, path)
    return path

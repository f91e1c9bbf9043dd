"""Parsing resource URLs into what they address.

kube-apiserver resource paths are ``/api/v1/...`` for the core group and ``/apis/G/V/...`` for the
others, followed by ``[namespaces/NS/]PLURAL[/NAME[/SUBRESOURCE]]``; ``/api/v1/namespaces/NAME``
is itself the namespaces resource. Because CRDs add resources at run time, the application routes
every resource request through one catch-all handler and :func:`parse_resource_path` decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

__all__ = ["ResourcePath", "parse_resource_path"]


@dataclass(frozen=True, slots=True)
class ResourcePath:
    """The parts of a resource URL; ``namespace`` is ``None`` when the URL names none."""

    group: str
    version: str
    plural: str
    namespace: str | None = None
    name: str = ""
    subresource: str = ""


def parse_resource_path(path: str) -> ResourcePath | None:
    """Split a resource URL path; ``None`` if it is not one (discovery paths included)."""
    parts = [unquote(p) for p in path.strip("/").split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return None
    if (
        rest[0] == "namespaces"
        and group == ""
        and (len(rest) <= 2 or (len(rest) == 3 and rest[2] in ("status", "finalize")))
    ):
        return ResourcePath(group, version, "namespaces", None, *rest[1:3])
    if rest[0] == "namespaces" and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
        if len(rest) > 3:
            return None
        return ResourcePath(group, version, rest[0], namespace, *rest[1:3])
    if len(rest) > 3:
        return None
    return ResourcePath(group, version, rest[0], None, *rest[1:3])

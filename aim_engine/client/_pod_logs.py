"""Reading container logs: the :class:`PodLogReader` Protocol and its API implementation.

A controller that reads what a pod printed (the operator reads discovery jobs' output) asks a
:class:`PodLogReader`, never the client directly, so tests can swap where logs come from: on a
cluster (and on the fake API server, which serves ``pods/log``) :class:`ApiPodLogReader` calls
``GET /api/v1/namespaces/{ns}/pods/{name}/log``; on a bare kube-apiserver with no kubelet a test
plugs in the in-memory reader of ``aim_engine.testing.jobsim``.

Logs are capped: without ``limit_bytes`` a read asks the server for at most
:data:`DEFAULT_LOG_LIMIT_BYTES` and never reads more than the cap off the wire. Text is decoded
as UTF-8, undecodable bytes (a multi-byte character cut by the cap) replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from aim_engine.client._query import build_query

if TYPE_CHECKING:
    from aim_engine.client._client import Client
    from aim_engine.client._rest import Transport

__all__ = ["DEFAULT_LOG_LIMIT_BYTES", "ApiPodLogReader", "PodLogReader", "read_pod_log"]

DEFAULT_LOG_LIMIT_BYTES = 1024 * 1024
"""Most bytes of a log read when the caller sets no ``limit_bytes`` (1 MiB)."""


class PodLogReader(Protocol):
    """Something that returns the log of one container of a pod."""

    async def read(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        *,
        tail_lines: int | None = None,
        limit_bytes: int | None = None,
    ) -> str:
        """The container's log (the last ``tail_lines`` lines, at most ``limit_bytes`` bytes).

        Raises:
            aim_engine.errors.NotFoundError: no such pod.
            aim_engine.errors.BadRequestError: no such container, or the pod has several and
                ``container`` is ``None``.
        """
        ...


async def read_pod_log(
    transport: Transport,
    namespace: str,
    pod: str,
    container: str | None = None,
    *,
    tail_lines: int | None = None,
    limit_bytes: int | None = None,
    previous: bool = False,
) -> str:
    """``GET .../pods/{pod}/log`` through ``transport``; see :meth:`Client.pod_logs`."""
    cap = DEFAULT_LOG_LIMIT_BYTES if limit_bytes is None else limit_bytes
    query: dict[str, str | int | bool | None] = {
        "container": container,
        "tailLines": tail_lines,
        "limitBytes": cap,
        "previous": True if previous else None,
    }
    path = f"/api/v1/namespaces/{namespace}/pods/{pod}/log"
    data = await transport.read_text(
        path, query=build_query(query), max_bytes=max(cap, 0), resource="pods/log"
    )
    return data.decode("utf-8", "replace")


class ApiPodLogReader:
    """A :class:`PodLogReader` over the ``pods/log`` subresource of the API server.

    Args:
        client: the API client.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    async def read(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        *,
        tail_lines: int | None = None,
        limit_bytes: int | None = None,
    ) -> str:
        """The container's log, read from the API server (see :class:`PodLogReader`)."""
        return await self._client.pod_logs(
            namespace,
            pod,
            container,
            tail_lines=tail_lines,
            limit_bytes=limit_bytes,
        )

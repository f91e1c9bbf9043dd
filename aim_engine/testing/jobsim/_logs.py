"""The logs the simulator "wrote", readable in-process: :class:`SimulatedPodLogs`.

A real kube-apiserver without kubelets cannot serve ``pods/log``, so on the envtest tier the code
under test reads logs through :class:`~aim_engine.client.PodLogReader` and the test plugs in this
one. It answers like ``pods/log`` does: the container may be left out only when the pod has one,
``tail_lines`` keeps the last lines and ``limit_bytes`` cuts the result.
"""

from __future__ import annotations

from aim_engine.errors import BadRequestError, NotFoundError

__all__ = ["SimulatedPodLogs"]


class SimulatedPodLogs:
    """Container logs by pod; a :class:`~aim_engine.client.PodLogReader`."""

    def __init__(self) -> None:
        self._pods: dict[tuple[str, str], dict[str, str]] = {}

    def write(self, namespace: str, pod: str, logs: dict[str, str], containers: list[str]) -> None:
        """Record the logs of a pod's containers (every container gets an entry)."""
        self._pods[(namespace, pod)] = {c: logs.get(c, "") for c in containers}

    def forget(self, namespace: str, pod: str) -> None:
        """Drop a pod's logs."""
        self._pods.pop((namespace, pod), None)

    def pods(self) -> list[tuple[str, str]]:
        """``(namespace, pod)`` of every pod with logs."""
        return list(self._pods)

    async def read(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        *,
        tail_lines: int | None = None,
        limit_bytes: int | None = None,
    ) -> str:
        """The container's log (see :class:`~aim_engine.client.PodLogReader`).

        Raises:
            NotFoundError: no pod of that name was simulated.
            BadRequestError: no such container, or several and none named.
        """
        logs = self._pods.get((namespace, pod))
        if logs is None:
            raise NotFoundError(404, "NotFound", f'pods "{pod}" not found')
        if container is None:
            if len(logs) != 1:
                names = " ".join(logs)
                raise BadRequestError(
                    400,
                    "BadRequest",
                    f"a container name must be specified for pod {pod}, choose one of: [{names}]",
                )
            container = next(iter(logs))
        if container not in logs:
            raise BadRequestError(
                400, "BadRequest", f"container {container} is not valid for pod {pod}"
            )
        lines = logs[container].splitlines(keepends=True)
        if tail_lines is not None:
            lines = lines[len(lines) - tail_lines :] if tail_lines > 0 else []
        data = "".join(lines).encode()
        if limit_bytes is not None:
            data = data[:limit_bytes]
        return data.decode("utf-8", "replace")

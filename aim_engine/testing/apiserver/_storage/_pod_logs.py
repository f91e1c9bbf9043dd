"""The container logs the fake API server serves on ``pods/{name}/log``.

A real cluster keeps container logs on the node, and kube-apiserver proxies ``pods/log`` to the
kubelet. The fake has no kubelet, so tests supply the text (``FakeApiServer.set_pod_log``) and
:class:`PodLogs` keeps it next to the object store. Each log remembers the uid of the pod it was
written for: a log outlives neither its pod nor a pod of the same name created later (deleted by
hand, by the garbage collector or with its namespace, the pod takes its logs with it).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ContainerLog", "PodLogs"]


@dataclass(frozen=True, slots=True)
class ContainerLog:
    """The log of one container run.

    Attributes:
        pod_uid: the uid of the pod it belongs to.
        text: the whole log.
        written_at: RFC 3339 time (nanosecond form) the test set it, used for ``timestamps``.
    """

    pod_uid: str
    text: str
    written_at: str


class PodLogs:
    """Container logs by ``(namespace, pod, container, previous)``."""

    def __init__(self) -> None:
        self._logs: dict[tuple[str, str, str, bool], ContainerLog] = {}

    def set(
        self,
        namespace: str,
        pod: str,
        container: str,
        log: ContainerLog,
        *,
        previous: bool = False,
    ) -> None:
        """Store (replace) the log of a container; ``previous`` is its last terminated run."""
        self._logs[(namespace, pod, container, previous)] = log

    def get(
        self, namespace: str, pod: str, pod_uid: str, container: str, *, previous: bool = False
    ) -> ContainerLog | None:
        """The log of a container of the pod with ``pod_uid``; ``None`` if none was set."""
        key = (namespace, pod, container, previous)
        log = self._logs.get(key)
        if log is not None and log.pod_uid != pod_uid:
            del self._logs[key]  # written for an earlier pod of that name
            return None
        return log

    def forget(self, live_uids: frozenset[str]) -> None:
        """Drop every log whose pod is no longer among ``live_uids``."""
        for key in [k for k, v in self._logs.items() if v.pod_uid not in live_uids]:
            del self._logs[key]

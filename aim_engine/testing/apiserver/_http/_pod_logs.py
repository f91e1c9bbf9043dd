"""``GET /api/v1/namespaces/{ns}/pods/{name}/log``: container logs as ``text/plain``.

kube-apiserver checks the ``PodLogOptions`` from the query (422 Invalid for a negative
``tailLines``, a ``limitBytes`` below 1, both ``sinceSeconds`` and ``sinceTime``), looks the pod
up (404), settles which container is meant (400 when the pod has several and none is named, or the
named one is not in the pod) and then streams the kubelet's answer. The fake has no kubelet: it
answers with the text the test stored (``ClusterState.pod_logs``),
or an empty body when there is none, as the real server does for a pod not bound to a node.
``tailLines`` keeps the last lines, then ``limitBytes`` cuts the result, ``timestamps`` prefixes
every line with the time the log was set, ``previous`` reads the last terminated run (400 when
none was set, with the kubelet's words), and ``follow`` answers at once instead of streaming.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from aim_engine.testing.apiserver._schema._field_errors import FieldError, invalid_status
from aim_engine.testing.apiserver._status import StatusError, bad_request, not_found, parse_error
from aim_engine.testing.apiserver._storage._state import ClusterState

__all__ = ["container_names", "serve_pod_log"]

_TRUE = frozenset({"1", "t", "T", "true", "True", "TRUE"})


def _int_option(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name, "")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise bad_request(parse_error(raw)) from exc


def _check_options(query: Mapping[str, str], pod: str) -> tuple[int | None, int | None]:
    tail = _int_option(query, "tailLines")
    limit = _int_option(query, "limitBytes")
    since = _int_option(query, "sinceSeconds")
    errors: list[FieldError] = []
    if tail is not None and tail < 0:
        errors.append(
            FieldError(
                "tailLines",
                "FieldValueInvalid",
                f"Invalid value: {tail}: must be greater than or equal to 0",
            )
        )
    if limit is not None and limit < 1:
        errors.append(
            FieldError(
                "limitBytes", "FieldValueInvalid", f"Invalid value: {limit}: must be greater than 0"
            )
        )
    if since is not None and query.get("sinceTime"):
        errors.append(
            FieldError(
                "",
                "FieldValueForbidden",
                "at most one of `sinceTime` or `sinceSeconds` may be specified",
            )
        )
    if since is not None and since < 1:
        errors.append(
            FieldError(
                "sinceSeconds",
                "FieldValueInvalid",
                f"Invalid value: {since}: must be greater than 0",
            )
        )
    if errors:
        raise StatusError(422, invalid_status("PodLogOptions", "", pod, errors))
    return tail, limit


def container_names(pod: Mapping[str, Any]) -> list[str]:
    """Every container name of a pod: init containers, containers, ephemeral containers."""
    spec = pod.get("spec") or {}
    return [
        str(c.get("name", ""))
        for field in ("initContainers", "containers", "ephemeralContainers")
        for c in spec.get(field) or ()
    ]


def _container(pod: Mapping[str, Any], name: str, wanted: str) -> str:
    if wanted:
        if wanted not in container_names(pod):
            raise bad_request(f"container {wanted} is not valid for pod {name}")
        return wanted
    containers: list[Mapping[str, Any]] = list((pod.get("spec") or {}).get("containers") or ())
    if len(containers) == 1:
        return str(containers[0].get("name", ""))
    if not containers:
        raise bad_request(f"a container name must be specified for pod {name}")
    choices = " ".join(container_names(pod))
    raise bad_request(
        f"a container name must be specified for pod {name}, choose one of: [{choices}]"
    )


def _shape(text: str, tail: int | None, limit: int | None, stamp: str | None) -> bytes:
    lines = text.splitlines(keepends=True)
    if tail is not None:
        lines = lines[len(lines) - tail :] if tail else []
    if stamp is not None:
        lines = [f"{stamp} {line}" for line in lines]
    data = "".join(lines).encode()
    return data[:limit] if limit is not None else data


def serve_pod_log(
    state: ClusterState, query: Mapping[str, str], namespace: str, name: str
) -> web.Response:
    """Answer one ``pods/log`` GET.

    Raises:
        StatusError: 422 for invalid options, 404 for a missing pod, 400 for the container.
    """
    tail, limit = _check_options(query, name)
    res = state.resources.lookup("", "v1", "pods")
    pod = state.store.get(state.key(res, namespace, name)) if res is not None else None
    if pod is None:
        raise not_found("", "pods", name)
    container = _container(pod, name, query.get("container", ""))
    previous = query.get("previous", "") in _TRUE
    uid = str((pod.get("metadata") or {}).get("uid", ""))
    log = state.pod_logs.get(namespace, name, uid, container, previous=previous)
    if log is None and previous:
        raise bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
    stamp = None
    if query.get("timestamps", "") in _TRUE and log is not None:
        stamp = log.written_at
    body = _shape(log.text if log is not None else "", tail, limit, stamp)
    return web.Response(status=200, body=body, content_type="text/plain")

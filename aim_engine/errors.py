"""The one exception tree of aim-engine.

Every error the framework raises derives from :class:`AimEngineError`. Most classes live in this
module; the few that belong to one subsystem live next to it, and the tree names, in brackets, the
public module to import them from (all but the envtest ones are also re-exported by
:mod:`aim_engine`). The tree::

    AimEngineError
    ├── ConfigurationError            misuse at start-up (duplicate controller name, bad kubeconfig)
    │   └── OwnerReferenceError       an ownerReference that controller-runtime's rules forbid
    │       └── AlreadyOwnedError     the object already has another controller
    ├── ApiError(status, reason, message, details)   raised only by aim_engine.client
    │   ├── BadRequestError 400
    │   ├── UnauthorizedError 401
    │   ├── ForbiddenError 403
    │   ├── NotFoundError 404
    │   ├── MethodNotAllowedError 405
    │   ├── ConflictError 409 (reason Conflict: stale resourceVersion, apply conflicts)
    │   │   └── AlreadyExistsError 409 (reason AlreadyExists)
    │   ├── GoneError 410 (watch or continue token expired: relist)
    │   ├── UnsupportedMediaTypeError 415
    │   ├── InvalidError 422 (.causes: field paths and messages)
    │   ├── TooManyRequestsError 429 (.retry_after seconds)
    │   └── ServerError 5xx
    ├── TransportError                connect/read timeouts, TLS, DNS, a dropped connection
    ├── ReconcileError                raised by reconcilers to steer requeueing
    │   ├── RetryableError(requeue_after=None)   None: per-item rate-limited backoff
    │   │   ├── DependencyNotReadyError(reason, message)
    │   │   └── CacheNotSyncedError   [aim_engine.cache] read of an informer before its first list
    │   └── TerminalError                        counted, never retried
    │       ├── InvalidSpecError
    │       ├── MissingReferenceError
    │       └── ResourceExhaustedError
    ├── ReconcileTimeoutError         [aim_engine.controller] a reconcile outlived reconcile_timeout
    ├── QueueShutDown                 [aim_engine.queue] WorkQueue.get() after shutdown and drain
    ├── CacheSyncTimeoutError         [aim_engine.manager] caches not synced in cache_sync_timeout
    ├── BindError                     [aim_engine.manager] /metrics or probe address cannot be bound
    ├── LeaseLostError                [aim_engine.leader] lease lost; leader-only work cancelled
    └── EnvtestError                  [aim_engine.testing.envtest] a real apiserver for tests
        ├── GoNotFoundError           ``go`` is not on PATH, so the binaries cannot be built
        ├── BuildError                a ``go`` command failed (.log_tail)
        ├── AssetsNotFoundError       no kube-apiserver/etcd binaries where they were looked for
        └── ControlPlaneStartError    etcd or kube-apiserver died or did not become ready

Outside the tree, and never raised into a reconciler: a test-kit assertion, a CRD-generation
error, and the fake API server's internal signals (each becomes an HTTP response)::

    AssertionError
    └── ManagerStartError             [aim_engine.testing.fixtures] test manager stopped before sync
    ValueError
    ├── StructuralError               [aim_engine.api.structural] schema has no structural form
    └── CelRuleError                  [aim_engine.testing.apiserver._schema._cel_rules] bad rule
    Exception
    ├── StatusError                   [aim_engine.testing.apiserver] error Status + HTTP code
    ├── PageNotFoundError             [aim_engine.testing.apiserver._status] plain-text 404
    ├── PatchError                    [aim_engine.testing.apiserver._patches._json_patches]
    └── ApplyConflict                 [aim_engine.testing.apiserver._patches._managed_fields]

:func:`api_error_from_status` is the single place where an HTTP status and a Kubernetes ``Status``
body become one of these classes; :func:`aim_engine.controller.classify` is the single place where
one of them becomes a worker behaviour (see ``docs/reference/errors.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "AimEngineError",
    "AlreadyExistsError",
    "AlreadyOwnedError",
    "ApiError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DependencyNotReadyError",
    "ForbiddenError",
    "GoneError",
    "InvalidError",
    "InvalidSpecError",
    "MethodNotAllowedError",
    "MissingReferenceError",
    "NotFoundError",
    "OwnerReferenceError",
    "ReconcileError",
    "ResourceExhaustedError",
    "RetryableError",
    "ServerError",
    "StatusCause",
    "TerminalError",
    "TooManyRequestsError",
    "TransportError",
    "UnauthorizedError",
    "UnsupportedMediaTypeError",
    "api_error_from_status",
]


class AimEngineError(Exception):
    """Base of every error raised by aim-engine."""


class ConfigurationError(AimEngineError):
    """The framework was set up wrongly (a programming or deployment error, not a runtime one)."""


class OwnerReferenceError(ConfigurationError):
    """An ownerReference that cannot be set (owner without uid, cross-namespace, scope)."""


class AlreadyOwnedError(OwnerReferenceError):
    """The object already has a controller reference to a different owner."""


@dataclass(frozen=True, slots=True)
class StatusCause:
    """One entry of ``Status.details.causes``: which field is wrong and why."""

    field: str
    message: str
    reason: str = ""


class ApiError(AimEngineError):
    """The API server answered with an error ``Status``.

    Attributes:
        status: the HTTP status code (``Status.code``).
        reason: the machine-readable ``Status.reason`` (``NotFound``, ``Conflict``...).
        message: the human-readable ``Status.message``.
        details: the raw ``Status.details`` mapping (may be empty).
        body: the whole decoded ``Status`` object, when there was one.
    """

    def __init__(
        self,
        status: int,
        reason: str = "",
        message: str = "",
        details: Mapping[str, object] | None = None,
        body: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(f"{status} {reason}: {message}" if reason else f"{status}: {message}")
        self.status = status
        self.reason = reason
        self.message = message
        self.details: Mapping[str, object] = details or {}
        self.body: Mapping[str, object] = body or {}

    @property
    def causes(self) -> tuple[StatusCause, ...]:
        """The field causes listed in ``details.causes``."""
        raw = self.details.get("causes")
        if not isinstance(raw, list):
            return ()
        return tuple(
            StatusCause(
                field=str(c.get("field", "")),
                message=str(c.get("message", "")),
                reason=str(c.get("reason", "")),
            )
            for c in raw
            if isinstance(c, Mapping)
        )


class BadRequestError(ApiError):
    """400: the request was malformed (bad selector, undecodable body, bad patch)."""


class UnauthorizedError(ApiError):
    """401: no or bad credentials."""


class ForbiddenError(ApiError):
    """403: authenticated, but RBAC denies the verb."""


class NotFoundError(ApiError):
    """404: the object (or the resource type) does not exist."""


class MethodNotAllowedError(ApiError):
    """405: the resource does not support this verb."""


class ConflictError(ApiError):
    """409: optimistic-concurrency conflict or a server-side apply field conflict. Transient."""


class AlreadyExistsError(ConflictError):
    """409 with reason ``AlreadyExists``: create of a name that is taken."""


class GoneError(ApiError):
    """410: the resourceVersion (watch) or continue token (list) is too old: relist."""


class UnsupportedMediaTypeError(ApiError):
    """415: e.g. a strategic merge patch sent for a custom resource."""


class InvalidError(ApiError):
    """422: the object failed validation; :attr:`causes` names the fields."""


class TooManyRequestsError(ApiError):
    """429: throttled. :attr:`retry_after` is the server's ``Retry-After`` in seconds, if any."""

    def __init__(
        self,
        status: int,
        reason: str = "",
        message: str = "",
        details: Mapping[str, object] | None = None,
        body: Mapping[str, object] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, reason, message, details, body)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the server failed; retry with backoff."""


class TransportError(AimEngineError):
    """The request never got an HTTP answer: connect or read timeout, TLS, DNS, a reset."""


class ReconcileError(AimEngineError):
    """Base of the errors a reconciler raises on purpose to steer what happens next."""


class RetryableError(ReconcileError):
    """Try again: after ``requeue_after`` seconds, or with per-item backoff when it is ``None``."""

    def __init__(self, message: str = "", *, requeue_after: float | None = None) -> None:
        super().__init__(message)
        self.requeue_after = requeue_after


class DependencyNotReadyError(RetryableError):
    """Something this object waits for (usually an object we created) is not ready yet."""

    def __init__(
        self, reason: str, message: str = "", *, requeue_after: float | None = None
    ) -> None:
        super().__init__(message or reason, requeue_after=requeue_after)
        self.reason = reason


class TerminalError(ReconcileError):
    """Retrying cannot help until the object changes: counted, recorded, not requeued."""


class InvalidSpecError(TerminalError):
    """The object's spec is invalid in a way the CRD schema could not catch."""


class MissingReferenceError(TerminalError):
    """The object refers to something that does not exist and that we do not create."""


class ResourceExhaustedError(TerminalError):
    """A quota or capacity limit stops progress."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    410: GoneError,
    415: UnsupportedMediaTypeError,
    422: InvalidError,
}


def api_error_from_status(
    status: int,
    body: Mapping[str, object] | None = None,
    *,
    retry_after: float | None = None,
) -> ApiError:
    """Build the right :class:`ApiError` subclass for an HTTP status and a ``Status`` body.

    Args:
        status: the HTTP status code (a ``Status.code`` in the body wins when present, as for
            in-stream watch errors that arrive with HTTP 200).
        body: the decoded ``Status`` object, if the server sent one.
        retry_after: the ``Retry-After`` header in seconds, if any.

    Returns:
        The exception to raise.
    """
    body = body or {}
    code = body.get("code")
    if isinstance(code, int) and code >= 400:
        status = code
    reason = str(body.get("reason") or "")
    message = str(body.get("message") or "")
    raw_details = body.get("details")
    details: Mapping[str, object] = raw_details if isinstance(raw_details, Mapping) else {}
    if status == 409 and reason == "AlreadyExists":
        return AlreadyExistsError(status, reason, message, details, body)
    if status == 429:
        if retry_after is None and isinstance(details.get("retryAfterSeconds"), int):
            retry_after = float(details["retryAfterSeconds"])  # type: ignore[arg-type]
        return TooManyRequestsError(status, reason, message, details, body, retry_after=retry_after)
    if status >= 500:
        return ServerError(status, reason, message, details, body)
    cls = _BY_STATUS.get(status, ApiError)
    return cls(status, reason, message, details, body)

"""Errors of the registry client, each with the ``reason`` its condition will carry.

They hang off the framework's tree (:mod:`aim_engine.errors`), so the worker's one classifier
already knows what to do with them: registry trouble is retried with backoff (the spec, §14.6:
401/403/404/5xx from a registry are infrastructure for the model controller, ``Degraded`` after
10 s), while a reference that cannot parse, a malformed pull secret or labels that cannot be
read are terminal until the object (or the image behind the tag) changes::

    class                          when                                    reason
    RetryableError
    ├── RegistryError(message, status=None, reason="")                 InfrastructureError
    │   ├── RegistryAuthError      401/403, a token service said no        AuthError
    │   ├── ImageNotFoundError     404, *_UNKNOWN codes, no linux/amd64    ImageNotFound
    │   ├── RegistryUnavailableError  refused, reset, timeout, 429, 5xx    InfrastructureError
    │   └── RegistryResponseError  a body the API does not allow (garbage) InvalidRegistryResponse
    │       └── ResponseTooLargeError  a body over its size cap           ResponseTooLarge
    └── PullSecretAccessError      reading a pull secret failed otherwise  SecretAccessFailed
    TerminalError
    ├── InvalidSpecError
    │   ├── InvalidReferenceError  the image string does not parse        InvalidImageReference
    │   └── PullSecretError        a secret without a docker config        InvalidPullSecret
    ├── MissingReferenceError
    │   └── PullSecretNotFoundError  a listed pull secret does not exist  SecretNotFound
    └── ImageMetadataError         AIM labels malformed, huge, too deep    InvalidImageMetadata

Every class has a ``reason`` attribute (class default, overridable per instance) holding one of
the reason strings above; those named in the spec's reason catalogue (§15.2) are spelled exactly
as there.
"""

from __future__ import annotations

from aim_engine.errors import (
    InvalidSpecError,
    MissingReferenceError,
    RetryableError,
    TerminalError,
)

__all__ = [
    "REASON_AUTH",
    "REASON_IMAGE_NOT_FOUND",
    "REASON_INFRASTRUCTURE",
    "REASON_INVALID_METADATA",
    "REASON_INVALID_PULL_SECRET",
    "REASON_INVALID_REFERENCE",
    "REASON_INVALID_RESPONSE",
    "REASON_RESPONSE_TOO_LARGE",
    "REASON_SECRET_ACCESS_FAILED",
    "REASON_SECRET_NOT_FOUND",
    "ImageMetadataError",
    "ImageNotFoundError",
    "InvalidReferenceError",
    "PullSecretAccessError",
    "PullSecretError",
    "PullSecretNotFoundError",
    "RegistryAuthError",
    "RegistryError",
    "RegistryResponseError",
    "RegistryUnavailableError",
    "ResponseTooLargeError",
]

REASON_AUTH = "AuthError"
REASON_IMAGE_NOT_FOUND = "ImageNotFound"
REASON_INFRASTRUCTURE = "InfrastructureError"
REASON_INVALID_RESPONSE = "InvalidRegistryResponse"
REASON_RESPONSE_TOO_LARGE = "ResponseTooLarge"
REASON_INVALID_REFERENCE = "InvalidImageReference"
REASON_INVALID_PULL_SECRET = "InvalidPullSecret"
REASON_SECRET_NOT_FOUND = "SecretNotFound"
REASON_SECRET_ACCESS_FAILED = "SecretAccessFailed"
REASON_INVALID_METADATA = "InvalidImageMetadata"


class RegistryError(RetryableError):
    """A registry request failed; retried with per-item backoff.

    Attributes:
        reason: the condition reason (see the module docstring).
        status: the HTTP status, when the registry answered at all.
    """

    reason: str = REASON_INFRASTRUCTURE

    def __init__(self, message: str, *, status: int | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        if reason:
            self.reason = reason


class RegistryAuthError(RegistryError):
    """The registry (or its token service) refused our credentials: 401 or 403."""

    reason = REASON_AUTH


class ImageNotFoundError(RegistryError):
    """The repository, tag, digest or a linux/amd64 image does not exist."""

    reason = REASON_IMAGE_NOT_FOUND


class RegistryUnavailableError(RegistryError):
    """No usable answer: connection refused or reset, a timeout, 429 or a 5xx."""

    reason = REASON_INFRASTRUCTURE


class RegistryResponseError(RegistryError):
    """The registry answered 2xx with a body that breaks the distribution API (garbage)."""

    reason = REASON_INVALID_RESPONSE


class ResponseTooLargeError(RegistryResponseError):
    """A body was larger than its cap; it was not read to the end."""

    reason = REASON_RESPONSE_TOO_LARGE


class InvalidReferenceError(InvalidSpecError):
    """An image reference that does not parse (``reason`` ``InvalidImageReference``)."""

    reason = REASON_INVALID_REFERENCE


class PullSecretError(InvalidSpecError):
    """A pull secret without a readable ``.dockerconfigjson`` (``reason`` ``InvalidPullSecret``)."""

    reason = REASON_INVALID_PULL_SECRET


class PullSecretNotFoundError(MissingReferenceError):
    """A listed pull secret does not exist (``reason`` ``SecretNotFound``)."""

    reason = REASON_SECRET_NOT_FOUND


class PullSecretAccessError(RetryableError):
    """Reading a pull secret failed for another reason than NotFound (``SecretAccessFailed``)."""

    reason = REASON_SECRET_ACCESS_FAILED


class ImageMetadataError(TerminalError):
    """The image's AIM labels cannot be read: malformed, too large or too deeply nested.

    Attributes:
        label: the label key at fault.
    """

    reason = REASON_INVALID_METADATA

    def __init__(self, message: str, *, label: str = "") -> None:
        super().__init__(message)
        self.label = label

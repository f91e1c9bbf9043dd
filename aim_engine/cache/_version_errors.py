"""Which API errors say a resourceVersion cannot be used, and why.

A reflector lists and watches *from* a resourceVersion. Two kinds of answer mean that version is
no good and only a fresh list can help:

* **expired**: the version is older than what the server still remembers. HTTP 410 (reason
  ``Expired`` or ``Gone``), either as the response status or as an in-stream ``ERROR`` event; the
  message usually reads ``too old resource version: 4 (7)``.
* **too large**: the version is newer than anything the server has, because the server went back
  in time (etcd restored from a backup, a test cluster restarted without its data, another
  cluster behind the same address). kube-apiserver answers a list at such a version, after
  waiting up to 3 s for it to appear, with HTTP 504 reason ``Timeout``, the message
  ``Too large resource version: 18, current: 8`` and a ``details.causes`` entry of type (JSON
  ``reason``) ``ResourceVersionTooLarge``. Servers before 1.18.6 put the phrase only in the
  message or the cause message, so those shapes are recognised too.

:func:`version_problem` is the one place the reflector asks; it never raises.
"""

from __future__ import annotations

import enum
import re

from aim_engine.errors import ApiError, GoneError

__all__ = ["VersionProblem", "version_problem"]

_TOO_LARGE_CAUSE = "ResourceVersionTooLarge"
_TOO_LARGE_TEXT = "too large resource version"
_EXPIRED_REASONS = frozenset({"Expired", "Gone"})
_VERSION_WORD = re.compile(r"resource ?version")


class VersionProblem(enum.Enum):
    """Why a resourceVersion was refused (the value is the metric ``reason`` label)."""

    EXPIRED = "gone"
    TOO_LARGE = "too_large"


def version_problem(exc: BaseException) -> VersionProblem | None:
    """The resourceVersion problem ``exc`` reports, or ``None`` for any other error."""
    if not isinstance(exc, ApiError):
        return None
    message = exc.message.lower()
    causes = exc.causes
    if (
        any(c.reason == _TOO_LARGE_CAUSE for c in causes)
        or any(c.message.lower() == _TOO_LARGE_TEXT for c in causes)
        or _TOO_LARGE_TEXT in message
    ):
        return VersionProblem.TOO_LARGE
    if (
        isinstance(exc, GoneError)
        or exc.reason in _EXPIRED_REASONS
        or ("too old" in message and _VERSION_WORD.search(message) is not None)
    ):
        return VersionProblem.EXPIRED
    return None

"""``WWW-Authenticate`` challenges of a registry (RFC 7235), parsed without I/O.

A registry that wants credentials answers 401 with a challenge:

* ``Basic realm="Registry Realm"``: send the username and password on every request;
* ``Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"``:
  fetch a token from ``realm`` (with ``service`` and ``scope`` as query parameters and the
  credentials, if any, as basic auth) and send it as ``Authorization: Bearer <token>``.

Only the first challenge of a header is used (registries send one); parameter names are
case-insensitive, values may be tokens or quoted strings with backslash escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Challenge", "parse_challenge"]

_SCHEME_RE = re.compile(r"\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)")
_PARAM_RE = re.compile(r"\s*,?\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*")
_TOKEN_RE = re.compile(r"[^\s,]*")


@dataclass(frozen=True, slots=True)
class Challenge:
    """One authentication challenge.

    Attributes:
        scheme: lower-cased scheme, ``basic`` or ``bearer`` (others are kept, but unused).
        params: parameters with lower-cased names (``realm``, ``service``, ``scope``...).
    """

    scheme: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def realm(self) -> str:
        """The ``realm`` parameter ("" if absent)."""
        return self.params.get("realm", "")


def _quoted(text: str, start: int) -> tuple[str, int]:
    """Read a quoted string whose opening quote is at ``start``; return it and the next index."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    return "".join(out), i  # unterminated: take what there is


def parse_challenge(header: str) -> Challenge | None:
    """Parse the first challenge of a ``WWW-Authenticate`` header.

    Returns:
        The challenge, or ``None`` when the header holds no scheme.
    """
    match = _SCHEME_RE.match(header)
    if match is None:
        return None
    scheme = match.group(1).lower()
    params: dict[str, str] = {}
    pos = match.end()
    while pos < len(header):
        param = _PARAM_RE.match(header, pos)
        if param is None:
            break
        name = param.group(1).lower()
        pos = param.end()
        if pos < len(header) and header[pos] == '"':
            value, pos = _quoted(header, pos)
        else:
            token = _TOKEN_RE.match(header, pos)
            value = token.group(0) if token else ""
            pos += len(value)
        params.setdefault(name, value)
    return Challenge(scheme, params)

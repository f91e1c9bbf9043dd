"""Label selectors evaluated in memory, for :meth:`Reader.list` on cached objects.

The grammar is Kubernetes' (``metav1.LabelSelector`` string form): requirements separated by
commas, each one of ``key=value``, ``key==value``, ``key!=value``, ``key in (a,b)``,
``key notin (a,b)``, ``key`` (exists), ``!key`` (does not exist), ``key>N`` and ``key<N``. A
mapping is shorthand for a list of equality requirements. The empty selector matches everything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["LabelSelector"]

_SET_RE = re.compile(r"^(?P<key>[^\s!=<>(),]+)\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)$")
_BINARY_RE = re.compile(
    r"^(?P<key>[^\s!=<>(),]+)\s*(?P<op>==|!=|=|>|<)\s*(?P<value>[^\s!=<>(),]*)$"
)
_KEY_RE = re.compile(r"^(?P<neg>!?)\s*(?P<key>[^\s!=<>(),]+)$")


@dataclass(frozen=True, slots=True)
class _Requirement:
    key: str
    op: str  # "in", "notin", "exists", "!exists", "gt", "lt"
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.op == "in":
            return present and labels[self.key] in self.values
        if self.op == "notin":
            return not present or labels[self.key] not in self.values
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if not present:
            return False
        try:
            actual, bound = int(labels[self.key]), int(next(iter(self.values)))
        except ValueError:
            return False
        return actual > bound if self.op == "gt" else actual < bound


def _split_requirements(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _parse_requirement(text: str) -> _Requirement:
    if m := _SET_RE.match(text):
        values = frozenset(v.strip() for v in m["values"].split(",") if v.strip())
        return _Requirement(m["key"], m["op"], values)
    if m := _BINARY_RE.match(text):
        op = m["op"]
        if op in ("=", "=="):
            return _Requirement(m["key"], "in", frozenset({m["value"]}))
        if op == "!=":
            return _Requirement(m["key"], "notin", frozenset({m["value"]}))
        if not m["value"]:
            raise ValueError(f"label selector requirement {text!r} needs an integer value")
        return _Requirement(m["key"], "gt" if op == ">" else "lt", frozenset({m["value"]}))
    if m := _KEY_RE.match(text):
        return _Requirement(m["key"], "!exists" if m["neg"] else "exists")
    raise ValueError(f"cannot parse label selector requirement {text!r}")


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A parsed label selector; :meth:`matches` tests a ``metadata.labels`` mapping."""

    requirements: tuple[_Requirement, ...] = ()

    @classmethod
    def parse(cls, selector: str | Mapping[str, str] | None) -> LabelSelector:
        """Parse the string form, or turn a mapping into equality requirements.

        Raises:
            ValueError: the string is not a valid selector.
        """
        if selector is None:
            return cls()
        if isinstance(selector, str):
            return cls(tuple(_parse_requirement(p) for p in _split_requirements(selector)))
        return cls(tuple(_Requirement(k, "in", frozenset({v})) for k, v in selector.items()))

    @property
    def empty(self) -> bool:
        """Whether the selector matches everything."""
        return not self.requirements

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether every requirement holds for ``labels``."""
        return all(r.matches(labels) for r in self.requirements)

"""Strict semantic versions (semver.org 2.0.0) and the version constraints of source filters.

A model source keeps an image tag only when the tag, with an optional leading ``v``, is a strict
semantic version (``1.2.3``, ``0.8.5-rc1``; not ``1.2``, ``latest`` or ``01.2.3``) that satisfies
every constraint of the filter. No library is used: the grammar is one regular expression and
precedence is a sort key, and neither ``packaging.version`` (PEP 440, not semver) nor a new runtime
dependency fits that better.

Constraint syntax (one string of ``versions[]``):

* comparators ``=`` / ``==`` (also no operator), ``!=``, ``>``, ``>=``, ``<``, ``<=``;
* ``~1.2.3`` (``>=1.2.3 <1.3.0``; ``~1`` is ``>=1.0.0 <2.0.0``) and ``^1.2.3`` (``>=1.2.3
  <2.0.0``; below 1.0.0 the first non-zero component is kept: ``^0.9`` is ``>=0.9.0 <0.10.0``);
* comparators separated by spaces or commas must all hold; ``||`` separates alternatives;
* a partial version is padded with zeros: ``>=0.9`` means ``>=0.9.0`` (as the original does);
* a string that does not parse is ignored, as in the original (the other constraints still apply).

Pre-release versions compare by semver precedence only (``1.0.0-rc1 < 1.0.0``), so ``>=0.9.0``
accepts ``1.0.0-rc1``, as the original does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import total_ordering

__all__ = [
    "Constraint",
    "Version",
    "parse_constraint",
    "parse_tag_version",
    "parse_version",
    "tag_satisfies",
]

_IDENT = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
_VERSION = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    rf"(?:-({_IDENT}(?:\.{_IDENT})*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$",
    re.ASCII,
)
_COMPARATOR = re.compile(
    r"(?P<op>>=|<=|!=|==|=|>|<|~|\^)?\s*v?"
    r"(?P<core>\d+(?:\.\d+){0,2})(?P<rest>(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)",
    re.ASCII,
)
_SEPARATORS = re.compile(r"[\s,]*")


@total_ordering
@dataclass(frozen=True, slots=True)
class Version:
    """A semantic version; ordering is semver precedence (build metadata is ignored).

    Attributes:
        major: major version.
        minor: minor version.
        patch: patch version.
        prerelease: dot-separated pre-release identifiers (empty for a release).
        build: build metadata (kept, never compared).
    """

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: str = field(default="", compare=False)

    def _key(self) -> tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]:
        if not self.prerelease:
            return (self.major, self.minor, self.patch, 1, ())
        idents = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0, idents)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        return text + (f"+{self.build}" if self.build else "")


def parse_version(text: str) -> Version | None:
    """A strict semantic version (no leading ``v``, all three components), or ``None``."""
    match = _VERSION.match(text)
    if match is None:
        return None
    major, minor, patch, pre, build = match.groups()
    return Version(
        int(major), int(minor), int(patch), tuple(pre.split(".")) if pre else (), build or ""
    )


def parse_tag_version(tag: str) -> Version | None:
    """The version of an image tag: strict semver after one optional leading ``v``."""
    return parse_version(tag[1:] if tag.startswith("v") else tag)


Check = Callable[[Version], bool]


def _bounds(low: Version, high: Version) -> Check:
    return lambda v: low <= v < high


def _tilde(base: Version, given: int) -> Check:
    if given == 1:
        return _bounds(base, Version(base.major + 1, 0, 0))
    return _bounds(base, Version(base.major, base.minor + 1, 0))


def _caret(base: Version, given: int) -> Check:
    if base.major > 0 or given == 1:
        return _bounds(base, Version(base.major + 1, 0, 0))
    if base.minor > 0 or given == 2:
        return _bounds(base, Version(0, base.minor + 1, 0))
    return _bounds(base, Version(0, 0, base.patch + 1))


_OPERATORS: dict[str, Callable[[Version], Check]] = {
    "=": lambda b: lambda v: v == b,
    "!=": lambda b: lambda v: v != b,
    ">": lambda b: lambda v: v > b,
    ">=": lambda b: lambda v: v >= b,
    "<": lambda b: lambda v: v < b,
    "<=": lambda b: lambda v: v <= b,
}


def _comparator(op: str, core: str, rest: str) -> tuple[str, Check] | None:
    numbers = core.split(".")
    padded = ".".join([*numbers, *["0"] * (3 - len(numbers))])
    base = parse_version(padded + rest)
    if base is None:
        return None
    if op == "~":
        return f"~{base}", _tilde(base, len(numbers))
    if op == "^":
        return f"^{base}", _caret(base, len(numbers))
    op = "=" if op in ("", "==") else op
    return f"{op}{base}", _OPERATORS[op](base)


@dataclass(frozen=True, slots=True)
class Constraint:
    """A parsed constraint string: alternatives (``||``) of comparators that must all hold.

    Attributes:
        text: the string as written.
        normalized: the canonical form, e.g. ``>=0.9.0`` for ``>= 0.9``.
    """

    text: str
    normalized: str
    _alternatives: tuple[tuple[Check, ...], ...] = field(repr=False, compare=False)

    def allows(self, version: Version) -> bool:
        """Whether ``version`` satisfies the constraint."""
        return any(all(check(version) for check in alt) for alt in self._alternatives)


def parse_constraint(text: str) -> Constraint | None:
    """Parse one constraint string; ``None`` when any part of it does not parse."""
    alternatives: list[tuple[Check, ...]] = []
    rendered: list[str] = []
    for alternative in text.split("||"):
        checks: list[Check] = []
        names: list[str] = []
        pos = _SEPARATORS.match(alternative, 0)
        index = pos.end() if pos else 0
        while index < len(alternative):
            match = _COMPARATOR.match(alternative, index)
            if match is None:
                return None
            parsed = _comparator(match["op"] or "", match["core"], match["rest"])
            if parsed is None:
                return None
            names.append(parsed[0])
            checks.append(parsed[1])
            sep = _SEPARATORS.match(alternative, match.end())
            index = sep.end() if sep else match.end()
            if index == match.end() and index < len(alternative):
                return None  # two comparators must be separated
        if not checks:
            return None
        alternatives.append(tuple(checks))
        rendered.append(" ".join(names))
    return Constraint(
        text=text, normalized=" || ".join(rendered), _alternatives=tuple(alternatives)
    )


def tag_satisfies(tag: str, constraints: Sequence[str]) -> bool:
    """Whether an image tag passes version constraints (all of them; see the module docstring).

    Constraints that do not parse are ignored; with none left every tag passes, including tags
    that are not versions. Otherwise the tag must be a strict semantic version.
    """
    parsed = [c for c in (parse_constraint(text) for text in constraints) if c is not None]
    if not parsed:
        return True
    version = parse_tag_version(tag)
    return version is not None and all(c.allows(version) for c in parsed)

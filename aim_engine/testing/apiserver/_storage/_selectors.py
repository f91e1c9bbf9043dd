"""Label and field selectors, parsed from the query string and matched against raw objects.

Label selectors support the whole grammar kube-apiserver accepts: ``k=v``, ``k==v``, ``k!=v``,
``k in (a,b)``, ``k notin (a,b)``, ``k`` (exists) and ``!k`` (does not exist), comma-separated.
Field selectors support ``=``/``==``/``!=`` on ``metadata.name`` and ``metadata.namespace`` plus the
few extra fields some built-in kinds index (``status.phase`` of pods and so on). Bad syntax and
unknown fields raise a 400 :class:`~aim_engine.testing.apiserver.StatusError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aim_engine.testing.apiserver._status import bad_request

__all__ = [
    "FieldSelector",
    "LabelSelector",
    "Selector",
    "parse_field_selector",
    "parse_label_selector",
]

_TOKEN = re.compile(r"\s*(!=|==|=|\(|\)|,|!|[^\s!=(),]+)")
_EXTRA_FIELDS: Mapping[str, tuple[str, ...]] = {
    "pods": (
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "status.phase",
        "status.podIP",
        "spec.serviceAccountName",
    ),
    "events": (
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    ),
    "secrets": ("type",),
    "namespaces": ("status.phase",),
    "nodes": ("spec.unschedulable",),
}


@dataclass(frozen=True, slots=True)
class _Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!exists"
    values: tuple[str, ...]

    def matches(self, labels: Mapping[str, Any]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if self.op in ("=", "in"):
            return present and value in self.values
        return not present or value not in self.values  # "!=", "notin"


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A parsed label selector; the empty selector matches everything."""

    requirements: tuple[_Requirement, ...] = ()

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Whether the object's labels satisfy every requirement."""
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(r.matches(labels) for r in self.requirements)


def _parse_error(selector: str, detail: str) -> Exception:
    del selector
    return bad_request(f"unable to parse requirement: {detail}")


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse a ``labelSelector`` query value.

    Raises:
        StatusError: 400 on bad syntax.
    """
    if not text or not text.strip():
        return LabelSelector()
    tokens = [m.group(1) for m in _TOKEN.finditer(text)]
    if "".join(tokens) != re.sub(r"\s+", "", text):
        raise _parse_error(text, "invalid character")
    reqs: list[_Requirement] = []
    i = 0

    def take() -> str:
        nonlocal i
        if i >= len(tokens):
            raise _parse_error(text, "unexpected end")
        tok = tokens[i]
        i += 1
        return tok

    while i < len(tokens):
        tok = take()
        if tok == "!":
            reqs.append(_Requirement(_label_key(text, take()), "!exists", ()))
        else:
            key = _label_key(text, tok)
            nxt = tokens[i] if i < len(tokens) else ","
            if nxt == ",":
                reqs.append(_Requirement(key, "exists", ()))
            elif nxt in ("=", "==", "!="):
                i += 1
                value = take() if i < len(tokens) and tokens[i] != "," else ""
                _label_value(text, value)
                reqs.append(_Requirement(key, "!=" if nxt == "!=" else "=", (value,)))
            elif nxt in ("in", "notin"):
                i += 1
                if take() != "(":
                    raise _parse_error(text, "found '" + tokens[i - 1] + "' expected: '('")
                values: list[str] = []
                while True:
                    tok = take()
                    if tok == ")":
                        break
                    if tok == ",":
                        continue
                    values.append(_label_value(text, tok))
                reqs.append(_Requirement(key, nxt, tuple(values)))
            else:
                raise _parse_error(text, f"found '{nxt}', expected: in, notin, =, ==, !=, gt, lt")
        if i < len(tokens):
            if tokens[i] != ",":
                raise _parse_error(text, f"found '{tokens[i]}', expected: ','")
            i += 1
            if i >= len(tokens):
                raise _parse_error(text, "unexpected end")
    return LabelSelector(tuple(reqs))


_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


def _label_key(selector: str, key: str) -> str:
    if not _KEY.match(key) or key in ("in", "notin"):
        raise _parse_error(selector, f"invalid label key {key!r}")
    return key


def _label_value(selector: str, value: str) -> str:
    if not _VALUE.match(value):
        raise _parse_error(selector, f"invalid label value {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class FieldSelector:
    """A parsed field selector: ``(path, op, value)`` terms, all of which must hold."""

    terms: tuple[tuple[str, str, str], ...] = ()

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Whether every term holds for the object."""
        for path, op, value in self.terms:
            actual = _lookup(obj, path)
            if (actual == value) != (op == "="):
                return False
        return True


def _lookup(obj: Mapping[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        cur = cur.get(part) if isinstance(cur, Mapping) else None
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def parse_field_selector(
    text: str | None, plural: str, namespaced: bool, *, custom: bool = False
) -> FieldSelector:
    """Parse a ``fieldSelector`` query value for a resource.

    ``custom`` resources word an unsupported field the way the apiextensions server does.

    Raises:
        StatusError: 400 on bad syntax or a field the resource does not index.
    """
    if not text or not text.strip():
        return FieldSelector()
    allowed = {"metadata.name", *_EXTRA_FIELDS.get(plural, ())}
    if namespaced:
        allowed.add("metadata.namespace")
    terms: list[tuple[str, str, str]] = []
    for raw in text.split(","):
        m = re.match(r"^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$", raw)
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{raw}'")
        field, op, value = m.group(1), m.group(2), m.group(3)
        if field not in allowed and custom:
            raise bad_request(f"field label not supported: {field}")
        if field not in allowed:
            known = ", ".join(f'"{f}"' for f in sorted(allowed))
            raise bad_request(f'"{field}" is not a known field selector: only {known}')
        terms.append((field, "!=" if op == "!=" else "=", value))
    return FieldSelector(tuple(terms))


@dataclass(frozen=True, slots=True)
class Selector:
    """A label selector and a field selector together."""

    labels: LabelSelector = LabelSelector()
    fields: FieldSelector = FieldSelector()

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Whether the object satisfies both selectors."""
        return self.labels.matches(obj) and self.fields.matches(obj)

    def as_predicate(self) -> Callable[[Mapping[str, Any]], bool]:
        """The selector as a plain callable."""
        return self.matches

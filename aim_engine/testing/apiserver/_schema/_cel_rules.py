"""CEL rules of ``x-kubernetes-validations``, compiled once and evaluated like kube-apiserver.

A :class:`CelRule` wraps one entry of a schema node's ``x-kubernetes-validations`` list. It is
compiled once (per CRD version) with the ``cel`` package (``common-expression-language``) and
evaluated against the node's value bound to ``self`` and, for transition rules, the correlated
old value bound to ``oldSelf``.

Kubernetes semantics kept here:

* a rule is evaluated only where its node is present (the caller never calls it for an absent
  field), so ``has()`` on an absent optional field is false and a rule on an absent node is
  silently skipped;
* a *transition rule* (one that references ``oldSelf``) runs only on update and only when the
  old object has the field, unless ``optionalOldSelf`` is set;
* the failure message is the rule's ``message``, else its ``messageExpression`` result, else
  ``failed rule: <rule>``; the reason defaults to ``FieldValueInvalid``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cel

from aim_engine.testing.apiserver._schema._cel_library import KUBERNETES_FUNCTIONS

__all__ = ["CelRule", "CelRuleError", "RuleOutcome"]

_NO_OLD = object()


class CelRuleError(ValueError):
    """A rule does not compile; the CRD carrying it is invalid."""


@dataclass(frozen=True)
class RuleOutcome:
    """One failed rule: where, why, and the message the server reports.

    Attributes:
        field_path: The rule's ``fieldPath`` (JSON-path like ``.spec.x``), or ``""``.
        reason: ``FieldValueInvalid``, ``FieldValueForbidden``, ``FieldValueRequired`` or
            ``FieldValueDuplicate``.
        message: The message text (the rule's message or ``failed rule: <rule>``).
    """

    field_path: str
    reason: str
    message: str


class CelRule:
    """One compiled ``x-kubernetes-validations`` entry."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        """Compile the rule (and its ``messageExpression``) once.

        Args:
            spec: The validation entry: ``rule``, optional ``message``, ``messageExpression``,
                ``reason``, ``fieldPath``, ``optionalOldSelf``.

        Raises:
            CelRuleError: The rule or its message expression does not parse.
        """
        self.rule: str = str(spec["rule"])
        self.message: str | None = spec.get("message")
        self.reason: str = str(spec.get("reason") or "FieldValueInvalid")
        self.field_path: str = str(spec.get("fieldPath") or "")
        self.optional_old_self: bool = bool(spec.get("optionalOldSelf", False))
        try:
            self._program = cel.compile(self.rule)
            expr = spec.get("messageExpression")
            self._message_program = cel.compile(str(expr)) if expr else None
        except ValueError as exc:
            raise CelRuleError(f"compilation failed: {exc}") from exc
        self.is_transition: bool = "oldSelf" in self._program.variables()

    def applies(self, *, has_old: bool) -> bool:
        """Whether the rule runs for this node (transition rules need an old value).

        Args:
            has_old: True on update when the old object has the correlated field.

        Returns:
            True if the rule must be evaluated.
        """
        return not self.is_transition or has_old or self.optional_old_self

    def evaluate(self, value: Any, old: Any = _NO_OLD) -> RuleOutcome | None:
        """Evaluate the rule; return the failure, or None when it holds.

        Args:
            value: The node's value (already converted to CEL-friendly Python types).
            old: The correlated old value, if any.

        Returns:
            None when the rule evaluates to true, else the failure to report.
        """
        bindings: dict[str, Any] = {"self": value}
        if self.is_transition:
            if old is _NO_OLD:
                bindings["oldSelf"] = cel.OptionalValue.none()
            elif self.optional_old_self:
                bindings["oldSelf"] = cel.OptionalValue.of(old)
            else:
                bindings["oldSelf"] = old
        try:
            result = self._program.execute(_context(bindings))
        except KeyError as exc:
            return self._failure(f"no such key: {exc.args[0] if exc.args else ''}")
        except (TypeError, ValueError, RuntimeError) as exc:
            return self._failure(str(exc))
        if result is True:
            return None
        return self._failure(self._message_for(bindings))

    def _message_for(self, bindings: Mapping[str, Any]) -> str:
        if self.message:
            return self.message
        if self._message_program is not None:
            try:
                text = self._message_program.execute(_context(bindings))
            except (KeyError, TypeError, ValueError, RuntimeError):
                text = None
            if isinstance(text, str) and text.strip():
                return text
        return f"failed rule: {self.rule}"

    def _failure(self, message: str) -> RuleOutcome:
        return RuleOutcome(field_path=self.field_path, reason=self.reason, message=message)


def _context(bindings: Mapping[str, Any]) -> Any:
    return cel.Context(variables=dict(bindings), functions=dict(KUBERNETES_FUNCTIONS))

"""Named health checks behind ``/healthz`` (liveness) and ``/readyz`` (readiness).

A check is a callable taking no arguments; it passes when it returns ``None`` or ``True`` (or
an awaitable of those) and fails when it returns ``False`` or raises. The response format follows
Kubernetes components and controller-runtime: ``200 ok`` when everything passes; with
``?verbose`` (or on failure) one line per check, ``[+]name ok`` or ``[-]name failed: reason
withheld``, then ``<endpoint> check passed|failed``; ``?exclude=name`` skips a check (repeatable);
``/<endpoint>/<name>`` runs a single check. Failure reasons are logged, never served.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from aim_engine.errors import ConfigurationError

__all__ = ["CheckResult", "HealthCheck", "HealthChecks", "ping"]

logger = logging.getLogger(__name__)

HealthCheck = Callable[[], "bool | Awaitable[bool | None] | None"]
"""A check: returns ``None``/``True`` when healthy, ``False`` or raises when not."""


def ping() -> None:
    """A check that always passes (controller-runtime ``healthz.Ping``)."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one named check."""

    name: str
    ok: bool


class HealthChecks:
    """An ordered set of named checks for one endpoint.

    Args:
        endpoint: ``healthz`` or ``readyz`` (used in response texts and logs).
    """

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._checks: dict[str, HealthCheck] = {}

    def add(self, name: str, check: HealthCheck) -> None:
        """Register ``check`` under ``name``.

        Raises:
            ConfigurationError: the name is empty or already taken.
        """
        if not name or "/" in name:
            raise ConfigurationError(f"invalid {self.endpoint} check name {name!r}")
        if name in self._checks:
            raise ConfigurationError(f"duplicate {self.endpoint} check {name!r}")
        self._checks[name] = check

    def names(self) -> list[str]:
        """The registered check names, in registration order."""
        return list(self._checks)

    async def run(
        self, *, only: str | None = None, exclude: Collection[str] = ()
    ) -> list[CheckResult]:
        """Run the checks (all, or just ``only``) except those in ``exclude``.

        Raises:
            KeyError: ``only`` names no check.
        """
        names = [only] if only is not None else [n for n in self._checks if n not in exclude]
        return [CheckResult(name, await self._run_one(name, self._checks[name])) for name in names]

    async def _run_one(self, name: str, check: HealthCheck) -> bool:
        try:
            outcome = check()
            if inspect.isawaitable(outcome):
                outcome = await outcome
        except Exception as exc:  # noqa: BLE001 - a failing check is a result, not a crash
            logger.info(
                "health check failed",
                extra={"endpoint": self.endpoint, "check": name, "error": str(exc)},
            )
            return False
        if outcome is False:
            logger.info("health check failed", extra={"endpoint": self.endpoint, "check": name})
            return False
        return True

    def render(self, results: list[CheckResult], *, verbose: bool) -> tuple[int, str]:
        """The HTTP status and body for ``results``."""
        ok = all(r.ok for r in results)
        if ok and not verbose:
            return 200, "ok"
        lines = [
            f"[+]{r.name} ok" if r.ok else f"[-]{r.name} failed: reason withheld" for r in results
        ]
        lines.append(f"{self.endpoint} check {'passed' if ok else 'failed'}")
        return (200 if ok else 500), "\n".join(lines) + "\n"

"""The Manager: shared client, cache and metrics; starts and stops everything in order.

See :class:`Manager` and ``docs/concepts/observability.md`` for the HTTP endpoints.
"""

from __future__ import annotations

from aim_engine.manager._health import CheckResult as CheckResult
from aim_engine.manager._health import HealthCheck as HealthCheck
from aim_engine.manager._health import HealthChecks as HealthChecks
from aim_engine.manager._health import ping as ping
from aim_engine.manager._http import BindError as BindError
from aim_engine.manager._http import parse_bind_address as parse_bind_address
from aim_engine.manager._manager import CacheSyncTimeoutError as CacheSyncTimeoutError
from aim_engine.manager._manager import Manager as Manager
from aim_engine.manager._manager import Runnable as Runnable

__all__ = [
    "BindError",
    "CacheSyncTimeoutError",
    "CheckResult",
    "HealthCheck",
    "HealthChecks",
    "Manager",
    "Runnable",
    "parse_bind_address",
    "ping",
]

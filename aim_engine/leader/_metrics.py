"""The ``leader_election_master_status{name}`` gauge (1 while leading, 0 otherwise).

The name and label are controller-runtime's (``pkg/metrics/leaderelection.go``). Several electors
may share one registry, so the gauge is created once per registry and kept on the registry object
itself rather than in module state.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge

from aim_engine.registry_sharing import shared_on

__all__ = ["master_status_gauge"]


def master_status_gauge(registry: CollectorRegistry) -> Gauge:
    """The registry's ``leader_election_master_status`` gauge, created on first use."""
    return shared_on(registry, "leader_election_master_status", lambda: _build(registry))


def _build(registry: CollectorRegistry) -> Gauge:
    return Gauge(
        "leader_election_master_status",
        "Gauge of if the reporting system is master of the relevant lease, "
        "0 indicates backup, 1 indicates master. 'name' is the string used to identify "
        "the lease. Please make sure to group by name.",
        labelnames=("name",),
        registry=registry,
    )

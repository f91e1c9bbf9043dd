"""Leader election on a ``coordination.k8s.io/v1`` Lease (client-go's algorithm).

Only one replica of an operator should reconcile at a time. :class:`LeaderElector` acquires a
Lease, renews it, and on a clean stop releases it; if renewal fails it cancels the leader-only
work *before* the Lease could expire and raises :class:`LeaseLostError`, on which the process
exits non-zero. See ``docs/concepts/leader-election.md``.
"""

from __future__ import annotations

from aim_engine.leader._config import LeaderElectionConfig as LeaderElectionConfig
from aim_engine.leader._config import LeaseClient as LeaseClient
from aim_engine.leader._config import LeaseLostError as LeaseLostError
from aim_engine.leader._config import default_identity as default_identity
from aim_engine.leader._config import format_micro_time as format_micro_time
from aim_engine.leader._config import parse_micro_time as parse_micro_time
from aim_engine.leader._elector import LeaderElector as LeaderElector

__all__ = [
    "LeaderElectionConfig",
    "LeaderElector",
    "LeaseClient",
    "LeaseLostError",
    "default_identity",
    "format_micro_time",
    "parse_micro_time",
]

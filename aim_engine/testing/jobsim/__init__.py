"""A Job controller for test clusters that have none: :class:`JobSimulator`.

::

    from aim_engine.testing.jobsim import JobOutcome, JobSimulator

    sim = JobSimulator(manager, {"app": "discovery"}, JobOutcome(log="hello\\n"),
                       log_writer=fake_server.set_pod_log)

See ``docs/guides/testing.md`` ("Jobs and pods").
"""

from __future__ import annotations

from aim_engine.testing.jobsim._logs import SimulatedPodLogs as SimulatedPodLogs
from aim_engine.testing.jobsim._outcome import JobOutcome as JobOutcome
from aim_engine.testing.jobsim._simulator import JobSimulator as JobSimulator
from aim_engine.testing.jobsim._simulator import LogWriter as LogWriter
from aim_engine.testing.jobsim._simulator import OutcomeSource as OutcomeSource

__all__ = ["JobOutcome", "JobSimulator", "LogWriter", "OutcomeSource", "SimulatedPodLogs"]

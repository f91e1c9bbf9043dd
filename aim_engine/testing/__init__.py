"""The testing kit: an in-process fake Kubernetes API server, a virtual clock, pytest fixtures."""

from __future__ import annotations

from aim_engine.testing.clock import FakeClock as FakeClock

__all__ = ["FakeClock"]

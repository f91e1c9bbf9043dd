"""The testing kit: an in-process fake Kubernetes API server, a virtual clock, pytest fixtures."""

from __future__ import annotations

__all__: list[str] = []

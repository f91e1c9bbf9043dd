"""The AIM operator: one reconciler per AIM kind, built on the aim_engine framework."""

from __future__ import annotations

__all__: list[str] = []

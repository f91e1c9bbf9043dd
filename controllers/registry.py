"""The AIM controllers the operator runs, as setup functions that register on a Manager.

Each AIM kind's reconciler package (``controllers/<kind>/``) contributes its ``setup(manager)``
here; ``docs/contributing.md`` describes the layout. The reconcilers
themselves (models, templates, services, caches, artifacts, runtime configs) are not written
yet; until they are, the operator runs its manager (metrics, probes, leader election, caches)
with no controllers registered.
"""

from __future__ import annotations

from collections.abc import Callable

from aim_engine.manager import Manager

__all__ = ["SETUPS", "Setup"]

Setup = Callable[[Manager], None]
"""Registers one controller (and its watches) on the manager."""

SETUPS: tuple[Setup, ...] = ()

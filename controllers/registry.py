"""The AIM controllers the operator runs, as setup functions that register on a Manager.

Each AIM kind's reconciler package (``controllers/<kind>/``) contributes a
``setup(manager, config)`` here; ``docs/contributing.md`` describes the layout. A setup gets
the :class:`~controllers.config.OperatorConfig` of the process (operator namespace, identity)
and registers its controllers and their watches.
"""

from __future__ import annotations

from collections.abc import Callable

from aim_engine.manager import Manager
from controllers.config import OperatorConfig
from controllers.model.reconciler import setup_model_controllers
from controllers.template.reconciler import setup_template_controllers

__all__ = ["SETUPS", "Setup", "setup_models", "setup_templates"]

Setup = Callable[[Manager, OperatorConfig], None]
"""Registers one or more controllers (and their watches) on the manager."""


def setup_models(manager: Manager, config: OperatorConfig) -> None:
    """The ``model`` and ``cluster-model`` controllers (one shared registry client)."""
    setup_model_controllers(manager, config)


def setup_templates(manager: Manager, config: OperatorConfig) -> None:
    """The ``service-template`` and ``cluster-service-template`` controllers (one shared lock)."""
    setup_template_controllers(manager, config)


SETUPS: tuple[Setup, ...] = (setup_models, setup_templates)

"""aim-engine: an async controller framework for Kubernetes, and the AIM operator built on it.

Only the names re-exported here (and the public subpackages ``aim_engine.client``,
``aim_engine.cache``, ``aim_engine.queue``, ``aim_engine.controller``, ``aim_engine.manager``,
``aim_engine.leader``, ``aim_engine.testing``) carry compatibility guarantees.
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]

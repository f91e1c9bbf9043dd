"""The finalizers the AIM controllers put on objects (exact strings of the original).

The mechanics (add, remove, run a cleanup once) are the framework's :mod:`aim_engine.finalizers`;
this module only names the operator's finalizers.
"""

from __future__ import annotations

from typing import Final

__all__ = ["Finalizers"]


class Finalizers:
    """Finalizers."""

    TEMPLATE_CACHE_CLEANUP: Final = "aim.eai.amd.com/template-cache-cleanup"
    ARTIFACT_CLEANUP: Final = "aim.eai.amd.com/artifactcleanup"

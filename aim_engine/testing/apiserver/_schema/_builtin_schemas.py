"""The shipped OpenAPI schemas of the fake API server's built-in kinds.

``_schema/data/builtin_schemas.json`` holds, for every built-in kind the fake serves, the name of
its definition in the real kube-apiserver's ``/openapi/v3`` documents and every definition it
reaches, trimmed to the keywords the fake reads (see
:mod:`aim_engine.testing.apiserver._schema._builtin_schema_gen`, the command that regenerates
the file).
:class:`BuiltinSchemas` reads the file on first use; each fake server owns one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

__all__ = ["BuiltinSchemas"]

_PACKAGE = "aim_engine.testing.apiserver._schema"
_FILE = ("data", "builtin_schemas.json")


class BuiltinSchemas:
    """Definitions by name and the root definition of each built-in kind (loaded lazily)."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        """Use ``data`` (a decoded data file) or, when None, the shipped file on first use."""
        self._data = data

    def _loaded(self) -> Mapping[str, Any]:
        if self._data is None:
            path = resources.files(_PACKAGE).joinpath(*_FILE)
            self._data = json.loads(path.read_text(encoding="utf-8"))
        return self._data

    def root(self, api_version: str, kind: str) -> str | None:
        """The definition name of ``kind`` in ``api_version``, None when it is not shipped."""
        found = self._loaded()["kinds"].get(f"{api_version}/{kind}")
        return str(found) if found is not None else None

    @property
    def definitions(self) -> Mapping[str, Mapping[str, Any]]:
        """Trimmed schema definitions by name (``io.k8s.api.core.v1.Pod``)."""
        defs: Mapping[str, Mapping[str, Any]] = self._loaded()["definitions"]
        return defs

    @property
    def registered(self) -> frozenset[str]:
        """``<apiVersion>/<Kind>`` of every kind the real server's scheme decodes (as published)."""
        return frozenset(self._loaded().get("registered", ()))

    @property
    def source(self) -> str:
        """Where the definitions were taken from (server version)."""
        return str(self._loaded().get("source", ""))

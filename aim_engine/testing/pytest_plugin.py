"""pytest plugin of aim-engine (fixtures for the fake API server, clients and clocks)."""

from __future__ import annotations

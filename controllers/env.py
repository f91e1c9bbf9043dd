"""Merging container env lists the way every AIM layer does (spec §14.7).

Runtime configs, templates, services, template caches and artifacts each contribute env vars;
each layer is merged over the one below it by name: a later layer's variable replaces the earlier
one in place (so the original order is kept), new names are appended. ``AIM_ENGINE_ARGS`` is
special: when both values are JSON objects they are deep-merged (the later layer wins key by
key), so a service can change one engine argument without restating the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from pydantic import JsonValue

from aim_engine.api.v1alpha1.core import EnvVar
from controllers.environment import EnvVars

__all__ = ["deep_merge_json", "merge_env", "merge_env_layers"]


def deep_merge_json(base: JsonValue, overlay: JsonValue) -> JsonValue:
    """``overlay`` over ``base``: objects merge key by key at every depth; other values replace."""
    if isinstance(base, Mapping) and isinstance(overlay, Mapping):
        merged: dict[str, JsonValue] = dict(base)
        for key, value in overlay.items():
            merged[key] = deep_merge_json(base[key], value) if key in base else value
        return merged
    return overlay


def _json_object(text: str | None) -> dict[str, JsonValue] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _merge_engine_args(base: EnvVar, overlay: EnvVar) -> EnvVar:
    """``AIM_ENGINE_ARGS`` of two layers: deep-merged when both are JSON objects."""
    old, new = _json_object(base.value), _json_object(overlay.value)
    if old is None or new is None or overlay.value_from is not None:
        return overlay
    merged = deep_merge_json(old, new)
    text = json.dumps(merged, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return overlay.model_copy(update={"value": text})


def merge_env(base: Sequence[EnvVar] | None, overlay: Sequence[EnvVar] | None) -> list[EnvVar]:
    """``overlay`` merged over ``base`` by name (see the module docstring).

    A name repeated within one list keeps its first position and its last value.
    """
    merged: dict[str, EnvVar] = {}
    for var in base or ():
        merged[var.name] = var
    for var in overlay or ():
        old = merged.get(var.name)
        if old is not None and var.name == EnvVars.AIM_ENGINE_ARGS:
            var = _merge_engine_args(old, var)
        merged[var.name] = var
    return list(merged.values())


def merge_env_layers(layers: Iterable[Sequence[EnvVar] | None]) -> list[EnvVar]:
    """Several layers merged in order, the last one winning (e.g. config, template, service)."""
    merged: list[EnvVar] = []
    for layer in layers:
        merged = merge_env(merged, layer)
    return merged

"""Reading the result of a discovery Job from its container log (spec §5.2.5).

The model image prints a JSON array of results, but the log may hold more than that: engine
log lines before it, stray output after it, several JSON documents, a cut-off last line. The
original parses the whole log, then retries with the slice from the nearest ``[`` to the *last*
``]`` of the log, so any ``]`` printed after the JSON breaks it [QUIRK]. We instead try JSON
values starting at each ``[`` from the end of the log backwards and take the first (i.e. the
latest) that is a non-empty array whose first element looks like a discovery result (an object
with ``profile`` or ``models``); text after a value is ignored, so trailing output cannot hurt.

Bounded work, never an exception: only the last :data:`MAX_LOG_CHARS` characters are read (the
result is printed last); at most :data:`MAX_BRACKETS` ``[`` are looked at, and only those that
open an array of objects (``[{``) are parsed, at most :data:`MAX_CANDIDATES` of them and each
over at most :data:`MAX_RESULT_CHARS` characters. Every failure is a
:class:`DiscoveryParseError` value with a reason.
An empty array means "discovery found nothing" when it is the whole log or stands alone on the
last line (the latest output); ``[]`` elsewhere, or nested, is just noise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from aim_engine.api.v1alpha1.sources import MODEL_ID_PATTERN, SOURCE_URI_PATTERN

__all__ = [
    "EMPTY_LOG",
    "EMPTY_RESULT",
    "INVALID_RESULT",
    "MAX_BRACKETS",
    "MAX_CANDIDATES",
    "MAX_LOG_CHARS",
    "MAX_RESULT_CHARS",
    "NO_RESULT",
    "TOO_COMPLEX",
    "DiscoveredModel",
    "DiscoveryParseError",
    "DiscoveryProfile",
    "DiscoveryProfileMetadata",
    "DiscoveryResult",
    "parse_discovery_log",
]

MAX_LOG_CHARS = 1 << 20
"""Characters of the log tail that are read (1 Mi; a result is a few KiB)."""
MAX_BRACKETS = 20_000
"""``[`` positions looked at, from the end of the log."""
MAX_CANDIDATES = 64
"""Positions where an array of objects starts (``[{``) that are parsed."""
MAX_RESULT_CHARS = 128 * 1024
"""Longest results array that is recognised (a real one is a few KiB)."""

EMPTY_LOG = "EmptyLog"
NO_RESULT = "NoDiscoveryResult"
EMPTY_RESULT = "EmptyDiscoveryResult"
INVALID_RESULT = "InvalidDiscoveryResult"
TOO_COMPLEX = "DiscoveryOutputTooComplex"
_MESSAGE_CHARS = 500
_RESULTS_START = re.compile(r"\[\s*\{")
_EMPTY_ARRAY = re.compile(r"\[\s*\]")


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class DiscoveryProfileMetadata(_Wire):
    """What the profile is for (``profile.metadata``)."""

    engine: str = ""
    gpu: str = ""
    precision: str = ""
    gpu_count: int = 0
    metric: str = ""
    type: str = ""


class DiscoveryProfile(_Wire):
    """The runtime profile the image chose."""

    model: str = ""
    quantized_model: str = ""
    metadata: DiscoveryProfileMetadata = Field(default_factory=DiscoveryProfileMetadata)
    engine_args: dict[str, JsonValue] = Field(default_factory=dict)
    env_vars: dict[str, str] = Field(default_factory=dict)


class DiscoveredModel(_Wire):
    """One set of weights the profile needs."""

    name: Annotated[str, Field(pattern=MODEL_ID_PATTERN)]
    source: Annotated[str, Field(pattern=SOURCE_URI_PATTERN)]
    size_gb: Annotated[float, Field(ge=0)] | None = None


class DiscoveryResult(_Wire):
    """Element 0 of the discovery output."""

    filename: str = ""
    profile: DiscoveryProfile = Field(default_factory=DiscoveryProfile)
    models: list[DiscoveredModel] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DiscoveryParseError:
    """Why a log holds no usable result.

    Attributes:
        reason: :data:`EMPTY_LOG`, :data:`NO_RESULT`, :data:`EMPTY_RESULT`,
            :data:`INVALID_RESULT` or :data:`TOO_COMPLEX`.
        message: human-readable detail (bounded length).
    """

    reason: str
    message: str


def _looks_like_results(value: list[Any]) -> bool:
    first = value[0]
    return isinstance(first, dict) and ("profile" in first or "models" in first)


def _validate(results: list[Any]) -> DiscoveryResult | DiscoveryParseError:
    try:
        return DiscoveryResult.model_validate(results[0])
    except ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()
        )
        message = f"discovery result is invalid: {detail}"[:_MESSAGE_CHARS]
        return DiscoveryParseError(INVALID_RESULT, message)


def _tail(log: str | bytes) -> tuple[str, int]:
    """The last :data:`MAX_LOG_CHARS` of the log as text, and the full length."""
    if isinstance(log, bytes):
        size = len(log)
        return log[-MAX_LOG_CHARS:].decode("utf-8", "replace"), size
    return log[-MAX_LOG_CHARS:], len(log)


def parse_discovery_log(log: str | bytes) -> DiscoveryResult | DiscoveryParseError:
    """The discovery result in a container log, or why there is none.

    Args:
        log: the full log of the ``discovery`` container (text or raw bytes).

    Returns:
        Element 0 of the latest results array, validated; or a :class:`DiscoveryParseError`.
    """
    text, size = _tail(log)
    where = f" in the last {len(text)} of {size} characters" if size > len(text) else ""
    text = text.strip()
    if not text:
        return DiscoveryParseError(EMPTY_LOG, "discovery log is empty")
    nothing = DiscoveryParseError(EMPTY_RESULT, f"discovery returned no results{where}")
    try:
        whole = json.loads(text)
    except (ValueError, RecursionError):
        whole = None
    if isinstance(whole, list):
        if whole and _looks_like_results(whole):
            return _validate(whole)
        if not whole:
            return nothing
    decoder = json.JSONDecoder()
    seen = parsed = 0
    end = len(text)
    while (start := text.rfind("[", 0, end)) >= 0:
        end, seen = start, seen + 1
        if seen > MAX_BRACKETS or parsed == MAX_CANDIDATES:
            message = f"gave up after {seen - 1} possible starts of the discovery output{where}"
            return DiscoveryParseError(TOO_COMPLEX, message)
        empty = _EMPTY_ARRAY.match(text, start)
        if empty is not None:
            # "[]" on a line of its own at the very end: the latest output found nothing
            if (start == 0 or text[start - 1] == "\n") and empty.end() == len(text):
                return nothing
            continue
        if not _RESULTS_START.match(text, start):
            continue
        parsed += 1
        try:
            value, _ = decoder.raw_decode(text[start : start + MAX_RESULT_CHARS])
        except (ValueError, RecursionError):
            continue
        if isinstance(value, list) and value and _looks_like_results(value):
            return _validate(value)
    return DiscoveryParseError(NO_RESULT, f"no JSON array of discovery results{where}")

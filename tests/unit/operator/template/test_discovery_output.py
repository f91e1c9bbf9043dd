"""Reading discovery results from container logs: mixed output, recovery, bounds, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from controllers.template.discovery_output import (
    EMPTY_LOG,
    EMPTY_RESULT,
    INVALID_RESULT,
    MAX_BRACKETS,
    MAX_LOG_CHARS,
    MAX_RESULT_CHARS,
    NO_RESULT,
    TOO_COMPLEX,
    DiscoveredModel,
    DiscoveryParseError,
    DiscoveryResult,
    parse_discovery_log,
)

RESULT: dict[str, Any] = {
    "filename": "/profiles/qwen-mi300x-fp8-lat.yaml",
    "profile": {
        "model": "Qwen/Qwen3-32B",
        "quantized_model": "amd/Qwen3-32B-FP8",
        "metadata": {
            "engine": "vllm",
            "gpu": "MI300X",
            "precision": "fp8",
            "gpu_count": 2,
            "metric": "latency",
            "type": "optimized",
        },
        "engine_args": {
            "tensor-parallel-size": 2,
            "flags": ["--a", "--b]"],
            "nested": {"x": [1, [2]]},
        },
        "env_vars": {"VLLM_USE_TRITON": "1"},
    },
    "models": [{"name": "amd/Qwen3-32B-FP8", "source": "hf://amd/Qwen3-32B-FP8", "size_gb": 32.5}],
}
OTHER = {**RESULT, "filename": "/profiles/other.yaml"}
ARRAY = json.dumps([RESULT])
PRETTY = json.dumps([RESULT], indent=2)


def ok(log: str | bytes) -> DiscoveryResult:
    parsed = parse_discovery_log(log)
    assert isinstance(parsed, DiscoveryResult), parsed
    return parsed


def failed(log: str | bytes) -> DiscoveryParseError:
    parsed = parse_discovery_log(log)
    assert isinstance(parsed, DiscoveryParseError), parsed
    return parsed


@pytest.mark.parametrize(
    ("case", "log", "filename"),
    [
        ("just the array", ARRAY, RESULT["filename"]),
        ("pretty printed", PRETTY, RESULT["filename"]),
        ("surrounding whitespace", f"\n\n  {ARRAY}  \n", RESULT["filename"]),
        (
            "log lines before",
            f"INFO starting\n[INFO] loading profiles\nWARNING x\n{ARRAY}\n",
            RESULT["filename"],
        ),
        ("trailing garbage", f"{ARRAY}\nDone.\n", RESULT["filename"]),
        ("trailing garbage with brackets", f"{ARRAY}\n[done] exit [0]\n", RESULT["filename"]),
        (
            "bracketed lines both sides",
            f"[1/3] a\n[2/3] b\n{PRETTY}\n[3/3] ]]] end",
            RESULT["filename"],
        ),
        ("CRLF line endings", PRETTY.replace("\n", "\r\n") + "\r\n", RESULT["filename"]),
        (
            "several documents: the latest wins",
            f"{json.dumps([OTHER])}\nretrying\n{ARRAY}\n",
            RESULT["filename"],
        ),
        (
            "a JSON object log line before",
            f'{{"level": "info", "msg": "[x]"}}\n{ARRAY}',
            RESULT["filename"],
        ),
        ("a non-result array after", f"{ARRAY}\n[1, 2, 3]\n", RESULT["filename"]),
        ("an empty array after", f"{ARRAY}\nplugins: []\n", RESULT["filename"]),
        ("several results: element 0", json.dumps([RESULT, OTHER]), RESULT["filename"]),
        ("ANSI colours around", f"\x1b[32mINFO\x1b[0m ok\n{ARRAY}\n\x1b[0m", RESULT["filename"]),
        ("a cut-off second document", f'{ARRAY}\n[{{"profile": {{"model": ', RESULT["filename"]),
        ("models only", json.dumps([{"models": RESULT["models"]}]), ""),
    ],
)
def test_recovers_the_result(case: str, log: str, filename: str) -> None:
    assert ok(log).filename == filename


def test_fields_are_read() -> None:
    result = ok(ARRAY)
    assert result.profile.metadata.gpu_count == 2
    assert result.profile.metadata.gpu == "MI300X"
    assert result.profile.engine_args["flags"] == ["--a", "--b]"]
    assert result.profile.env_vars == {"VLLM_USE_TRITON": "1"}
    assert result.models == [
        DiscoveredModel(name="amd/Qwen3-32B-FP8", source="hf://amd/Qwen3-32B-FP8", size_gb=32.5)
    ]


def test_bytes_with_invalid_utf8_are_read() -> None:
    assert ok(b"\xff\xfe garbage\n" + ARRAY.encode()).filename == RESULT["filename"]


@pytest.mark.parametrize(
    ("case", "log", "reason"),
    [
        ("empty", "", EMPTY_LOG),
        ("whitespace", " \n\t\n", EMPTY_LOG),
        ("plain text", "Error: no GPU found\n", NO_RESULT),
        ("empty array", "[]", EMPTY_RESULT),
        ("empty array in text", "no profile matched\n[]\n", EMPTY_RESULT),
        ("empty array after a result: the latest wins", f"{ARRAY}\nretry\n[ ]\n", EMPTY_RESULT),
        ("empty array not alone on its line", "found: []", NO_RESULT),
        ("a JSON object, not an array", json.dumps(RESULT), NO_RESULT),
        ("array of numbers", "[1, 2, 3]", NO_RESULT),
        ("array of unrelated objects", '[{"a": 1}]', NO_RESULT),
        ("cut-off JSON", ARRAY[: len(ARRAY) // 2], NO_RESULT),
        ("cut-off pretty JSON", PRETTY[:-40], NO_RESULT),
        ("unbalanced brackets", "[[[[ ]]", NO_RESULT),
        ("lone brackets", "[" * 10 + "]" * 3, NO_RESULT),
        ("nesting", "[" * 300 + "]" * 300, NO_RESULT),
        ("deep nesting", "[" * 100_000 + "]" * 100_000, TOO_COMPLEX),
        ("deep nesting of objects", "[{" * 5000, TOO_COMPLEX),
        ("some nesting of objects", "[{" * 50, NO_RESULT),
    ],
)
def test_failures_are_values(case: str, log: str, reason: str) -> None:
    assert failed(log).reason == reason


@pytest.mark.parametrize(
    ("element", "fragment"),
    [
        ({"profile": {"metadata": {"gpu_count": "many"}}}, "profile.metadata.gpu_count"),
        ({"profile": "fast"}, "profile"),
        ({"profile": {}, "models": [{"name": "no-slash", "source": "hf://x/y"}]}, "models.0.name"),
        ({"profile": {}, "models": [{"name": "a/b", "source": "ftp://x"}]}, "models.0.source"),
        (
            {"profile": {}, "models": [{"name": "a/b", "source": "hf://a/b", "size_gb": -1}]},
            "models.0.size_gb",
        ),
        ({"profile": {"env_vars": {"A": 1}}}, "profile.env_vars.A"),
    ],
)
def test_invalid_results_name_the_field(element: dict[str, Any], fragment: str) -> None:
    error = failed(json.dumps([element]))
    assert error.reason == INVALID_RESULT
    assert fragment in error.message
    assert len(error.message) <= 500


def test_only_the_tail_of_a_huge_log_is_read() -> None:
    noise = "x" * 80 + "\n"
    log = noise * (3 * MAX_LOG_CHARS // len(noise)) + ARRAY
    assert len(log) > MAX_LOG_CHARS
    assert ok(log).filename == RESULT["filename"]


def test_a_result_before_the_tail_is_not_found_and_the_message_says_so() -> None:
    log = ARRAY + "\n" + "y" * (MAX_LOG_CHARS + 10)
    error = failed(log)
    assert error.reason == NO_RESULT
    assert f"in the last {MAX_LOG_CHARS} of {len(log)} characters" in error.message


def test_many_brackets_give_up_with_too_complex() -> None:
    error = failed("[a] " * (MAX_LOG_CHARS // 4))
    assert error.reason == TOO_COMPLEX
    assert f"gave up after {MAX_BRACKETS} possible starts" in error.message


def test_a_few_bracketed_lines_after_the_result_are_fine() -> None:
    assert ok(ARRAY + "\n" + "[INFO] shutting down\n" * 400).filename == RESULT["filename"]


def test_many_unclosed_object_arrays_give_up_with_too_complex() -> None:
    assert failed(('[{"a": 1}, ' * 50 + "\n") * 100).reason == TOO_COMPLEX


def test_long_unclosed_arrays_are_no_result() -> None:
    assert failed(("[" + "1," * 60_000) * 8).reason == NO_RESULT


def test_a_result_longer_than_the_window_is_not_recognised() -> None:
    huge = {**RESULT, "filename": "f" * (MAX_RESULT_CHARS + 1)}
    assert failed(json.dumps([huge]) + "\ntrailer").reason == NO_RESULT

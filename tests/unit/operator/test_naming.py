"""The §7.1 derived-name algorithm: sanitising, Go JSON hashing, shortening, label values."""

from __future__ import annotations

import hashlib
import random

import pytest

from aim_engine.api.v1alpha1.core import EnvVar
from aim_engine.errors import InvalidSpecError
from controllers.naming import (
    generate_derived_name,
    go_json,
    hash_inputs,
    is_dns1123_label,
    sanitize_label_value,
    sanitize_name_part,
)


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("qwen-chat", "qwen-chat"),
        ("Qwen3-32B", "qwen3-32b"),
        ("hf://Qwen/Qwen3-32B", "hf---qwen-qwen3-32b"),  # no collapsing of runs
        ("--a--", "a"),
        ("a.b_c d", "a-b-c-d"),
        ("", "part"),
        ("....", "part"),
        ("模型", "part"),
        ("Modèle", "mod-le"),  # one non-ASCII code point → one '-'
        ("İstanbul", "istanbul"),  # Go's simple case mapping: İ → i (Python's lower() gives 2)
        ("\u212aelvin", "kelvin"),  # KELVIN SIGN lower-cases to ASCII k
        ("a" * 100, "a" * 63),
        ("a" * 62 + "-b", "a" * 62),  # cut to 63, then the trailing '-' goes
    ],
)
def test_sanitize_name_part(part: str, expected: str) -> None:
    assert sanitize_name_part(part) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ml-team", '"ml-team"'),
        ("a<b>&c", '"a\\u003cb\\u003e\\u0026c"'),
        ("Grüße", '"Grüße"'),  # UTF-8 kept
        ("line\u2028sep", '"line\\u2028sep"'),
        ('q"\\\n\t', '"q\\"\\\\\\n\\t"'),
        ("\x01", '"\\u0001"'),
        ("\ud800", '"\ufffd"'),  # a lone surrogate is invalid UTF-8: Go writes U+FFFD
        (3, "3"),
        (-1, "-1"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        ([], "[]"),
        (["a", 1, None], '["a",1,null]'),
        ({"b": "2", "a": "1"}, '["a","1","b","2"]'),  # Go map → flattened sorted pairs
        ({}, "[]"),
        (EnvVar(name="A"), '{"name":"A"}'),  # value omitted when empty
        (EnvVar(name="A", value=""), '{"name":"A"}'),
        (EnvVar(name="A", value="x"), '{"name":"A","value":"x"}'),
        (
            EnvVar(
                name="HF_TOKEN",
                value_from={"secretKeyRef": {"optional": False, "key": "token", "name": "hf"}},
            ),
            '{"name":"HF_TOKEN","valueFrom":{"secretKeyRef":{"name":"hf","key":"token","optional":false}}}',
        ),
        (
            [EnvVar(name="A", value="1"), EnvVar(name="B")],
            '[{"name":"A","value":"1"},{"name":"B"}]',
        ),
        (
            EnvVar(
                name="F",
                value_from={
                    "zzz": "x",
                    "fileKeyRef": {"key": "k", "path": "p", "volumeName": "v"},
                    "fieldRef": {"fieldPath": "metadata.name", "apiVersion": "v1"},
                },
            ),
            '{"name":"F","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"},'
            '"fileKeyRef":{"volumeName":"v","path":"p","key":"k"},"zzz":"x"}}',
        ),
    ],
)
def test_go_json(value: object, expected: str) -> None:
    assert go_json(value) == expected  # type: ignore[arg-type]


def test_go_json_rejects_floats() -> None:
    with pytest.raises(TypeError):
        go_json(1.5)  # type: ignore[arg-type]


def test_hash_inputs_joins_serialised_inputs_with_a_bar() -> None:
    expected = hashlib.sha256(b'"a"|1|null').hexdigest()
    assert hash_inputs(["a", 1, None], 64) == expected
    assert hash_inputs(["a", 1, None]) == expected[:8]


@pytest.mark.parametrize(
    ("parts", "inputs", "hash_len", "max_len", "expected"),
    [
        (["qwen-chat"], ["ml-team"], 8, 63, "qwen-chat-a04542d9"),
        (["a", "b"], [], 8, 63, "a-b"),  # no inputs: no hash
        (["a", "b"], ["x"], 0, 63, "a-b"),  # hash_len 0: no hash
        (["abcdef", "xyz"], [], 8, 7, "abc-xyz"),  # longest part shortened first
        (["abc", "xyz"], [], 8, 5, "ab-xy"),  # ties: the first one shrinks, then the other
        (["ab-cd"], [], 8, 3, "ab"),  # a trailing '-' left by a cut goes too
        (["aaaa", "bbbb", "cccc"], [], 8, 3, "a-b-c"),  # stops at one char per part
    ],
)
def test_generate_derived_name(
    parts: list[str], inputs: list[str], hash_len: int, max_len: int, expected: str
) -> None:
    assert generate_derived_name(parts, inputs, hash_len=hash_len, max_len=max_len) == expected


def test_generate_derived_name_keeps_the_hash_when_parts_are_long() -> None:
    name = generate_derived_name(["a" * 200, "b" * 200], ["ns"])
    assert len(name) == 63
    assert name.endswith("-" + hash_inputs(["ns"]))
    assert name.startswith("a" * 26 + "-" + "b" * 27)  # ties shrink the first part


def test_generate_derived_name_needs_parts_or_a_hash() -> None:
    with pytest.raises(ValueError, match="parts or hash"):
        generate_derived_name([], [])


def test_generate_derived_name_with_only_a_hash() -> None:
    assert generate_derived_name([], ["ns"]) == hash_inputs(["ns"])


def test_names_at_the_253_char_limit_stay_short_valid_and_distinct() -> None:
    """§14.4: names sharing a long prefix still get distinct names ≤ 63, through the hash."""
    prefix = "m" * 250
    names = [prefix + suffix for suffix in ("abc", "abd", "ab-")]
    derived = {generate_derived_name([n], [n]) for n in names}
    assert len(derived) == 3
    for name in derived:
        assert len(name) <= 63
        assert is_dns1123_label(name)


def test_random_inputs_always_give_valid_labels() -> None:
    rng = random.Random(7)
    alphabet = "aZ09-._/:@ éİ模\u2028<&"
    for _ in range(300):
        parts = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
            for _ in range(rng.randint(1, 3))
        ]
        name = generate_derived_name(parts, [parts[0]], hash_len=rng.choice([4, 8, 10]))
        assert len(name) <= 63, name
        assert is_dns1123_label(name), name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("qwen-chat", "qwen-chat"),
        ("Qwen3 32B", "qwen3_32b"),
        ("a//b::c", "a_b_c"),  # runs collapse to one '_'
        ("-._name._-", "name"),
        ("my.model_v1", "my.model_v1"),
        ("x" * 62 + "._" + "y" * 10, "x" * 62),  # cut to 63, then trimmed again
        ("Ünïcode", "n_code"),
    ],
)
def test_sanitize_label_value(value: str, expected: str) -> None:
    result = sanitize_label_value(value)
    assert result == expected
    assert len(result) <= 63


@pytest.mark.parametrize("value", ["", "---", "模型", "._-"])
def test_sanitize_label_value_rejects_names_that_leave_nothing(value: str) -> None:
    with pytest.raises(InvalidSpecError):
        sanitize_label_value(value)


@pytest.mark.parametrize(
    ("name", "valid"),
    [("a", True), ("a-1", True), ("-a", False), ("a-", False), ("A", False), ("a.b", False)],
)
def test_is_dns1123_label(name: str, valid: bool) -> None:
    assert is_dns1123_label(name) is valid


def test_is_dns1123_label_rejects_64_chars() -> None:
    assert is_dns1123_label("a" * 63)
    assert not is_dns1123_label("a" * 64)

"""Secret base64 offsets as Go reports them, and config-key validation."""

from __future__ import annotations

import pytest

from aim_engine.testing.apiserver._schema._builtin_checks import (
    base64_error_offset,
    builtin_decode_error,
    validate_builtin,
)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("", None),
        ("YWJj", None),
        ("YQ==", None),
        ("YWI=", None),
        ("YW\nJj", None),  # newlines are skipped
        ("abc", 0),  # incomplete quantum: its start (checked against kube-apiserver)
        ("YWJj==", 4),  # padding after a full quantum (checked)
        ("notbase64!", 9),  # an invalid character (checked)
        ("Y", 0),
        ("YQ=", 3),  # "==" expected, input ends
        ("YQ==x", 4),  # trailing garbage
        ("Y===", 1),  # padding too early
    ],
)
def test_base64_error_offset(text: str, offset: int | None) -> None:
    assert base64_error_offset(text) == offset


def test_only_secrets_are_decoded() -> None:
    bad = {"data": {"k": "abc"}}
    assert builtin_decode_error(("", "configmaps"), "ConfigMap", bad) is None
    assert builtin_decode_error(("", "secrets"), "Secret", bad) == (
        'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0'
    )


def test_config_keys() -> None:
    errors = validate_builtin(
        ("", "configmaps"),
        {"data": {"ok": "", ".": "", "..x": "", "a" * 254: ""}, "binaryData": {"b c": ""}},
    )
    found = {(e.field, e.message) for e in errors}
    assert ("data[.]", "Invalid value: \".\": must not be '.'") in found
    assert ("data[..x]", "Invalid value: \"..x\": must not start with '..'") in found
    long_key = "a" * 254
    assert (
        f"data[{long_key}]",
        f'Invalid value: "{long_key}": must be no more than 253 characters',
    ) in found
    assert {f for f, _ in found if f.startswith("binaryData")} == {"binaryData[b c]"}
    assert not any(f == "data[ok]" for f, _ in found)
    assert validate_builtin(("", "pods"), {"data": {".": ""}}) == []

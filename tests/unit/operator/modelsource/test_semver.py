"""Strict semver parsing, precedence, and the constraint grammar of source filters."""

from __future__ import annotations

import itertools

import pytest

from controllers.modelsource.semver import (
    Version,
    parse_constraint,
    parse_tag_version,
    parse_version,
    tag_satisfies,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2.3", Version(1, 2, 3)),
        ("0.0.0", Version(0, 0, 0)),
        ("1.0.0-rc.1", Version(1, 0, 0, ("rc", "1"))),
        ("1.0.0-alpha-1+build.5", Version(1, 0, 0, ("alpha-1",), "build.5")),
        ("1.2", None),
        ("1", None),
        ("v1.2.3", None),
        ("01.2.3", None),
        ("1.02.3", None),
        ("1.2.3-01", None),
        ("1.2.3-", None),
        ("1.2.3.4", None),
        ("1\u0661.2.3", None),
        ("latest", None),
        ("", None),
    ],
)
def test_parse_version_is_strict(text: str, expected: Version | None) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("v0.8.5", Version(0, 8, 5)),
        ("0.8.5", Version(0, 8, 5)),
        ("vv0.8.5", None),
        ("V0.8.5", None),
        ("0.8", None),
    ],
)
def test_tag_version_allows_one_leading_v(tag: str, expected: Version | None) -> None:
    assert parse_tag_version(tag) == expected


def test_precedence_follows_semver_org() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ]
    versions = [v for v in (parse_version(text) for text in ordered) if v is not None]
    assert len(versions) == len(ordered)
    assert all(a < b for a, b in itertools.pairwise(versions))
    shuffled = [versions[i] for i in (7, 3, 10, 0, 5, 1, 9, 2, 8, 4, 6)]
    assert [str(v) for v in sorted(shuffled)] == ordered


def test_build_metadata_does_not_count() -> None:
    assert parse_version("1.0.0+a") == parse_version("1.0.0+b")


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        (">=0.9", ">=0.9.0"),
        (">= 0.9", ">=0.9.0"),
        (">=1", ">=1.0.0"),
        ("0.8.5", "=0.8.5"),
        ("==0.8.5", "=0.8.5"),
        ("!=0.8.5", "!=0.8.5"),
        (">=0.8, <1.0", ">=0.8.0 <1.0.0"),
        (">=0.8 <1.0", ">=0.8.0 <1.0.0"),
        ("<0.5 || >=1.0", "<0.5.0 || >=1.0.0"),
        ("~1.2", "~1.2.0"),
        ("^0.9", "^0.9.0"),
        (">=v1.0.0", ">=1.0.0"),
        (">=1.0.0-rc.1", ">=1.0.0-rc.1"),
    ],
)
def test_constraints_are_normalised(text: str, normalized: str) -> None:
    parsed = parse_constraint(text)
    assert parsed is not None
    assert parsed.normalized == normalized


@pytest.mark.parametrize(
    "text", ["", "abc", ">=", ">=0.9 foo", ">=0.9.0<1", "=>1.0.0", ">=01.0", "||", ">=1\u0661.0"]
)
def test_unparsable_constraints(text: str) -> None:
    assert parse_constraint(text) is None


@pytest.mark.parametrize(
    ("constraint", "version", "allowed"),
    [
        (">=0.9", "0.9.0", True),
        (">=0.9", "0.8.9", False),
        (">0.9.0", "0.9.0", False),
        ("<1.0.0", "0.99.0", True),
        ("<=1.0.0", "1.0.0", True),
        ("=1.0.0", "1.0.0", True),
        ("!=1.0.0", "1.0.0", False),
        ("~1.2.3", "1.2.9", True),
        ("~1.2.3", "1.3.0", False),
        ("~1", "1.9.0", True),
        ("~1", "2.0.0", False),
        ("^1.2.3", "1.9.0", True),
        ("^1.2.3", "2.0.0", False),
        ("^0.9", "0.9.5", True),
        ("^0.9", "0.10.0", False),
        ("^0.0.3", "0.0.4", False),
        ("^0", "0.9.0", True),
        (">=0.8 <1.0", "0.9.0", True),
        (">=0.8 <1.0", "1.0.0", False),
        ("<0.5 || >=1.0", "0.4.0", True),
        ("<0.5 || >=1.0", "0.7.0", False),
        (">=0.9.0", "1.0.0-rc1", True),
        (">=1.0.0", "1.0.0-rc1", False),
    ],
)
def test_constraint_allows(constraint: str, version: str, allowed: bool) -> None:
    parsed, parsed_version = parse_constraint(constraint), parse_version(version)
    assert parsed is not None
    assert parsed_version is not None
    assert parsed.allows(parsed_version) is allowed


@pytest.mark.parametrize(
    ("tag", "constraints", "expected"),
    [
        ("latest", [], True),
        ("0.8.5", [], True),
        ("latest", [">=0.8"], False),
        ("0.8", [">=0.8"], False),
        ("v0.8.5", [">=0.8"], True),
        ("0.8.5", [">=0.8", "<0.8.5"], False),
        ("0.8.5", [">=0.8", "!=0.8.4"], True),
        ("0.8.5", ["not a constraint", ">=0.8"], True),
        ("0.7.0", ["not a constraint", ">=0.8"], False),
        ("latest", ["not a constraint"], True),
    ],
)
def test_tag_satisfies_all_constraints(tag: str, constraints: list[str], expected: bool) -> None:
    assert tag_satisfies(tag, constraints) is expected

"""Every test in ``tests/`` checks something: no early ``return``, no test without an assertion.

A test that returns before its assertions, or that has none, passes whatever the code does. The
test functions are read with :mod:`ast` (nothing is imported or run): each must contain, in its
own body (nested functions do not count), an ``assert`` statement, a ``pytest.raises``,
``pytest.warns`` or ``pytest.fail`` call, or a call to a helper whose name starts with
``assert``; and none may contain a ``return`` statement.
"""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterator

import pytest

TESTS = pathlib.Path(__file__).resolve().parents[1]
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_PYTEST_CHECKS = {"raises", "warns", "fail"}

_Test = ast.FunctionDef | ast.AsyncFunctionDef


def _test_functions(tree: ast.Module) -> Iterator[_Test]:
    """Module-level ``test*`` functions and ``test*`` methods of ``Test*`` classes."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            yield node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    item.name.startswith("test")
                ):
                    yield item


def _own_nodes(fn: _Test) -> Iterator[ast.AST]:
    """Every node of ``fn``'s body, not descending into nested functions or classes."""
    pending: list[ast.AST] = [n for n in fn.body if not isinstance(n, _NESTED)]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, _NESTED))


def _is_check(node: ast.AST) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        if isinstance(owner, ast.Name) and owner.id == "pytest":
            return func.attr in _PYTEST_CHECKS
        return func.attr.startswith("assert")
    return isinstance(func, ast.Name) and func.id.startswith("assert")


def _test_files() -> list[pathlib.Path]:
    return sorted(TESTS.rglob("test_*.py"))


def _label(path: pathlib.Path) -> str:
    return path.relative_to(TESTS).as_posix()


@pytest.mark.parametrize("path", _test_files(), ids=_label)
def test_every_test_asserts_and_never_returns_early(path: pathlib.Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = list(_test_functions(tree))
    without_check = [fn.name for fn in found if not any(map(_is_check, _own_nodes(fn)))]
    returning = [
        f"{fn.name} (line {node.lineno})"
        for fn in found
        for node in _own_nodes(fn)
        if isinstance(node, ast.Return)
    ]
    assert without_check == [], "tests that check nothing"
    assert returning == [], "tests with a return statement"


def test_the_checker_sees_both_smells() -> None:
    source = (
        "def helper():\n    return 1\n"
        "def test_nothing():\n    helper()\n"
        "def test_early(flag):\n    if flag:\n        return\n    assert flag\n"
        "async def test_nested():\n    def inner():\n        assert True\n    inner()\n"
        "def test_raises():\n    with pytest.raises(ValueError):\n        int('x')\n"
        "class TestGroup:\n    def test_method(self):\n        self.assertEqual(1, 1)\n"
    )
    found = {fn.name: fn for fn in _test_functions(ast.parse(source))}
    assert sorted(found) == [
        "test_early",
        "test_method",
        "test_nested",
        "test_nothing",
        "test_raises",
    ]
    checked = {name for name, fn in found.items() if any(map(_is_check, _own_nodes(fn)))}
    assert checked == {"test_early", "test_method", "test_raises"}
    returns = {
        n for n, fn in found.items() if any(isinstance(x, ast.Return) for x in _own_nodes(fn))
    }
    assert returns == {"test_early"}

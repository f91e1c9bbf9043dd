"""The exception tree drawn in ``aim_engine.errors``' docstring matches the real classes.

The drawing is the documentation of the error hierarchy (httpx ``_exceptions.py``), so it must not
drift: every exception class defined anywhere in ``aim_engine`` appears in it, each
``AimEngineError`` subclass under its real parent, and each class living outside
``aim_engine.errors`` next to a public module that exports it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import cache

import pytest

import aim_engine
from aim_engine import errors
from aim_engine.errors import AimEngineError

_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
_MODULE = re.compile(r"\baim_engine(?:\.[a-z_0-9]+)*")
_BRANCH = ("├── ", "└── ")
_INDENT = ("│   ", "    ")


@dataclass(frozen=True)
class _Node:
    name: str
    parent: str | None
    line: str


@cache
def _all_exception_classes() -> tuple[type[BaseException], ...]:
    """Every exception class defined in an ``aim_engine`` module (all modules imported first)."""
    for info in pkgutil.walk_packages(aim_engine.__path__, "aim_engine."):
        if not info.name.endswith(".__main__"):
            importlib.import_module(info.name)
    found: set[type[BaseException]] = set()
    pending: list[type[BaseException]] = [BaseException]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub not in found:
                found.add(sub)
                pending.append(sub)
    return tuple(sorted((c for c in found if c.__module__.startswith("aim_engine")), key=str))


def _parse_tree(doc: str, root: str) -> dict[str, _Node]:
    """The nodes of the literal block that starts with the line ``root``."""
    lines = doc.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == root)
    base = len(lines[start]) - len(lines[start].lstrip())
    nodes = {root: _Node(root, None, lines[start])}
    stack = [root]  # stack[d] is the last node drawn at depth d
    for line in lines[start + 1 :]:
        if not line.strip() or not line.startswith(" " * base):
            break
        rest, depth = line[base:], 0
        while rest.startswith(_INDENT):
            rest, depth = rest[4:], depth + 1
        if not rest.startswith(_BRANCH):
            break
        match = _NAME.match(rest[4:])
        assert match, f"no class name on tree line {line!r}"
        name = match.group()
        del stack[depth + 1 :]
        nodes[name] = _Node(name, stack[depth], line)
        stack.append(name)
    return nodes


def _tree() -> dict[str, _Node]:
    assert errors.__doc__
    return _parse_tree(errors.__doc__, "AimEngineError")


def _framework_errors() -> list[type[AimEngineError]]:
    return [c for c in _all_exception_classes() if issubclass(c, AimEngineError)]


def _exported_by(cls: type[BaseException], line: str) -> bool:
    for module_name in _MODULE.findall(line):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if getattr(module, cls.__name__, None) is cls:
            return True
    return False


def test_parser_reads_the_drawing() -> None:
    nodes = _tree()
    assert nodes["NotFoundError"].parent == "ApiError"
    assert nodes["AlreadyExistsError"].parent == "ConflictError"
    assert nodes["ResourceExhaustedError"].parent == "TerminalError"
    assert nodes["TransportError"].parent == "AimEngineError"


def test_the_walk_finds_errors_outside_the_errors_module() -> None:
    names = {c.__name__ for c in _all_exception_classes()}
    assert {"QueueShutDown", "LeaseLostError", "CacheNotSyncedError", "EnvtestError"} <= names


def test_the_root_heads_the_drawing() -> None:
    assert AimEngineError.__bases__ == (Exception,)
    assert _tree()["AimEngineError"].parent is None


@pytest.mark.parametrize(
    "cls", [c for c in _framework_errors() if c is not AimEngineError], ids=lambda c: c.__name__
)
def test_every_framework_error_is_drawn_under_its_parent(cls: type[AimEngineError]) -> None:
    nodes = _tree()
    assert cls.__name__ in nodes, f"{cls.__name__} is missing from the tree in aim_engine.errors"
    assert nodes[cls.__name__].parent == cls.__bases__[0].__name__


@pytest.mark.parametrize(
    "cls",
    [c for c in _framework_errors() if c.__module__ != "aim_engine.errors"],
    ids=lambda c: c.__name__,
)
def test_errors_defined_elsewhere_name_their_module(cls: type[AimEngineError]) -> None:
    # The module goes on the class's line, or on an ancestor's line for a family (EnvtestError).
    nodes = _tree()
    node: _Node | None = nodes[cls.__name__]
    while node is not None and not _exported_by(cls, node.line):
        node = nodes[node.parent] if node.parent else None
    assert node is not None, f"no module exporting {cls.__name__} is named in its branch"


def test_every_drawn_error_exists() -> None:
    real = {c.__name__ for c in _framework_errors()}
    assert set(_tree()) - real == set()


@pytest.mark.parametrize(
    "cls",
    [c for c in _all_exception_classes() if not issubclass(c, AimEngineError)],
    ids=lambda c: c.__name__,
)
def test_exceptions_outside_the_tree_are_listed(cls: type[BaseException]) -> None:
    assert errors.__doc__
    lines = [
        line for line in errors.__doc__.splitlines() if re.search(rf"\b{cls.__name__}\b", line)
    ]
    assert lines, f"{cls.__module__}.{cls.__name__} is not mentioned in aim_engine.errors"
    assert any(_exported_by(cls, line) for line in lines)

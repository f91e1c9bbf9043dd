"""The public surface: ``aim_engine.__all__`` pinned; public ``__all__``s resolve, documented.

Changing the top-level exports is an API change: it must show up as a diff of ``EXPECTED`` here
(httpx's ``test_exported_members``). Every public module (no ``_private`` component in its dotted
path) must declare ``__all__``, every name in it must resolve, and every exported class or function
must carry a docstring (mkdocstrings renders ``docs/reference/api.md`` from them).
"""

from __future__ import annotations
import __future__

import ast
import importlib
import inspect
import itertools
import pkgutil
import subprocess
import sys
import types
from functools import cache

import pytest

import aim_engine

EXPECTED = [
    "BUILTIN_KINDS",
    "CLUSTER_ROLE",
    "CLUSTER_ROLE_BINDING",
    "CONFIG_MAP",
    "CRD",
    "DEPLOYMENT",
    "EVENT",
    "EVENT_V1",
    "JOB",
    "LEASE",
    "NAMESPACE",
    "NODE",
    "POD",
    "PVC",
    "ROLE",
    "ROLE_BINDING",
    "SECRET",
    "SERVICE",
    "SERVICE_ACCOUNT",
    "AimEngineError",
    "AlreadyExistsError",
    "AlreadyOwnedError",
    "ApiError",
    "BadRequestError",
    "BindError",
    "Cache",
    "CacheNotSyncedError",
    "CacheSyncTimeoutError",
    "Client",
    "Clock",
    "ConfigurationError",
    "ConflictError",
    "Controller",
    "ControllerBuilder",
    "DependencyNotReadyError",
    "EventRecorder",
    "ForbiddenError",
    "GoneError",
    "Informer",
    "InvalidError",
    "InvalidSpecError",
    "ItemExponentialRateLimiter",
    "KindCatalog",
    "LeaderElectionConfig",
    "LeaseLostError",
    "Manager",
    "MapFunction",
    "MaxOfRateLimiter",
    "MethodNotAllowedError",
    "MissingReferenceError",
    "NotFoundError",
    "ObjectEvent",
    "ObjectKey",
    "OwnerReferenceError",
    "PatchType",
    "Predicate",
    "PropagationPolicy",
    "QueueShutDown",
    "RateLimiter",
    "RawObject",
    "Reader",
    "ReconcileError",
    "ReconcileTimeoutError",
    "Reconciler",
    "Request",
    "ResourceExhaustedError",
    "ResourceKind",
    "Result",
    "RetryableError",
    "Runnable",
    "ServerError",
    "StatusCause",
    "SystemClock",
    "TerminalError",
    "TokenBucketRateLimiter",
    "TooManyRequestsError",
    "TransportError",
    "UnauthorizedError",
    "UnsupportedMediaTypeError",
    "WatchEvent",
    "WorkQueue",
    "__version__",
    "add_finalizer",
    "and_",
    "annotations_changed",
    "apply_desired",
    "builder",
    "controller_of",
    "default_controller_rate_limiter",
    "generation_changed",
    "get_condition",
    "has_finalizer",
    "is_deleting",
    "is_owned_by",
    "is_true",
    "key_of",
    "label_selector",
    "labels_changed",
    "meta",
    "name_of",
    "namespace_of",
    "not_",
    "or_",
    "owner_reference",
    "remove_condition",
    "remove_finalizer",
    "resource_version_changed",
    "resource_version_of",
    "run_finalizer",
    "set_condition",
    "set_controller_reference",
    "set_owner_reference",
    "status_changed",
    "uid_of",
    "write_status_if_changed",
]


def _isort_key(name: str) -> tuple[int, str]:
    """ruff RUF022's order: SCREAMING_CASE, then CamelCase, then the rest."""
    if name.isupper() and not name.startswith("__"):
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


@cache
def _all_module_names() -> tuple[str, ...]:
    """Every module of the package (``__main__`` entry points excluded: importing runs them)."""
    walked = pkgutil.walk_packages(aim_engine.__path__, "aim_engine.")
    return ("aim_engine", *(i.name for i in walked if not i.name.endswith(".__main__")))


def _public_module_names() -> list[str]:
    return [m for m in _all_module_names() if not any(p.startswith("_") for p in m.split(".")[1:])]


def _attribute_docstrings(module: types.ModuleType) -> dict[str, str]:
    """Docstrings written as a string literal right after a module-level assignment."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return {}
    docs: dict[str, str] = {}
    body = tree.body
    for stmt, nxt in itertools.pairwise(body):
        if not (
            isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            continue
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = list(stmt.targets)
        elif isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        for target in targets:
            if isinstance(target, ast.Name):
                docs[target.id] = nxt.value.value
    return docs


def _has_attribute_docstring(name: str, obj: object) -> bool:
    """Whether a module binding ``name`` to ``obj`` documents it with an attribute docstring."""
    for module_name in _all_module_names():
        module = importlib.import_module(module_name)
        if (
            getattr(module, name, None) is obj
            and _attribute_docstrings(module).get(name, "").strip()
        ):
            return True
    return False


def _has_docstring(name: str, obj: object) -> bool:
    doc = getattr(obj, "__doc__", None)
    if isinstance(doc, str) and doc.strip():
        # A dataclass without a docstring gets a generated "Name(field: type, ...)" one.
        generated = inspect.isclass(obj) and doc.startswith(f"{obj.__name__}(")
        if not generated:
            return True
    return _has_attribute_docstring(name, obj)


def test_top_level_all_is_pinned() -> None:
    assert aim_engine.__all__ == EXPECTED


def test_top_level_all_is_sorted_and_unique() -> None:
    assert aim_engine.__all__ == sorted(aim_engine.__all__, key=_isort_key)
    assert len(set(aim_engine.__all__)) == len(aim_engine.__all__)


def test_top_level_exports_are_the_subpackage_objects() -> None:
    # Re-exports, not copies: `aim_engine.Client is aim_engine.client.Client`.
    from aim_engine import cache, client, controller, errors, manager, queue

    assert aim_engine.Client is client.Client
    assert aim_engine.Cache is cache.Cache
    assert aim_engine.WorkQueue is queue.WorkQueue
    assert aim_engine.builder is controller.builder
    assert aim_engine.Manager is manager.Manager
    assert aim_engine.NotFoundError is errors.NotFoundError


def test_every_exception_class_is_exported_at_top_level() -> None:
    # Every non-testing AimEngineError subclass can be caught as `aim_engine.<Name>`.
    for module_name in _all_module_names():
        if module_name.startswith("aim_engine.testing"):
            continue
        importlib.import_module(module_name)
    pending: list[type[BaseException]] = [aim_engine.AimEngineError]
    seen: list[type[BaseException]] = []
    while pending:
        cls = pending.pop()
        seen.append(cls)
        pending.extend(cls.__subclasses__())
    framework = [
        c
        for c in seen
        if c.__module__.startswith("aim_engine.")
        and not c.__module__.startswith("aim_engine.testing")
    ]
    missing = sorted(
        c.__name__ for c in framework if getattr(aim_engine, c.__name__, None) is not c
    )
    assert missing == []


def _declares_all(module_name: str) -> bool:
    return hasattr(importlib.import_module(module_name), "__all__")


@pytest.mark.parametrize("module_name", [m for m in _public_module_names() if not _declares_all(m)])
def test_public_module_without_all_is_a_namespace_package(module_name: str) -> None:
    # Only a pure namespace package (submodules, nothing of its own) may omit __all__.
    module = importlib.import_module(module_name)
    own = [
        n
        for n, v in vars(module).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType | __future__._Feature)
    ]
    assert own == [], f"{module_name} defines public names but no __all__"


@pytest.mark.parametrize("module_name", [m for m in _public_module_names() if _declares_all(m)])
def test_public_module_all_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported = module.__all__
    assert len(set(exported)) == len(exported), "duplicate names in __all__"
    unresolved = [n for n in exported if not hasattr(module, n)]
    assert unresolved == []


@pytest.mark.parametrize("module_name", _public_module_names())
def test_public_callables_have_docstrings(module_name: str) -> None:
    module = importlib.import_module(module_name)
    undocumented = []
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name)
        if not (inspect.isclass(obj) or inspect.isroutine(obj)):
            continue
        if not str(getattr(obj, "__module__", "")).startswith("aim_engine"):
            continue  # an alias of a foreign type, e.g. RawObject = dict[str, Any]
        if not _has_docstring(name, obj):
            undocumented.append(name)
    assert undocumented == []


def test_import_has_no_testing_kit_and_no_side_effects() -> None:
    # A fresh interpreter: this process has long imported aim_engine.testing (the pytest plugin).
    code = (
        "import asyncio, logging, sys\n"
        "handlers = list(logging.getLogger().handlers)\n"
        "import aim_engine\n"
        "assert 'aim_engine.testing' not in sys.modules, 'imports the testing kit'\n"
        "assert logging.getLogger().handlers == handlers, 'configures logging'\n"
        "assert not any(n.startswith('aim_engine') for n in logging.root.manager.loggerDict\n"
        "    if logging.getLogger(n).handlers), 'adds handlers'\n"
        "try:\n"
        "    asyncio.get_running_loop()\n"
        "except RuntimeError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('starts a loop')\n"
        "import prometheus_client\n"
        "names = set(prometheus_client.REGISTRY._names_to_collectors)\n"
        "assert not any(n.startswith(('controller_runtime', 'workqueue', 'aim_engine',\n"
        "    'leader_election', 'rest_client')) for n in names), sorted(names)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr

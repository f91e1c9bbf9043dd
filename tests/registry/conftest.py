"""Fixtures of the registry tier: a scripted in-process registry, and real distribution registries.

The real registries need the binary (``python -m aim_engine.testing.registry build``, or Go to
build it at collection time, outside any test's timeout); without either, their tests skip with
one line saying why. The scripted
registry needs nothing.
"""

from __future__ import annotations

import base64
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from aim_engine.testing.envtest import BuildError
from aim_engine.testing.registry import (
    RegistryServer,
    TokenServer,
    find_registry,
    install_registry,
)
from tests.registry.scripted import ScriptedRegistry

USER, PASSWORD = "alice", "wonderland"


@pytest_asyncio.fixture
async def scripted() -> AsyncIterator[ScriptedRegistry]:
    registry = ScriptedRegistry()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", registry.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    registry.host = f"127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield registry
    finally:
        registry.release.set()
        await runner.cleanup()


_BUILD_FAILED = pytest.StashKey[str]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Build the registry once, before any test runs, when a collected test needs it.

    Building here (minutes on a cold Go cache) keeps it out of every test's timeout. Nothing
    happens when the binary is cached, no collected test uses it, or Go is missing.
    """
    wanted = any("registry_binary" in getattr(item, "fixturenames", ()) for item in items)
    if not wanted or find_registry() is not None or shutil.which("go") is None:
        return

    def progress(line: str) -> None:
        sys.stderr.write(f"registry: {line}\n")

    progress("building the test registry (minutes on a cold Go cache)")
    try:
        install_registry(progress=progress)
    except BuildError as exc:
        config.stash[_BUILD_FAILED] = str(exc)


@pytest.fixture(scope="session")
def registry_binary(request: pytest.FixtureRequest) -> Path:
    """The registry binary (built at collection when Go is there); else the test skips."""
    failure = request.config.stash.get(_BUILD_FAILED, None)
    if failure is not None:
        pytest.fail(f"building the registry failed: {failure}")
    found = find_registry()
    if found is None:
        pytest.skip(
            "no registry binary and no Go to build it "
            "(python -m aim_engine.testing.registry build, or set AIM_TEST_REGISTRY_BIN)"
        )
    return found


@pytest.fixture(scope="session")
def anonymous_registry(registry_binary: Path) -> Iterator[RegistryServer]:
    with RegistryServer(registry_binary) as server:
        yield server


@pytest.fixture(scope="session")
def htpasswd_registry(registry_binary: Path) -> Iterator[RegistryServer]:
    with RegistryServer(registry_binary, users={USER: PASSWORD}) as server:
        yield server


@pytest.fixture(scope="session")
def token_service() -> Iterator[TokenServer]:
    with TokenServer({USER: PASSWORD}) as tokens:
        yield tokens


@pytest.fixture(scope="session")
def token_registry(registry_binary: Path, token_service: TokenServer) -> Iterator[RegistryServer]:
    with RegistryServer(registry_binary, token=token_service) as server:
        yield server


def basic(user: str = USER, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

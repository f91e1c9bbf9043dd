"""Fixtures of the registry tier: a scripted in-process registry, and real distribution registries.

The real registries need the binary (``python -m aim_engine.testing.registry build``, or Go to
build it on first use); without either, their tests skip with one line saying why. The scripted
registry needs nothing.
"""

from __future__ import annotations

import base64
import shutil
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


@pytest.fixture(scope="session")
def registry_binary() -> Path:
    """The registry binary: cached, or built now when Go is on PATH; else the test skips."""
    found = find_registry()
    if found is not None:
        return found
    if shutil.which("go") is None:
        pytest.skip(
            "no registry binary and no Go to build it (python -m aim_engine.testing.registry build)"
        )
    try:
        return install_registry(progress=lambda line: print(f"registry: {line}"))
    except BuildError as exc:
        pytest.fail(f"building the registry failed: {exc}")


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

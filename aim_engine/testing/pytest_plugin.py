"""pytest plugin of aim-engine: a Kubernetes API server per test, a client, a namespace, kubectl.

Registered as the ``aim_engine`` ``pytest11`` entry point. ``--apiserver`` (default: the
``AIM_TEST_APISERVER`` environment variable, else ``fake``) picks what the ``kube`` fixture yields:

- ``fake``: a fresh in-process :class:`~aim_engine.testing.apiserver.FakeApiServer` per test;
- ``envtest``: one real kube-apiserver + etcd per session
  (:class:`aim_engine.testing.envtest.ControlPlane`);
- ``kubeconfig``: an existing cluster from ``AIM_TEST_KUBECONFIG``.

Scenario tests use ``kube``/``api_client``/``namespace`` so that the same test runs against the
fake and a real server; tests marked ``fake_only`` are skipped on a real server.
``envtest_control_plane`` is the session's one real control plane, for tests that need a real
server whatever the mode. ``kubectl`` is ``AIM_TEST_KUBECTL`` if set; otherwise, on envtest, the
control plane's own kubectl (the server's version), else ``kubectl`` on ``PATH`` or the envtest
cache. Its fixture skips when there is none.
"""

from __future__ import annotations

import importlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from aim_engine.testing.apiserver import FakeApiServer
from aim_engine.testing.fixtures import (  # noqa: F401 (registers the manager fixtures)
    aim_client_fixture,
    aim_client_registry_fixture,
    fake_clock_fixture,
    manager_factory_fixture,
)
from aim_engine.testing.workload_fixtures import (  # noqa: F401 (registers the workload fixtures)
    gpu_nodes_fixture,
    job_simulator_fixture,
)

__all__ = ["TestCluster", "find_kubectl", "kubectl_for_plane"]

_MODES = ("fake", "envtest", "kubeconfig")
_ENV_KUBECTL = "AIM_TEST_KUBECTL"
_NO_ASSETS = (
    "no kube-apiserver/etcd binaries (KUBEBUILDER_ASSETS or the envtest cache); build them "
    "with: python -m aim_engine.testing.envtest install"
)


@dataclass(frozen=True, slots=True)
class TestCluster:
    """The API server a test talks to.

    Attributes:
        kubeconfig_path: a kubeconfig for it (current context selected).
        is_fake: whether it is the in-process fake.
        fake: the fake server (``None`` on a real one).
        kubectl: a kubectl binary, if one was found.
    """

    __test__ = False  # not a test class, despite the name

    kubeconfig_path: Path
    is_fake: bool
    fake: FakeApiServer | None = None
    kubectl: Path | None = None


def find_kubectl() -> Path | None:
    """``AIM_TEST_KUBECTL``, else ``kubectl`` on ``PATH``, else the envtest cache."""
    explicit = os.environ.get(_ENV_KUBECTL)
    if explicit:
        return Path(explicit) if Path(explicit).exists() else None
    found = shutil.which("kubectl")
    if found:
        return Path(found)
    try:
        envtest: Any = importlib.import_module("aim_engine.testing.envtest")
    except ImportError:
        return None
    finder = getattr(envtest, "find_kubectl", None)
    if finder is None:
        return None
    path = finder()
    return Path(path) if path else None


def kubectl_for_plane(plane: Any) -> Path | None:
    """kubectl for a real control plane: ``AIM_TEST_KUBECTL``, else the plane's own, else any.

    The plane's kubectl (``ControlPlane.kubectl_path``, built with the server) has the server's
    version; one found on ``PATH`` may be outside kubectl's supported version skew.
    """
    if os.environ.get(_ENV_KUBECTL):
        return find_kubectl()
    own = getattr(plane, "kubectl_path", None)
    if own is not None and Path(own).is_file():
        return Path(own)
    return find_kubectl()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--apiserver``."""
    parser.addoption(
        "--apiserver",
        choices=_MODES,
        default=os.environ.get("AIM_TEST_APISERVER", "fake") or "fake",
        help="API server for scenario tests: fake (default; env AIM_TEST_APISERVER), envtest "
        "(real kube-apiserver + etcd), kubeconfig (AIM_TEST_KUBECONFIG)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the plugin's markers (for projects that do not declare them)."""
    config.addinivalue_line(
        "markers", "fake_only: depends on behaviour only the fake API server has"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``fake_only`` tests when the selected server is not the fake."""
    mode = config.getoption("--apiserver")
    if mode == "fake":
        return
    skip = pytest.mark.skip(reason=f"fake_only: needs the fake API server (--apiserver={mode})")
    for item in items:
        if item.get_closest_marker("fake_only") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def envtest_control_plane(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The session's real control plane (kube-apiserver + etcd), started on first use.

    ``--apiserver=envtest`` serves the ``kube`` fixture from it, and tests that just need a
    running real server (``tests/envtest/``) share it, so a run starts one control plane. Without
    the binaries it skips, except under ``--apiserver=envtest``, where starting fails loudly.
    """
    envtest: Any = importlib.import_module("aim_engine.testing.envtest")
    if envtest.find_assets() is None and request.config.getoption("--apiserver") != "envtest":
        pytest.skip(_NO_ASSETS)
    plane = envtest.ControlPlane()
    plane.start()
    try:
        yield plane
    finally:
        plane.stop()


@pytest.fixture(scope="session")
def _aim_control_plane(request: pytest.FixtureRequest) -> Any:
    """:func:`envtest_control_plane` when ``--apiserver=envtest``, else ``None``."""
    if request.config.getoption("--apiserver") != "envtest":
        return None
    return request.getfixturevalue("envtest_control_plane")


@pytest_asyncio.fixture
async def kube(
    request: pytest.FixtureRequest, tmp_path: Path, _aim_control_plane: Any
) -> AsyncIterator[TestCluster]:
    """The API server of this test (see the module docstring)."""
    mode = request.config.getoption("--apiserver")
    if mode == "fake":
        async with FakeApiServer() as server:
            path = server.write_kubeconfig(tmp_path / "kubeconfig")
            yield TestCluster(path, True, server, find_kubectl())
        return
    if mode == "envtest":
        plane = _aim_control_plane
        yield TestCluster(Path(plane.kubeconfig_path), False, None, kubectl_for_plane(plane))
        return
    env = os.environ.get("AIM_TEST_KUBECONFIG")
    if not env:
        pytest.skip("--apiserver=kubeconfig needs AIM_TEST_KUBECONFIG")
    yield TestCluster(Path(env), False, None, find_kubectl())


@pytest_asyncio.fixture
async def api_client(kube: TestCluster) -> AsyncIterator[Any]:
    """A kubernetes-asyncio ``ApiClient`` configured from ``kube``'s kubeconfig."""
    from kubernetes_asyncio import client, config

    cfg = client.Configuration()
    await config.load_kube_config(config_file=str(kube.kubeconfig_path), client_configuration=cfg)
    async with client.ApiClient(cfg) as api:
        yield api


@pytest_asyncio.fixture
async def namespace(api_client: Any) -> AsyncIterator[str]:
    """A fresh, uniquely named namespace for this test (deleted afterwards)."""
    from kubernetes_asyncio import client

    name = f"t-{uuid.uuid4().hex[:10]}"
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespace({"metadata": {"name": name}})
    try:
        yield name
    finally:
        try:
            await core.delete_namespace(name)
        except client.ApiException as exc:
            if exc.status != 404:
                raise


@pytest.fixture
def kubectl(kube: TestCluster) -> Path:
    """The kubectl binary (skips the test when none is found)."""
    if kube.kubectl is None:
        pytest.skip("no kubectl found (set AIM_TEST_KUBECTL or put kubectl on PATH)")
    return kube.kubectl

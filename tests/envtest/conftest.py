"""Fixtures of the real-control-plane tier: the session's kube-apiserver + etcd, and helpers.

Everything here needs the binaries (``python -m aim_engine.testing.envtest install``); without
them every test of this directory is skipped with that reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import select
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from aim_engine.testing.envtest import ControlPlane, find_assets

NO_ASSETS = (
    "no kube-apiserver/etcd binaries (KUBEBUILDER_ASSETS or the envtest cache); build them "
    "with: python -m aim_engine.testing.envtest install"
)


@pytest.fixture(scope="session")
def assets_dir() -> Path:
    """The directory of the binaries (skips the test when there is none)."""
    found = find_assets()
    if found is None:
        pytest.skip(NO_ASSETS)
    return found


@pytest.fixture(scope="session")
def envtest_plane(assets_dir: Path, envtest_control_plane: ControlPlane) -> ControlPlane:
    """The session's control plane (the pytest plugin's, shared with ``--apiserver=envtest``).

    Lifecycle tests (start, stop, orphans, bad flags) start their own instead.
    """
    return envtest_control_plane


@pytest_asyncio.fixture
async def k8s(envtest_plane: ControlPlane) -> AsyncIterator[Any]:
    """An unmodified kubernetes-asyncio ``ApiClient`` for the shared control plane."""
    from kubernetes_asyncio import client, config

    cfg = client.Configuration()
    await config.load_kube_config(
        config_file=str(envtest_plane.kubeconfig_path), client_configuration=cfg
    )
    async with client.ApiClient(cfg) as api:
        yield api


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait until process ``pid`` (not necessarily our child) has exited; ``False`` on timeout.

    Uses a pidfd, which becomes readable when the process terminates: no polling loop.
    """
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], timeout)
        return bool(readable)
    finally:
        os.close(fd)


_PR_SET_CHILD_SUBREAPER = 36


@pytest.fixture
def reap_orphans() -> Iterator[Callable[[list[int]], None]]:
    """Adopt orphaned descendants for this test (Linux child subreaper) and reap them on request.

    A test that kills a process on purpose orphans its children; in a container whose PID 1 does
    not reap, they would stay zombies. As subreaper, this process adopts them and can reap them.
    """
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1) != 0:
        pytest.skip("cannot become a child subreaper here")

    def reap(pids: list[int]) -> None:
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)

    try:
        yield reap
    finally:
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 0)

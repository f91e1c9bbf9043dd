"""Starting and stopping leaves nothing behind; failures explain themselves.

Each test starts its own control plane (a few seconds) in a private temp dir.
"""

from __future__ import annotations

import contextlib
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from aim_engine.testing.envtest import (
    AssetsNotFoundError,
    ControlPlane,
    ControlPlaneStartError,
)
from aim_engine.testing.envtest.controlplane import free_ports
from tests.envtest.conftest import wait_gone


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make ``tempfile`` create the control plane's temp dir under ``tmp_path``."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _pids(plane: ControlPlane) -> list[int]:
    return [p.pid for p in plane._processes]


def test_stop_kills_both_processes_and_removes_the_temp_dir(
    assets_dir: Path, private_tmp: Path
) -> None:
    plane = ControlPlane(assets_dir)
    plane.start()
    pids = _pids(plane)
    kubeconfig = plane.kubeconfig_path
    assert len(pids) == 2
    assert kubeconfig.is_relative_to(private_tmp)
    assert plane.is_running()
    plane.stop()
    assert all(wait_gone(pid, 0) for pid in pids)
    assert list(private_tmp.iterdir()) == []
    assert not plane.is_running()
    plane.stop()  # idempotent


def test_a_failing_apiserver_reports_its_log_and_cleans_up(
    assets_dir: Path, private_tmp: Path
) -> None:
    plane = ControlPlane(assets_dir, extra_apiserver_flags={"no-such-flag": "1"})
    with pytest.raises(ControlPlaneStartError, match="kube-apiserver exited") as info:
        plane.start()
    assert "unknown flag: --no-such-flag" in info.value.log_tail
    assert list(private_tmp.iterdir()) == []


def test_missing_binaries_are_reported(tmp_path: Path) -> None:
    with pytest.raises(AssetsNotFoundError, match="envtest install"):
        ControlPlane(tmp_path).start()


def test_free_ports_are_distinct() -> None:
    ports = free_ports(5)
    assert len(set(ports)) == 5


def test_children_die_with_a_killed_parent(
    assets_dir: Path, tmp_path: Path, reap_orphans: Callable[[list[int]], None]
) -> None:
    """SIGKILL gives Python no chance to clean up; the parent-death signal still kills both."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from aim_engine.testing.envtest import ControlPlane\n"
        "plane = ControlPlane(Path(sys.argv[1]))\n"
        "plane.start()\n"
        "print(*[p.pid for p in plane._processes], flush=True)\n"
        "sys.stdin.read()\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    with subprocess.Popen(
        [sys.executable, "-c", script, str(assets_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
    ) as parent:  # fmt: skip
        assert parent.stdout is not None
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2
        parent.kill()
        parent.wait()
    try:
        assert all(wait_gone(pid, 10) for pid in pids)
    finally:
        for pid in pids:  # do not leave them running when the assertion fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        reap_orphans(pids)


def test_run_command_serves_until_sigterm(assets_dir: Path, tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc" / "config"
    env = {**os.environ, "KUBEBUILDER_ASSETS": str(assets_dir), "TMPDIR": str(tmp_path)}
    command = ["run", "--kubeconfig", str(kubeconfig)]
    with subprocess.Popen(
        [sys.executable, "-m", "aim_engine.testing.envtest", *command],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    ) as run:  # fmt: skip
        assert run.stdout is not None
        url = run.stdout.readline().strip()
        assert url.startswith("https://127.0.0.1:")
        assert kubeconfig.stat().st_mode & 0o777 == 0o600
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the CA is inside the kubeconfig; readyz is public
        with urllib.request.urlopen(f"{url}/readyz", context=context, timeout=10) as response:
            assert response.status == 200
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=30) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["kc"]  # its temp dir is gone


def test_run_command_exits_1_when_a_process_dies(assets_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "KUBEBUILDER_ASSETS": str(assets_dir), "TMPDIR": str(tmp_path)}
    command = ["run", "--kubeconfig", str(tmp_path / "config")]
    with subprocess.Popen(
        [sys.executable, "-m", "aim_engine.testing.envtest", *command],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    ) as run:  # fmt: skip
        assert run.stdout is not None
        assert run.stderr is not None
        assert run.stdout.readline().startswith("https://")
        children = Path(f"/proc/{run.pid}/task/{run.pid}/children").read_text().split()
        assert len(children) == 2  # etcd and kube-apiserver
        os.kill(int(children[-1]), signal.SIGKILL)
        assert run.wait(timeout=30) == 1
        assert "exited unexpectedly" in run.stderr.read()
    assert all(wait_gone(int(pid), 10) for pid in children)
    assert [p.name for p in tmp_path.iterdir()] == ["config"]


@pytest.mark.timeout(120)
def test_restart_keeps_or_loses_the_cluster_on_the_same_address(
    assets_dir: Path, private_tmp: Path
) -> None:
    plane = ControlPlane(assets_dir)
    plane.start()
    try:
        url, old_pids = plane.url, _pids(plane)
        context = ssl.create_default_context(cafile=str(plane.ca_cert_path))

        def configmaps(method: str = "GET") -> int:
            body = b'{"metadata": {"name": "kept"}}' if method == "POST" else None
            request = urllib.request.Request(
                f"{url}/api/v1/namespaces/default/configmaps{'' if body else '/kept'}",
                data=body,
                method=method,
                headers={
                    "Authorization": f"Bearer {plane.token}",
                    "Content-Type": "application/json",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=10, context=context) as response:
                    return int(response.status)
            except urllib.error.HTTPError as err:
                return int(err.code)

        assert configmaps("POST") == 201
        plane.restart()
        assert plane.url == url
        assert not set(_pids(plane)) & set(old_pids)
        assert all(wait_gone(pid, 0) for pid in old_pids)
        assert configmaps() == 200  # same certificates, token and etcd data
        plane.restart(keep_state=False)
        assert plane.url == url
        assert configmaps() == 404  # an empty etcd
    finally:
        plane.stop()
    assert list(private_tmp.iterdir()) == []

"""``python -m aim_engine.testing.apiserver`` as a subprocess: port, URL line, kubeconfig, exit."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.fake_only

_READ_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aim_engine.testing.apiserver",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def _get_version(url: str) -> dict[str, str]:
    with urllib.request.urlopen(f"{url}/version", timeout=10) as response:
        doc: dict[str, str] = json.load(response)
    return doc


async def _stop(proc: asyncio.subprocess.Process) -> tuple[int, bytes]:
    proc.send_signal(signal.SIGTERM)
    rest, _ = await asyncio.wait_for(proc.communicate(), _READ_TIMEOUT)
    assert proc.returncode is not None
    return proc.returncode, rest


async def test_listens_on_the_given_port_and_prints_the_url_once(tmp_path: Path) -> None:
    port = _free_port()
    kubeconfig = tmp_path / "kubeconfig"
    proc = await _spawn("--port", str(port), "--kubeconfig", str(kubeconfig))
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), _READ_TIMEOUT)
        url = f"http://127.0.0.1:{port}"
        assert line.decode() == url + "\n"
        doc = yaml.safe_load(kubeconfig.read_text())
        assert doc["clusters"][0]["cluster"]["server"] == url
        version = await asyncio.to_thread(_get_version, url)
        assert version["major"] == "1"
    finally:
        code, rest = await _stop(proc)
    assert code == 0
    assert rest == b""  # the URL was the only line


async def test_port_zero_picks_a_free_port() -> None:
    proc = await _spawn("--port", "0")
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), _READ_TIMEOUT)).decode()
        host, _, port = line.strip().removeprefix("http://").rpartition(":")
        assert host == "127.0.0.1"
        assert int(port) > 0
        await asyncio.to_thread(_get_version, line.strip())
    finally:
        code, _ = await _stop(proc)
    assert code == 0


async def test_a_busy_port_exits_1_with_a_message() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = int(busy.getsockname()[1])
        proc = await _spawn("--port", str(port))
        out, err = await asyncio.wait_for(proc.communicate(), _READ_TIMEOUT)
    assert proc.returncode == 1
    assert out == b""
    assert f"cannot listen on 127.0.0.1:{port}" in err.decode()

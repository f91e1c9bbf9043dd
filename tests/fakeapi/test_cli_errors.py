"""The two commands as a user runs them: every failure is one line on stderr and an exit status.

``aim-engine`` (run as ``python -m controllers``) and ``examples/configmap_mirror.py`` run as
subprocesses with this checkout on ``PYTHONPATH`` and no ambient kubeconfig. Exit status 2 is a
usage error (a bad flag, a missing or invalid kubeconfig), 1 a runtime failure (an address in
use); neither prints a traceback. An API server that does not answer is retried until SIGTERM.
No API server is involved: the kubeconfigs point at a closed port on loopback.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "configmap_mirror.py"
COMMANDS = {
    "aim-engine": [sys.executable, "-m", "controllers"],
    "configmap_mirror.py": [
        sys.executable,
        str(EXAMPLE),
        "--source-namespace",
        "src",
        "--target-namespace",
        "dst",
    ],
}
NO_SERVERS = ["--metrics-bind-address", "0", "--health-probe-bind-address", "0"]
_TIMEOUT = 50.0


@dataclass(frozen=True)
class Finished:
    code: int
    stderr: str

    def records(self) -> list[dict[str, Any]]:
        """The stderr lines as JSON log records (every line must be one)."""
        return [json.loads(line) for line in self.stderr.splitlines()]

    def errors(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if r["level"] == "ERROR"]


def _env(home: Path) -> dict[str, str]:
    ambient = {"KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "POD_NAMESPACE"}
    env = {k: v for k, v in os.environ.items() if k not in ambient}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["HOME"] = str(home)  # no ~/.kube/config
    return env


def _run(tmp_path: Path, command: str, *args: str) -> Finished:
    done = subprocess.run(
        [*COMMANDS[command], *args],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=tmp_path,
        timeout=_TIMEOUT,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    return Finished(done.returncode, done.stderr)


def _kubeconfig(tmp_path: Path, current_context: str = "main") -> Path:
    """A kubeconfig for ``http://127.0.0.1:1``, where nothing listens."""
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": current_context,
        "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:1"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "main", "context": {"cluster": "c", "user": "u"}}],
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    return path


def _missing(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "absent"
    return path, f"kubeconfig not found: {path}"


def _not_yaml(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "kubeconfig"
    path.write_text("clusters: [unclosed\n")
    problem = "expected ',' or ']', but got '<stream end>' (line 2, column 1)"
    return path, f"kubeconfig {path} is not YAML: {problem}"


def _unknown_context(tmp_path: Path) -> tuple[Path, str]:
    path = _kubeconfig(tmp_path, current_context="gone")
    return path, f"kubeconfig {path} has no context 'gone' (defined: main)"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", [_missing, _not_yaml, _unknown_context], ids=lambda f: f.__name__)
def test_a_bad_kubeconfig_is_one_line_and_status_2(tmp_path: Path, command: str, case: Any) -> None:
    path, problem = case(tmp_path)
    done = _run(tmp_path, command, "--kubeconfig", str(path), *NO_SERVERS)
    assert done.code == 2
    (record,) = done.records()
    assert record["level"] == "ERROR"
    assert record["message"] == "invalid configuration"
    assert record["error"] == problem


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("flag", "value", "problem"),
    [
        ("--metrics-bind-address", ":65536", "bind address ':65536': port must be 0 to 65535"),
        ("--health-probe-bind-address", "8081", "bind address '8081' must look like host:port"),
    ],
)
def test_a_bad_bind_address_is_a_usage_error(
    tmp_path: Path, command: str, flag: str, value: str, problem: str
) -> None:
    done = _run(tmp_path, command, f"{flag}={value}")
    assert done.code == 2
    assert done.stderr == f"{command}: error: argument {flag}: {problem}\n"


@pytest.mark.parametrize("value", ["-1", "nan", "soon"])
def test_a_bad_graceful_shutdown_timeout_is_a_usage_error(tmp_path: Path, value: str) -> None:
    done = _run(tmp_path, "aim-engine", f"--graceful-shutdown-timeout={value}")
    assert done.code == 2
    assert done.stderr == (
        f"aim-engine: error: argument --graceful-shutdown-timeout: "
        f"{value!r} is not a number of seconds >= 0\n"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bind_address_in_use_is_one_line_and_status_1(tmp_path: Path, command: str) -> None:
    kubeconfig = _kubeconfig(tmp_path)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = _run(
            tmp_path,
            command,
            f"--kubeconfig={kubeconfig}",
            f"--metrics-bind-address=127.0.0.1:{port}",
            "--health-probe-bind-address=0",
        )
    assert done.code == 1
    (error,) = done.errors()
    assert (
        error["error"]
        == f"metrics server cannot listen on 127.0.0.1:{port}: Address already in use"
    )


# -- an API server that does not answer ------------------------------------------------------

RETRY_WARNINGS = {
    # aim-engine's controllers' informers retry their lists (leader election retries too).
    "aim-engine": (
        "list failed; backing off",
        ["--leader-elect", "--leader-election-namespace=ns"],
    ),
    "configmap_mirror.py": ("list failed; backing off", []),
}


async def _warnings(stderr: asyncio.StreamReader, message: str, count: int) -> list[dict[str, Any]]:
    """Read JSON records until ``count`` warnings with ``message`` have come."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        line = await stderr.readline()
        assert line, "the command ended while it should keep retrying"
        record = json.loads(line)
        assert record["level"] != "ERROR", record
        if record["level"] == "WARNING" and record["message"] == message:
            found.append(record)
    return found


@pytest.mark.parametrize("command", COMMANDS)
async def test_an_unreachable_api_server_is_retried_until_sigterm(
    tmp_path: Path, command: str
) -> None:
    message, flags = RETRY_WARNINGS[command]
    proc = await asyncio.create_subprocess_exec(
        *COMMANDS[command],
        f"--kubeconfig={_kubeconfig(tmp_path)}",
        *NO_SERVERS,
        *flags,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=_env(tmp_path),
        cwd=tmp_path,
    )
    try:
        assert proc.stderr is not None
        # Three: with two informers (the example), two warnings could be first attempts.
        warnings = await asyncio.wait_for(_warnings(proc.stderr, message, 3), _TIMEOUT)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(proc.communicate(), _TIMEOUT)
    assert len(warnings) == 3
    assert b"Traceback" not in rest
    assert b'"ERROR"' not in rest
    assert proc.returncode == 0

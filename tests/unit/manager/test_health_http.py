"""Health check sets, bind-address parsing and signal handling (no sockets)."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from aim_engine.errors import ConfigurationError
from aim_engine.manager import HealthChecks, parse_bind_address
from aim_engine.testing import FakeClock
from tests.unit.manager.conftest import FakeCache, MakeManager


async def test_checks_pass_fail_raise_and_async() -> None:
    checks = HealthChecks("readyz")
    checks.add("ping", lambda: None)
    checks.add("flag", lambda: False)

    def broken() -> None:
        raise RuntimeError("secret detail")

    async def fine() -> bool:
        return True

    checks.add("broken", broken)
    checks.add("async", fine)
    results = await checks.run()
    assert [(r.name, r.ok) for r in results] == [
        ("ping", True),
        ("flag", False),
        ("broken", False),
        ("async", True),
    ]
    status, body = checks.render(results, verbose=False)
    assert status == 500
    assert body.splitlines() == [
        "[+]ping ok",
        "[-]flag failed: reason withheld",
        "[-]broken failed: reason withheld",
        "[+]async ok",
        "readyz check failed",
    ]
    assert "secret" not in body
    ok = await checks.run(exclude={"flag", "broken"})
    assert checks.render(ok, verbose=False) == (200, "ok")
    assert checks.render(ok, verbose=True) == (
        200,
        "[+]ping ok\n[+]async ok\nreadyz check passed\n",
    )
    assert [r.ok for r in await checks.run(only="flag")] == [False]


def test_duplicate_or_bad_check_names() -> None:
    checks = HealthChecks("healthz")
    checks.add("a", lambda: None)
    for name in ("a", "", "a/b"):
        with pytest.raises(ConfigurationError):
            checks.add(name, lambda: None)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (":8080", ("", 8080)),
        ("127.0.0.1:8081", ("127.0.0.1", 8081)),
        ("[::1]:9000", ("::1", 9000)),
        ("0", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_bind_address(address: str | None, expected: tuple[str, int] | None) -> None:
    assert parse_bind_address(address) == expected


@pytest.mark.parametrize("address", ["8080", "host:", "host:http", ":-1", ":\uff18\uff10"])
def test_bad_bind_addresses(address: str) -> None:
    with pytest.raises(ConfigurationError, match="must look like host:port"):
        parse_bind_address(address)


@pytest.mark.parametrize(("address", "port"), [(":0", 0), (":65535", 65535)])
def test_bind_port_range_ends_are_accepted(address: str, port: int) -> None:
    assert parse_bind_address(address) == ("", port)


@pytest.mark.parametrize("address", [":65536", "127.0.0.1:99999"])
def test_bind_port_out_of_range_is_a_configuration_error(address: str) -> None:
    with pytest.raises(ConfigurationError, match="port must be 0 to 65535"):
        parse_bind_address(address)


async def test_sigterm_stops_the_manager_gracefully(
    make_manager: MakeManager, fake_cache: FakeCache, clock: FakeClock
) -> None:
    fake_cache.synced.set()
    manager = make_manager()
    stopped = []

    async def runnable() -> None:
        try:
            await clock.sleep(1e9)
        finally:
            stopped.append(True)

    manager.add_runnable(runnable, needs_leader=True)
    task = asyncio.get_running_loop().create_task(manager.run(install_signal_handlers=True))
    await clock.tick(1)
    assert not task.done()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, 5)
    assert task.exception() is None
    assert stopped == [True]
    # Handlers are removed afterwards: the default disposition is back.
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, signal.default_int_handler)

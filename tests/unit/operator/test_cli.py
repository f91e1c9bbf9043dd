"""The operator command line follows kubebuilder's flag conventions."""

from __future__ import annotations

import pytest

from controllers.__main__ import LEADER_ELECTION_ID, build_parser, run


def test_defaults_match_kubebuilder() -> None:
    args = build_parser().parse_args([])
    assert args.metrics_bind_address == ":8080"
    assert args.health_probe_bind_address == ":8081"
    assert args.leader_elect is False
    assert args.leader_election_id == LEADER_ELECTION_ID == "3be10d2f.eai.amd.com"


async def test_leader_election_without_namespace_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.delenv("POD_NAMESPACE", raising=False)
    monkeypatch.setattr(
        "controllers.__main__.SA_NAMESPACE_FILE", __import__("pathlib").Path("/nonexistent/ns")
    )
    args = build_parser().parse_args(["--leader-elect"])
    assert await run(args) == 2


def test_zero_disables_the_servers_and_other_addresses_are_kept_as_given() -> None:
    args = build_parser().parse_args(
        ["--metrics-bind-address=0", "--health-probe-bind-address=[::1]:0"]
    )
    assert args.metrics_bind_address == "0"
    assert args.health_probe_bind_address == "[::1]:0"


def test_graceful_shutdown_timeout_accepts_zero_and_fractions() -> None:
    parser = build_parser()
    assert parser.parse_args([]).graceful_shutdown_timeout == 30.0
    assert parser.parse_args(["--graceful-shutdown-timeout=0"]).graceful_shutdown_timeout == 0.0
    assert parser.parse_args(["--graceful-shutdown-timeout=2.5"]).graceful_shutdown_timeout == 2.5

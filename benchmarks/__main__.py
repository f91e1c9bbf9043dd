"""``python -m benchmarks run [--objects N] [--quick]``: run every contender and report."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time

from benchmarks import harness, kubeconfig, report
from benchmarks.workload import Load

CONTENDERS: dict[str, tuple[str, list[str]]] = {
    "aim-engine": ("benchmarks.contenders.aim_engine_controller", []),
    "aim-engine-status": ("benchmarks.contenders.aim_engine_controller", ["--patch-status"]),
    "kopf": ("benchmarks.contenders.kopf_handler", []),
    "baseline": ("benchmarks.contenders.baseline", []),
}

EXTRA_CONTENDERS: dict[str, tuple[str, list[str]]] = {
    # Only on request (--contenders): the initial LIST in one request, as kopf and the baseline
    # make it, to separate the cost of pagination on the server from aim-engine's own.
    "aim-engine-unpaged": (
        "benchmarks.contenders.aim_engine_controller",
        ["--page-size", "1000000"],
    ),
}


def _log(msg: str) -> None:
    print(msg, flush=True)


def _machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
    }


async def _measure(
    args: argparse.Namespace, phases: harness.Phases
) -> tuple[str, dict[str, dict[str, object]]]:
    """Start or reach the API server, seed it, and run every chosen contender."""
    n = phases.objects
    chosen = args.contenders.split(",") if args.contenders else list(CONTENDERS)
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        if args.kubeconfig:
            kc = args.kubeconfig
            server_kind = "external"
        else:
            server_kind = args.server
            server, kc = await harness.start_server(
                server_kind,
                pathlib.Path(tmp),
                gc_delay=args.gc_delay,
                history=phases.burst + 2000,
            )
        try:
            _log(f"API server: {server_kind}; objects: {n}; namespace: {args.namespace}")
            async with Load(kubeconfig.load(kc), args.namespace) as load:
                await load.setup()
                t = time.monotonic()
                size = await load.create(range(n))
                _log(f"seeded {n} objects ({size:.0f} B sent each) in {time.monotonic() - t:.1f} s")
            results: dict[str, dict[str, object]] = {}
            for name in chosen:
                module, extra = {**CONTENDERS, **EXTRA_CONTENDERS}[name]
                _log(f"{name}:")
                results[name] = await harness.run_contender(
                    module,
                    extra,
                    kc,
                    args.namespace,
                    phases,
                    _log,
                    server_pid=server.pid if server is not None else None,
                )
        finally:
            if server is not None:
                await harness.stop_process(server)
    return server_kind, results


def _run(args: argparse.Namespace) -> int:
    n = args.objects or (1000 if args.quick else 10_000)
    phases = harness.Phases(
        objects=n,
        rate=args.rate,
        duration=5.0 if args.quick else args.duration,
        burst=min(n, 1000 if args.quick else 5000),
        sync_timeout=300.0,
    )
    out_dir = pathlib.Path(args.out or f"benchmarks/results/{dt.datetime.now():%Y%m%d-%H%M%S}")
    out_dir.mkdir(parents=True, exist_ok=True)
    server_kind, results = asyncio.run(_measure(args, phases))
    micro: dict[str, float] = {}
    if not args.skip_micro:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.micro", *(["--quick"] if args.quick else [])],
            capture_output=True,
            text=True,
            check=True,
        )
        micro = json.loads(proc.stdout)
    text = report.table(results, micro)
    print()
    print(text)
    doc = {
        "when": dt.datetime.now(dt.UTC).isoformat(),
        "machine": _machine(),
        "server": server_kind,
        "server_gc_delay_s": args.gc_delay if server_kind == "fake" else None,
        "phases": vars(phases),
        "results": results,
        "micro": micro,
    }
    report.write_json(out_dir / "results.json", doc)
    (out_dir / "results.txt").write_text(text + "\n")
    if report.chart(out_dir / "latency.png", results):
        _log(f"\nwrote {out_dir}/results.json, results.txt, latency.png")
    return 0


def main() -> int:
    """Parse the command line and run."""
    p = argparse.ArgumentParser(prog="python -m benchmarks")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run the benchmarks")
    r.add_argument("--objects", type=int, default=0, help="objects (default 10000, quick 1000)")
    r.add_argument("--quick", action="store_true", help="N=1000 and short phases (CI smoke)")
    r.add_argument("--server", choices=["fake", "envtest"], default="fake")
    r.add_argument("--kubeconfig", help="use an existing cluster instead of starting a server")
    r.add_argument("--namespace", default="bench")
    r.add_argument(
        "--gc-delay",
        type=float,
        default=10.0,
        help="seconds the fake server's GC pass waits after a write (0: the fake's default)",
    )
    r.add_argument("--rate", type=float, default=200.0, help="updates per second (latency)")
    r.add_argument("--duration", type=float, default=30.0, help="seconds of updates (latency)")
    r.add_argument(
        "--contenders",
        help="comma-separated subset of: " + ",".join([*CONTENDERS, *EXTRA_CONTENDERS]),
    )
    r.add_argument("--out", help="directory for results.json, results.txt, latency.png")
    r.add_argument("--skip-micro", action="store_true")
    args = p.parse_args()
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark harness: one API server, one contender process at a time, the same load for all.

For each contender the harness measures, in this order:

1. **initial sync**: seconds from spawning the contender until it has reported every object
   (also from its own "started" mark, which excludes interpreter start-up and imports);
2. **memory**: resident set size growth from "started" to "synced", per cached object, and that
   figure divided by the mean JSON size of an object as the server returns it. Every RSS
   reading follows ``gc.collect()`` and ``malloc_trim(0)`` in the contender (see
   :mod:`benchmarks.probe`): the "started" one is taken by the contender itself before its
   informers list anything; for the "synced" one the harness sends SIGUSR1 and waits for the
   answer. So the readings hold what the process keeps, not freed decode buffers. Contenders
   that can (aim-engine) also report the bytes their cache holds, measured in process
   (``cache_bytes_per_object``);
3. **latency**: objects are patched at a fixed rate; event-to-reconcile latency is the time from
   sending a patch to the contender reporting that object at the new ``spec.seq``;
4. **throughput**: the contender is paused (SIGSTOP), M objects are patched, the contender is
   resumed (SIGCONT) and the harness times how long it takes to report all M changes.

Wall-clock figures depend on what else runs on the machine, so every phase also records the CPU
time the contender (and the API server, when the harness started it) used: ``cpu_*`` figures in
milliseconds per update or microseconds per reconcile do not move with the load average.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import signal
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from benchmarks import kubeconfig
from benchmarks.workload import Load

PY = sys.executable


@dataclass
class Phases:
    """Sizes and durations of the phases."""

    objects: int
    rate: float
    duration: float
    burst: int
    sync_timeout: float


@dataclass
class Recorder:
    """Everything a contender reported, with waiters for conditions on it."""

    started_at: float | None = None
    first_seen: dict[str, float] = field(default_factory=dict)
    by_seq: dict[tuple[str, int], float] = field(default_factory=dict)
    reconciles: int = 0
    started_rss: int | None = None
    started_cpu: float | None = None
    settled: int = 0
    cache_bytes: int | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def feed(self, line: str) -> None:
        """Parse one line of contender output."""
        parts = line.split()
        if not parts:
            return
        if parts[0] == "S":
            self.started_at = float(parts[1])
            if len(parts) >= 4:
                self.started_rss = int(parts[2])
                self.started_cpu = float(parts[3])
        elif parts[0] == "G":
            self.settled += 1
        elif parts[0] == "M":
            self.cache_bytes = int(parts[1])
        elif parts[0] == "R" and len(parts) == 4:
            name, seq, t = parts[1], parts[2], float(parts[3])
            self.reconciles += 1
            self.first_seen.setdefault(name, t)
            with contextlib.suppress(ValueError):
                self.by_seq.setdefault((name, int(seq)), t)
        self._changed.set()

    async def wait_for(self, cond: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``cond()`` holds, or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        while not cond():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=min(left, 0.5))
        return True


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int | None) -> float:
    """User plus system CPU time a process has used so far (all its threads), from /proc."""
    if pid is None:
        return float("nan")
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    # Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def settled_rss(proc: asyncio.subprocess.Process, rec: Recorder) -> int:
    """Ask the contender to collect garbage and trim its heap (SIGUSR1), then read its RSS."""
    before = rec.settled
    proc.send_signal(signal.SIGUSR1)
    await rec.wait_for(lambda: rec.settled > before, 30)
    return rss_bytes(proc.pid)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


async def start_server(
    kind: str, workdir: pathlib.Path, gc_delay: float = 10.0, history: int = 1000
) -> tuple[asyncio.subprocess.Process, str]:
    """Start the API server in its own process; returns it and its kubeconfig path.

    The fake runs through :mod:`benchmarks.server`, with its garbage-collector pass delayed by
    ``gc_delay`` seconds and a watch history of ``history`` events (see there why).
    """
    kc = str(workdir / f"{kind}.kubeconfig")
    if kind == "fake":
        args = [PY, "-m", "benchmarks.server", "--kubeconfig", kc]
        args += ["--gc-delay", str(gc_delay), "--history", str(history)]
    elif kind == "envtest":
        args = [PY, "-m", "aim_engine.testing.envtest", "run", "--kubeconfig", kc]
    else:
        raise ValueError(kind)
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=120)
    if not line:
        raise RuntimeError(f"the {kind} API server did not start")
    # Keep draining its stdout so it never blocks on a full pipe.
    asyncio.get_running_loop().create_task(_drain(proc.stdout))
    return proc, kc


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


async def stop_process(proc: asyncio.subprocess.Process) -> None:
    """SIGCONT (in case it is paused), SIGTERM, then SIGKILL after 5 s."""
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGCONT)
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), timeout=5)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


async def run_contender(
    module: str,
    extra: list[str],
    kc: str,
    namespace: str,
    phases: Phases,
    log: Callable[[str], None],
    server_pid: int | None = None,
) -> dict[str, object]:
    """Run one contender through every phase and return its figures.

    ``server_pid`` (the API server the harness started) lets the CPU figures include the
    server's share.
    """
    endpoint = kubeconfig.load(kc)
    rec = Recorder()
    t_spawn = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        PY,
        "-m",
        module,
        "--kubeconfig",
        kc,
        "--namespace",
        namespace,
        *extra,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "0"},
    )
    assert proc.stdout is not None
    stdout = proc.stdout

    async def pump() -> None:
        while line := await stdout.readline():
            rec.feed(line.decode())

    pump_task = asyncio.get_running_loop().create_task(pump())
    out: dict[str, object] = {}
    try:
        await rec.wait_for(lambda: rec.started_at is not None, 60)
        server_cpu0 = cpu_seconds(server_pid)
        # Read by the contender itself at "started", before its informers list anything.
        rss_start = rec.started_rss if rec.started_rss else await settled_rss(proc, rec)
        cpu0 = rec.started_cpu if rec.started_cpu is not None else cpu_seconds(proc.pid)
        n = phases.objects
        ok = await rec.wait_for(lambda: len(rec.first_seen) >= n, phases.sync_timeout)
        t_synced = max(rec.first_seen.values()) if rec.first_seen else float("nan")
        out["synced_objects"] = len(rec.first_seen)
        out["initial_sync_s"] = (t_synced - t_spawn) if ok else float("nan")
        out["initial_sync_from_start_s"] = (
            (t_synced - rec.started_at) if ok and rec.started_at else float("nan")
        )
        out["cpu_sync_s"] = cpu_seconds(proc.pid) - cpu0
        out["server_cpu_sync_s"] = cpu_seconds(server_pid) - server_cpu0
        log(f"  initial sync: {out['initial_sync_s']:.2f} s ({len(rec.first_seen)}/{n})")
        await asyncio.sleep(0.5)
        rss_synced = await settled_rss(proc, rec)
        rss_per_object = (rss_synced - rss_start) / max(1, n)
        out["rss_start_mb"] = rss_start / 2**20
        out["rss_synced_mb"] = rss_synced / 2**20
        out["rss_per_object_bytes"] = rss_per_object

        async with Load(endpoint, namespace) as load:
            json_size = await load.sample_json_size()
            out["object_json_bytes"] = json_size
            out["memory_ratio"] = rss_per_object / json_size
            if rec.cache_bytes is not None:
                out["cache_bytes_per_object"] = rec.cache_bytes / max(1, n)
                out["cache_ratio"] = rec.cache_bytes / max(1, n) / json_size
            log(
                f"  memory: {rss_per_object / json_size:.2f}x JSON (RSS)"
                + (f", {out['cache_ratio']:.2f}x (cache)" if "cache_ratio" in out else "")
            )
            pids = (proc.pid, server_pid)
            out.update(await _cpu_phase("latency", pids, _latency(load, rec, phases, log)))
            out.update(await _cpu_phase("burst", pids, _throughput(load, rec, proc, phases, log)))
        updates = max(1, int(phases.rate * phases.duration))
        out["cpu_ms_per_update"] = out["cpu_latency_s"] * 1000 / updates  # type: ignore[operator]
        out["cpu_us_per_reconcile"] = (
            out["cpu_burst_s"] * 1e6 / max(1, phases.burst)  # type: ignore[operator]
        )
        out["server_cpu_us_per_write"] = (
            out["server_cpu_burst_s"] * 1e6 / max(1, phases.burst)  # type: ignore[operator]
        )
        out["reconciles_total"] = rec.reconciles
    finally:
        await stop_process(proc)
        pump_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump_task
    return out


async def _cpu_phase(
    name: str, pids: tuple[int, int | None], phase: Awaitable[dict[str, object]]
) -> dict[str, object]:
    """Run a phase and add the CPU seconds the contender and the server used during it."""
    before = [cpu_seconds(pid) for pid in pids]
    res = await phase
    after = [cpu_seconds(pid) for pid in pids]
    res[f"cpu_{name}_s"] = after[0] - before[0]
    res[f"server_cpu_{name}_s"] = after[1] - before[1]
    return res


_seq = [1]


def _next_seq_block(size: int) -> int:
    base = _seq[0]
    _seq[0] += size
    return base


async def _latency(
    load: Load, rec: Recorder, phases: Phases, log: Callable[[str], None]
) -> dict[str, object]:
    total = int(phases.rate * phases.duration)
    base = _next_seq_block(total)
    sent: dict[tuple[str, int], float] = {}
    t0 = time.monotonic()

    async def one(k: int) -> None:
        i = k % phases.objects
        seq = base + k
        sent[(f"w-{i:06d}", seq)] = await load.set_seq(i, seq)

    tasks = []
    for k in range(total):
        delay = t0 + k / phases.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(k)))
    await asyncio.gather(*tasks)
    await rec.wait_for(lambda: all(key in rec.by_seq for key in sent), 30)
    lat = sorted((rec.by_seq[k] - t) * 1000 for k, t in sent.items() if k in rec.by_seq)
    res: dict[str, object] = {
        "latency_ms": lat,
        "latency_missed": total - len(lat),
        "latency_p50_ms": percentile(lat, 50),
        "latency_p90_ms": percentile(lat, 90),
        "latency_p99_ms": percentile(lat, 99),
        "update_rate_per_s": phases.rate,
    }
    log(
        "  latency p50/p90/p99: "
        f"{res['latency_p50_ms']:.1f}/{res['latency_p90_ms']:.1f}/{res['latency_p99_ms']:.1f} ms"
    )
    return res


async def _throughput(
    load: Load,
    rec: Recorder,
    proc: asyncio.subprocess.Process,
    phases: Phases,
    log: Callable[[str], None],
) -> dict[str, object]:
    m = min(phases.burst, phases.objects)
    base = _next_seq_block(m)
    proc.send_signal(signal.SIGSTOP)
    try:
        sem = asyncio.Semaphore(32)

        async def one(i: int) -> None:
            async with sem:
                await load.set_seq(i, base + i)

        await asyncio.gather(*(one(i) for i in range(m)))
        await asyncio.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGCONT)
    t_resume = time.monotonic()
    keys = [(f"w-{i:06d}", base + i) for i in range(m)]
    ok = await rec.wait_for(lambda: all(k in rec.by_seq for k in keys), 120)
    done = [rec.by_seq[k] for k in keys if k in rec.by_seq]
    elapsed = (max(done) - t_resume) if done else float("nan")
    res: dict[str, object] = {
        "burst_objects": m,
        "burst_completed": len(done),
        "throughput_per_s": (len(done) / elapsed) if ok and elapsed > 0 else float("nan"),
    }
    log(f"  throughput: {res['throughput_per_s']:.0f} reconciles/s ({len(done)}/{m})")
    return res
